//! Passphrase recovery: the database key sealed, besides `store.key`, in `store.recovery` (age
//! cannot mix a passphrase recipient with others in one file). An enrolled store seals it to the
//! organisation's recovery recipient; a store no organisation key protects may seal it to a
//! personal recovery code instead, one code at a time. Either way a forgotten passphrase is
//! reset through one path and nothing, unsynced drafts included, is lost; an enrolled store
//! tells its hub at the next sync.

use std::fs::OpenOptions;
use std::path::PathBuf;

use age::secrecy::SecretString;
use rusqlite::{OptionalExtension, params};

use crate::error::StoreError;
use crate::key::{self, DbKey};
use crate::recovery_code::RecoveryCode;
use crate::{Store, StorePaths, conn};

/// The file beside `store.key` that holds the key sealed for recovery.
pub const RECOVERY_FILE: &str = "store.recovery";

/// The meta key under which a recovery waits to be reported to the hub.
const RECOVERED_AT: &str = "recovered_at_ms";

/// What opens a store whose passphrase is forgotten.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecoveryMethod {
    /// Nothing: no `store.recovery`.
    None,
    /// The organisation's recovery key (`casebook recover --identity FILE`).
    OrganisationKey,
    /// A personal recovery code (`casebook recover --code`).
    PersonalCode,
}

fn recovery_file(paths: &StorePaths) -> PathBuf {
    paths.dir.join(RECOVERY_FILE)
}

/// The contents of `store.recovery`, or `None` when there is none.
fn read_recovery_file(paths: &StorePaths) -> Result<Option<Vec<u8>>, StoreError> {
    if !paths.exists() {
        return Err(StoreError::NoStore {
            dir: paths.dir.clone(),
        });
    }
    let file = recovery_file(paths);
    match std::fs::read(&file) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(StoreError::io("read", file)(e)),
    }
}

fn method_of(sealed: &[u8]) -> Result<RecoveryMethod, StoreError> {
    match key::sealed_to_passphrase(sealed) {
        Some(true) => Ok(RecoveryMethod::PersonalCode),
        Some(false) => Ok(RecoveryMethod::OrganisationKey),
        None => Err(StoreError::RecoveryFileDamaged {
            detail: "it is not an age file".into(),
        }),
    }
}

/// Puts `sealed` in place of `store.recovery` (or removes it, for `None`) atomically, then
/// writes over the old file's blocks through a handle opened before, so the secret that opened
/// the old file opens nothing left on this disk.
fn replace_recovery_file(paths: &StorePaths, sealed: Option<&[u8]>) -> Result<(), StoreError> {
    let file = recovery_file(paths);
    let old = match OpenOptions::new().write(true).open(&file) {
        Ok(f) => Some(f),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(StoreError::io("open", file)(e)),
    };
    match sealed {
        Some(bytes) => key::write_atomically(&file, bytes)?,
        None if old.is_some() => std::fs::remove_file(&file).map_err(StoreError::io("remove", &file))?,
        None => {}
    }
    if let Some(old) = old {
        key::overwrite_open_file(old, &file)?;
    }
    Ok(())
}

impl Store {
    /// What can open the store in `paths` if its passphrase is forgotten.
    pub fn recovery_method(paths: &StorePaths) -> Result<RecoveryMethod, StoreError> {
        read_recovery_file(paths)?.map_or(Ok(RecoveryMethod::None), |sealed| method_of(&sealed))
    }

    /// Seals the database key to `recipient` (the hub's, `age1…`) as `store.recovery`. A
    /// personal recovery code sealed there before stops working: the organisation's key takes
    /// over.
    #[tracing::instrument(skip_all)]
    pub fn seal_recovery(
        paths: &StorePaths,
        passphrase: &SecretString,
        recipient: &str,
    ) -> Result<(), StoreError> {
        let sealed = std::fs::read(paths.key()).map_err(StoreError::io("read", paths.key()))?;
        let db_key = key::unseal(&sealed, passphrase)?;
        let recovery = key::seal_to_recipient(&db_key, recipient)?;
        replace_recovery_file(paths, Some(&recovery))
    }

    /// Makes a personal recovery code for this store, to be shown once and written on paper:
    /// the database key is sealed to it (age, scrypt) as `store.recovery`, replacing any code
    /// made before, which stops working. Refused when the organisation's recovery key protects
    /// the store. `passphrase` is the one this store was opened with.
    #[tracing::instrument(skip_all)]
    pub fn new_recovery_code(&self, passphrase: &SecretString) -> Result<RecoveryCode, StoreError> {
        let organisation = self.hub_link()?.is_some_and(|l| l.recovery_recipient.is_some());
        if organisation || Store::recovery_method(&self.paths).ok() == Some(RecoveryMethod::OrganisationKey) {
            return Err(StoreError::OrganisationRecovery);
        }
        let sealed = std::fs::read(self.paths.key()).map_err(StoreError::io("read", self.paths.key()))?;
        let db_key = key::unseal(&sealed, passphrase)?;
        let code = RecoveryCode::generate()?;
        replace_recovery_file(&self.paths, Some(&key::seal(&db_key, code.secret())?))?;
        tracing::info!("personal recovery code made");
        Ok(code)
    }

    /// Opens `store.recovery` with the organisation's recovery `identity` and sets `new`
    /// passphrase. Returns the store, open, with the recovery noted for the hub.
    #[tracing::instrument(skip_all)]
    pub fn recover(
        paths: &StorePaths,
        identity: &SecretString,
        new: &SecretString,
    ) -> Result<Store, StoreError> {
        crate::passphrase::check_new_passphrase(new, &[])?;
        let sealed = read_recovery_file(paths)?.ok_or(StoreError::NoRecoveryFile)?;
        if method_of(&sealed)? == RecoveryMethod::PersonalCode {
            return Err(StoreError::RecoveryKeyWrong {
                detail: "it is sealed to a personal recovery code, not to the organisation's key \
                         (`casebook recover --code`)"
                    .into(),
            });
        }
        let db_key = key::unseal_recovery(&sealed, identity)?;
        reset_passphrase(paths, db_key, new, "the organisation's recovery key")
    }

    /// Opens `store.recovery` with a personal recovery `code` and sets `new` passphrase, as
    /// [`Store::recover`] does with the organisation's key. The code keeps working.
    #[tracing::instrument(skip_all)]
    pub fn recover_with_code(
        paths: &StorePaths,
        code: &RecoveryCode,
        new: &SecretString,
    ) -> Result<Store, StoreError> {
        crate::passphrase::check_new_passphrase(new, &[])?;
        let sealed = read_recovery_file(paths)?.ok_or(StoreError::NoRecoveryCode)?;
        if method_of(&sealed)? == RecoveryMethod::OrganisationKey {
            return Err(StoreError::OrganisationRecovery);
        }
        let db_key = key::unseal(&sealed, code.secret()).map_err(|e| match e {
            StoreError::WrongPassphrase => StoreError::RecoveryCodeWrong,
            StoreError::KeyFileDamaged { detail } => StoreError::RecoveryFileDamaged { detail },
            other => other,
        })?;
        reset_passphrase(paths, db_key, new, "a personal recovery code")
    }

    /// Removes a personal recovery code's file, which holds a key the store no longer uses
    /// (after a rekey). Returns whether there was one.
    pub(crate) fn retire_recovery_code(paths: &StorePaths) -> Result<bool, StoreError> {
        let had = recovery_file(paths).exists();
        replace_recovery_file(paths, None)?;
        Ok(had)
    }

    /// When this store was recovered, if the hub has not been told yet.
    pub fn unreported_recovery(&self) -> Result<Option<i64>, StoreError> {
        let at: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = ?1",
                params![RECOVERED_AT],
                |r| r.get(0),
            )
            .optional()?;
        Ok(at.and_then(|v| v.parse().ok()))
    }

    /// The hub has recorded the recovery.
    pub fn recovery_reported(&mut self) -> Result<(), StoreError> {
        self.conn
            .execute("DELETE FROM meta WHERE key = ?1", params![RECOVERED_AT])?;
        Ok(())
    }
}

/// The one way a forgotten passphrase is replaced, whatever opened `store.recovery`: prove the
/// key opens this database, then seal it to `new` in `store.key` (atomically), so the database,
/// its drafts and its unsent ops are untouched. An enrolled store notes the recovery for its hub.
fn reset_passphrase(
    paths: &StorePaths,
    db_key: DbKey,
    new: &SecretString,
    with: &'static str,
) -> Result<Store, StoreError> {
    drop(conn::open_existing(&paths.db(), &db_key)?);
    key::write_atomically(&paths.key(), &key::seal(&db_key, new)?)?;
    drop(db_key);
    tracing::warn!(with, "passphrase reset");
    let store = Store::open(paths, new)?;
    if store.hub_link()?.is_some() {
        store.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![RECOVERED_AT, chrono::Utc::now().timestamp_millis().to_string()],
        )?;
    }
    Ok(store)
}
