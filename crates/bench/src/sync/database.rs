//! `casebook-bench sync --database URL`: each hub of the run on a new database of that
//! PostgreSQL server (created here, dropped when the hub stops), so the same figures can be
//! taken on both backends. The URL's user needs the right to create databases. `hub-load
//! --database URL` makes its one database (shared by its hub processes) the same way.

use std::sync::OnceLock;

use anyhow::Context;
use casebook_hub::{HubKey, Storage};

/// The server the hubs of this run store on, when one was given.
pub(super) static SERVER: OnceLock<String> = OnceLock::new();

/// A database made for one hub, and the key its values are sealed under.
pub(crate) struct ScratchDatabase {
    server: String,
    name: String,
    url: String,
    key_hex: String,
}

impl ScratchDatabase {
    /// A new database on [`SERVER`], if one was given.
    pub(super) fn create() -> anyhow::Result<Option<Self>> {
        SERVER.get().map(|server| Self::create_on(server)).transpose()
    }

    /// A new database on the PostgreSQL server at `server`.
    pub(crate) fn create_on(server: &str) -> anyhow::Result<Self> {
        let hex = |bytes: &[u8]| bytes.iter().map(|b| format!("{b:02x}")).collect::<String>();
        let name = format!(
            "casebook_bench_{}",
            hex(&casebook_testkit::util::random_bytes::<6>())
        );
        let mut admin = postgres::Client::connect(server, postgres::NoTls)
            .context("cannot connect to the --database server")?;
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .context("cannot create a database for the bench (the user needs CREATEDB)")?;
        let base = server.rsplit_once('/').map_or(server, |(base, _)| base);
        Ok(Self {
            url: format!("{base}/{name}"),
            server: server.to_owned(),
            name,
            key_hex: hex(&casebook_testkit::util::random_bytes::<32>()),
        })
    }

    /// Its URL (holding the server's password, if the server's URL does: never print it).
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// The hub key its values are sealed under, as `CASEBOOK_HUB_KEY` takes it.
    pub(crate) fn key_hex(&self) -> &str {
        &self.key_hex
    }

    /// A new connection to it, migrating it on first use.
    pub(crate) fn open(&self) -> anyhow::Result<Storage> {
        Ok(Storage::connect(
            &self.url.parse()?,
            HubKey::from_hex(&self.key_hex)?,
        )?)
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        let dropped = postgres::Client::connect(&self.server, postgres::NoTls).and_then(|mut admin| {
            admin.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name))
        });
        if dropped.is_err() {
            eprintln!("casebook-bench: could not drop the database {}", self.name);
        }
    }
}
