//! The embedded backend: one SQLCipher database in the data dir, opened with the hub key. The
//! SQL of each concern is in its own file beside this one (`ops.rs`, `admin.rs`, `audit.rs`
//! ...), all of it on [`Sqlite`].

use std::path::{Path, PathBuf};

use casebook_domain::{DeviceId, UserId};
use rusqlite::{Connection, OptionalExtension, params};

use super::{DeviceRow, FoundDevice, HubIdentity, HubKey, UserRow, key, parse, user_row};
use crate::error::HubError;

/// The name of the database file inside the data dir.
pub const DB_FILE: &str = "hub.db";

/// How stale a device's `last_seen` may grow: noting it on every request would cost every
/// request a commit and an fsync.
pub(super) const LAST_SEEN_EVERY_MS: i64 = 60_000;

pub(super) mod embedded {
    refinery::embed_migrations!("../../migrations/hub");
}

/// The hub's database connection. Sync: call it from a blocking thread.
pub struct Sqlite {
    pub(super) conn: Connection,
    pub(super) hub: HubIdentity,
    /// The database file and its key, to open [`Reader`]s next to this connection.
    pub(super) path: PathBuf,
    pub(super) key: HubKey,
    /// The key is the data dir's `hub.key` (not `CASEBOOK_HUB_KEY`): `rotate-key` may replace it.
    pub(super) key_in_dir: bool,
    /// Who runs the admin commands on this connection, for the audit trail.
    pub(super) operator: Option<String>,
}

impl std::fmt::Debug for Sqlite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sqlite")
            .field("hub", &self.hub)
            .finish_non_exhaustive()
    }
}

impl Sqlite {
    /// Opens (creating on first use) the hub database in `dir`, migrated to this version.
    pub fn open(dir: &Path, key_from_env: Option<HubKey>) -> Result<Self, HubError> {
        create_private_dir(dir)?;
        let path = dir.join(DB_FILE);
        let key_in_dir = key_from_env.is_none();
        if key_in_dir && path.exists() {
            super::sqlite_rekey::settle(dir, &path)?;
        }
        let key = key::load_or_create(dir, key_from_env, path.exists())?;
        let mut conn = open_keyed(&path, &key)?;
        conn.execute_batch(
            "PRAGMA busy_timeout = 10000;
             PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;
             PRAGMA temp_store = MEMORY;
             PRAGMA secure_delete = ON;
             PRAGMA cache_size = -65536;",
        )?;
        migrate(&mut conn)?;
        // Again now that the database and its WAL files exist (new ones take the umask's mode).
        key::protect_data_files(dir)?;
        let hub = identity(&conn)?;
        Ok(Self {
            conn,
            hub,
            path,
            key,
            key_in_dir,
            operator: None,
        })
    }

    /// The hub's own identity.
    pub fn hub_identity(&self) -> HubIdentity {
        self.hub
    }

    /// Names who runs the admin commands on this connection (the system user of the command
    /// line), recorded with each of them in the audit trail.
    pub fn set_operator(&mut self, operator: Option<String>) {
        self.operator = operator;
    }

    /// The detail every admin entry carries: who ran it, and `extra`.
    pub(super) fn admin_detail(&self, extra: serde_json::Value) -> serde_json::Value {
        let mut detail = serde_json::json!({ "operator": self.operator });
        if let (Some(detail), serde_json::Value::Object(extra)) = (detail.as_object_mut(), extra) {
            detail.extend(extra);
        }
        detail
    }
}

pub(super) fn create_private_dir(dir: &Path) -> Result<(), HubError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|source| HubError::Io {
        action: "cannot create the data dir",
        path: dir.to_path_buf(),
        source,
    })?;
    // A directory that already existed keeps its mode above: narrow it and its files too.
    key::protect_data_files(dir)
}

/// Opens `path` and unlocks it with `key`. Now and then (about one test hub in a few hundred
/// started at once) SQLCipher fails to set up a new connection's cipher context, with only its
/// generic "an error occurred with PRAGMA key" and the connection left unusable; a fresh
/// connection then succeeds. So a failed `PRAGMA key` is retried on a new connection, twice.
pub(super) fn open_keyed(path: &Path, key: &HubKey) -> Result<Connection, HubError> {
    let mut failure = None;
    for attempt in 0..3u64 {
        if attempt > 0 {
            std::thread::sleep(std::time::Duration::from_millis(10 * attempt));
        }
        let conn = Connection::open(path)?;
        // SQLCipher would otherwise log HMAC failures (a wrong key) to stderr.
        let _ = conn.execute_batch("PRAGMA cipher_log_level = NONE;");
        match conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", key.hex())) {
            Ok(()) => {
                check_key(&conn, path)?;
                return Ok(conn);
            }
            // Only the error's code: SQLite's message could echo the statement, and with it the key.
            Err(e) => failure = Some(e.sqlite_error_code()),
        }
        tracing::warn!(
            attempt,
            "SQLCipher could not set up the connection's key; retrying"
        );
    }
    Err(HubError::Database(format!(
        "could not apply the key ({failure:?})"
    )))
}

/// Whether the key opens the database: a wrong key reads as "not a database".
pub(super) fn check_key(conn: &Connection, path: &Path) -> Result<(), HubError> {
    match conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0)) {
        Ok(_) => Ok(()),
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == rusqlite::ErrorCode::NotADatabase => {
            Err(HubError::WrongKey(PathBuf::from(path)))
        }
        Err(e) => Err(e.into()),
    }
}

pub(super) fn migrate(conn: &mut Connection) -> Result<(), HubError> {
    let runner = embedded::migrations::runner();
    let known = runner
        .get_migrations()
        .iter()
        .map(|m| i64::from(m.version()))
        .max()
        .unwrap_or(0);
    let has_history: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'refinery_schema_history')",
        [],
        |r| r.get(0),
    )?;
    if has_history {
        let found: i64 = conn.query_row(
            "SELECT COALESCE(MAX(version), 0) FROM refinery_schema_history",
            [],
            |r| r.get(0),
        )?;
        if found > known {
            return Err(HubError::SchemaTooNew { found, known });
        }
    }
    runner
        .run(conn)
        .map_err(|e| HubError::Migration(e.kind().to_string()))?;
    Ok(())
}

pub(super) fn identity(conn: &Connection) -> Result<HubIdentity, HubError> {
    for (key, fresh) in [
        ("hub_user_id", UserId::new().to_string()),
        ("hub_device_id", DeviceId::new().to_string()),
    ] {
        conn.execute(
            "INSERT OR IGNORE INTO hub_meta (key, value) VALUES (?1, ?2)",
            params![key, fresh],
        )?;
    }
    let get = |key: &str| -> Result<String, HubError> {
        Ok(conn.query_row("SELECT value FROM hub_meta WHERE key = ?1", [key], |r| r.get(0))?)
    };
    Ok(HubIdentity {
        user: parse(&get("hub_user_id")?)?,
        device: parse(&get("hub_device_id")?)?,
    })
}

/// Reads a user row from `id, name, role, team` at `offset`.
pub(super) fn user_from_row(
    row: &rusqlite::Row<'_>,
    offset: usize,
) -> rusqlite::Result<(String, String, String, Option<String>)> {
    Ok((
        row.get(offset)?,
        row.get(offset + 1)?,
        row.get(offset + 2)?,
        row.get(offset + 3)?,
    ))
}

impl Sqlite {
    /// The user named `name`.
    pub fn user_by_name(&self, name: &str) -> Result<UserRow, HubError> {
        let raw = self
            .conn
            .query_row(
                "SELECT id, name, role, team FROM users WHERE name = ?1",
                [name],
                |r| user_from_row(r, 0),
            )
            .optional()?
            .ok_or_else(|| HubError::NoSuchUser(name.to_owned()))?;
        user_row(raw)
    }

    /// The device whose token hashes to `token_hash`, and whether noting that it was seen at
    /// `now_ms` is due. Only reads, so a [`Reader`] can answer it.
    pub fn device_by_token(&self, token_hash: &str, now_ms: i64) -> Result<Option<FoundDevice>, HubError> {
        let found = self
            .conn
            .prepare_cached(
                "SELECT d.id, d.name, d.revoked_at IS NOT NULL, d.wipe, d.last_seen, u.id, u.name, u.role, u.team
                 FROM devices d JOIN users u ON u.id = d.user_id WHERE d.token_hash = ?1",
            )?
            .query_row([token_hash], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get::<_, Option<i64>>(4)?,
                    user_from_row(r, 5)?,
                ))
            })
            .optional()?;
        let Some((id, name, revoked, wipe, last_seen, user)) = found else {
            return Ok(None);
        };
        Ok(Some(FoundDevice {
            device: DeviceRow {
                id: parse(&id)?,
                name,
                user: user_row(user)?,
                revoked,
                wipe,
            },
            last_seen_stale: last_seen.is_none_or(|seen| seen < now_ms.saturating_sub(LAST_SEEN_EVERY_MS)),
        }))
    }

    /// Notes that `device` was seen at `now_ms`, unless that was noted less than a minute ago.
    pub fn touch_device(&self, device: DeviceId, now_ms: i64) -> Result<(), HubError> {
        self.conn
            .prepare_cached(
                "UPDATE devices SET last_seen = ?1 WHERE id = ?2 AND (last_seen IS NULL OR last_seen < ?1 - ?3)",
            )?
            .execute(params![now_ms, device.to_string(), LAST_SEEN_EVERY_MS])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::KEY_FILE;

    #[test]
    fn the_database_is_encrypted_and_refuses_a_wrong_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        drop(Sqlite::open(dir.path(), None).expect("open"));
        let header = std::fs::read(dir.path().join(DB_FILE)).expect("read");
        assert!(
            !header.starts_with(b"SQLite format 3"),
            "hub.db must not be plaintext"
        );
        let wrong = HubKey::from_hex(&"ab".repeat(32)).expect("key");
        assert!(matches!(
            Sqlite::open(dir.path(), Some(wrong)),
            Err(HubError::WrongKey(_))
        ));
        std::fs::remove_file(dir.path().join(KEY_FILE)).expect("rm");
        assert!(matches!(
            Sqlite::open(dir.path(), None),
            Err(HubError::MissingKey(_))
        ));
    }

    #[test]
    fn a_database_from_a_newer_hub_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let storage = Sqlite::open(dir.path(), None).expect("open");
        storage
            .conn
            .execute(
                "INSERT INTO refinery_schema_history (version, name, applied_on, checksum)
                 VALUES (999, 'future', '2030-01-01T00:00:00Z', '0')",
                [],
            )
            .expect("insert");
        drop(storage);
        assert!(matches!(
            Sqlite::open(dir.path(), None),
            Err(HubError::SchemaTooNew { found: 999, .. })
        ));
    }

    #[test]
    fn the_hub_keeps_its_identity_across_opens() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = Sqlite::open(dir.path(), None).expect("open").hub_identity();
        assert_eq!(
            Sqlite::open(dir.path(), None).expect("reopen").hub_identity(),
            first
        );
    }
}
