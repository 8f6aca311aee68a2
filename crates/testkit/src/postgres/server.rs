//! The cluster's processes: finding PostgreSQL's binaries, the user to run them as (an
//! unprivileged one through `setpriv` when the tests run as root), `initdb`, and starting the
//! postmaster until it accepts a password login.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::cluster::{ClusterError, io};
use super::{PG_USER, ROLE};
use crate::process::tail;

/// How long the postmaster may take to accept connections (a loaded 2-core machine is slow).
const START_LIMIT: Duration = Duration::from_secs(60);

/// The uid and gid to run PostgreSQL as: `None` for the current user.
pub(super) type RunAs = Option<(u32, u32)>;

/// The directory holding both `initdb` and `postgres`.
pub(super) fn bin_dir() -> Option<PathBuf> {
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
pub(super) fn effective_uid() -> Result<u32, ClusterError> {
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
pub(super) fn system_user(name: &str) -> Result<Option<(u32, u32)>, ClusterError> {
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
pub(super) fn initdb(bin: &Path, dir: &Path, run_as: RunAs, password: &str) -> Result<(), ClusterError> {
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
pub(super) enum Started {
    PortTaken(ClusterError),
    Failed(ClusterError),
}

/// Starts the postmaster on `port` and waits until it accepts a password login.
pub(super) fn start_postmaster(
    bin: &Path,
    dir: &Path,
    run_as: RunAs,
    port: u16,
    password: &str,
    settings: &[String],
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
        .args(settings.iter().flat_map(|setting| ["-c", setting.as_str()]))
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
