//! Running the real `casebook-hub` binary on a hub's store the test already has (a scratch
//! one, or an in-process hub's: a data dir or a PostgreSQL database): an admin command, its
//! text or JSON; and the SQLite database opened with the hub's key. Serving it on a port is
//! the test kit's (`casebook_testkit::hub`).
// Each test file uses only some of these.
#![allow(dead_code)]

pub mod raw;
pub mod sar_fixture;

use std::path::Path;
use std::process::{Command, Output};

pub use casebook_testkit::store::HubStore;
use serde_json::Value;

/// The binary under test; only this package knows its path from cargo.
pub const BIN: &str = env!("CARGO_BIN_EXE_casebook-hub");

/// `casebook-hub --data DIR` (or `--database URL` with its key), with no store, key or log
/// setting of the caller and a fixed operator name (`ops-alice`), which the audit trail records.
pub fn command(store: &HubStore) -> Command {
    let mut cmd = Command::new(BIN);
    casebook_testkit::hub::without_hub_env(&mut cmd);
    cmd.env("USER", "ops-alice");
    store.add_to(&mut cmd);
    cmd
}

/// The store of the data dir `data`, for the tests that only run on SQLite.
pub fn dir(data: &Path) -> HubStore {
    HubStore::Dir(data.to_owned())
}

/// Runs `casebook-hub --data DIR ARGS...` (or `--database URL`) to the end.
pub fn hub_cli(store: &HubStore, args: &[&str]) -> Output {
    command(store).args(args).output().unwrap()
}

/// Runs a command that must succeed; its stdout.
#[track_caller]
pub fn ok(store: &HubStore, args: &[&str]) -> String {
    let out = hub_cli(store, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs a command that must succeed; its stdout as JSON (the caller passes `--json`).
#[track_caller]
pub fn ok_json(store: &HubStore, args: &[&str]) -> Value {
    serde_json::from_str(&ok(store, args)).unwrap()
}

/// The hub database opened read-write with the hub's key, as someone holding both could.
pub fn raw_db(data: &Path) -> rusqlite::Connection {
    let key = std::fs::read_to_string(data.join("hub.key")).unwrap();
    let conn = rusqlite::Connection::open(data.join("hub.db")).unwrap();
    conn.execute_batch(&format!(
        "PRAGMA key = \"x'{}'\"; PRAGMA busy_timeout = 10000;",
        key.trim()
    ))
    .unwrap();
    conn
}
