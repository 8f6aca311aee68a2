//! Opening a store on real SQLCipher files: its passphrase (refused when wrong or easily
//! guessed, changed, rekeyed), and the files it refuses (newer, damaged, foreign) left alone.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use casebook_store::{CaseFilter, Store, StoreError, StorePaths};
use common::{date, fixture, new_case, pass};

fn hashes(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_store_reopens_with_its_passphrase_and_refuses_a_wrong_one_untouched() {
    let (f, mut store) = fixture();
    let case = store
        .write(|w| w.create_case(new_case("Broken window at the shop")))
        .unwrap();
    drop(store);
    let before = hashes(&f.paths.dir);
    let err = Store::open(&f.paths, &pass("wrong horse battery")).unwrap_err();
    assert!(matches!(err, StoreError::WrongPassphrase), "{err}");
    assert_eq!(hashes(&f.paths.dir), before, "a failed unlock changed the files");
    let store = Store::open(&f.paths, &pass("correct horse battery")).unwrap();
    assert_eq!(
        store.case_detail(case.id).unwrap().case.summary,
        "Broken window at the shop"
    );
}

#[test]
fn init_never_overwrites_an_existing_store() {
    let (f, store) = fixture();
    drop(store);
    let before = hashes(&f.paths.dir);
    let err = Store::create(&f.paths, &pass("another passphrase")).unwrap_err();
    assert!(matches!(err, StoreError::AlreadyExists { .. }), "{err}");
    assert_eq!(hashes(&f.paths.dir), before);
}

#[test]
fn easily_guessed_passphrases_are_refused_with_advice() {
    let dir = tempfile::tempdir().unwrap();
    for weak in ["short", "password1234", "casebook2026"] {
        let err = Store::create(&StorePaths::new(dir.path().join("p")), &pass(weak)).unwrap_err();
        let StoreError::WeakPassphrase { score, feedback } = &err else {
            panic!("{weak:?}: {err}");
        };
        assert!(*score < 3 && !feedback.is_empty(), "{weak:?}: {err}");
        assert!(err.to_string().contains("too easy to guess"), "{err}");
        assert!(!dir.path().join("p").join("store.key").exists());
    }
    let (f, store) = fixture();
    drop(store);
    let before = hashes(&f.paths.dir);
    let err = Store::change_passphrase(&f.paths, &pass("correct horse battery"), &pass("password1234"))
        .unwrap_err();
    assert!(matches!(err, StoreError::WeakPassphrase { .. }), "{err}");
    assert_eq!(hashes(&f.paths.dir), before);
}

#[test]
fn a_store_from_a_newer_schema_is_refused_and_left_alone() {
    let (f, store) = fixture();
    store
        .connection()
        .execute(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) VALUES (99, 'future', '', '0')",
            [],
        )
        .unwrap();
    drop(store);
    let before = hashes(&f.paths.dir);
    let err = Store::open(&f.paths, &pass("correct horse battery")).unwrap_err();
    assert!(matches!(err, StoreError::NewerSchema { found: 99, .. }), "{err}");
    assert!(err.to_string().contains("newer version of Casebook"));
    assert_eq!(hashes(&f.paths.dir), before);
}

#[test]
fn damaged_and_foreign_files_get_distinct_errors_and_stay_untouched() {
    let (f, store) = fixture();
    drop(store);
    let db = f.paths.db();
    let original = std::fs::read(&db).unwrap();
    let check = |bytes: &[u8], want: fn(&StoreError) -> bool| {
        std::fs::write(&db, bytes).unwrap();
        let before = hashes(&f.paths.dir);
        let err = Store::open(&f.paths, &pass("correct horse battery")).unwrap_err();
        assert!(want(&err), "unexpected: {err}");
        assert_eq!(hashes(&f.paths.dir), before, "after: {err}");
    };
    check(&original[..original.len() - 100], |e| {
        matches!(e, StoreError::Damaged { .. })
    });
    check(&vec![7u8; original.len()], |e| matches!(e, StoreError::NotAStore));
    check(b"", |e| matches!(e, StoreError::Damaged { .. }));
    let mut plain = b"SQLite format 3\0".to_vec();
    plain.resize(4096, 0);
    check(&plain, |e| matches!(e, StoreError::Plaintext));
    std::fs::write(f.paths.key(), b"not an age file").unwrap();
    std::fs::write(&db, &original).unwrap();
    let err = Store::open(&f.paths, &pass("correct horse battery")).unwrap_err();
    assert!(matches!(err, StoreError::KeyFileDamaged { .. }), "{err}");
}

#[test]
fn changing_the_passphrase_rewrites_only_the_key_file() {
    let (f, store) = fixture();
    drop(store);
    let db_before = std::fs::read(f.paths.db()).unwrap();
    assert!(matches!(
        Store::change_passphrase(&f.paths, &pass("not the passphrase"), &pass("a brand new one")),
        Err(StoreError::WrongPassphrase)
    ));
    Store::change_passphrase(&f.paths, &pass("correct horse battery"), &pass("a brand new one")).unwrap();
    assert_eq!(
        std::fs::read(f.paths.db()).unwrap(),
        db_before,
        "the database is not re-encrypted"
    );
    assert!(matches!(
        Store::open(&f.paths, &pass("correct horse battery")),
        Err(StoreError::WrongPassphrase)
    ));
    Store::open(&f.paths, &pass("a brand new one")).unwrap();
}

#[test]
fn a_crash_during_a_passphrase_change_leaves_a_working_passphrase() {
    let (f, store) = fixture();
    drop(store);
    // Crashed while writing the new key file, before the rename: the half-written temporary
    // file is ignored and the old passphrase still opens the store.
    let tmp = f.paths.dir.join(".store.key.a1b2c3.tmp");
    std::fs::write(&tmp, b"age-encryption.org/v1\n-> scrypt half-writ").unwrap();
    Store::open(&f.paths, &pass("correct horse battery")).unwrap();
    // A later change goes through beside the leftover, which it never reads.
    Store::change_passphrase(&f.paths, &pass("correct horse battery"), &pass("after the crash")).unwrap();
    Store::open(&f.paths, &pass("after the crash")).unwrap();
}

#[test]
fn a_rekey_leaves_an_old_store_key_useless_and_every_record_intact() {
    let (f, mut store) = fixture();
    casebook_store::demo::generate(&mut store, 25, 4, date("2026-11-27")).unwrap();
    let all = CaseFilter { include_closed: true };
    let before = serde_json::to_value(store.list_cases(all).unwrap()).unwrap();
    drop(store);
    let old_key = std::fs::read(f.paths.key()).unwrap();

    let report = Store::rekey(&f.paths, &pass("correct horse battery")).unwrap();
    assert!(report.bytes > 0);
    assert_ne!(
        std::fs::read(f.paths.key()).unwrap(),
        old_key,
        "store.key holds the new key"
    );
    let leftovers: Vec<String> = std::fs::read_dir(&f.paths.dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "store.db" && n != "store.key")
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");

    let store = Store::open(&f.paths, &pass("correct horse battery")).unwrap();
    assert_eq!(
        serde_json::to_value(store.list_cases(all).unwrap()).unwrap(),
        before
    );
    let report = store.verify().unwrap();
    assert!(report.ok, "{report:?}");
    drop(store);

    // A backup's store.key beside today's store.db: the old passphrase unseals it, and the
    // key inside no longer opens the database.
    let backup = tempfile::tempdir().unwrap();
    let backup_paths = StorePaths::new(backup.path().join("profile"));
    std::fs::create_dir_all(&backup_paths.dir).unwrap();
    std::fs::copy(f.paths.db(), backup_paths.db()).unwrap();
    std::fs::write(backup_paths.key(), &old_key).unwrap();
    let err = Store::open(&backup_paths, &pass("correct horse battery")).unwrap_err();
    assert!(matches!(err, StoreError::NotAStore), "{err}");
}

#[test]
fn a_rekey_is_refused_while_another_connection_holds_the_store() {
    let (f, mut store) = fixture();
    let case = store.write(|w| w.create_case(new_case("Still here"))).unwrap();
    let key_before = std::fs::read(f.paths.key()).unwrap();
    let err = Store::rekey(&f.paths, &pass("correct horse battery")).unwrap_err();
    assert!(matches!(err, StoreError::InUse), "{err}");
    assert!(err.to_string().contains("Close it"), "{err}");
    assert_eq!(std::fs::read(f.paths.key()).unwrap(), key_before);
    assert!(!f.paths.dir.join("store.key.new").exists());
    // The open store carries on as if nothing happened.
    store.write(|w| w.create_case(new_case("Written after"))).unwrap();
    assert_eq!(store.case_detail(case.id).unwrap().case.summary, "Still here");
    drop(store);
    assert!(
        Store::open(&f.paths, &pass("correct horse battery"))
            .unwrap()
            .verify()
            .unwrap()
            .ok
    );
}

#[test]
fn a_rekey_needs_the_passphrase_and_changes_nothing_without_it() {
    let (f, store) = fixture();
    drop(store);
    let before = hashes(&f.paths.dir);
    let err = Store::rekey(&f.paths, &pass("wrong horse battery")).unwrap_err();
    assert!(matches!(err, StoreError::WrongPassphrase), "{err}");
    assert_eq!(hashes(&f.paths.dir), before);
}
