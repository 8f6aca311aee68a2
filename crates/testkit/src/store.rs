//! Where a test's hub stores, one choice for everything that reaches it: the storage a test
//! opens itself, and the arguments of the `casebook-hub` commands it runs. A data dir
//! (SQLite), or, when `CASEBOOK_TEST_DATABASE` names a scratch PostgreSQL cluster (the test
//! command starts one), a new database of it with its own key, so the same tests check both.

use std::path::{Path, PathBuf};
use std::process::Command;

use casebook_hub::{HubKey, Storage};

/// A hub's data dir, or its PostgreSQL database and key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HubStore {
    /// A data dir (`--data DIR`): `hub.db` and `hub.key`, made on first open.
    Dir(PathBuf),
    /// A PostgreSQL database (`--database URL`) and the hub key, 64 hex characters
    /// (`CASEBOOK_HUB_KEY`).
    Database {
        /// `postgres://USER:PASSWORD@127.0.0.1:PORT/DB`
        url: String,
        /// The hub key, hex.
        key: String,
    },
}

impl HubStore {
    /// A new, empty place: a new database (and key) on the cluster `CASEBOOK_TEST_DATABASE`
    /// names, when it is set; else the data dir `dir` (which need not exist yet).
    pub fn scratch(dir: impl Into<PathBuf>) -> Self {
        match scratch_database() {
            Some((url, key)) => Self::Database { url, key },
            None => Self::Dir(dir.into()),
        }
    }

    /// Opens its storage, as an admin command would (a second connection beside a serving hub).
    pub fn open(&self) -> Storage {
        match self {
            Self::Dir(dir) => Storage::open(dir, None).expect("open the hub's storage"),
            Self::Database { url, key } => Storage::connect(
                &url.parse().expect("a database URL"),
                HubKey::from_hex(key).expect("a hub key"),
            )
            .expect("connect to the hub's database"),
        }
    }

    /// Adds what names it to a `casebook-hub` command: `--data DIR`, or `--database URL` with
    /// the key in `CASEBOOK_HUB_KEY`. The caller removes the settings of its own environment.
    pub fn add_to<'c>(&self, cmd: &'c mut Command) -> &'c mut Command {
        match self {
            Self::Dir(dir) => cmd.arg("--data").arg(dir),
            Self::Database { url, key } => cmd.env("CASEBOOK_HUB_KEY", key).arg("--database").arg(url),
        }
    }

    /// The data dir, when it stores in one.
    pub fn dir(&self) -> Option<&Path> {
        match self {
            Self::Dir(dir) => Some(dir),
            Self::Database { .. } => None,
        }
    }

    /// The database's URL, when it stores on PostgreSQL.
    pub fn url(&self) -> Option<&str> {
        match self {
            Self::Dir(_) => None,
            Self::Database { url, .. } => Some(url),
        }
    }
}

/// A new database and key on the scratch cluster named by `CASEBOOK_TEST_DATABASE`, if set.
fn scratch_database() -> Option<(String, String)> {
    let admin_url = std::env::var(crate::TEST_DATABASE_ENV).ok()?;
    #[cfg(feature = "postgres")]
    {
        let url = crate::postgres::off_runtime(move || crate::postgres::scratch_database(&admin_url))
            .unwrap_or_else(|e| panic!("a scratch database on the test cluster: {e}"));
        let key: String = crate::util::random_bytes::<32>()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Some((url, key))
    }
    #[cfg(not(feature = "postgres"))]
    panic!(
        "{} is set ({admin_url}) but this test binary was built without casebook-testkit's `postgres` feature",
        crate::TEST_DATABASE_ENV
    )
}
