//! Shared setup of the store's tests: a fresh store in a scratch directory, and the records
//! (cases, parties, visits) and enrollment its tests write.
// Each test file uses only some of these.
#![allow(dead_code)]

use casebook_domain::{CaseKind, ContactKind, JusticeStage, PartyRole, ReferralSource};
use casebook_store::model::{NewCase, NewContact, NewParty};
use casebook_store::{SecretString, Store, StorePaths};
use chrono::NaiveDate;

/// A passphrase as the store takes it.
pub fn pass(s: &str) -> SecretString {
    SecretString::from(s.to_owned())
}

/// A date from `YYYY-MM-DD`.
pub fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A post-sentence RJ case referred by probation, received on 1 November 2026.
pub fn new_case(summary: &str) -> NewCase {
    NewCase {
        kind: CaseKind::RestorativeJustice,
        stage: JusticeStage::PostSentence,
        source: ReferralSource::Probation,
        referrer: None,
        summary: summary.into(),
        court_date: None,
        pre_sentence: None,
        received_on: Some(date("2026-11-01")),
    }
}

/// A party of `role`, an adult without a phone number.
pub fn party(name: &str, role: PartyRole) -> NewParty {
    NewParty {
        role,
        name: name.into(),
        phone: None,
        minor: false,
        guardian_of: None,
    }
}

/// A finalised visit to `party` on 3 November 2026.
pub fn visit(party: casebook_domain::PartyId, notes: &str) -> NewContact {
    NewContact {
        shareable: None,
        party_ids: vec![party],
        kind: ContactKind::Visit,
        date: date("2026-11-03"),
        notes: notes.into(),
        initiated_by_party: false,
        draft: false,
        amends: None,
    }
}

/// How many ops the store has logged.
pub fn ops(store: &Store) -> i64 {
    store
        .connection()
        .query_row("SELECT count(*) FROM ops", [], |r| r.get(0))
        .unwrap()
}

/// Keeps the scratch directory of a test's store alive; where its files are.
pub struct Fixture {
    _dir: tempfile::TempDir,
    pub paths: StorePaths,
}

/// A new store in a scratch directory, made with the passphrase "correct horse battery".
pub fn fixture() -> (Fixture, Store) {
    let dir = tempfile::tempdir().unwrap();
    let paths = StorePaths::new(dir.path().join("profile"));
    let store = Store::create(&paths, &pass("correct horse battery")).unwrap();
    (Fixture { _dir: dir, paths }, store)
}

/// Links the store to a (fictitious) hub as a member of team north with `role`; their id.
pub fn enroll_as(store: &mut Store, name: &str, role: &str) -> casebook_domain::UserId {
    let user = casebook_domain::UserId::new();
    store
        .link_hub(&casebook_store::HubLink {
            url: "https://hub.invalid".into(),
            token: pass("token"),
            device_id: casebook_domain::DeviceId::new(),
            user_id: user,
            user_name: name.into(),
            role: role.parse().unwrap(),
            team: Some("north".into()),
            recovery_recipient: None,
        })
        .unwrap();
    user
}
