//! A meeting, its agreement and the agreement's PDF through the app, without a window: a
//! planned conference lists what is missing with why; a person confirms what only a person can,
//! is refused what the records decide; the meeting cannot be held until ready; the agreement's
//! PDF is written to the file named and nowhere else, and never over an existing file.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use casebook_app_core::agreement::{ActionInput, AgreementInput, ReviewInput};
use casebook_app_core::documents::DocumentKind;
use casebook_app_core::dto::NewConsentInput;
use casebook_app_core::feedback::FeedbackInput;
use casebook_app_core::meeting::MeetingInput;
use casebook_app_core::{ActionStatus, ErrorCode, MeetingKind, PlanSection};
use casebook_domain::feedback::Satisfaction;
use casebook_domain::{ConsentDecision, ConsentMethod, ConsentScope, PartyRole};
use chrono::NaiveDate;

use common::{new_case, party, unlocked};

fn day(m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(2027, m, d)
}

#[test]
fn a_planned_meeting_lists_what_is_missing_and_only_a_person_s_items_are_confirmed() {
    let dir = tempfile::tempdir().unwrap();
    let app = unlocked(&dir);
    let case = new_case(&app, "Shed window broken.");
    let ann = party(&app, case, "Ann Example", PartyRole::Victim);
    let bob = party(&app, case, "Bob Example", PartyRole::Harmer);

    let plan = |kind, time: &str, attendees| MeetingInput {
        kind,
        planned_on: day(1, 5),
        planned_time: Some(time.into()),
        venue: "Community centre".into(),
        attendees,
    };
    let e = app
        .plan_meeting(case, plan(None, "14:00", vec![ann, bob]))
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("kind"));
    let e = app
        .plan_meeting(case, plan(Some(MeetingKind::Conference), "2pm", vec![ann, bob]))
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("planned_time"), "{}", e.message);
    let e = app
        .plan_meeting(case, plan(Some(MeetingKind::Conference), "14:00", vec![]))
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("attendees"));

    let id = app
        .plan_meeting(case, plan(Some(MeetingKind::Conference), "14:00", vec![ann, bob]))
        .unwrap();
    let m = app.meeting(id).unwrap();
    assert!(!m.readiness.ready);
    let items: Vec<&str> = m.readiness.missing.iter().map(|x| x.item.as_str()).collect();
    assert!(
        items.contains(&"risk_assessment") && items.contains(&"venue_checked"),
        "{items:?}"
    );
    assert!(m.readiness.missing.iter().all(|x| !x.text.is_empty()));

    let after = app.confirm_meeting_item(id, "venue_checked".into()).unwrap();
    assert!(after.readiness.missing.iter().all(|x| x.item != "venue_checked"));
    let refused = app
        .confirm_meeting_item(id, "risk_assessment".into())
        .unwrap_err();
    assert_eq!(refused.code, ErrorCode::Rule);
    assert!(
        !refused.message.contains("casebook "),
        "worded for a window: {}",
        refused.message
    );

    app.save_meeting_plan(id, PlanSection::Opening, "Welcome; ground rules.".into())
        .unwrap();
    assert_eq!(
        app.meeting(id)
            .unwrap()
            .plan
            .get(&PlanSection::Opening)
            .map(String::as_str),
        Some("Welcome; ground rules.")
    );

    // Its details change like a new plan's, refused beside the field at fault.
    let e = app
        .edit_meeting(id, plan(Some(MeetingKind::Conference), "9.30", vec![ann, bob]))
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("planned_time"), "{}", e.message);
    let e = app.edit_meeting(id, plan(None, "09:30", vec![ann])).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("kind"));
    assert!(
        app.edit_meeting(id, plan(Some(MeetingKind::Video), "09:30", vec![ann, bob]))
            .unwrap()
    );
    assert!(
        !app.edit_meeting(id, plan(Some(MeetingKind::Video), "09:30", vec![bob, ann]))
            .unwrap(),
        "the same details again change nothing"
    );
    let m = app.meeting(id).unwrap();
    assert_eq!(
        (m.kind, m.planned_time.as_deref()),
        (MeetingKind::Video, Some("09:30"))
    );
    app.edit_meeting(id, plan(Some(MeetingKind::Conference), "14:00", vec![ann, bob]))
        .unwrap();

    let not_ready = app.record_meeting_held(id, vec![ann, bob]).unwrap_err();
    assert_eq!(not_ready.code, ErrorCode::Rule);
    assert!(not_ready.message.contains("not ready"), "{}", not_ready.message);
    let override_refused = app.override_meeting(id, "Urgent.".into()).unwrap_err();
    assert_eq!(
        override_refused.code,
        ErrorCode::ReadOnly,
        "only a supervisor overrides"
    );

    let e = app.call_off_meeting(id, "  ".into()).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("why"));
    app.call_off_meeting(id, "Ann is unwell.".into()).unwrap();
    let m = app.meeting(id).unwrap();
    assert_eq!(m.called_off.as_deref(), Some("Ann is unwell."));
    assert!(app.meetings(case).unwrap().iter().any(|x| x.id == id));
    let over = app
        .edit_meeting(id, plan(Some(MeetingKind::Letters), "14:00", vec![ann]))
        .unwrap_err();
    assert_eq!(over.code, ErrorCode::Rule, "{}", over.message);
}

#[test]
fn an_agreement_is_recorded_reviewed_and_its_pdf_written_where_the_person_says() {
    let dir = tempfile::tempdir().unwrap();
    let app = unlocked(&dir);
    let case = new_case(&app, "Graffiti on the school wall.");
    party(&app, case, "Bob Example", PartyRole::Harmer);

    let nothing = app.document_preview(case, DocumentKind::Agreement).unwrap_err();
    assert_eq!(nothing.code, ErrorCode::NotFound);

    let action = |what: &str, by: &str, due| ActionInput {
        what: what.into(),
        by: by.into(),
        due,
    };
    let input = |actions| AgreementInput {
        meeting: None,
        actions,
        how_agreed: "Read back and agreed aloud.".into(),
        review_on: day(3, 1),
    };
    let e = app
        .record_agreement(case, input(vec![action("Clean the wall", "", day(2, 1))]))
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("action-1-by"));
    let id = app
        .record_agreement(
            case,
            input(vec![
                action("Clean the wall", "Bob Example", day(2, 1)),
                action("Write to the head teacher", "Bob Example", day(1, 20)),
            ]),
        )
        .unwrap();
    app.review_agreement(
        id,
        ReviewInput {
            statuses: vec![ActionStatus::Done, ActionStatus::Open],
            next_review: day(4, 1),
        },
    )
    .unwrap();
    let a = &app.agreements(case).unwrap()[0];
    assert_eq!(a.actions[0].status, ActionStatus::Done);
    assert_eq!(a.review_on, day(4, 1));

    let preview = app.document_preview(case, DocumentKind::Agreement).unwrap();
    assert_eq!(preview.title, "Restorative agreement");
    assert!(
        preview.suggested_path.ends_with("-agreement.pdf"),
        "{}",
        preview.suggested_path
    );
    let lines = &preview.sections[0].lines;
    assert_eq!(lines[0], "Clean the wall — Bob Example, by 1 Feb 2027 (done)");

    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("agreement.pdf");
    let saved = app
        .save_document(case, DocumentKind::Agreement, file.display().to_string())
        .unwrap();
    assert!(!saved.draft);
    let bytes = std::fs::read(&file).unwrap();
    assert!(bytes.starts_with(b"%PDF"), "a PDF");
    assert_eq!(bytes.len(), saved.bytes as usize);
    let again = app
        .save_document(case, DocumentKind::Agreement, file.display().to_string())
        .unwrap_err();
    assert_eq!(again.field.as_deref(), Some("path"));
    assert_eq!(std::fs::read(&file).unwrap(), bytes, "never written over");

    // Not a pre-sentence case: no court report to write or show.
    assert!(app.court_report(case).unwrap().is_none());
}

#[test]
fn feedback_is_refused_beside_the_party_until_they_consent_to_follow_up() {
    let dir = tempfile::tempdir().unwrap();
    let app = unlocked(&dir);
    let case = new_case(&app, "Fence kicked in.");
    let ann = party(&app, case, "Ann Example", PartyRole::Victim);
    let input = |party, satisfaction| FeedbackInput {
        party,
        satisfaction,
        recommend: Some(true),
        words: "I felt heard.".into(),
    };

    let e = app
        .record_feedback(case, input(None, Some(Satisfaction::Satisfied)))
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("party"));
    let e = app.record_feedback(case, input(Some(ann), None)).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("satisfaction"));
    let e = app
        .record_feedback(case, input(Some(ann), Some(Satisfaction::Satisfied)))
        .unwrap_err();
    assert_eq!(e.field.as_deref(), Some("party"), "{}", e.message);
    assert!(
        e.message.contains("Ann Example") && e.message.contains("Nothing was recorded"),
        "{}",
        e.message
    );
    assert!(app.feedback(case).unwrap().is_empty());

    app.record_consent(
        case,
        NewConsentInput {
            party_id: ann,
            scope: ConsentScope::FollowUp,
            decision: ConsentDecision::Given,
            method: ConsentMethod::Verbal,
            date: None,
            note: None,
        },
    )
    .unwrap();
    app.record_feedback(case, input(Some(ann), Some(Satisfaction::VerySatisfied)))
        .unwrap();
    let given = app.feedback(case).unwrap();
    assert_eq!(given.len(), 1);
    assert_eq!(
        (given[0].party_name.as_str(), given[0].satisfaction),
        ("Ann Example", Satisfaction::VerySatisfied)
    );
    assert_eq!(given[0].words, "I felt heard.");
}
