//! A test as a client of a scratch cluster's databases: a plain connection off the test's
//! tokio runtime, a new database for each hub, and what `pg_dump` shows of one.

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use super::cluster::ClusterError;
use super::server::bin_dir;
use crate::util::random_bytes;

/// Everything `pg_dump` writes of the database at `url` (plain SQL): what a backup of it, or
/// anyone reading its files, would see. The `pg_dump` beside the server [`Cluster::start`](super::Cluster::start)
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
