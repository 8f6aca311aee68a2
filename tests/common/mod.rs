//! Helpers shared by the cross-process tests of the `casebook` binary: a scratch store,
//! running the binary hermetically, hashing and scanning the files a store leaves behind, and
//! enrolled stores syncing with a real `casebook-hub` (started by the shared test kit,
//! `casebook_testkit::hub`). What every kind of test needs (markers, random delays, killing by
//! pid, describing a command) comes from the kit and is re-exported here.
//!
//! One module per concern, all re-exported here so tests say `common::*`: `store` (the scratch
//! store and its commands), `scan` (the files it leaves behind), `messages` (what a failure
//! says on stderr), `hub` (enrolled stores syncing with a real hub).
//!
//! Every child process gets its store through `--store`, its passphrase through
//! `CASEBOOK_PASSPHRASE`, a null stdin, and HOME/XDG/TMPDIR/SQLITE_TMPDIR pointed into a
//! per-store scratch folder, so tests are independent and can run in parallel.

#![allow(dead_code, unused_imports, clippy::unwrap_used, missing_docs)]

mod hub;
mod messages;
mod scan;
mod store;

pub use casebook_testkit::http::HttpAnswer;
pub use casebook_testkit::hub::Hub;
pub use casebook_testkit::process::{Lines, kill};
pub use casebook_testkit::util::{
    assert_code, date_from_today, describe, marker, random_between, random_bytes, stderr, stdout,
};
pub use hub::*;
pub use messages::*;
pub use scan::*;
pub use store::*;

/// The passphrase every test store is created with.
pub const PASSPHRASE: &str = "correct horse battery staple 7";

/// Exit codes of the CLI contract.
pub const EXIT_OK: i32 = 0;
pub const EXIT_OTHER: i32 = 1;
pub const EXIT_USAGE: i32 = 2;
pub const EXIT_LOCKED: i32 = 3;
pub const EXIT_NOT_FOUND: i32 = 4;
pub const EXIT_REFUSED: i32 = 5;

/// The binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_casebook")
}

/// Today as the store dates records (the local calendar day), YYYY-MM-DD.
pub fn today() -> String {
    chrono::Local::now().date_naive().to_string()
}
