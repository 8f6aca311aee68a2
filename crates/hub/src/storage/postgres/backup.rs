//! Backups on PostgreSQL: every table of the hub copied out (`COPY ... TO STDOUT`, binary) in
//! one `REPEATABLE READ` snapshot, so the copy is the database as it stood at one moment while
//! hub processes go on writing; and a restore that copies them back into an empty database in
//! one transaction. Only sealed values and what indexes need are in the copies, as in the
//! database itself: a copy discloses nothing without the hub key.

use std::io::{self, BufWriter, Read};
use std::path::{Path, PathBuf};

use postgres::Client;

use super::{DatabaseUrl, Postgres, connect, off_runtime, snapshot, to_u64};
use crate::audit::GENESIS;
use crate::error::HubError;
use crate::storage::{AuditHead, SnapshotInfo, create_new_private, pg_schema};

/// The hub's tables in an order that satisfies every foreign key: a restore loads them so.
/// The migration history is not among them: the database restored into is migrated by the
/// hub restoring, and the backup must be of the same schema.
pub const TABLES: &[&str] = &[
    "hub_meta",
    "seal_keys",
    "op_seq",
    "users",
    "devices",
    "enrollment_codes",
    "rate_limits",
    "cases",
    "reference_counters",
    "ops",
    "records",
    "former_holders",
    "audit",
    "audit_head",
    "audit_cases",
    "retention_periods",
    "legal_holds",
    "purged_cases",
    "purge_confirmations",
    "subject_access_requests",
];

/// Each table's copy, in [`TABLES`] order.
pub type TableFiles = Vec<(&'static str, PathBuf)>;

impl Postgres {
    /// Copies every table into a new file (mode 0600) of `dir` each, at one moment; returns the
    /// files and what the copy holds.
    pub fn export(&self, dir: &Path) -> Result<(TableFiles, SnapshotInfo), HubError> {
        self.run(|client| {
            let mut tx = snapshot(client)?;
            let mut files = Vec::new();
            for table in TABLES {
                let path = dir.join(format!("{table}.copy"));
                let mut out = BufWriter::new(create_new_private(&path)?);
                let mut copy = tx.copy_out(&format!("COPY {table} TO STDOUT (FORMAT binary)"))?;
                io::copy(&mut copy, &mut out).map_err(|e| io_error("cannot write", &path, e))?;
                drop(copy);
                out.into_inner()
                    .map_err(|e| io_error("cannot write", &path, e.into_error()))?
                    .sync_all()
                    .map_err(|e| io_error("cannot write", &path, e))?;
                files.push((*table, path));
            }
            let head = tx.query_opt(
                "SELECT seq, hash, at_ms FROM audit ORDER BY seq DESC LIMIT 1",
                &[],
            )?;
            let audit_head = match head {
                Some(row) => AuditHead {
                    seq: to_u64(row.try_get(0)?),
                    hash: row.try_get(1)?,
                    at_ms: Some(row.try_get(2)?),
                },
                None => AuditHead {
                    seq: 0,
                    hash: GENESIS.to_owned(),
                    at_ms: None,
                },
            };
            let schema_version = pg_schema::applied(&mut tx)?;
            tx.commit()?;
            Ok((
                files,
                SnapshotInfo {
                    audit_head,
                    schema_version,
                },
            ))
        })
    }

    /// The hub key in hex, to put beside a backup.
    pub(crate) fn key_hex(&self) -> &str {
        self.key.hex()
    }
}

/// A restore into an empty database: migrated, emptied of the rows a migration seeds, and one
/// open transaction the tables are loaded into. Dropped without [`Importer::commit`], the
/// connection closes and PostgreSQL rolls everything back.
pub struct Importer {
    client: Client,
}

impl Importer {
    /// Connects to `url`, migrates it, and refuses a database that holds a hub already.
    pub fn begin(url: &DatabaseUrl) -> Result<Self, HubError> {
        off_runtime(|| {
            let mut client = connect(url)?;
            pg_schema::migrate(&mut client)?;
            let used: bool = client
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM users) OR EXISTS (SELECT 1 FROM ops) OR EXISTS (SELECT 1 FROM seal_keys)",
                    &[],
                )?
                .try_get(0)?;
            if used {
                return Err(HubError::DatabaseNotEmpty(url.to_string()));
            }
            client.batch_execute("BEGIN")?;
            client.batch_execute(&format!("TRUNCATE {} CASCADE", TABLES.join(", ")))?;
            Ok(Self { client })
        })
    }

    /// Loads one table's copy from `data`; returns how many bytes it read.
    pub fn load(&mut self, table: &str, data: &mut dyn Read) -> Result<u64, HubError> {
        if !TABLES.contains(&table) {
            return Err(HubError::Database(format!("no table {table:?} in a hub backup")));
        }
        let mut writer = self
            .client
            .copy_in(&format!("COPY {table} FROM STDIN (FORMAT binary)"))?;
        let bytes = io::copy(data, &mut writer)
            .map_err(|_| HubError::Database(format!("the copy of {table} is cut short")))?;
        writer.finish()?;
        Ok(bytes)
    }

    /// Checks that `key` opens what was loaded (the probes of its data keys), before anything
    /// is committed.
    pub fn check_key(&mut self, key: &crate::storage::HubKey) -> Result<(), HubError> {
        super::sealer(&mut self.client, key).map(drop)
    }

    /// Makes the restore visible: the identity column's counter moves past the restored rows,
    /// and the transaction commits.
    pub fn commit(mut self) -> Result<(), HubError> {
        self.client.batch_execute(
            "SELECT setval(pg_get_serial_sequence('subject_access_requests', 'id'),
                           COALESCE((SELECT MAX(id) FROM subject_access_requests), 0) + 1, false);
             COMMIT",
        )?;
        Ok(())
    }
}

fn io_error(action: &'static str, path: &Path, source: io::Error) -> HubError {
    HubError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}
