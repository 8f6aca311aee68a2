//! Passphrase recovery: at enrollment the database key is sealed, besides `store.key`, to the
//! organisation's recovery recipient as `store.recovery` (age cannot mix a passphrase recipient
//! with others in one file). With the recovery identity a new passphrase is set and nothing,
//! unsynced drafts included, is lost; the hub is told at the next sync.

use age::secrecy::SecretString;
use rusqlite::params;

use crate::error::StoreError;
use crate::{Store, StorePaths, conn, key};

/// The file beside `store.key` that holds the key sealed to the recovery recipient.
pub const RECOVERY_FILE: &str = "store.recovery";

/// The meta key under which a recovery waits to be reported to the hub.
const RECOVERED_AT: &str = "recovered_at_ms";

impl Store {
    /// Seals the database key to `recipient` (the hub's, `age1…`) as `store.recovery`.
    #[tracing::instrument(skip_all)]
    pub fn seal_recovery(
        paths: &StorePaths,
        passphrase: &SecretString,
        recipient: &str,
    ) -> Result<(), StoreError> {
        let sealed = std::fs::read(paths.key()).map_err(StoreError::io("read", paths.key()))?;
        let db_key = key::unseal(&sealed, passphrase)?;
        let recovery = key::seal_to_recipient(&db_key, recipient)?;
        key::write_atomically(&paths.dir.join(RECOVERY_FILE), &recovery)?;
        Ok(())
    }

    /// Opens `store.recovery` with the organisation's recovery `identity` and seals the key to
    /// `new` passphrase in `store.key` (atomically, after proving the key opens the database).
    /// Returns the store, open, with the recovery noted for the hub.
    #[tracing::instrument(skip_all)]
    pub fn recover(
        paths: &StorePaths,
        identity: &SecretString,
        new: &SecretString,
    ) -> Result<Store, StoreError> {
        crate::passphrase::check_new_passphrase(new, &[])?;
        let file = paths.dir.join(RECOVERY_FILE);
        let sealed = match std::fs::read(&file) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(StoreError::NoRecoveryFile),
            Err(e) => return Err(StoreError::io("read", file)(e)),
        };
        let db_key = key::unseal_recovery(&sealed, identity)?;
        drop(conn::open_existing(&paths.db(), &db_key)?);
        key::write_atomically(&paths.key(), &key::seal(&db_key, new)?)?;
        drop(db_key);
        tracing::warn!("passphrase reset with the organisation's recovery key");
        let store = Store::open(paths, new)?;
        store.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![RECOVERED_AT, chrono::Utc::now().timestamp_millis().to_string()],
        )?;
        Ok(store)
    }

    /// When this store was recovered, if the hub has not been told yet.
    pub fn unreported_recovery(&self) -> Result<Option<i64>, StoreError> {
        Ok(self.meta(RECOVERED_AT)?.and_then(|v| v.parse().ok()))
    }

    /// The hub has recorded the recovery.
    pub fn recovery_reported(&mut self) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM meta WHERE key = ?1", params![RECOVERED_AT])?;
        Ok(())
    }
}
