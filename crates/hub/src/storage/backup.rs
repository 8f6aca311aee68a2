//! The embedded backend's half of backups: a consistent copy of the live database, still
//! SQLCipher-encrypted under the hub key, and putting a restored copy in place. The archive
//! around it (age, tar, manifest) is `crate::backup`'s and knows no SQL.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::backup::StepResult;

use super::{AuditHead, DB_FILE, HubKey, Sqlite, open_keyed};
use crate::error::HubError;

/// What a snapshot holds, read from the copy itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotInfo {
    /// The copy's newest audit entry.
    pub audit_head: AuditHead,
    /// The copy's newest migration.
    pub schema_version: i64,
}

impl Sqlite {
    /// Copies the database into `dest`, a new file (mode 0600), encrypted under the same key,
    /// as it stood at one moment, while `serve` may go on writing. SQLite's online backup in
    /// one step copies every page inside one read transaction; in WAL mode that neither waits
    /// for the writer nor holds it up. No page is ever written to disk decrypted.
    pub fn snapshot_to(&self, dest: &Path) -> Result<SnapshotInfo, HubError> {
        create_new_private(dest)?;
        let mut copy = open_keyed(dest, &self.key)?;
        // No rollback journal beside the copy: it is new, and a failed copy is deleted whole.
        copy.execute_batch("PRAGMA journal_mode = MEMORY; PRAGMA temp_store = MEMORY;")?;
        {
            let backup = rusqlite::backup::Backup::new(&self.conn, &mut copy)?;
            // -1: all pages in one step, so in one read transaction. Busy or locked (a
            // checkpoint in progress) is retried every 50 ms, for up to a minute.
            let mut tries = 0;
            loop {
                match backup.step(-1)? {
                    StepResult::Done => break,
                    _ if tries >= 1200 => {
                        return Err(HubError::Database(
                            "the database stayed busy for a minute".to_owned(),
                        ));
                    }
                    _ => {
                        tries += 1;
                        std::thread::sleep(Duration::from_millis(50));
                    }
                }
            }
        }
        let copy = Sqlite {
            conn: copy,
            hub: self.hub,
            path: dest.to_path_buf(),
            key: HubKey::from_hex(self.key.hex())?,
            // A snapshot is never rotated on its own: its key goes into the backup as it is.
            key_in_dir: false,
            operator: None,
        };
        let schema_version = copy.conn.query_row(
            "SELECT COALESCE(MAX(version), 0) FROM refinery_schema_history",
            [],
            |r| r.get(0),
        )?;
        Ok(SnapshotInfo {
            audit_head: copy.audit_head()?,
            schema_version,
        })
    }

    /// The hub key as hex, for the backup archive only.
    pub(crate) fn key_hex(&self) -> &str {
        self.key.hex()
    }

    /// Checks that `key` opens the database file at `path` (a restored copy, before it is put
    /// in place).
    pub fn check_restored(path: &Path, key: &HubKey) -> Result<(), HubError> {
        let conn = open_keyed(path, key)?;
        let found: i64 = conn.query_row("SELECT count(*) FROM refinery_schema_history", [], |r| r.get(0))?;
        if found == 0 {
            return Err(HubError::Database("the restored copy holds no schema".to_owned()));
        }
        Ok(())
    }

    /// Puts a restored, checked database file and its key in place in `dir` (created 0700 if
    /// missing), never over an existing `hub.db` or `hub.key`. The database goes first: a
    /// database without its key is refused at the next start, a key alone would start a new,
    /// empty hub.
    pub fn install_restored(dir: &Path, restored: &Path, key: &HubKey) -> Result<PathBuf, HubError> {
        super::create_private_dir(dir)?;
        let db = dir.join(DB_FILE);
        let key_file = dir.join(super::KEY_FILE);
        if key_file.exists() {
            return Err(HubError::Io {
                action: "will not restore over the key file",
                path: key_file,
                source: std::io::ErrorKind::AlreadyExists.into(),
            });
        }
        fs::hard_link(restored, &db).map_err(|source| HubError::Io {
            action: "cannot put the restored database in place at",
            path: db.clone(),
            source,
        })?;
        let _ = fs::remove_file(restored);
        super::key::write_new(&dir.join(super::KEY_FILE), key.hex())?;
        super::key::protect_data_files(dir)?;
        Ok(db)
    }
}

/// Creates `path`, which must not exist, readable by its owner only.
pub fn create_new_private(path: &Path) -> Result<fs::File, HubError> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map_err(|source| HubError::Io {
        action: "cannot create",
        path: path.to_path_buf(),
        source,
    })
}
