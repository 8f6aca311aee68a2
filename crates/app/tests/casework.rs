//! The case, whole, through the app without a window: editing the referral and a party, moving
//! the status, closing with an outcome and reopening, amending a finalised visit, and what a
//! coordinator may do. Real encrypted stores; a real hub over HTTP on 127.0.0.1 for the roles.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use casebook_app_core::dto::{NewVisitInput, ReferralEdit, StatusMove};
use casebook_app_core::model::{ContactView, PartyEdit, TimelineEntry};
use casebook_app_core::{App, CaseId, CaseStatus, ErrorCode, Transition};
use casebook_domain::{ContactKind, ContactState, JusticeStage, PartyRole, PreSentenceKind};
use casebook_protocol::Role;
use casebook_testkit::inproc::TestHub;
use chrono::NaiveDate;

use common::{join, new_case, party, unlocked};

fn referral(summary: &str, stage: JusticeStage, court_date: Option<NaiveDate>) -> ReferralEdit {
    ReferralEdit {
        summary: summary.into(),
        stage,
        court_date,
        pre_sentence: None,
        referrer: "DC Shah, Leeds CID".into(),
    }
}

fn contacts(app: &App, case: CaseId) -> Vec<ContactView> {
    app.case_detail(case)
        .unwrap()
        .timeline
        .into_iter()
        .filter_map(|e| match e {
            TimelineEntry::Contact(c) => Some(c),
            _ => None,
        })
        .collect()
}

fn moves(app: &App, case: CaseId) -> Vec<(CaseStatus, Transition)> {
    let moves: Vec<StatusMove> = app.status_moves(case).unwrap();
    moves.into_iter().map(|m| (m.to, m.transition)).collect()
}

#[test]
fn a_facilitator_edits_the_referral_and_a_party_and_a_missing_field_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let app = unlocked(&dir);
    let case = new_case(&app, "Shed burgled.");

    let blank = app
        .edit_referral(case, referral("   ", JusticeStage::OutOfCourt, None))
        .unwrap_err();
    assert_eq!(
        (blank.code, blank.field.as_deref()),
        (ErrorCode::InvalidInput, Some("summary"))
    );
    let no_court_date = app
        .edit_referral(
            case,
            referral("Shed burgled twice.", JusticeStage::PreSentence, None),
        )
        .unwrap_err();
    assert_eq!(no_court_date.field.as_deref(), Some("court_date"));
    assert!(
        no_court_date.message.contains("court") && !no_court_date.message.contains("--"),
        "worded for the window: {}",
        no_court_date.message
    );
    let unchanged = app.case_detail(case).unwrap().case;
    assert_eq!(
        (unchanged.summary.as_str(), unchanged.stage),
        ("Shed burgled.", JusticeStage::OutOfCourt),
        "a refused edit changes nothing"
    );

    let hearing = NaiveDate::from_ymd_opt(2027, 3, 4).unwrap();
    let deferred = ReferralEdit {
        pre_sentence: Some(PreSentenceKind::DeferredSentence),
        ..referral(
            "  Shed burgled twice.  ",
            JusticeStage::PreSentence,
            Some(hearing),
        )
    };
    app.edit_referral(case, deferred).unwrap();
    let edited = app.case_detail(case).unwrap().case;
    assert_eq!(edited.summary, "Shed burgled twice.");
    assert_eq!(edited.stage, JusticeStage::PreSentence);
    assert_eq!(edited.court_date, Some(hearing));
    assert_eq!(edited.pre_sentence, Some(PreSentenceKind::DeferredSentence));
    assert_eq!(edited.referrer.as_deref(), Some("DC Shah, Leeds CID"));

    let adjourned_out_of_stage = app
        .edit_referral(
            case,
            ReferralEdit {
                pre_sentence: Some(PreSentenceKind::Adjournment),
                ..referral("Shed burgled twice.", JusticeStage::PostSentence, Some(hearing))
            },
        )
        .unwrap_err();
    assert_eq!(adjourned_out_of_stage.field.as_deref(), Some("pre_sentence"));
    let kept = app.edit_referral(
        case,
        referral("Shed burgled twice.", JusticeStage::PreSentence, None),
    );
    assert_eq!(
        kept.unwrap_err().field.as_deref(),
        Some("court_date"),
        "a pre-sentence case keeps its court date"
    );

    // Sentenced: the court date may go, and the deferral goes with the stage.
    app.edit_referral(
        case,
        referral("Shed burgled twice.", JusticeStage::PostSentence, None),
    )
    .unwrap();
    let sentenced = app.case_detail(case).unwrap().case;
    assert_eq!(
        (sentenced.stage, sentenced.court_date, sentenced.pre_sentence),
        (JusticeStage::PostSentence, None, None)
    );

    let kai = party(&app, case, "Kai", PartyRole::Harmer);
    let nameless = app
        .edit_party(
            kai,
            PartyEdit {
                name: Some(" ".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(nameless.field.as_deref(), Some("name"));
    app.edit_party(
        kai,
        PartyEdit {
            name: Some("Kai Brennan".into()),
            phone: Some(" 07700 900123 ".into()),
            minor: Some(true),
        },
    )
    .unwrap();
    let p = &app.case_detail(case).unwrap().parties[0];
    assert_eq!(
        (p.name.as_str(), p.phone.as_deref(), p.minor),
        ("Kai Brennan", Some("07700 900123"), true)
    );

    // A minor whose guardian is on the case stays a minor: the guardian's consent is needed.
    app.add_party(
        case,
        casebook_app_core::model::NewParty {
            role: PartyRole::Guardian,
            name: "Jo Brennan".into(),
            phone: None,
            minor: false,
            guardian_of: Some(kai),
        },
    )
    .unwrap();
    let adult = app
        .edit_party(
            kai,
            PartyEdit {
                minor: Some(false),
                ..Default::default()
            },
        )
        .unwrap_err();
    assert_eq!(
        (adult.code, adult.field.as_deref()),
        (ErrorCode::Rule, Some("minor")),
        "{}",
        adult.message
    );
    assert!(app.case_detail(case).unwrap().parties[0].minor);
}

#[test]
fn a_case_moves_one_step_closes_with_an_outcome_and_is_read_only_until_reopened() {
    let dir = tempfile::tempdir().unwrap();
    let app = unlocked(&dir);
    let case = new_case(&app, "Neighbours' fence damaged.");
    assert_eq!(
        moves(&app, case),
        [
            (CaseStatus::Contacting, Transition::Advance),
            (CaseStatus::Closed, Transition::Close)
        ],
        "one step on, or closing"
    );
    let skip = app.change_status(case, CaseStatus::Preparing, None).unwrap_err();
    assert_eq!((skip.code, skip.field.as_deref()), (ErrorCode::Rule, Some("to")));
    assert_eq!(
        app.change_status(case, CaseStatus::Contacting, None).unwrap(),
        Transition::Advance
    );

    let no_outcome = app
        .change_status(case, CaseStatus::Closed, Some("  ".into()))
        .unwrap_err();
    assert_eq!(no_outcome.field.as_deref(), Some("outcome"));
    assert_eq!(app.case_detail(case).unwrap().case.status, CaseStatus::Contacting);
    app.change_status(case, CaseStatus::Closed, Some("Both parties declined.".into()))
        .unwrap();
    let closed = app.case_detail(case).unwrap().case;
    assert_eq!(closed.status, CaseStatus::Closed);
    assert_eq!(closed.outcome.as_deref(), Some("Both parties declined."));
    assert!(
        moves(&app, case)
            .iter()
            .all(|(to, t)| *to != CaseStatus::Closed && *t == Transition::Reopen),
        "a closed case only reopens"
    );

    let frozen = app
        .edit_referral(case, referral("Changed.", JusticeStage::OutOfCourt, None))
        .unwrap_err();
    assert_eq!(frozen.code, ErrorCode::Rule);
    assert!(frozen.message.contains("reopen"), "{}", frozen.message);
    let ann = app.add_party(
        case,
        casebook_app_core::model::NewParty {
            role: PartyRole::Victim,
            name: "Ann".into(),
            phone: None,
            minor: false,
            guardian_of: None,
        },
    );
    assert_eq!(ann.unwrap_err().code, ErrorCode::Rule);

    assert_eq!(
        app.change_status(case, CaseStatus::Contacting, None).unwrap(),
        Transition::Reopen
    );
    app.edit_referral(case, referral("Changed.", JusticeStage::OutOfCourt, None))
        .unwrap();
    let reopened = app.case_detail(case).unwrap();
    assert_eq!(reopened.case.status, CaseStatus::Contacting);
    assert_eq!(reopened.case.summary, "Changed.");
    let statuses = reopened
        .timeline
        .iter()
        .filter(|e| matches!(e, TimelineEntry::Status(_)))
        .count();
    assert_eq!(statuses, 3, "each move is on the timeline");
}

#[test]
fn an_amendment_of_a_finalised_visit_starts_as_a_copy_and_is_linked_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let app = unlocked(&dir);
    let case = new_case(&app, "Graffiti on the community centre.");
    let ann = party(&app, case, "Ann", PartyRole::Victim);
    let date = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
    let visit = app
        .start_visit(
            case,
            NewVisitInput {
                party_ids: vec![ann],
                kind: ContactKind::Visit,
                date,
                initiated_by_party: false,
                notes: "Ann wants to meet on Tuesday.".into(),
                amends: None,
            },
        )
        .unwrap();
    let still_draft = app.amend_visit(case, visit).unwrap_err();
    assert_eq!(still_draft.code, ErrorCode::Rule, "{}", still_draft.message);
    app.finalise_visit(visit).unwrap();

    let amendment = app.amend_visit(case, visit).unwrap();
    assert_eq!(
        app.amend_visit(case, visit).unwrap(),
        amendment,
        "the draft amendment is continued, not a second one started"
    );
    let copy = contacts(&app, case)
        .into_iter()
        .find(|c| c.id == amendment)
        .unwrap();
    assert_eq!(copy.amends, Some(visit));
    assert_eq!(copy.state, ContactState::Draft);
    assert_eq!(
        (copy.notes.as_str(), copy.date, copy.party_ids.as_slice()),
        ("Ann wants to meet on Tuesday.", date, [ann].as_slice())
    );

    app.save_draft(amendment, "Ann wants to meet on Thursday.".into())
        .unwrap();
    app.finalise_visit(amendment).unwrap();
    let both: Vec<(String, ContactState, Option<_>)> = contacts(&app, case)
        .into_iter()
        .map(|c| (c.notes, c.state, c.amends))
        .collect();
    assert_eq!(
        both,
        [
            (
                "Ann wants to meet on Tuesday.".into(),
                ContactState::Finalised,
                None
            ),
            (
                "Ann wants to meet on Thursday.".into(),
                ContactState::Finalised,
                Some(visit)
            ),
        ],
        "the original stays as it was, beside its amendment"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_sees_every_case_and_records_referrals_but_changes_no_casework() {
    let hub = TestHub::start().await;
    let (femi_dir, cleo_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let femi = join(&hub, &femi_dir, "Femi", Role::Facilitator).await;
    let case = new_case(&femi, "Criminal damage to a car.");
    femi.sync_now().await.unwrap();

    let cleo = join(&hub, &cleo_dir, "Cleo", Role::Coordinator).await;
    let may = cleo.state().may;
    assert!(may.create_case && may.sees_others_cases, "{may:?}");
    assert!(
        !may.edit_case && !may.change_status && !may.write_visits && !may.edit_party,
        "{may:?}"
    );
    cleo.sync_now().await.unwrap();
    let seen: Vec<CaseId> = cleo
        .caseload(Default::default())
        .unwrap()
        .cases
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(seen, [case], "a case led by someone else");
    assert!(cleo.status_moves(case).unwrap().is_empty());

    let edit = cleo
        .edit_referral(case, referral("Changed.", JusticeStage::OutOfCourt, None))
        .unwrap_err();
    assert_eq!(edit.code, ErrorCode::ReadOnly);
    assert!(edit.message.contains("Coordinators"), "{}", edit.message);
    let close = cleo
        .change_status(case, CaseStatus::Closed, Some("x".into()))
        .unwrap_err();
    assert_eq!(close.code, ErrorCode::ReadOnly);
    let visit = cleo
        .start_visit(
            case,
            NewVisitInput {
                party_ids: vec![casebook_app_core::PartyId::new()],
                kind: ContactKind::Call,
                date: NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
                initiated_by_party: false,
                notes: "x".into(),
                amends: None,
            },
        )
        .unwrap_err();
    assert_eq!(visit.code, ErrorCode::ReadOnly, "{}", visit.message);

    let intake = new_case(&cleo, "Referral taken by the coordinator.");
    assert!(
        cleo.case_detail(intake).is_ok(),
        "a coordinator records new referrals"
    );
    assert!(femi.state().may.write_visits && !femi.state().may.sees_others_cases);
}
