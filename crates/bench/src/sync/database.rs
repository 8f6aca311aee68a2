//! `casebook-bench sync --database URL`: each hub of the run on a new database of that
//! PostgreSQL server (created here, dropped when the hub stops), so the same figures can be
//! taken on both backends. The URL's user needs the right to create databases.

use std::sync::OnceLock;

use anyhow::Context;
use casebook_hub::{HubKey, Storage};

/// The server the hubs of this run store on, when one was given.
pub(super) static SERVER: OnceLock<String> = OnceLock::new();

/// A database made for one hub, and the key its values are sealed under.
pub(super) struct ScratchDatabase {
    server: String,
    name: String,
    url: String,
    key_hex: String,
}

impl ScratchDatabase {
    /// A new database on [`SERVER`], if one was given.
    pub(super) fn create() -> anyhow::Result<Option<Self>> {
        let Some(server) = SERVER.get() else {
            return Ok(None);
        };
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
        let base = server.rsplit_once('/').map_or(server.as_str(), |(base, _)| base);
        Ok(Some(Self {
            url: format!("{base}/{name}"),
            server: server.clone(),
            name,
            key_hex: hex(&casebook_testkit::util::random_bytes::<32>()),
        }))
    }

    /// A new connection to it, migrating it on first use.
    pub(super) fn open(&self) -> anyhow::Result<Storage> {
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
