//! Casebook's dev-only test kit, shared by the hub's tests, the `casebook` CLI's cross-process
//! tests and the desktop app's window tests, so that starting a hub, enrolling, building ops,
//! talking HTTP and handling processes are written once.
//!
//! - [`hub`]: the real `casebook-hub` binary on 127.0.0.1:0 with its admin commands.
//! - [`inproc`]: the hub in-process (`casebook_hub::Server` on 127.0.0.1:0), async.
//! - [`ops`]: ops as a laptop (or an attacker) would write them.
//! - [`http`]: reqwest answers as status + JSON; a blocking client; raw bytes on a socket for
//!   the tests whose point is malformed HTTP.
//! - [`process`]: processes by pid only, `/proc`, and waiting for evidence in a child's output.
//! - `postgres` (feature `postgres`): a scratch PostgreSQL cluster on a free port, stopped by pid.
//! - [`store`]: where a test's hub stores (a data dir or a PostgreSQL database), for the
//!   storage a test opens and the `casebook-hub` commands it runs.
//! - [`scan`]: every value of every table of a decrypted database, for words that must be gone.
//! - [`util`]: random markers, dates, describing a finished command.
//! - `window` and `webdriver` (feature `window`): Xvfb, tauri-driver and a blocking WebDriver
//!   client over `fantoccini`.
//!
//! Everything here panics with a message naming what failed: it is test code.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod http;
pub mod hub;
pub mod inproc;
pub mod ops;
#[cfg(feature = "postgres")]
pub mod postgres;
pub mod process;
pub mod scan;
pub mod store;
pub mod util;
#[cfg(feature = "window")]
pub mod webdriver;
#[cfg(feature = "window")]
pub mod window;

/// The environment variable naming a running scratch PostgreSQL cluster (its maintenance
/// database's URL, as `casebook-scratch-postgres` prints it): when set, every in-process test
/// hub ([`inproc`]) and every [`store::HubStore::scratch`] stores on a new database of it
/// instead of a data dir.
pub const TEST_DATABASE_ENV: &str = "CASEBOOK_TEST_DATABASE";
