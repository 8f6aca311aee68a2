//! `rotate-key` on a data dir: the embedded hub's SQLCipher file re-encrypted under a new key,
//! which then replaces `hub.key`.
//!
//! Crash safety, as the laptop store's `casebook rekey`: the new key is written to `hub.key.new`
//! before the database changes; SQLCipher re-encrypts every page in one transaction under a
//! rollback journal (it cannot rekey in WAL mode, so the file leaves WAL for the rekey), so an
//! interrupted rekey rolls back under the old key; only then does `hub.key.new` replace
//! `hub.key`. [`settle`], at every open, keeps whichever key opens the database, so a kill at
//! any moment leaves a hub that opens.

use std::fs;
use std::path::Path;

use rusqlite::Connection;
use zeroize::Zeroizing;

use super::key::{self, KEY_FILE};
use super::sqlite::{Sqlite, check_key, open_keyed};
use crate::audit::{AuditAction, AuditEvent};
use crate::error::HubError;
use crate::storage::HubKey;

/// The new key while a rotation is under way.
pub const NEW_KEY_FILE: &str = "hub.key.new";

/// What a rotation of the data dir's key did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct FileRotation {
    /// The size of the re-encrypted database file, in bytes.
    pub bytes: u64,
}

impl Sqlite {
    /// Re-encrypts the database under `new` and makes it the data dir's `hub.key`. Refused when
    /// the key came from `CASEBOOK_HUB_KEY` (there is no file to replace) and while another
    /// connection has the database open (a serving hub would go on with the old key).
    pub fn rotate_key(&mut self, new: HubKey, now_ms: i64) -> Result<FileRotation, HubError> {
        let refused = |why: &str| Err(HubError::KeyRotation(why.to_owned()));
        if !self.key_in_dir {
            return refused(
                "the key comes from CASEBOOK_HUB_KEY, not from the data dir's hub.key; run rotate-key without \
                 it, with the key in hub.key",
            );
        }
        let dir = self.dir()?;
        // The rekey needs the only connection: leaving WAL is refused while another is open.
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
            .unwrap_or_default();
        if !mode.eq_ignore_ascii_case("delete") {
            let _ = self.conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()));
            return refused(
                "the database is open elsewhere (a serving hub, or another command); stop the hub, then rotate",
            );
        }
        let rotated = self.rekey_in_place(&dir, &new, now_ms);
        // Back to WAL under whichever key now opens the file; if that fails, the next open does it.
        if let Err(e) = self.conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(())) {
            tracing::warn!(error = %HubError::from(e), "the database stays out of WAL until the hub next opens it");
        }
        let bytes = rotated?;
        // From here the file needs the new key: make it the data dir's.
        fs::rename(dir.join(NEW_KEY_FILE), dir.join(KEY_FILE)).map_err(|source| HubError::Io {
            action: "cannot move the new key into place",
            path: dir.join(KEY_FILE),
            source,
        })?;
        sync_dir(&dir);
        self.key = new;
        tracing::info!(bytes, "the data dir's key is rotated");
        Ok(FileRotation { bytes })
    }

    /// Writes `hub.key.new`, rekeys, records the rotation and checks every page under `new`.
    /// On failure the database is under the old key and `hub.key.new` is gone.
    fn rekey_in_place(&mut self, dir: &Path, new: &HubKey, now_ms: i64) -> Result<u64, HubError> {
        let side = dir.join(NEW_KEY_FILE);
        key::write_new_key_file(&side, new)?;
        let pragma = Zeroizing::new(format!("PRAGMA rekey = \"x'{}'\";", new.hex()));
        let done = self
            .conn
            .execute_batch(&pragma)
            .map_err(HubError::from)
            .and_then(|()| {
                let event = AuditEvent::new(
                    AuditAction::KeyRotation,
                    self.admin_detail(serde_json::json!({ "backend": "sqlite" })),
                );
                self.append_audit(&[event], now_ms)
            })
            .and_then(|()| every_page_opens(&self.path, new));
        match done {
            Ok(()) => fs::metadata(&self.path)
                .map(|m| m.len())
                .map_err(|source| HubError::Io {
                    action: "cannot read the size of",
                    path: self.path.clone(),
                    source,
                }),
            Err(e) => {
                // Whichever key opens the file stays; the other goes.
                settle(dir, &self.path)?;
                Err(e)
            }
        }
    }

    /// The data dir: the database file's folder.
    fn dir(&self) -> Result<std::path::PathBuf, HubError> {
        self.path
            .parent()
            .map(Path::to_path_buf)
            .ok_or_else(|| HubError::KeyRotation("the database has no folder".to_owned()))
    }
}

/// Reads every page of the file at `path` through a new connection keyed with `key`.
fn every_page_opens(path: &Path, key: &HubKey) -> Result<(), HubError> {
    let conn = open_keyed(path, key)?;
    let verdict: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    if verdict != "ok" {
        return Err(HubError::KeyRotation(
            "the re-encrypted database did not pass its check".to_owned(),
        ));
    }
    Ok(())
}

/// After an interrupted rotation (`hub.key.new` beside `hub.key`): keeps the key that opens the
/// database at `db`, as `hub.key`, and removes the other. Nothing to do without `hub.key.new`.
pub(super) fn settle(dir: &Path, db: &Path) -> Result<(), HubError> {
    let side = dir.join(NEW_KEY_FILE);
    if !side.exists() {
        return Ok(());
    }
    let read = |path: &Path| -> Result<HubKey, HubError> {
        let text = Zeroizing::new(fs::read_to_string(path).map_err(|source| HubError::Io {
            action: "cannot read",
            path: path.to_path_buf(),
            source,
        })?);
        HubKey::from_hex(&text)
    };
    let opens = |key: &HubKey| -> Result<bool, HubError> {
        // Opening and reading also rolls back the journal a killed rekey left.
        let conn = Connection::open(db)?;
        let _ = conn.execute_batch("PRAGMA cipher_log_level = NONE;");
        conn.execute_batch(&Zeroizing::new(format!("PRAGMA key = \"x'{}'\";", key.hex())))?;
        match check_key(&conn, db) {
            Ok(()) => Ok(true),
            Err(HubError::WrongKey(_)) => Ok(false),
            Err(e) => Err(e),
        }
    };
    let old = dir.join(KEY_FILE);
    if opens(&read(&old)?)? {
        tracing::warn!("a key rotation was interrupted before the database changed; the old key stays");
        return fs::remove_file(&side).map_err(|source| HubError::Io {
            action: "cannot remove",
            path: side.clone(),
            source,
        });
    }
    if opens(&read(&side)?)? {
        tracing::warn!("a key rotation was interrupted after the database changed; finishing it");
        fs::rename(&side, &old).map_err(|source| HubError::Io {
            action: "cannot move the new key into place",
            path: old.clone(),
            source,
        })?;
        sync_dir(dir);
        return Ok(());
    }
    Err(HubError::WrongKey(db.to_path_buf()))
}

/// Makes a rename in `dir` durable; best effort, as for the key file itself.
fn sync_dir(dir: &Path) {
    if let Ok(handle) = fs::File::open(dir) {
        let _ = handle.sync_all();
    }
}
