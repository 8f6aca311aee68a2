//! Changes that did not sync, as the app lists them: a change the hub refused (a real hub over
//! HTTP on 127.0.0.1) and a change from the hub the store set aside, each with its reason.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use casebook_app_core::dto::NewVisitInput;
use casebook_app_core::model::{NewCase, NewParty};
use casebook_app_core::{App, CaseId};
use casebook_domain::{
    CaseKind, ContactKind, DeviceId, Entity, JusticeStage, PartyRole, ReferralSource, UserId,
};
use casebook_protocol::Role;
use casebook_store::{RemoteOp, SecretString, Store};
use casebook_testkit::inproc::{Device, TestHub, now, update};
use serde_json::json;

use common::{PASS, app, join};

fn new_case(app: &App) -> CaseId {
    app.create_case(NewCase {
        kind: CaseKind::RestorativeJustice,
        stage: JusticeStage::OutOfCourt,
        source: ReferralSource::Police,
        referrer: None,
        summary: "Damage to a neighbour's car; both want to talk.".into(),
        court_date: None,
        pre_sentence: None,
        received_on: None,
    })
    .unwrap()
    .id
}

fn reference(app: &App, case: CaseId) -> String {
    app.case_detail(case).unwrap().case.reference
}

/// Co-facilitators: Femi finalises a visit while Farah, offline, adds to its draft. Her laptop
/// cannot know it was finalised, so it takes her change; the hub refuses it, and her app says
/// which change it was and why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_the_hub_refused_is_listed_with_its_case_record_and_the_hubs_reason() {
    let hub = TestHub::start().await;
    let (femi_dir, farah_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let femi = join(&hub, &femi_dir, "Femi", Role::Facilitator).await;
    let case = new_case(&femi);
    let victim = femi
        .add_party(
            case,
            NewParty {
                role: PartyRole::Victim,
                name: "Mr Osei".into(),
                phone: None,
                minor: false,
                guardian_of: None,
            },
        )
        .unwrap();
    let visit = femi
        .start_visit(
            case,
            NewVisitInput {
                party_ids: vec![victim],
                kind: ContactKind::Visit,
                date: chrono::Local::now().date_naive(),
                initiated_by_party: false,
                notes: "He wants to know why his car.".into(),
                amends: None,
            },
        )
        .unwrap();
    femi.sync_now().await.unwrap();
    let farah = join(&hub, &farah_dir, "Farah", Role::Facilitator).await;
    hub.admin()
        .assign(&case.to_string(), "Femi", Some("Farah"), now())
        .unwrap_or_else(|e| panic!("assign Farah as co-facilitator: {e}"));
    farah.sync_now().await.unwrap();
    assert!(
        farah.sync_problems().unwrap().refused.is_empty(),
        "nothing refused yet"
    );
    femi.finalise_visit(visit).unwrap();
    femi.sync_now().await.unwrap();
    farah
        .save_draft(visit, "He wants to know why his car. Added by Farah.".into())
        .unwrap();
    let view = farah.sync_now().await.unwrap();
    assert_eq!(view.rejected, 1, "{view:?}");

    let problems = farah.sync_problems().unwrap();
    assert!(problems.set_aside.is_empty(), "{problems:?}");
    let [refused] = problems.refused.as_slice() else {
        panic!("one refused change: {problems:?}")
    };
    assert_eq!(refused.case_id, case.to_string());
    assert_eq!(
        refused.reference.as_deref(),
        Some(reference(&farah, case).as_str()),
        "named by the case's reference"
    );
    assert!(
        !refused.reference.as_deref().unwrap_or_default().starts_with("P-"),
        "the hub's reference, not the provisional one: {refused:?}"
    );
    assert_eq!(refused.record, Entity::Contact.label());
    assert!(
        refused.reason.contains("finalised"),
        "the hub's reason: {}",
        refused.reason
    );
    assert!(
        femi.sync_problems().unwrap().refused.is_empty(),
        "only the laptop that wrote it lists it"
    );
}

/// Femi, offline, adds a party to a case an administrator has just given to Farah: the hub
/// refuses it, the case leaves his laptop, and the refused change stays listed without a
/// reference, since the case is no longer held.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_refused_after_its_case_moved_away_stays_listed_once_the_case_has_left() {
    let hub = TestHub::start().await;
    let dir = tempfile::tempdir().unwrap();
    let femi = join(&hub, &dir, "Femi", Role::Facilitator).await;
    let case = new_case(&femi);
    femi.sync_now().await.unwrap();
    hub.add_user("Farah", Role::Facilitator, Some("north"));
    let moved_at = now();
    hub.admin()
        .assign(&case.to_string(), "Farah", None, moved_at)
        .unwrap_or_else(|e| panic!("reassign to Farah: {e}"));
    // Femi's change must be dated after the reassignment, else it is a flagged late note.
    while now() <= moved_at {
        tokio::task::yield_now().await;
    }
    femi.add_party(
        case,
        NewParty {
            role: PartyRole::Harmer,
            name: "Jordan Pike".into(),
            phone: None,
            minor: false,
            guardian_of: None,
        },
    )
    .unwrap();
    let view = femi.sync_now().await.unwrap();
    assert_eq!(view.rejected, 1, "{view:?}");
    assert!(
        femi.caseload(Default::default()).unwrap().cases.is_empty(),
        "the case left this laptop"
    );

    let problems = femi.sync_problems().unwrap();
    let [refused] = problems.refused.as_slice() else {
        panic!("one refused change: {problems:?}")
    };
    assert_eq!(
        (
            refused.case_id.as_str(),
            refused.reference.as_deref(),
            refused.record.as_str()
        ),
        (case.to_string().as_str(), None, "party")
    );
    assert!(
        refused.reason.contains("not assigned"),
        "the hub's reason: {}",
        refused.reason
    );
}

/// An op from the hub that would null a case's reference is set aside, and the app lists it
/// with the store's reason and the day it happened.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_from_the_hub_this_laptop_set_aside_is_listed_with_its_reason_and_date() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(&dir);
    app.create_store(PASS.into(), PASS.into()).unwrap();
    let case = new_case(&app);
    let held_as = reference(&app, case);
    assert_eq!(app.sync_problems().unwrap(), Default::default());

    // The store is the app's; a second opening while the app is locked plays the hub's page.
    app.lock();
    let forger = Device {
        token: String::new(),
        id: DeviceId::new(),
        user: UserId::new(),
    };
    let poison = update(
        &forger,
        case,
        Entity::Case,
        case.as_uuid(),
        json!({"reference": null}),
    );
    let before = chrono::Local::now().date_naive();
    {
        let mut store = Store::open(app.paths(), &SecretString::from(PASS.to_owned())).unwrap();
        let remote = RemoteOp {
            seq: 7,
            op: poison.clone(),
            flag: None,
        };
        let counts = store.apply_remote(&[remote], Some(7)).unwrap();
        assert_eq!(counts.set_aside, 1, "{counts:?}");
    }
    let after = chrono::Local::now().date_naive();
    app.unlock(PASS.into()).unwrap();

    assert_eq!(app.sync_status().unwrap().set_aside, 1);
    let problems = app.sync_problems().unwrap();
    assert!(problems.refused.is_empty(), "{problems:?}");
    let [aside] = problems.set_aside.as_slice() else {
        panic!("one set-aside change: {problems:?}")
    };
    assert_eq!(aside.op_id, poison.op_id.to_string());
    assert_eq!(aside.reference.as_deref(), Some(held_as.as_str()));
    assert_eq!(reference(&app, case), held_as, "the case kept its reference");
    assert_eq!(aside.record, "case");
    assert_eq!(aside.code, "malformed");
    assert!(aside.reason.contains("reference"), "{}", aside.reason);
    let on = aside.set_aside_on.unwrap();
    assert!(before <= on && on <= after, "{on} is not today");
}
