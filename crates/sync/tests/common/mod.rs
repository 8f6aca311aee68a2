//! An honest laptop for the sync tests: a real encrypted store enrolled with a real hub,
//! syncing through `casebook_sync`.
#![allow(dead_code, clippy::unwrap_used)]

use casebook_domain::{CaseId, ContactKind, PartyRole};
use casebook_store::model::{NewCase, NewContact, NewParty, TimelineEntry};
use casebook_store::{ExposeSecret, SecretString, Store, StorePaths};
use casebook_testkit::inproc::{Device, TestHub};

pub const PASSPHRASE: &str = "plum-kettle-harbour-violet-1987";

/// An honest laptop: a real encrypted store enrolled with the hub.
pub struct Laptop {
    _dir: tempfile::TempDir,
    /// Its store.
    pub store: Store,
}

impl Laptop {
    pub async fn join(hub: &TestHub, code: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let paths = StorePaths::new(dir.path().join("store"));
        let mut store = Store::create(&paths, &SecretString::from(PASSPHRASE.to_owned())).unwrap();
        casebook_sync::enroll(&mut store, &hub.url, code, "laptop")
            .await
            .unwrap();
        Self { _dir: dir, store }
    }

    pub async fn sync(&mut self) -> casebook_sync::SyncReport {
        casebook_sync::sync_once(&mut self.store)
            .await
            .unwrap_or_else(|e| panic!("an honest laptop could not sync: {e}"))
    }

    /// This laptop's own device, as the hub knows it, to attack with its token.
    pub fn device(&self) -> Device {
        let link = self.store.hub_link().unwrap().unwrap();
        Device {
            token: link.token.expose_secret().to_owned(),
            id: link.device_id,
            user: link.user_id,
        }
    }

    pub fn open_case(&mut self, summary: &str) -> (CaseId, casebook_domain::PartyId) {
        let case = self
            .store
            .write(|w| {
                w.create_case(NewCase {
                    kind: casebook_domain::CaseKind::RestorativeJustice,
                    stage: casebook_domain::JusticeStage::PostSentence,
                    source: casebook_domain::ReferralSource::Probation,
                    referrer: None,
                    summary: summary.into(),
                    received_on: None,
                    court_date: None,
                    pre_sentence: None,
                })
            })
            .unwrap();
        let party = self.add_party(case.id, "Ann");
        (case.id, party)
    }

    pub fn add_party(&mut self, case: CaseId, name: &str) -> casebook_domain::PartyId {
        self.store
            .write(|w| {
                w.add_party(
                    case,
                    NewParty {
                        role: PartyRole::Victim,
                        name: name.into(),
                        phone: None,
                        minor: false,
                        guardian_of: None,
                    },
                )
            })
            .unwrap()
    }

    pub fn visit(&mut self, case: CaseId, party: casebook_domain::PartyId, notes: &str) {
        self.store
            .write(|w| {
                w.add_contact(
                    case,
                    NewContact {
                        shareable: None,
                        party_ids: vec![party],
                        kind: ContactKind::Visit,
                        date: chrono::Utc::now().date_naive(),
                        notes: notes.into(),
                        initiated_by_party: false,
                        draft: false,
                        amends: None,
                    },
                )
            })
            .unwrap();
    }

    pub fn notes(&self, case: CaseId) -> Vec<String> {
        self.store
            .case_detail(case)
            .map(|d| {
                d.timeline
                    .into_iter()
                    .filter_map(|e| match e {
                        TimelineEntry::Contact(c) => Some(c.notes),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn holds(&self, case: CaseId) -> bool {
        self.store.held_cases().unwrap().contains(&case)
    }
}
