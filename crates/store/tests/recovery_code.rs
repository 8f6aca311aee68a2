//! Personal recovery codes through the store's public API, on real files: a code resets a
//! forgotten passphrase and keeps unsynced work, a new code retires the old one, a wrong or
//! mistyped code changes nothing, and the organisation's key takes over at enrollment.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use casebook_domain::{ContactState, PartyRole};
use casebook_store::model::TimelineEntry;
use casebook_store::{RecoveryCode, RecoveryMethod, Store, StoreError, StorePaths};
use common::{Fixture, enroll_as, fixture, new_case, party, pass, visit};

/// The passphrase [`fixture`] makes its stores with.
const OLD: &str = "correct horse battery";
const NEW: &str = "seven amber kites over the harbour";
const DRAFT: &str = "Heron-marker draft written offline";

/// A store with one case whose visit note is an unsynced draft.
fn store_with_a_draft() -> (Fixture, StorePaths, Store, casebook_domain::CaseId) {
    let (f, mut store) = fixture();
    let case = store
        .write(|w| {
            let case = w.create_case(new_case("Recovery code case"))?.id;
            let ann = w.add_party(case, party("Ann", PartyRole::Victim))?;
            let mut draft = visit(ann, DRAFT);
            draft.draft = true;
            w.add_contact(case, draft)?;
            Ok(case)
        })
        .unwrap();
    let paths = f.paths.clone();
    (f, paths, store, case)
}

/// What a recovery could write: the key, the recovery file and the database.
fn files(paths: &StorePaths) -> Vec<Option<Vec<u8>>> {
    ["store.key", "store.recovery", "store.db"]
        .iter()
        .map(|f| std::fs::read(paths.dir.join(f)).ok())
        .collect()
}

/// The code as a person might type it back: lower case, spaces for dashes.
fn typed(code: &RecoveryCode) -> RecoveryCode {
    RecoveryCode::parse(&code.grouped().to_lowercase().replace('-', " ")).unwrap()
}

/// Enrolled with a hub whose organisation recovery key is `recipient`.
fn enroll_with_recovery_key(store: &mut Store, recipient: &str) {
    enroll_as(store, "Femi", "facilitator");
    let mut link = store.hub_link().unwrap().unwrap();
    link.recovery_recipient = Some(recipient.to_owned());
    store.link_hub(&link).unwrap();
}

#[test]
fn a_recovery_code_sets_a_new_passphrase_and_keeps_the_unsynced_draft() {
    let (_dir, paths, store, case) = store_with_a_draft();
    let pending = store.pending_ops().unwrap();
    assert!(pending > 0);
    assert_eq!(Store::recovery_method(&paths).unwrap(), RecoveryMethod::None);
    let code = store.new_recovery_code(&pass(OLD)).unwrap();
    assert_eq!(
        Store::recovery_method(&paths).unwrap(),
        RecoveryMethod::PersonalCode
    );
    drop(store);

    let store = Store::recover_with_code(&paths, &typed(&code), &pass(NEW)).unwrap();
    assert_eq!(store.unreported_recovery().unwrap(), None, "no hub to tell");
    drop(store);
    assert!(matches!(
        Store::open(&paths, &pass(OLD)),
        Err(StoreError::WrongPassphrase)
    ));
    let store = Store::open(&paths, &pass(NEW)).unwrap();
    let draft = store
        .case_detail(case)
        .unwrap()
        .timeline
        .into_iter()
        .find_map(|e| match e {
            TimelineEntry::Contact(c) => Some(c),
            _ => None,
        })
        .expect("the draft is there");
    assert_eq!(draft.notes, DRAFT);
    assert_eq!(draft.state, ContactState::Draft);
    assert_eq!(store.pending_ops().unwrap(), pending, "the outbox is intact");
    assert!(store.verify().unwrap().ok);
    drop(store);
    // The code is not used up.
    drop(Store::recover_with_code(&paths, &code, &pass(OLD)).unwrap());
}

#[cfg(unix)]
#[test]
fn the_recovery_file_is_private_and_holds_no_trace_of_the_code() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, paths, store, _) = store_with_a_draft();
    let code = store.new_recovery_code(&pass(OLD)).unwrap();
    let file = paths.dir.join("store.recovery");
    assert_eq!(
        std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let bytes = std::fs::read(&file).unwrap();
    let plain = code.grouped().replace('-', "");
    assert!(!bytes.windows(8).any(|w| w == &plain.as_bytes()[..8]));
    assert!(bytes.starts_with(b"age-encryption.org/v1"));
}

#[test]
fn a_second_code_retires_the_first() {
    let (_dir, paths, store, _) = store_with_a_draft();
    let first = store.new_recovery_code(&pass(OLD)).unwrap();
    let second = store.new_recovery_code(&pass(OLD)).unwrap();
    assert_ne!(first.grouped().as_str(), second.grouped().as_str());
    drop(store);
    let before = files(&paths);
    assert!(matches!(
        Store::recover_with_code(&paths, &first, &pass(NEW)),
        Err(StoreError::RecoveryCodeWrong)
    ));
    assert_eq!(files(&paths), before, "a refused code writes nothing");
    drop(Store::recover_with_code(&paths, &second, &pass(NEW)).unwrap());
    drop(Store::open(&paths, &pass(NEW)).unwrap());
}

#[test]
fn a_wrong_mistyped_or_missing_code_changes_nothing() {
    let (_dir, paths, store, _) = store_with_a_draft();
    assert!(matches!(
        Store::recover_with_code(
            &paths,
            &RecoveryCode::parse(&another_stores_code()).unwrap(),
            &pass(NEW)
        ),
        Err(StoreError::NoRecoveryCode)
    ));
    let code = store.new_recovery_code(&pass(OLD)).unwrap();
    drop(store);
    let before = files(&paths);

    let wrong = RecoveryCode::parse(&another_stores_code()).unwrap();
    let err = Store::recover_with_code(&paths, &wrong, &pass(NEW)).unwrap_err();
    assert!(matches!(err, StoreError::RecoveryCodeWrong), "{err}");
    assert!(err.to_string().contains("Nothing was changed"), "{err}");

    let mut chars: Vec<char> = code.grouped().chars().collect();
    chars[5] = if chars[5] == 'Z' { 'Y' } else { 'Z' };
    let mistyped: String = chars.into_iter().collect();
    assert!(matches!(
        RecoveryCode::parse(&mistyped),
        Err(StoreError::RecoveryCodeMistyped { .. })
    ));
    assert!(matches!(
        Store::recover_with_code(&paths, &code, &pass("abc")),
        Err(StoreError::WeakPassphrase { .. })
    ));
    assert_eq!(files(&paths), before, "nothing was written");
    drop(Store::open(&paths, &pass(OLD)).unwrap());
}

#[test]
fn a_damaged_recovery_file_is_named_as_such() {
    let (_dir, paths, store, _) = store_with_a_draft();
    let code = store.new_recovery_code(&pass(OLD)).unwrap();
    drop(store);
    let file = paths.dir.join("store.recovery");
    let sealed = std::fs::read(&file).unwrap();
    std::fs::write(&file, &sealed[..sealed.len() - 7]).unwrap();
    let err = Store::recover_with_code(&paths, &code, &pass(NEW)).unwrap_err();
    assert!(matches!(err, StoreError::RecoveryFileDamaged { .. }), "{err}");
    std::fs::write(&file, b"not an age file").unwrap();
    assert!(matches!(
        Store::recover_with_code(&paths, &code, &pass(NEW)),
        Err(StoreError::RecoveryFileDamaged { .. })
    ));
    drop(Store::open(&paths, &pass(OLD)).unwrap());
}

#[test]
fn the_organisation_key_takes_over_at_enrollment_and_a_personal_code_is_then_refused() {
    let (_dir, paths, mut store, case) = store_with_a_draft();
    let code = store.new_recovery_code(&pass(OLD)).unwrap();
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    enroll_with_recovery_key(&mut store, &recipient);
    assert!(matches!(
        store.new_recovery_code(&pass(OLD)),
        Err(StoreError::OrganisationRecovery)
    ));
    // What `casebook enroll` does once the hub answers with its recipient.
    Store::seal_recovery(&paths, &pass(OLD), &recipient).unwrap();
    drop(store);
    assert_eq!(
        Store::recovery_method(&paths).unwrap(),
        RecoveryMethod::OrganisationKey
    );
    assert!(matches!(
        Store::recover_with_code(&paths, &code, &pass(NEW)),
        Err(StoreError::OrganisationRecovery)
    ));
    let key = identity.to_string();
    let store = Store::recover(&paths, &key, &pass(NEW)).unwrap();
    assert!(store.unreported_recovery().unwrap().is_some(), "the hub is told");
    assert_eq!(
        store.case_detail(case).unwrap().case.summary,
        "Recovery code case"
    );
}

#[test]
fn an_enrolled_store_without_an_organisation_key_keeps_its_code_and_tells_its_hub() {
    let (_dir, paths, mut store, _) = store_with_a_draft();
    enroll_as(&mut store, "Femi", "facilitator");
    let code = store.new_recovery_code(&pass(OLD)).unwrap();
    drop(store);
    let identity = age::x25519::Identity::generate();
    let key = identity.to_string();
    assert!(matches!(
        Store::recover(&paths, &key, &pass(NEW)),
        Err(StoreError::RecoveryKeyWrong { .. })
    ));
    let store = Store::recover_with_code(&paths, &code, &pass(NEW)).unwrap();
    assert!(store.unreported_recovery().unwrap().is_some());
}

#[test]
fn a_rekey_retires_the_code_because_it_opened_the_old_key() {
    let (_dir, paths, store, _) = store_with_a_draft();
    let code = store.new_recovery_code(&pass(OLD)).unwrap();
    drop(store);
    let report = Store::rekey(&paths, &pass(OLD)).unwrap();
    assert!(report.recovery_code_retired);
    assert_eq!(Store::recovery_method(&paths).unwrap(), RecoveryMethod::None);
    assert!(matches!(
        Store::recover_with_code(&paths, &code, &pass(NEW)),
        Err(StoreError::NoRecoveryCode)
    ));
    let store = Store::open(&paths, &pass(OLD)).unwrap();
    let fresh = store.new_recovery_code(&pass(OLD)).unwrap();
    drop(store);
    drop(Store::recover_with_code(&paths, &fresh, &pass(NEW)).unwrap());
}

/// A well-formed code made for a store elsewhere.
fn another_stores_code() -> String {
    let (_f, store) = fixture();
    store.new_recovery_code(&pass(OLD)).unwrap().grouped().to_string()
}
