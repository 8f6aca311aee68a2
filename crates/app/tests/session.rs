//! The app's use cases without a window: a real encrypted store, and a real hub over HTTP on
//! 127.0.0.1 where sync is involved.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use casebook_app_core::dto::{AppPhase, CaseloadQuery, NewConsentInput, NewVisitInput, SyncState};
use casebook_app_core::model::{NewCase, NewParty, TimelineEntry};
use casebook_app_core::{App, AppEvent, CaseId, ErrorCode, PartyId};
use casebook_domain::{
    CaseKind, ConsentDecision, ConsentMethod, ConsentScope, ContactKind, JusticeStage, PartyRole,
    ReferralSource,
};
use casebook_protocol::Role;
use casebook_testkit::inproc::TestHub;
use common::PASS;
use tempfile::TempDir;

struct Harness {
    _dir: TempDir,
    app: Arc<App>,
    events: Arc<Mutex<Vec<AppEvent>>>,
}

fn harness() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let (app, events) = common::app_with_events(&dir);
    Harness {
        _dir: dir,
        app,
        events,
    }
}

fn new_case(app: &App) -> CaseId {
    app.create_case(NewCase {
        kind: CaseKind::RestorativeJustice,
        stage: JusticeStage::OutOfCourt,
        source: ReferralSource::Police,
        referrer: Some("PC Okafor".into()),
        summary: "Burglary of a garden shed; the owner wants to understand why.".into(),
        court_date: None,
        pre_sentence: None,
        received_on: None,
    })
    .unwrap()
    .id
}

fn party(app: &App, case: CaseId, name: &str, role: PartyRole) -> PartyId {
    app.add_party(
        case,
        NewParty {
            role,
            name: name.into(),
            phone: None,
            minor: false,
            guardian_of: None,
        },
    )
    .unwrap()
}

fn visit(parties: Vec<PartyId>, notes: &str) -> NewVisitInput {
    NewVisitInput {
        party_ids: parties,
        kind: ContactKind::Visit,
        date: chrono::Local::now().date_naive(),
        initiated_by_party: false,
        notes: notes.into(),
        amends: None,
    }
}

fn draft_notes(app: &App, case: CaseId) -> Vec<String> {
    app.case_detail(case)
        .unwrap()
        .timeline
        .into_iter()
        .filter_map(|e| match e {
            TimelineEntry::Contact(c) => Some(c.notes),
            _ => None,
        })
        .collect()
}

#[test]
fn a_draft_typed_before_locking_is_there_after_unlocking_and_a_wrong_passphrase_changes_nothing() {
    let h = harness();
    assert_eq!(h.app.state().phase, AppPhase::FirstRun);
    let mismatch = h
        .app
        .create_store(PASS.into(), "something else".into())
        .unwrap_err();
    assert_eq!(mismatch.code, ErrorCode::PassphraseMismatch);
    assert_eq!(
        h.app.state().phase,
        AppPhase::FirstRun,
        "nothing is created on a mismatch"
    );
    // Long enough, but zxcvbn finds it in a minute: refused, with its advice.
    let weak = h
        .app
        .create_store("password1234".into(), "password1234".into())
        .unwrap_err();
    assert_eq!(weak.code, ErrorCode::WeakPassphrase);
    assert!(
        weak.message.contains("too easy to guess") && weak.message.contains("common password"),
        "{}",
        weak.message
    );
    assert_eq!(
        h.app.state().phase,
        AppPhase::FirstRun,
        "nothing is created for a weak one"
    );

    assert_eq!(
        h.app.create_store(PASS.into(), PASS.into()).unwrap().phase,
        AppPhase::Unlocked
    );
    let case = new_case(&h.app);
    let victim = party(&h.app, case, "Mrs Adeyemi", PartyRole::Victim);
    let draft = h.app.start_visit(case, visit(vec![victim], "She")).unwrap();
    for text in ["She was", "She was calm", "She was calm and wants to meet."] {
        h.app.save_draft(draft, text.into()).unwrap();
    }
    assert_eq!(h.app.lock().phase, AppPhase::Locked);
    assert_eq!(h.app.case_detail(case).unwrap_err().code, ErrorCode::Locked);

    let wrong = h.app.unlock("kettle orbit lantern".into()).unwrap_err();
    assert_eq!(wrong.code, ErrorCode::WrongPassphrase);
    assert_eq!(wrong.message, "The passphrase is wrong. Nothing was changed.");
    assert_eq!(h.app.state().phase, AppPhase::Locked);

    h.app.unlock(PASS.into()).unwrap();
    assert_eq!(draft_notes(&h.app, case), ["She was calm and wants to meet."]);
    h.app.finalise_visit(draft).unwrap();
    let again = h.app.save_draft(draft, "changed".into()).unwrap_err();
    assert_eq!(
        again.code,
        ErrorCode::Rule,
        "a finalised visit never changes: {}",
        again.message
    );
    let states = h
        .events
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            AppEvent::State(s) => Some(s.phase),
            AppEvent::Sync(_) => None,
        })
        .collect::<Vec<_>>();
    assert_eq!(states, [AppPhase::Unlocked, AppPhase::Locked, AppPhase::Unlocked]);
}

#[test]
fn an_idle_app_locks_itself_says_why_and_activity_postpones_it() {
    let h = harness();
    h.app.create_store(PASS.into(), PASS.into()).unwrap();
    let now = Instant::now();
    assert!(!h.app.lock_if_idle(now + Duration::from_secs(9 * 60)));
    h.app.set_auto_lock(2).unwrap();
    assert!(!h.app.lock_if_idle(Instant::now() + Duration::from_secs(60)));
    assert!(h.app.lock_if_idle(Instant::now() + Duration::from_secs(121)));
    let state = h.app.state();
    assert_eq!(state.phase, AppPhase::Locked);
    assert_eq!(
        state.reason.as_deref(),
        Some("Casebook locked itself after 2 minutes without activity.")
    );
    assert_eq!(state.auto_lock_minutes, 2, "the setting is kept beside the store");
    assert_eq!(h.app.set_auto_lock(0).unwrap_err().code, ErrorCode::InvalidInput);
    let reopened = App::new(h.app.paths().clone(), common::options(), Arc::new(|_| {}));
    assert_eq!(reopened.state().auto_lock_minutes, 2);
}

#[test]
fn consent_rules_warn_before_a_visit_and_the_party_asking_lifts_them() {
    let h = harness();
    h.app.create_store(PASS.into(), PASS.into()).unwrap();
    let case = new_case(&h.app);
    let harmer = party(&h.app, case, "Jordan Pike", PartyRole::Harmer);
    assert!(
        h.app
            .visit_warnings(case, vec![harmer], false)
            .unwrap()
            .is_empty()
    );
    h.app
        .record_consent(
            case,
            NewConsentInput {
                party_id: harmer,
                scope: ConsentScope::Contact,
                decision: ConsentDecision::Declined,
                method: ConsentMethod::Verbal,
                date: None,
                note: None,
            },
        )
        .unwrap();
    let warnings = h.app.visit_warnings(case, vec![harmer], false).unwrap();
    assert_eq!(warnings.len(), 1);
    assert!(warnings[0].contains("Jordan Pike"), "{warnings:?}");
    let refused = h.app.start_visit(case, visit(vec![harmer], "")).unwrap_err();
    assert_eq!(refused.code, ErrorCode::Rule);
    assert_eq!(
        refused.message, warnings[0],
        "the warning says what the refusal would"
    );
    assert!(h.app.visit_warnings(case, vec![harmer], true).unwrap().is_empty());
    let mut asked = visit(vec![harmer], "He rang us.");
    asked.initiated_by_party = true;
    h.app.start_visit(case, asked).unwrap();
    assert_eq!(
        h.app.start_visit(case, visit(vec![], "")).unwrap_err().code,
        ErrorCode::InvalidInput
    );
}

#[test]
fn the_caseload_filters_keep_its_order_and_search_finds_notes() {
    let h = harness();
    h.app.create_store(PASS.into(), PASS.into()).unwrap();
    let first = new_case(&h.app);
    let second = h
        .app
        .create_case(NewCase {
            kind: CaseKind::RestorativeMediation,
            stage: JusticeStage::OutOfCourt,
            source: ReferralSource::Housing,
            referrer: None,
            summary: "Noise between neighbours at Elm Court.".into(),
            court_date: None,
            pre_sentence: None,
            received_on: None,
        })
        .unwrap()
        .id;
    let all = h.app.caseload(CaseloadQuery::default()).unwrap().cases;
    assert_eq!(all.len(), 2);
    let mediation = h
        .app
        .caseload(CaseloadQuery {
            kind: Some(CaseKind::RestorativeMediation),
            ..Default::default()
        })
        .unwrap()
        .cases;
    assert_eq!(mediation.iter().map(|c| c.id).collect::<Vec<_>>(), [second]);
    let p = party(&h.app, first, "Mr Osei", PartyRole::Victim);
    let d = h.app.start_visit(first, visit(vec![p], "")).unwrap();
    h.app.save_draft(d, "talked about the allotment".into()).unwrap();
    let found = h
        .app
        .caseload(CaseloadQuery {
            text: Some("allotment".into()),
            ..Default::default()
        })
        .unwrap()
        .cases;
    assert_eq!(found.iter().map(|c| c.id).collect::<Vec<_>>(), [first]);
    let by_reference = h
        .app
        .caseload(CaseloadQuery {
            text: Some(all[0].reference.clone()),
            ..Default::default()
        })
        .unwrap()
        .cases;
    assert_eq!(by_reference.len(), 1);

    // The screen asks for a window: the most urgent first, and how many there are in all.
    for kind in [None, Some(CaseKind::RestorativeMediation)] {
        let page = h
            .app
            .caseload(CaseloadQuery {
                kind,
                limit: Some(1),
                ..Default::default()
            })
            .unwrap();
        let whole = h
            .app
            .caseload(CaseloadQuery {
                kind,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(page.cases.len(), 1);
        assert_eq!(page.total as usize, whole.cases.len());
        assert_eq!(
            page.cases[0].id, whole.cases[0].id,
            "the window is the start of the whole"
        );
    }
}

/// A hub in this process (the shared test kit's), on 127.0.0.1:0.
async fn hub() -> TestHub {
    TestHub::start().await
}

/// An enrollment code for a new user of team north.
fn enrollment_code(hub: &TestHub, name: &str, role: Role) -> String {
    hub.add_user(name, role, Some("north"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_code_leaves_no_store_and_a_supervisor_reads_the_team_without_changing_it() {
    let hub = hub().await;
    let fac = harness();
    let refused = fac
        .app
        .join_hub(hub.url.clone(), "WRONG-CODE".into(), PASS.into(), PASS.into())
        .await
        .unwrap_err();
    assert_eq!(refused.code, ErrorCode::HubRefused, "{}", refused.message);
    assert_eq!(
        fac.app.state().phase,
        AppPhase::FirstRun,
        "the half-made store is gone"
    );

    let code = enrollment_code(&hub, "Femi", Role::Facilitator);
    let state = fac
        .app
        .join_hub(hub.url.clone(), code, PASS.into(), PASS.into())
        .await
        .unwrap();
    assert_eq!((state.phase, state.role), (AppPhase::Unlocked, Role::Facilitator));
    assert_eq!(state.user_name.as_deref(), Some("Femi"));
    let case = new_case(&fac.app);
    let p = party(&fac.app, case, "Mrs Adeyemi", PartyRole::Victim);
    let d = fac
        .app
        .start_visit(case, visit(vec![p], "First visit, offline."))
        .unwrap();
    assert!(fac.app.sync_status().unwrap().pending > 0);
    // Two presses at once: the second waits for the first round, and neither reports "syncing".
    let (first, second) = tokio::join!(fac.app.sync_now(), fac.app.sync_now());
    let (first, view) = (first.unwrap(), second.unwrap());
    assert_eq!(
        (first.state, view.state, view.pending),
        (SyncState::Idle, SyncState::Idle, 0),
        "{view:?}"
    );
    assert!(view.last_sync.is_some());
    assert!(
        fac.app.sync_status().unwrap().seq > view.seq,
        "every view is newer than the last"
    );

    let sup = harness();
    let code = enrollment_code(&hub, "Sunita", Role::Supervisor);
    let state = sup
        .app
        .join_hub(hub.url.clone(), code, PASS.into(), PASS.into())
        .await
        .unwrap();
    assert_eq!(state.role, Role::Supervisor);
    sup.app.sync_now().await.unwrap();
    let team = sup.app.caseload(CaseloadQuery::default()).unwrap().cases;
    assert_eq!(team.iter().map(|c| c.id).collect::<Vec<_>>(), [case]);
    assert_eq!(draft_notes(&sup.app, case), ["First visit, offline."]);
    let read_only = sup
        .app
        .save_draft(d, "edited by the supervisor".into())
        .unwrap_err();
    assert_eq!(read_only.code, ErrorCode::ReadOnly);
    assert_eq!(sup.app.create_case_err(), ErrorCode::ReadOnly);
    assert_eq!(
        team[0].lead_name.as_deref(),
        Some("Femi"),
        "grouped under the facilitator's name"
    );

    sup.app
        .add_supervision_note(case, "Check the victim's support before a meeting.".into())
        .unwrap();
    sup.app.sync_now().await.unwrap();
    let not_supervisor = fac.app.add_supervision_note(case, "x".into()).unwrap_err();
    assert_eq!(not_supervisor.code, ErrorCode::ReadOnly);
    fac.app.sync_now().await.unwrap();
    let notes: Vec<_> = fac
        .app
        .case_detail(case)
        .unwrap()
        .timeline
        .into_iter()
        .filter_map(|e| match e {
            TimelineEntry::Supervision(n) => Some((n.text, n.author_name)),
            _ => None,
        })
        .collect();
    assert_eq!(
        notes,
        [(
            "Check the victim's support before a meeting.".to_owned(),
            Some("Sunita".to_owned())
        )]
    );
}

trait CreateErr {
    fn create_case_err(&self) -> ErrorCode;
}

impl CreateErr for App {
    fn create_case_err(&self) -> ErrorCode {
        self.create_case(NewCase {
            kind: CaseKind::RestorativeMediation,
            stage: JusticeStage::OutOfCourt,
            source: ReferralSource::Housing,
            referrer: None,
            summary: "x".into(),
            court_date: None,
            pre_sentence: None,
            received_on: None,
        })
        .unwrap_err()
        .code
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_that_goes_away_shows_offline_keeps_the_changes_and_retries_later() {
    let mut hub = hub().await;
    let fac = harness();
    let code = enrollment_code(&hub, "Femi", Role::Facilitator);
    fac.app
        .join_hub(hub.url.clone(), code, PASS.into(), PASS.into())
        .await
        .unwrap();
    fac.app.sync_now().await.unwrap();
    // Waits until the hub has let go of its port: the next sync finds it gone.
    hub.stop().await;
    new_case(&fac.app);
    let view = fac.app.sync_now().await.unwrap();
    assert_eq!(view.state, SyncState::Offline, "{view:?}");
    assert!(view.pending > 0, "the change waits here");
    assert!(view.next_attempt.is_some(), "a retry is planned");
    let error = view.error.unwrap();
    assert!(error.contains("cannot be reached"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_laptop_joined_in_the_app_is_recoverable_with_the_organisation_key() {
    use age::secrecy::ExposeSecret as _;
    use casebook_store::{RecoveryMethod, SecretString, Store};

    let hub = hub().await;
    let identity = age::x25519::Identity::generate();
    hub.admin()
        .set_recovery_recipient(
            &identity.to_public().to_string(),
            casebook_testkit::util::now_ms(),
        )
        .unwrap();
    let fac = harness();
    let code = enrollment_code(&hub, "Femi", Role::Facilitator);
    fac.app
        .join_hub(hub.url.clone(), code, PASS.into(), PASS.into())
        .await
        .unwrap();
    let case = new_case(&fac.app);
    let no_code = fac.app.new_recovery_code(PASS.into()).unwrap_err();
    assert!(
        no_code
            .message
            .contains("organisation's recovery key protects this laptop"),
        "{}",
        no_code.message
    );
    fac.app.lock();
    let paths = fac.app.paths().clone();
    assert_eq!(
        Store::recovery_method(&paths).unwrap(),
        RecoveryMethod::OrganisationKey
    );

    assert_eq!(
        fac.app.recovery_way().unwrap(),
        casebook_app_core::recovery::RecoveryWay::OrganisationKey
    );

    // The passphrase is forgotten: another organisation's key changes nothing, beside its field.
    let new = "copper lantern orchard sparrow";
    let before = std::fs::read(paths.key()).unwrap();
    let foreign = age::x25519::Identity::generate().to_string();
    let refused = fac
        .app
        .recover(foreign.expose_secret().to_owned(), new.into(), new.into())
        .unwrap_err();
    assert_eq!(refused.field.as_deref(), Some("key"), "{}", refused.message);
    assert!(
        refused.message.contains("not sealed to it"),
        "{}",
        refused.message
    );
    assert_eq!(std::fs::read(paths.key()).unwrap(), before);
    // The coordinator's key, pasted as the whole file with its comments, sets a new one; the
    // unsynced case is kept.
    let pasted = format!(
        "# created: 2026-11-27\n# public key: {}\n{}\n",
        identity.to_public(),
        identity.to_string().expose_secret()
    );
    let state = fac.app.recover(pasted, new.into(), new.into()).unwrap();
    assert_eq!(state.phase, AppPhase::Unlocked);
    assert!(fac.app.case_detail(case).is_ok(), "the unsynced case is kept");
    fac.app.lock();
    assert_eq!(
        fac.app.unlock(PASS.into()).unwrap_err().code,
        ErrorCode::WrongPassphrase
    );
    let store = Store::open(&paths, &SecretString::from(new.to_owned())).unwrap();
    assert!(store.held_cases().unwrap().contains(&case));
    assert!(
        store.unreported_recovery().unwrap().is_some(),
        "the hub is told at the next sync"
    );
}
