//! A scratch PostgreSQL cluster for tests (feature `postgres`): `initdb` into a temp dir, a
//! postmaster on a free port of 127.0.0.1 with a generated password, one database, and on drop
//! the postmaster stopped by its own pid and the dir removed.
//!
//! - **Which PostgreSQL**: `initdb` and `postgres` from PATH, else the Debian package's
//!   `/usr/lib/postgresql/<major>/bin`, newest major first. scripts/setup installs the
//!   distribution's `postgresql` when neither has one.
//! - **Root**: PostgreSQL refuses to run as root, so a test running as root runs `initdb` and
//!   the postmaster as the system user [`PG_USER`] (scripts/setup creates it), through
//!   `setpriv`: it `exec`s, so the pid the test holds is the postmaster's own, never a wrapper's
//!   (`runuser` and `su` fork and wait, and a signal to them would not reach the postmaster).
//! - **Authentication**: `scram-sha-256` for every connection, with a random password, and
//!   TCP only on 127.0.0.1. `trust` would let any local user of a shared CI machine connect to
//!   the port and read or change the test's data; and the tests then go through the same
//!   password exchange as a production `postgres://user:password@host/db` URL.
//! - **Durability**: `fsync` stays on (only `initdb --no-sync`: a cluster that is thrown away
//!   needs no durable template). The hub's tests kill hub processes, not the machine, so
//!   fsync=off would pass them too; but commit latency is what makes two pushes commit out of
//!   order, and benchmarks run against SQLite with `synchronous=FULL`: both must see the real
//!   cost of a commit. Small `shared_buffers` (16 MB): several clusters may run at once.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tempfile::TempDir;

use crate::process::{descendants, exe, free_port, kill_all, signal, tail};
use crate::util::random_bytes;

/// The system user that runs PostgreSQL when the tests run as root.
pub const PG_USER: &str = "casebook-pg";

/// The superuser of every scratch cluster (a database role, not a system user).
const ROLE: &str = "casebook";

/// How long the postmaster may take to accept connections (a loaded 2-core machine is slow).
const START_LIMIT: Duration = Duration::from_secs(60);

/// How long a fast shutdown may take before the postmaster is killed.
const STOP_LIMIT: Duration = Duration::from_secs(15);

/// Why a scratch cluster could not be had.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// No `initdb` next to a `postgres`.
    #[error(
        "no PostgreSQL server found (initdb and postgres on PATH or in /usr/lib/postgresql/*/bin); \
         run scripts/setup, which installs the distribution's postgresql package"
    )]
    NotInstalled,
    /// Running as root without the unprivileged user PostgreSQL needs.
    #[error(
        "the tests run as root, PostgreSQL refuses to, and the system user {PG_USER} is missing; \
         run scripts/setup (useradd --system --no-create-home {PG_USER})"
    )]
    NoUnprivilegedUser,
    /// A file or process operation failed.
    #[error("{action}: {source}")]
    Io {
        /// What was attempted.
        action: String,
        /// Why it failed.
        source: std::io::Error,
    },
    /// `initdb` failed.
    #[error("initdb failed ({status}); it said:\n{output}")]
    Initdb {
        /// Its exit status.
        status: String,
        /// Its stdout and stderr.
        output: String,
    },
    /// The postmaster exited or did not accept connections in time.
    #[error("the postmaster did not start: {why}; its log ends:\n{log}")]
    Start {
        /// What was seen.
        why: String,
        /// The end of its log.
        log: String,
    },
    /// A statement on the new cluster failed.
    #[error("the scratch cluster refused a statement: {0}")]
    Sql(#[from] ::postgres::Error),
}

/// A running scratch cluster; dropping it stops the postmaster and removes its files.
pub struct Cluster {
    /// data/, socket/, postgres.log; removed last.
    dir: TempDir,
    /// The postmaster itself (setpriv `exec`s it).
    postmaster: Child,
    port: u16,
    password: String,
    url: String,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("dir", &self.dir.path())
            .field("pid", &self.postmaster.id())
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

/// The uid and gid to run PostgreSQL as: `None` for the current user.
type RunAs = Option<(u32, u32)>;

impl Cluster {
    /// Initialises and starts a new cluster with the database `casebook` ([`Cluster::url`]).
    pub fn start() -> Result<Self, ClusterError> {
        let bin = bin_dir().ok_or(ClusterError::NotInstalled)?;
        let run_as = if effective_uid()? == 0 {
            Some(system_user(PG_USER)?.ok_or(ClusterError::NoUnprivilegedUser)?)
        } else {
            None
        };
        let dir = tempfile::Builder::new()
            .prefix("casebook-pg-")
            .tempdir()
            .map_err(io("make the cluster's scratch dir"))?;
        let password = hex(&random_bytes::<24>());
        initdb(&bin, dir.path(), run_as, &password)?;
        // A free port may be taken by someone else before the postmaster binds it: try another.
        let mut last = None;
        for _ in 0..3 {
            let port = free_port();
            match start_postmaster(&bin, dir.path(), run_as, port, &password) {
                Ok(postmaster) => {
                    let mut cluster = Self {
                        url: String::new(),
                        dir,
                        postmaster,
                        port,
                        password,
                    };
                    cluster.url = cluster.create_database(ROLE)?;
                    return Ok(cluster);
                }
                Err(Started::PortTaken(e)) => last = Some(e),
                Err(Started::Failed(e)) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| ClusterError::Start {
            why: "no free port".to_owned(),
            log: String::new(),
        }))
    }

    /// `postgres://casebook:PASSWORD@127.0.0.1:PORT/casebook`
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The postmaster's pid.
    pub fn pid(&self) -> u32 {
        self.postmaster.id()
    }

    /// The port it listens on (127.0.0.1 only).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The last lines of the server's log, for failure messages.
    pub fn log_tail(&self) -> String {
        tail(&self.dir.path().join("postgres.log"), 40)
    }

    /// Creates the database `name` (lowercase letters, digits, `_`) and returns its URL.
    pub fn create_database(&self, name: &str) -> Result<String, ClusterError> {
        assert!(
            !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
            "a scratch database name is [a-z0-9_]+, not {name:?}"
        );
        let mut admin = ::postgres::Client::connect(&self.url_of("postgres"), ::postgres::NoTls)?;
        admin.batch_execute(&format!("CREATE DATABASE {name}"))?;
        Ok(self.url_of(name))
    }

    /// A new connection to the database `casebook`.
    pub fn connect(&self) -> Result<::postgres::Client, ClusterError> {
        Ok(::postgres::Client::connect(&self.url, ::postgres::NoTls)?)
    }

    /// Everything `pg_dump` writes of the database at `url` (plain SQL): see [`dump`].
    pub fn dump(&self, url: &str) -> Vec<u8> {
        dump(url)
    }

    /// The URL of the maintenance database, for [`scratch_database`] in another process.
    pub fn admin_url(&self) -> String {
        self.url_of("postgres")
    }

    fn url_of(&self, db: &str) -> String {
        url(&self.password, self.port, db)
    }
}

impl Drop for Cluster {
    /// A fast shutdown (SIGINT: sessions are ended, a checkpoint written) rather than SIGTERM's
    /// smart shutdown, which waits for every client to disconnect, so one connection a test
    /// leaked (or a hub process still running) would hold it up until the timeout. Then SIGKILL
    /// to the postmaster and to the backends it left, each by pid.
    fn drop(&mut self) {
        let pid = self.postmaster.id();
        if matches!(self.postmaster.try_wait(), Ok(None)) {
            let backends: Vec<_> = descendants(pid).into_iter().map(|p| (p, exe(p))).collect();
            signal(pid, "INT");
            let deadline = Instant::now() + STOP_LIMIT;
            while matches!(self.postmaster.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
            if matches!(self.postmaster.try_wait(), Ok(None)) {
                let _ = self.postmaster.kill();
            }
            let _ = self.postmaster.wait();
            kill_all(&backends);
        }
        // The TempDir removes the files once this returns.
    }
}

/// The directory holding both `initdb` and `postgres`.
fn bin_dir() -> Option<PathBuf> {
    let complete = |dir: &Path| dir.join("initdb").is_file() && dir.join("postgres").is_file();
    if let Some(path) = std::env::var_os("PATH")
        && let Some(dir) = std::env::split_paths(&path).find(|d| complete(d))
    {
        return Some(dir);
    }
    let mut majors: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|e| Some((e.file_name().to_str()?.parse().ok()?, e.path().join("bin"))))
        .filter(|(_, bin)| complete(bin))
        .collect();
    majors.sort();
    majors.pop().map(|(_, bin)| bin)
}

/// The effective uid of this process, from `/proc/self/status` (no libc: unsafe is forbidden).
fn effective_uid() -> Result<u32, ClusterError> {
    let status = fs::read_to_string("/proc/self/status").map_err(io("read /proc/self/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1)?.parse().ok())
        .ok_or_else(|| ClusterError::Io {
            action: "read the effective uid".to_owned(),
            source: std::io::Error::other("no Uid line in /proc/self/status"),
        })
}

/// The uid and gid of the system user `name`, from `/etc/passwd`.
fn system_user(name: &str) -> Result<Option<(u32, u32)>, ClusterError> {
    let passwd = fs::read_to_string("/etc/passwd").map_err(io("read /etc/passwd"))?;
    Ok(passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        (fields.len() > 3 && fields[0] == name).then_some(())?;
        Some((fields[2].parse().ok()?, fields[3].parse().ok()?))
    }))
}

/// `program` run as `run_as`: through `setpriv`, which `exec`s it (same pid).
fn command(program: &Path, run_as: RunAs) -> Command {
    let mut cmd = match run_as {
        None => Command::new(program),
        Some((uid, gid)) => {
            let mut cmd = Command::new("setpriv");
            cmd.arg(format!("--reuid={uid}"))
                .arg(format!("--regid={gid}"))
                .arg("--clear-groups")
                .arg("--")
                .arg(program);
            cmd
        }
    };
    // Hermetic: no PG* settings of the caller, and a cwd the user may enter.
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("PG") {
            cmd.env_remove(key);
        }
    }
    cmd.env("LC_ALL", "C").current_dir("/").stdin(Stdio::null());
    cmd
}

/// Runs `initdb` into `dir/data` with `ROLE` as superuser and `password`.
fn initdb(bin: &Path, dir: &Path, run_as: RunAs, password: &str) -> Result<(), ClusterError> {
    let pwfile = dir.join("pwfile");
    fs::write(&pwfile, password).map_err(io("write the password file"))?;
    if let Some((uid, gid)) = run_as {
        for path in [dir, pwfile.as_path()] {
            std::os::unix::fs::chown(path, Some(uid), Some(gid))
                .map_err(io(format!("give {} to {PG_USER}", path.display())))?;
        }
    }
    let out = command(&bin.join("initdb"), run_as)
        .arg("--pgdata")
        .arg(dir.join("data"))
        .arg(format!("--username={ROLE}"))
        .arg("--auth=scram-sha-256")
        .arg("--pwfile")
        .arg(&pwfile)
        .args(["--encoding=UTF8", "--no-locale", "--no-sync"])
        .output()
        .map_err(io("run initdb"))?;
    let _ = fs::remove_file(&pwfile);
    if !out.status.success() {
        return Err(ClusterError::Initdb {
            status: out.status.to_string(),
            output: format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        });
    }
    let socket = dir.join("socket");
    fs::create_dir(&socket).map_err(io("make the socket dir"))?;
    if let Some((uid, gid)) = run_as {
        std::os::unix::fs::chown(&socket, Some(uid), Some(gid)).map_err(io("give the socket dir away"))?;
    }
    Ok(())
}

/// Why a start failed: a port someone else took (try another) or anything else.
enum Started {
    PortTaken(ClusterError),
    Failed(ClusterError),
}

/// Starts the postmaster on `port` and waits until it accepts a password login.
fn start_postmaster(
    bin: &Path,
    dir: &Path,
    run_as: RunAs,
    port: u16,
    password: &str,
) -> Result<Child, Started> {
    let log_path = dir.join("postgres.log");
    let log = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .map_err(|e| Started::Failed(io("open the server log")(e)))?;
    let log_err = log
        .try_clone()
        .map_err(|e| Started::Failed(io("open the server log")(e)))?;
    let mut child = command(&bin.join("postgres"), run_as)
        .arg("-D")
        .arg(dir.join("data"))
        .arg("-p")
        .arg(port.to_string())
        .arg("-k")
        .arg(dir.join("socket"))
        .args([
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "shared_buffers=16MB",
            "-c",
            "max_connections=200",
            "-c",
            "unix_socket_permissions=0700",
        ])
        .stdout(log)
        .stderr(log_err)
        .spawn()
        .map_err(|e| Started::Failed(io("start the postmaster")(e)))?;
    let deadline = Instant::now() + START_LIMIT;
    let config = {
        let mut c = ::postgres::Config::new();
        c.host("127.0.0.1")
            .port(port)
            .user(ROLE)
            .password(password)
            .dbname("postgres")
            .connect_timeout(Duration::from_secs(2));
        c
    };
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            let log = tail(&log_path, 40);
            let why = format!("it exited ({status})");
            let error = ClusterError::Start {
                why,
                log: log.clone(),
            };
            return Err(
                if log.contains("could not bind") || log.contains("already in use") {
                    Started::PortTaken(error)
                } else {
                    Started::Failed(error)
                },
            );
        }
        match config.connect(::postgres::NoTls) {
            Ok(_) => return Ok(child),
            Err(e) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Started::Failed(ClusterError::Start {
                    why: format!("no connection within {START_LIMIT:?} (last: {e})"),
                    log: tail(&log_path, 40),
                }));
            }
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    }
}

fn url(password: &str, port: u16, db: &str) -> String {
    format!("postgres://{ROLE}:{password}@127.0.0.1:{port}/{db}")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Wraps an io error with what was attempted.
fn io(action: impl Into<String>) -> impl FnOnce(std::io::Error) -> ClusterError {
    let action = action.into();
    move |source| ClusterError::Io { action, source }
}

/// Everything `pg_dump` writes of the database at `url` (plain SQL): what a backup of it, or
/// anyone reading its files, would see. The `pg_dump` beside the server [`Cluster::start`]
/// would run, so its major version is the server's.
pub fn dump(url: &str) -> Vec<u8> {
    // Beside the server (PATH may hold links to only `initdb` and `postgres`).
    let bin = bin_dir().expect("PostgreSQL's binaries");
    let server = fs::canonicalize(bin.join("postgres")).unwrap_or_else(|_| bin.join("postgres"));
    let pg_dump = [bin.join("pg_dump"), server.with_file_name("pg_dump")]
        .into_iter()
        .find(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from("pg_dump"));
    let out = Command::new(pg_dump)
        .arg("--dbname")
        .arg(url)
        .stdin(Stdio::null())
        .output()
        .expect("run pg_dump");
    assert!(
        out.status.success(),
        "pg_dump failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Runs `f` on a thread of its own: the synchronous client runs a runtime of its own, which
/// cannot block a thread that drives the test's tokio runtime.
pub fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| s.spawn(f).join()).unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// Runs `f` with a new connection to the database at `url` (off the test's runtime): a test
/// reading or changing a hub's tables as someone holding the database could.
pub fn with_client<T: Send>(url: &str, f: impl FnOnce(&mut ::postgres::Client) -> T + Send) -> T {
    off_runtime(|| {
        let mut client = ::postgres::Client::connect(url, ::postgres::NoTls)
            .unwrap_or_else(|e| panic!("connect to the hub's database: {e}"));
        f(&mut client)
    })
}

/// Creates a new, uniquely named database on the cluster whose maintenance database is at
/// `admin_url`, and returns its URL.
pub fn scratch_database(admin_url: &str) -> Result<String, ClusterError> {
    let name = format!(
        "hub_{}",
        random_bytes::<8>()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let mut admin = ::postgres::Client::connect(admin_url, ::postgres::NoTls)?;
    admin.batch_execute(&format!("CREATE DATABASE {name}"))?;
    let base = admin_url.rsplit_once('/').map_or(admin_url, |(base, _)| base);
    Ok(format!("{base}/{name}"))
}
