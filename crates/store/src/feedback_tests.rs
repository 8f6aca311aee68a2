//! Follow-up: feedback only with consent to follow-up, and who took part in a held meeting.

use casebook_domain::feedback::Satisfaction;
use casebook_domain::meeting::MeetingKind;
use casebook_domain::{CaseId, ConsentDecision, ConsentMethod, ConsentScope, PartyId, PartyRole, RuleError};
use chrono::NaiveDate;

use crate::StoreError;
use crate::feedback::NewFeedback;
use crate::meeting::NewMeeting;
use crate::model::NewConsent;
use crate::test_laptops::{Laptop, ann_and_bob, laptop, party};

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, m, d).expect("date")
}

fn follow_up(party: PartyId, decision: ConsentDecision) -> NewConsent {
    NewConsent {
        party,
        scope: ConsentScope::FollowUp,
        decision,
        method: ConsentMethod::Verbal,
        date: None,
        note: None,
    }
}

fn feedback(party: PartyId, words: &str) -> NewFeedback {
    NewFeedback {
        party,
        satisfaction: Satisfaction::Satisfied,
        recommend: Some(true),
        words: words.into(),
    }
}

/// A facilitator's laptop with a case of two principals.
fn case() -> (Laptop, CaseId, PartyId, PartyId) {
    let mut fac = laptop(Some(("Femi", "facilitator", Some("north"))));
    let (case, ann, bob) = ann_and_bob(&mut fac, day(1, 4));
    (fac, case, ann, bob)
}

#[test]
fn feedback_is_taken_only_while_consent_to_follow_up_is_given_and_reaches_the_supervisor() {
    let (mut fac, case, ann, bob) = case();
    let mut sup = laptop(Some(("Sunita", "supervisor", Some("north"))));

    let never_asked = fac
        .store
        .write(|w| w.record_feedback(case, feedback(ann, "It helped.")))
        .unwrap_err();
    assert!(
        matches!(&never_asked, StoreError::Rule(RuleError::NoFollowUpConsent { party, .. }) if party == "Ann"),
        "{never_asked:?}"
    );

    fac.on(day(3, 1), |w| {
        w.record_consent(case, follow_up(ann, ConsentDecision::Given))?;
        w.record_consent(case, follow_up(bob, ConsentDecision::Given))?;
        w.record_feedback(case, feedback(ann, "  It helped me move on.  "))
    });
    fac.on(day(3, 2), |w| {
        w.record_consent(case, follow_up(bob, ConsentDecision::Withdrawn))
    });
    let withdrawn = fac
        .store
        .write(|w| w.record_feedback(case, feedback(bob, "Fine.")))
        .unwrap_err();
    assert!(withdrawn.to_string().contains("withdrawn"), "{withdrawn}");

    let taken = fac.store.feedback(case).expect("feedback");
    assert_eq!(taken.len(), 1, "the refused feedback left nothing behind");
    assert_eq!(
        (
            taken[0].party_name.as_str(),
            taken[0].words.as_str(),
            taken[0].date
        ),
        ("Ann", "It helped me move on.", day(3, 1))
    );
    assert_eq!(
        (taken[0].satisfaction, taken[0].recommend),
        (Satisfaction::Satisfied, Some(true))
    );

    fac.deliver(&mut sup);
    let seen = sup.store.feedback(case).expect("feedback");
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].taken_by.as_deref(),
        None,
        "the directory has not named Femi here"
    );
    assert_eq!(seen[0].words, "It helped me move on.");
}

#[test]
fn a_meeting_held_records_who_took_part_among_those_it_was_prepared_for() {
    let (mut fac, case, ann, bob) = case();
    let mut sup = laptop(Some(("Sunita", "supervisor", Some("north"))));
    let (meeting, stranger) = fac.on(day(1, 5), |w| {
        let stranger = w.add_party(case, party("Cat", PartyRole::Supporter))?;
        let meeting = w.plan_meeting(
            case,
            NewMeeting {
                kind: MeetingKind::Conference,
                planned_on: day(2, 1),
                planned_time: None,
                venue: "Library".into(),
                attendees: vec![ann, bob],
            },
        )?;
        Ok((meeting, stranger))
    });
    // Not ready (no risk assessment): a supervisor lets it go ahead.
    fac.deliver(&mut sup);
    sup.on(day(1, 20), |w| w.override_meeting(meeting, "Before the sentence"));
    sup.deliver(&mut fac);

    for (who, says) in [
        (vec![], "at least one"),
        (vec![bob, stranger], "change the details first"),
    ] {
        let e = fac
            .store
            .write(|w| w.record_meeting_held(meeting, &who))
            .unwrap_err();
        assert!(
            matches!(e, StoreError::Rule(RuleError::BadAttendance(_))),
            "{e:?}"
        );
        assert!(e.to_string().contains(says), "{e}");
    }
    assert!(fac.store.meeting(meeting).expect("meeting").took_part.is_empty());

    fac.on(day(2, 1), |w| w.record_meeting_held(meeting, &[bob]));
    let held = fac.store.meeting(meeting).expect("meeting");
    assert_eq!(held.held_on, Some(day(2, 1)));
    let names: Vec<&str> = held.took_part.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["Bob"]);
    assert_eq!(held.attendees.len(), 2, "the plan still says who was expected");

    fac.deliver(&mut sup);
    let names: Vec<String> = sup
        .store
        .meeting(meeting)
        .expect("meeting")
        .took_part
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(names, ["Bob"]);
}
