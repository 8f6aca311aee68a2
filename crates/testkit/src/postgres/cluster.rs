//! The scratch cluster a test holds: started (`initdb` and the postmaster, `server`), its URLs
//! and databases, and stopped by the postmaster's pid when dropped.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::process::Child;
use std::time::{Duration, Instant};

use tempfile::TempDir;

use super::client::dump;
use super::server::{Started, bin_dir, effective_uid, initdb, start_postmaster, system_user};
use super::{PG_USER, ROLE};
use crate::process::{descendants, exe, free_port, kill_all, signal, tail};
use crate::util::random_bytes;

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

impl Cluster {
    /// Initialises and starts a new cluster with the database `casebook` ([`Cluster::url`]).
    pub fn start() -> Result<Self, ClusterError> {
        Self::start_with(None)
    }

    /// The same, also serving TLS (`ssl=on`) with the PEM certificate chain `cert` and its
    /// private key `key`; plain connections are still accepted.
    pub fn start_with_tls(cert: &str, key: &str) -> Result<Self, ClusterError> {
        Self::start_with(Some((cert, key)))
    }

    fn start_with(tls: Option<(&str, &str)>) -> Result<Self, ClusterError> {
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
        let mut settings = Vec::new();
        if let Some((cert, key)) = tls {
            // The server refuses a key that others may read; it must be the server user's.
            for (name, text) in [("server.crt", cert), ("server.key", key)] {
                let path = dir.path().join(name);
                fs::write(&path, text).map_err(io(format!("write {name}")))?;
                fs::set_permissions(&path, fs::Permissions::from_mode(0o600))
                    .map_err(io(format!("narrow {name}")))?;
                if let Some((uid, gid)) = run_as {
                    std::os::unix::fs::chown(&path, Some(uid), Some(gid))
                        .map_err(io(format!("give {name} to {PG_USER}")))?;
                }
                let setting = if name == "server.crt" {
                    "ssl_cert_file"
                } else {
                    "ssl_key_file"
                };
                settings.push(format!("{setting}={}", path.display()));
            }
            settings.push("ssl=on".to_owned());
        }
        // A free port may be taken by someone else before the postmaster binds it: try another.
        let mut last = None;
        for _ in 0..3 {
            let port = free_port();
            match start_postmaster(&bin, dir.path(), run_as, port, &password, &settings) {
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

    /// The URL of the maintenance database, for [`scratch_database`](super::scratch_database) in another process.
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

fn url(password: &str, port: u16, db: &str) -> String {
    format!("postgres://{ROLE}:{password}@127.0.0.1:{port}/{db}")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Wraps an io error with what was attempted.
pub(super) fn io(action: impl Into<String>) -> impl FnOnce(std::io::Error) -> ClusterError {
    let action = action.into();
    move |source| ClusterError::Io { action, source }
}
