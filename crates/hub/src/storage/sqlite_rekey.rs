//! `rotate-key` on a data dir: the embedded hub's SQLCipher file re-encrypted under a new key,
//! which then replaces `hub.key`.
//!
//! Crash safety, as the laptop store's `casebook rekey`: the new key is written to `hub.key.new`
//! before the database changes; SQLCipher re-encrypts every page in one transaction under a
//! rollback journal (it cannot rekey in WAL mode, so the file leaves WAL for the rekey), so an
//! interrupted rekey rolls back under the old key; only then does `hub.key.new` replace
//! `hub.key`. [`settle`], at every open, keeps whichever key opens the database, so a kill at
//! any moment leaves a hub that opens. The rotation holds SQLite's exclusive lock from before
//! `hub.key.new` exists until it is gone, so an open that finds it waits for the rotation
//! rather than settling under it.

use std::fs;
use std::io::ErrorKind;
use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;
use zeroize::Zeroizing;

use super::key::{self, KEY_FILE};
use super::sqlite::{Sqlite, check_key};
use crate::audit::{AuditAction, AuditEvent};
use crate::error::HubError;
use crate::storage::HubKey;

/// How long an open waits for a rotation that holds the file, as the hub's busy timeout.
const BUSY_WAIT: Duration = Duration::from_secs(10);

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
        // Kept from here to the end: no other connection may open the file while its key
        // changes (one could settle hub.key.new away, or turn WAL back on under the rekey).
        self.conn.execute_batch("PRAGMA locking_mode = EXCLUSIVE;")?;
        let rotated = self
            .hold_alone()
            .and_then(|()| self.rekey_in_place(&dir, &new, now_ms));
        self.release();
        match rotated {
            Ok(bytes) => {
                self.key = new;
                tracing::info!(bytes, "the data dir's key is rotated");
                Ok(FileRotation { bytes })
            }
            Err(e) => {
                // Whichever key opens the file stays in hub.key; the other goes.
                settle(&dir, &self.path)?;
                Err(e)
            }
        }
    }

    /// Leaves WAL and takes the file's lock for this connection alone. Leaving WAL is refused
    /// while another connection has the file open, as a serving hub's do.
    fn hold_alone(&mut self) -> Result<(), HubError> {
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
            .unwrap_or_default();
        let alone = mode.eq_ignore_ascii_case("delete")
            && self.conn.execute_batch("BEGIN EXCLUSIVE; COMMIT;").is_ok();
        if !alone {
            return Err(HubError::KeyRotation(
                "the database is open elsewhere (a serving hub, or another command); stop the hub, then rotate"
                    .to_owned(),
            ));
        }
        Ok(())
    }

    /// Back to normal locking and WAL; if that fails, the next open turns WAL on again.
    fn release(&mut self) {
        let released = self
            .conn
            .execute_batch("PRAGMA locking_mode = NORMAL;")
            .and_then(|()| self.conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(())));
        if let Err(e) = released {
            tracing::warn!(error = %HubError::from(e), "the database stays out of WAL until the hub next opens it");
        }
    }

    /// Writes `hub.key.new`, rekeys, checks every page under `new`, records the rotation and
    /// moves `hub.key.new` into place; the size of the file. Run holding the file alone.
    fn rekey_in_place(&mut self, dir: &Path, new: &HubKey, now_ms: i64) -> Result<u64, HubError> {
        key::write_new_key_file(&dir.join(NEW_KEY_FILE), new)?;
        let pragma = Zeroizing::new(format!("PRAGMA rekey = \"x'{}'\";", new.hex()));
        self.conn.execute_batch(&pragma)?;
        every_page_opens(&self.conn)?;
        let event = AuditEvent::new(
            AuditAction::KeyRotation,
            self.admin_detail(serde_json::json!({ "backend": "sqlite" })),
        );
        self.append_audit(&[event], now_ms)?;
        let bytes = fs::metadata(&self.path)
            .map(|m| m.len())
            .map_err(|source| HubError::Io {
                action: "cannot read the size of",
                path: self.path.clone(),
                source,
            })?;
        // From here the file needs the new key: make it the data dir's, as the last step.
        fs::rename(dir.join(NEW_KEY_FILE), dir.join(KEY_FILE)).map_err(|source| HubError::Io {
            action: "cannot move the new key into place",
            path: dir.join(KEY_FILE),
            source,
        })?;
        sync_dir(dir);
        Ok(bytes)
    }

    /// The data dir: the database file's folder.
    fn dir(&self) -> Result<std::path::PathBuf, HubError> {
        self.path
            .parent()
            .map(Path::to_path_buf)
            .ok_or_else(|| HubError::KeyRotation("the database has no folder".to_owned()))
    }
}

/// Checks every page on disk against its HMAC under the connection's (new) key, and the
/// b-trees above them: no other connection can open the file while it is held alone.
fn every_page_opens(conn: &Connection) -> Result<(), HubError> {
    let mut pages = conn.prepare("PRAGMA cipher_integrity_check")?;
    let failures = pages.query_map([], |r| r.get::<_, String>(0))?.count();
    let verdict: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
    if failures > 0 || verdict != "ok" {
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
    // `None`: the file has gone, because the rotation holding the database finished (or undid
    // itself) while this waited for it.
    let read = |path: &Path| -> Result<Option<HubKey>, HubError> {
        match fs::read_to_string(path) {
            Ok(text) => HubKey::from_hex(&Zeroizing::new(text)).map(Some),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(source) => Err(HubError::Io {
                action: "cannot read",
                path: path.to_path_buf(),
                source,
            }),
        }
    };
    let opens = |key: &HubKey| -> Result<bool, HubError> {
        // Waits while a rotation holds the file; reading also rolls back what a killed one left.
        let conn = Connection::open(db)?;
        conn.busy_timeout(BUSY_WAIT)?;
        let _ = conn.execute_batch("PRAGMA cipher_log_level = NONE;");
        conn.execute_batch(&Zeroizing::new(format!("PRAGMA key = \"x'{}'\";", key.hex())))?;
        match check_key(&conn, db) {
            Ok(()) => Ok(true),
            Err(HubError::WrongKey(_)) => Ok(false),
            Err(e) => Err(e),
        }
    };
    let gone = |result: std::io::Result<()>, path: &Path, action: &'static str| match result {
        Err(e) if e.kind() != ErrorKind::NotFound => Err(HubError::Io {
            action,
            path: path.to_path_buf(),
            source: e,
        }),
        _ => Ok(()),
    };
    let old = dir.join(KEY_FILE);
    let Some(current) = read(&old)? else {
        return Err(HubError::MissingKey(db.to_path_buf()));
    };
    if opens(&current)? {
        tracing::warn!("a key rotation was interrupted before the database changed; the old key stays");
        return gone(fs::remove_file(&side), &side, "cannot remove");
    }
    let Some(new) = read(&side)? else {
        return Ok(());
    };
    if opens(&new)? {
        tracing::warn!("a key rotation was interrupted after the database changed; finishing it");
        gone(
            fs::rename(&side, &old),
            &old,
            "cannot move the new key into place",
        )?;
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
