//! Casebook's encrypted local store: a SQLCipher file whose random key is sealed with age to the
//! user's passphrase, an op log written with every change, and the queries the app and CLI use.
//!
//! Nothing of a record's text ever reaches disk unencrypted: not in the database, its WAL, its
//! temporary files, the key file, logs or exports.
#![forbid(unsafe_code)]

mod apply;
mod caseload;
mod conn;
#[cfg(test)]
mod converge_tests;
pub mod dashboard;
mod deadlines;
pub mod demo;
pub mod documents;
mod error;
mod export;
pub mod feedback;
#[cfg(test)]
mod feedback_tests;
pub mod figures;
mod judge;
mod key;
pub mod meeting;
#[cfg(test)]
mod meeting_tests;
pub mod model;
mod passphrase;
mod preview;
mod read;
mod recovery;
mod recovery_code;
mod rekey;
pub mod report;
pub mod risk;
mod schema;
pub mod signoffs;
mod sync;
#[cfg(test)]
mod test_laptops;
mod verify;
mod write;

use std::path::{Path, PathBuf};

use casebook_domain::{CaseId, Clock, ContactId, DeviceId, Hlc, PartyId, UserId};
use rusqlite::{Connection, OptionalExtension, params};

pub use age::secrecy::{ExposeSecret, SecretString};
pub use caseload::{CaseFilter, Window};
pub use error::StoreError;
pub use key::{SCRYPT_LOG_N, encrypt_to_passphrase};
pub use passphrase::{MIN_PASSPHRASE_SCORE, PassphraseStrength, check_new_passphrase, estimate_passphrase};
pub use recovery::RecoveryMethod;
pub use recovery_code::RecoveryCode;
pub use rekey::RekeyReport;
pub use schema::latest_version as latest_schema_version;
pub use sync::{
    ApplyCounts, ConflictView, HubLink, Keep, PushResult, RejectedOp, RemoteOp, SetAsideOp, SyncIndicator,
    SyncStatus,
};
pub use verify::VerifyReport;
pub use write::{Actor, Writer, provisional_reference};

use crate::key::DbKey;
use crate::model::{CaseDetail, CaseSummary, SearchHit};

/// Where a store's files are.
#[derive(Debug, Clone)]
pub struct StorePaths {
    /// The profile directory.
    pub dir: PathBuf,
}

impl StorePaths {
    /// The store in `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The platform's data directory for Casebook (e.g. `~/.local/share/casebook`).
    pub fn platform_default() -> Option<Self> {
        directories::ProjectDirs::from("org", "Casebook", "casebook").map(|d| Self::new(d.data_dir()))
    }

    /// The SQLCipher database.
    pub fn db(&self) -> PathBuf {
        self.dir.join("store.db")
    }

    /// The age-sealed database key.
    pub fn key(&self) -> PathBuf {
        self.dir.join("store.key")
    }

    /// Whether any part of a store is present.
    pub fn exists(&self) -> bool {
        self.db().exists() || self.key().exists()
    }
}

fn now_ms() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or(0)
}

fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

/// An unlocked store. Dropping it closes the database and zeroizes the key.
pub struct Store {
    conn: Connection,
    paths: StorePaths,
    actor: Actor,
    clock: Clock,
    /// Correction to this laptop's clock, learnt from the hub (0 unless it is minutes off).
    clock_offset_ms: i64,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("dir", &self.paths.dir)
            .field("device", &self.actor.device)
            .finish()
    }
}

impl Store {
    /// Creates a new store in `paths.dir`, sealed with `passphrase`. Refuses if any part of a
    /// store is already there: an existing store is never overwritten.
    #[tracing::instrument(skip_all)]
    pub fn create(paths: &StorePaths, passphrase: &SecretString) -> Result<Store, StoreError> {
        check_new_passphrase(passphrase, &[])?;
        for (path, file) in [(paths.db(), "store.db"), (paths.key(), "store.key")] {
            if path.exists() {
                return Err(StoreError::AlreadyExists {
                    dir: paths.dir.clone(),
                    file,
                });
            }
        }
        if !paths.dir.exists() {
            std::fs::create_dir_all(&paths.dir).map_err(StoreError::io("create", &paths.dir))?;
            // Only a directory we made is narrowed: `--store ~` must not change the home folder.
            protect_dir(&paths.dir)?;
        }
        let key = DbKey::generate()?;
        let sealed = key::seal(&key, passphrase)?;
        let mut conn = conn::create_new(&paths.db(), &key)?;
        protect_file(&paths.db())?;
        schema::migrate(&mut conn)?;
        let actor = Actor {
            user: UserId::new(),
            device: DeviceId::new(),
        };
        conn.execute_batch("BEGIN IMMEDIATE")?;
        for (k, v) in [
            ("user_id", actor.user.to_string()),
            ("device_id", actor.device.to_string()),
            ("created_at", chrono::Utc::now().to_rfc3339()),
        ] {
            conn.execute("INSERT INTO meta (key, value) VALUES (?1, ?2)", params![k, v])?;
        }
        conn.execute_batch("COMMIT")?;
        // The key file goes last: a crash before this leaves no store.key, which `init` can
        // tell from a real store (no key: the half-made database is refused, not reused).
        key::write_atomically(&paths.key(), &sealed)?;
        tracing::info!(device = %actor.device, "store created");
        Ok(Store {
            conn,
            paths: paths.clone(),
            actor,
            clock: Clock::new(actor.device, None),
            clock_offset_ms: 0,
        })
    }

    /// Unlocks the store in `paths.dir`. A wrong passphrase, a damaged or foreign file, or a
    /// newer schema is refused before anything is written.
    #[tracing::instrument(skip_all)]
    pub fn open(paths: &StorePaths, passphrase: &SecretString) -> Result<Store, StoreError> {
        let (db, key_path) = (paths.db(), paths.key());
        if !db.exists() && !key_path.exists() {
            return Err(StoreError::NoStore {
                dir: paths.dir.clone(),
            });
        }
        rekey::finish_interrupted(paths, passphrase)?;
        let sealed = std::fs::read(&key_path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => StoreError::KeyFileDamaged {
                detail: "store.key is missing".into(),
            },
            _ => StoreError::Io {
                action: "read",
                path: key_path.clone(),
                source: e,
            },
        })?;
        let key = key::unseal(&sealed, passphrase)?;
        if !db.exists() {
            return Err(StoreError::Damaged {
                detail: "store.db is missing".into(),
            });
        }
        let mut conn = conn::open_existing(&db, &key)?;
        drop(key);
        schema::migrate(&mut conn)?;
        let meta = |k: &str| -> Result<String, StoreError> {
            conn.query_row("SELECT value FROM meta WHERE key = ?1", params![k], |r| r.get(0))
                .optional()?
                .ok_or_else(|| StoreError::Damaged {
                    detail: format!("its identity ({k}) is missing"),
                })
        };
        let bad = |what: &str| StoreError::Corrupt(format!("stored {what}"));
        let actor = Actor {
            user: meta("user_id")?.parse().map_err(|_| bad("user id"))?,
            device: meta("device_id")?.parse().map_err(|_| bad("device id"))?,
        };
        let last: Option<Hlc> = conn
            .query_row("SELECT value FROM meta WHERE key = 'hlc'", [], |r| {
                r.get::<_, String>(0)
            })
            .optional()?
            .map(|s| s.parse().map_err(|_| bad("clock")))
            .transpose()?;
        let clock_offset_ms = conn
            .query_row("SELECT value FROM meta WHERE key = 'clock_offset_ms'", [], |r| {
                r.get::<_, String>(0)
            })
            .optional()?
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        tracing::debug!(device = %actor.device, "store unlocked");
        let mut store = Store {
            conn,
            paths: paths.clone(),
            actor,
            clock: Clock::new(actor.device, last),
            clock_offset_ms,
        };
        // Stores enrolled by an earlier version wrote ops under their own device id.
        store.adopt_hub_device()?;
        Ok(store)
    }

    /// Where this store lives.
    pub fn paths(&self) -> &StorePaths {
        &self.paths
    }

    /// Who writes on this device.
    pub fn actor(&self) -> Actor {
        self.actor
    }

    /// Runs `f` in one transaction: every change it makes, and its ops, are kept together or
    /// not at all.
    pub fn write<T>(
        &mut self,
        f: impl FnOnce(&mut Writer<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let now = now_ms().saturating_add_signed(self.clock_offset_ms);
        let mut writer = Writer {
            tx,
            actor: self.actor,
            clock: &mut self.clock,
            now_ms: now,
            today: today(),
        };
        let before = writer.clock.last();
        let result = f(&mut writer);
        match result {
            Ok(value) => {
                let last = writer.clock.last();
                if last != before
                    && let Some(last) = last
                {
                    writer.tx.execute(
                        "INSERT INTO meta (key, value) VALUES ('hlc', ?1)
                         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        params![last.to_string()],
                    )?;
                }
                writer.tx.commit()?;
                Ok(value)
            }
            Err(e) => {
                // The transaction rolls back on drop; the clock may have moved on, which is harmless.
                drop(writer);
                Err(e)
            }
        }
    }

    /// The caseload, what needs doing soonest first.
    pub fn list_cases(&self, filter: CaseFilter) -> Result<Vec<CaseSummary>, StoreError> {
        caseload::list(&self.conn, filter, None)
    }

    /// Brings the caseload's kept rows up to date with every op applied so far, and says how
    /// many cases it recomputed. Listing does this anyway; doing it where a batch of writes ends
    /// (a sync round, the demo data) takes the work off the next screen's path: 10,000 cases
    /// just received cost ~260 ms on the first caseload after unlocking otherwise.
    pub fn refresh_caseload(&self) -> Result<usize, StoreError> {
        caseload::refresh(&self.conn)
    }

    /// A window of the caseload in the same order, and how many cases the whole holds: what a
    /// screen showing a few dozen cards at a time asks for.
    pub fn caseload_window(
        &self,
        filter: CaseFilter,
        window: Window,
    ) -> Result<(Vec<CaseSummary>, u32), StoreError> {
        let cases = caseload::list(&self.conn, filter, Some(window))?;
        Ok((cases, caseload::count(&self.conn, filter)?))
    }

    /// One case with its parties, consents and timeline.
    pub fn case_detail(&self, case: CaseId) -> Result<CaseDetail, StoreError> {
        read::case_detail(&self.conn, case)
    }

    /// Full-text search over summaries, names and notes.
    pub fn search(&self, text: &str, limit: u32) -> Result<Vec<SearchHit>, StoreError> {
        read::search(&self.conn, text, limit)
    }

    /// Finds a case by id, reference or unique id prefix.
    pub fn resolve_case(&self, given: &str) -> Result<CaseId, StoreError> {
        read::resolve_case(&self.conn, given)
    }

    /// Finds a party of a case by id or name.
    pub fn resolve_party(&self, case: CaseId, given: &str) -> Result<PartyId, StoreError> {
        read::resolve_party(&self.conn, case, given)
    }

    /// Finds a contact by id or unique id prefix.
    pub fn resolve_contact(&self, given: &str) -> Result<ContactId, StoreError> {
        read::resolve_contact(&self.conn, given)
    }

    /// Number of ops written here and not yet held by the hub.
    pub fn pending_ops(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM ops WHERE push_state = 0", [], |r| r.get(0))?;
        Ok(n.unsigned_abs())
    }

    /// Re-seals the key with a new passphrase. Only `store.key` is rewritten (atomically): after
    /// a crash at any point, the old or the new passphrase opens the store, never neither.
    #[tracing::instrument(skip_all)]
    pub fn change_passphrase(
        paths: &StorePaths,
        old: &SecretString,
        new: &SecretString,
    ) -> Result<(), StoreError> {
        check_new_passphrase(new, &[])?;
        rekey::finish_interrupted(paths, old)?;
        let sealed = std::fs::read(paths.key()).map_err(StoreError::io("read", paths.key()))?;
        let key = key::unseal(&sealed, old)?;
        // Prove the key still opens this database before replacing the only way in.
        drop(conn::open_existing(&paths.db(), &key)?);
        key::write_atomically(&paths.key(), &key::seal(&key, new)?)?;
        tracing::info!("passphrase changed");
        Ok(())
    }

    /// Re-encrypts the database under a new random key sealed to the same passphrase, so an old
    /// copy of `store.key` (a backup, another disk) no longer opens it. Refused while another
    /// program has the store open; a crash at any moment leaves a store the passphrase opens.
    /// `store.recovery` is sealed again to the organisation's key; a personal recovery code,
    /// which cannot be asked for again, is retired (the report says so); a new one can be made.
    #[tracing::instrument(skip_all)]
    pub fn rekey(paths: &StorePaths, passphrase: &SecretString) -> Result<RekeyReport, StoreError> {
        let mut report = rekey::rekey(paths, passphrase)?;
        // store.recovery still holds the old key, which must open nothing now.
        if paths.dir.join(recovery::RECOVERY_FILE).exists() {
            let link = Store::open(paths, passphrase)?.hub_link()?;
            match link.and_then(|l| l.recovery_recipient) {
                Some(recipient) => Store::seal_recovery(paths, passphrase, &recipient)?,
                None => report.recovery_code_retired = Store::retire_recovery_code(paths)?,
            }
        }
        Ok(report)
    }

    /// Writes everything (or one case) as JSON, encrypted with age to `passphrase`, to `out`
    /// (atomically; the plaintext never touches disk).
    pub fn export(
        &self,
        out: &Path,
        case: Option<CaseId>,
        passphrase: &SecretString,
    ) -> Result<export::ExportSummary, StoreError> {
        export::export(&self.conn, out, case, passphrase)
    }

    /// Checks the cipher's page authentication, SQLite's integrity, and that the op log rebuilds
    /// exactly the tables.
    pub fn verify(&self) -> Result<VerifyReport, StoreError> {
        verify::verify(&self.conn)
    }

    /// Sets this connection's page cache, in KiB. The default (64 MiB) is for reading a
    /// 10,000-case store whole; a window that shows a hundred cases at a time keeps less of the
    /// decrypted file in memory, at the cost of decrypting a page again now and then.
    pub fn set_page_cache_kib(&self, kib: u32) -> Result<(), StoreError> {
        self.conn.execute_batch(&format!("PRAGMA cache_size = -{kib}"))?;
        Ok(())
    }

    /// Direct access for the benchmark's raw-SQLite baselines. Not for writing records.
    #[doc(hidden)]
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

pub use export::ExportSummary;

/// The store's own case query run on any connection with the store's schema (the benchmark runs
/// it on a plain SQLite copy to measure what the cipher costs).
#[doc(hidden)]
pub fn case_detail_on(conn: &Connection, case: CaseId) -> Result<CaseDetail, StoreError> {
    read::case_detail(conn, case)
}

#[cfg(unix)]
fn protect_dir(dir: &Path) -> Result<(), StoreError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .map_err(StoreError::io("protect", dir))
}

#[cfg(not(unix))]
fn protect_dir(_: &Path) -> Result<(), StoreError> {
    Ok(())
}

/// Owner-only permissions: SQLite gives the -wal and -shm files the database file's mode.
#[cfg(unix)]
fn protect_file(path: &Path) -> Result<(), StoreError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .map_err(StoreError::io("protect", path))
}

#[cfg(not(unix))]
fn protect_file(_: &Path) -> Result<(), StoreError> {
    Ok(())
}
