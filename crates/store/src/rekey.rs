//! `casebook rekey`: a new random database key, so that an old `store.key` (from a backup, a
//! copy on another disk) together with an old passphrase no longer opens the store.
//!
//! Crash safety: the new key is sealed to `store.key.new` before the database changes; SQLCipher
//! then re-encrypts every page in one transaction (rollback journal: the pages it saves stay
//! under the old key, so an interrupted rekey rolls back under the old key); only then does
//! `store.key.new` replace `store.key`. Whenever `store.key.new` is found, [`finish_interrupted`]
//! keeps whichever key opens the database, so a kill at any moment leaves a store that opens
//! with the passphrase.

use std::path::{Path, PathBuf};
use std::time::Duration;

use age::secrecy::SecretString;
use rusqlite::Connection;

use crate::StorePaths;
use crate::conn;
use crate::error::StoreError;
use crate::key::{self, DbKey};

/// What a rekey did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RekeyReport {
    /// Size of the re-encrypted database file, in bytes.
    pub bytes: u64,
    /// A personal recovery code was retired: it opened the old key. A new one can be made.
    pub recovery_code_retired: bool,
}

/// How long the rekey waits for another connection to let go before saying the store is in use.
const IN_USE_WAIT: Duration = Duration::from_secs(1);

/// The new sealed key while a rekey is under way.
pub(crate) fn side_key(paths: &StorePaths) -> PathBuf {
    paths.dir.join("store.key.new")
}

fn journal(paths: &StorePaths) -> PathBuf {
    paths.dir.join("store.db-journal")
}

/// Re-encrypts the store under a new random key and seals it to the same passphrase.
pub(crate) fn rekey(paths: &StorePaths, passphrase: &SecretString) -> Result<RekeyReport, StoreError> {
    let done = reencrypt(paths, passphrase)?;
    done.swap()
}

/// The database is under the new key, `store.key.new` holds it, `store.key` still the old one.
pub(crate) struct Reencrypted {
    conn: Connection,
    paths: StorePaths,
    key: DbKey,
    sealed: Vec<u8>,
}

/// Steps up to and including the re-encryption; [`Reencrypted::swap`] makes the new key the
/// store's. Dropping the result in between is what a crash at that moment leaves.
pub(crate) fn reencrypt(paths: &StorePaths, passphrase: &SecretString) -> Result<Reencrypted, StoreError> {
    finish_interrupted(paths, passphrase)?;
    let sealed = std::fs::read(paths.key()).map_err(StoreError::io("read", paths.key()))?;
    let old = key::unseal(&sealed, passphrase)?;
    // Sealing costs a scrypt run: done before the database is held, to keep that short.
    let new = DbKey::generate()?;
    let new_sealed = key::seal(&new, passphrase)?;
    let conn = conn::open_existing(&paths.db(), &old)?;
    drop(old);
    hold_alone(&conn)?;
    // From here a crash leaves store.key.new beside store.key: `finish_interrupted` settles it.
    key::write_atomically(&side_key(paths), &new_sealed)?;
    let rekeyed = conn
        .execute_batch(new.rekey_pragma().as_str())
        .map_err(StoreError::from)
        .and_then(|()| check_every_page(&conn));
    if let Err(e) = rekeyed {
        drop(conn);
        // Whatever happened inside SQLCipher, keep the key that opens the database.
        finish_interrupted(paths, passphrase)?;
        return Err(e);
    }
    Ok(Reencrypted {
        conn,
        paths: paths.clone(),
        key: new,
        sealed: new_sealed,
    })
}

impl Reencrypted {
    /// Makes the new key the store's: lets go of the database, removes the rollback journal
    /// (it holds page images under the old key), renames `store.key.new` over `store.key` and
    /// reopens the database under the new key, back in WAL mode. The rename comes last, so a
    /// crash before it leaves `store.key.new` for [`finish_interrupted`] to settle.
    pub(crate) fn swap(self) -> Result<RekeyReport, StoreError> {
        let Reencrypted {
            conn,
            paths,
            key,
            sealed,
        } = self;
        drop(conn);
        remove_journal(&paths)?;
        match replace(&side_key(&paths), &paths.key()) {
            Ok(()) => {}
            // Another process opened the store in between and finished the swap for us.
            Err(StoreError::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound
                    && std::fs::read(paths.key()).is_ok_and(|now| now == sealed) => {}
            Err(e) => return Err(e),
        }
        drop(conn::open_existing(&paths.db(), &key)?);
        let bytes = std::fs::metadata(paths.db())
            .map_err(StoreError::io("read", paths.db()))?
            .len();
        tracing::info!(bytes, "store rekeyed");
        Ok(RekeyReport {
            bytes,
            recovery_code_retired: false,
        })
    }
}

/// Makes `conn` the only connection to the database until it closes: leaving WAL mode needs
/// every other connection closed (so an app holding the store open is found here, before
/// anything changes), and exclusive locking keeps newcomers out until the rekey is over.
fn hold_alone(conn: &Connection) -> Result<(), StoreError> {
    conn.busy_timeout(IN_USE_WAIT)?;
    let busy = |e: rusqlite::Error| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => StoreError::InUse,
        _ => StoreError::from(e),
    };
    let mode: String = conn
        .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
        .map_err(busy)?;
    if !mode.eq_ignore_ascii_case("delete") {
        return Err(StoreError::InUse);
    }
    conn.execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT;")
        .map_err(busy)?;
    Ok(())
}

/// Proves every page of the file on disk authenticates under the connection's current key
/// (SQLCipher's rekey does not report a failed commit).
fn check_every_page(conn: &Connection) -> Result<(), StoreError> {
    let mut stmt = conn.prepare("PRAGMA cipher_integrity_check")?;
    let problems: Vec<String> = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    match problems.first() {
        None => Ok(()),
        Some(first) => Err(StoreError::Damaged {
            detail: format!(
                "after re-encryption {} page(s) failed their check ({})",
                problems.len(),
                crate::error::redact(first)
            ),
        }),
    }
}

/// Settles a rekey that was interrupted: if `store.key.new` is there, keeps `store.key` when it
/// still opens the database (the rekey never committed) and otherwise makes `store.key.new` the
/// key when that one opens it. Without `store.key.new` this does nothing and costs nothing.
pub(crate) fn finish_interrupted(paths: &StorePaths, passphrase: &SecretString) -> Result<(), StoreError> {
    let side = side_key(paths);
    if !side.exists() {
        return Ok(());
    }
    let sealed = std::fs::read(paths.key()).map_err(StoreError::io("read", paths.key()))?;
    let old = key::unseal(&sealed, passphrase)?;
    // The old key first: an interrupted re-encryption left a journal under the old key, which
    // opening with it rolls back.
    let old_failed = match conn::open_existing(&paths.db(), &old) {
        Ok(conn) => {
            drop(conn);
            remove_journal(paths)?;
            std::fs::remove_file(&side).map_err(StoreError::io("remove", &side))?;
            sync_dir(&paths.dir)?;
            tracing::info!("an interrupted rekey was rolled back");
            return Ok(());
        }
        Err(e @ StoreError::NotAStore) => e,
        Err(e) => return Err(e),
    };
    let new = match std::fs::read(&side).map(|s| key::unseal(&s, passphrase)) {
        Ok(Ok(new)) => new,
        _ => return Err(old_failed),
    };
    match conn::open_existing(&paths.db(), &new) {
        Ok(conn) => {
            drop(conn);
            replace(&side, &paths.key())?;
            remove_journal(paths)?;
            tracing::info!("an interrupted rekey was completed");
            Ok(())
        }
        Err(StoreError::NotAStore) => Err(old_failed),
        Err(e) => Err(e),
    }
}

/// Renames `from` over `to` and makes the rename durable.
fn replace(from: &Path, to: &Path) -> Result<(), StoreError> {
    std::fs::rename(from, to).map_err(StoreError::io("replace", to))?;
    sync_dir(to.parent().unwrap_or(Path::new(".")))
}

fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(StoreError::io("flush", dir))
}

/// Overwrites and removes a rollback journal left after the database was closed: in exclusive
/// locking mode SQLite keeps it (header zeroed, so never replayed), still holding page images
/// under the key the database had before.
fn remove_journal(paths: &StorePaths) -> Result<(), StoreError> {
    let journal = journal(paths);
    if !journal.exists() {
        return Ok(());
    }
    key::overwrite_in_place(&journal)?;
    std::fs::remove_file(&journal).map_err(StoreError::io("remove", &journal))?;
    sync_dir(&paths.dir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    const PASS: &str = "quiet otters juggle brass lanterns";

    fn pass() -> SecretString {
        SecretString::from(PASS.to_owned())
    }

    fn store_with_a_case() -> (tempfile::TempDir, StorePaths, casebook_domain::CaseId) {
        let dir = tempfile::tempdir().expect("dir");
        let paths = StorePaths::new(dir.path().join("profile"));
        let mut store = Store::create(&paths, &pass()).expect("create");
        let case = store
            .write(|w| {
                w.create_case(crate::model::NewCase {
                    kind: casebook_domain::CaseKind::RestorativeJustice,
                    stage: casebook_domain::JusticeStage::PostSentence,
                    source: casebook_domain::ReferralSource::Probation,
                    referrer: None,
                    summary: "Rekey marker heron".into(),
                    court_date: None,
                    pre_sentence: None,
                    received_on: None,
                })
            })
            .expect("case")
            .id;
        (dir, paths, case)
    }

    fn opens_with(paths: &StorePaths, sealed: &[u8]) -> bool {
        let key = key::unseal(sealed, &pass()).expect("unseal");
        conn::open_existing(&paths.db(), &key).is_ok()
    }

    #[test]
    fn killed_after_the_new_key_was_sealed_the_old_key_stays() {
        let (_dir, paths, case) = store_with_a_case();
        let before = std::fs::read(paths.key()).expect("key");
        // What a kill between writing store.key.new and re-encrypting leaves.
        let unused = key::seal(&DbKey::generate().expect("key"), &pass()).expect("seal");
        key::write_atomically(&side_key(&paths), &unused).expect("side");
        let store = Store::open(&paths, &pass()).expect("opens with the passphrase");
        assert_eq!(
            store.case_detail(case).expect("case").case.summary,
            "Rekey marker heron"
        );
        assert_eq!(
            std::fs::read(paths.key()).expect("key"),
            before,
            "the old key stays"
        );
        assert!(!side_key(&paths).exists(), "the unused new key is removed");
    }

    #[test]
    fn killed_after_re_encrypting_the_new_key_is_put_in_place() {
        let (_dir, paths, case) = store_with_a_case();
        let before = std::fs::read(paths.key()).expect("key");
        // Re-encrypted, then killed before store.key.new replaced store.key.
        drop(reencrypt(&paths, &pass()).expect("re-encrypt"));
        let side = std::fs::read(side_key(&paths)).expect("the new key waits beside");
        assert!(!opens_with(&paths, &before), "the database is under the new key");
        let store = Store::open(&paths, &pass()).expect("opens with the passphrase");
        assert_eq!(
            store.case_detail(case).expect("case").case.summary,
            "Rekey marker heron"
        );
        assert!(store.verify().expect("verify").ok);
        assert_eq!(
            std::fs::read(paths.key()).expect("key"),
            side,
            "the new key is in place"
        );
        assert!(!side_key(&paths).exists());
        assert!(!journal(&paths).exists(), "no journal under the old key is left");
    }

    #[test]
    fn a_passphrase_change_after_an_interrupted_rekey_keeps_the_right_key() {
        let (_dir, paths, case) = store_with_a_case();
        drop(reencrypt(&paths, &pass()).expect("re-encrypt"));
        let next = SecretString::from("seven amber kites over the harbour".to_owned());
        Store::change_passphrase(&paths, &pass(), &next).expect("change");
        let store = Store::open(&paths, &next).expect("opens with the new passphrase");
        assert_eq!(
            store.case_detail(case).expect("case").case.summary,
            "Rekey marker heron"
        );
        assert!(!side_key(&paths).exists());
    }

    #[test]
    fn a_new_key_that_opens_nothing_is_not_put_in_place() {
        let (_dir, paths, _) = store_with_a_case();
        let before = std::fs::read(paths.key()).expect("key");
        // The database is damaged beyond either key: nothing is renamed, the error is the old key's.
        let unused = key::seal(&DbKey::generate().expect("key"), &pass()).expect("seal");
        key::write_atomically(&side_key(&paths), &unused).expect("side");
        std::fs::write(paths.db(), vec![7u8; 8192]).expect("clobber");
        for name in ["store.db-wal", "store.db-shm"] {
            let _ = std::fs::remove_file(paths.dir.join(name));
        }
        assert!(matches!(Store::open(&paths, &pass()), Err(StoreError::NotAStore)));
        assert_eq!(std::fs::read(paths.key()).expect("key"), before);
        assert!(side_key(&paths).exists(), "kept for a person to look at");
    }
}
