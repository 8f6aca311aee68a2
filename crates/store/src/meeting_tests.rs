//! Changing a planned meeting: only what changed travels, two laptops changing different
//! details both win, readiness follows the new details, and a meeting that is over stays as
//! it was.

use casebook_domain::meeting::MeetingKind;
use casebook_domain::{MeetingId, PartyId, RuleError};
use chrono::NaiveDate;

use crate::StoreError;
use crate::meeting::NewMeeting;
use crate::test_laptops::{Laptop, ann_and_bob, laptop};

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2027, m, d).expect("date")
}

fn details(kind: MeetingKind, on: NaiveDate, venue: &str, attendees: Vec<PartyId>) -> NewMeeting {
    NewMeeting {
        kind,
        planned_on: on,
        planned_time: Some("14:00".into()),
        venue: venue.into(),
        attendees,
    }
}

/// A facilitator's laptop with a case of two principals and a conference planned for both.
fn planned() -> (Laptop, MeetingId, PartyId, PartyId) {
    let mut fac = laptop(Some(("Femi", "facilitator", Some("north"))));
    let (case, ann, bob) = ann_and_bob(&mut fac, day(1, 4));
    let meeting = fac.on(day(1, 4), |w| {
        w.plan_meeting(
            case,
            details(MeetingKind::Conference, day(2, 1), "Library", vec![ann, bob]),
        )
    });
    (fac, meeting, ann, bob)
}

fn op_count(l: &Laptop) -> usize {
    crate::apply::read_ops(&l.store.conn).expect("ops").len()
}

#[test]
fn a_change_carries_only_the_details_that_changed() {
    let (mut fac, meeting, ann, bob) = planned();
    let ops = op_count(&fac);

    let same = fac.on(day(1, 5), |w| {
        w.edit_meeting(
            meeting,
            details(MeetingKind::Conference, day(2, 1), " Library ", vec![bob, ann]),
        )
    });
    assert!(!same, "the same details in another order are no change");
    assert_eq!(op_count(&fac), ops, "no op for no change");

    let changed = fac.on(day(1, 5), |w| {
        w.edit_meeting(
            meeting,
            details(MeetingKind::Conference, day(2, 8), "Town hall", vec![ann, bob]),
        )
    });
    assert!(changed);
    let all = crate::apply::read_ops(&fac.store.conn).expect("ops");
    assert_eq!(all.len(), ops + 1);
    let last = all.last().expect("an op");
    let fields: Vec<&str> = last.fields.keys().map(String::as_str).collect();
    assert_eq!(fields, ["planned_on", "venue"], "only what changed");

    let m = fac.store.meeting(meeting).expect("meeting");
    assert_eq!((m.planned_on, m.venue.as_str()), (day(2, 8), "Town hall"));
    assert_eq!(m.planned_time.as_deref(), Some("14:00"));
}

#[test]
fn bad_details_are_refused_and_a_meeting_that_is_over_is_not_changed() {
    let (mut fac, meeting, ann, _) = planned();
    let refused = |fac: &mut Laptop, new: NewMeeting| {
        fac.store
            .write(|w| w.edit_meeting(meeting, new))
            .expect_err("refused")
    };
    let mut late = details(MeetingKind::Conference, day(2, 1), "", vec![ann]);
    late.planned_time = Some("2pm".into());
    assert!(matches!(
        refused(&mut fac, late),
        StoreError::Rule(RuleError::BadTime { .. })
    ));
    assert!(matches!(
        refused(&mut fac, details(MeetingKind::Video, day(2, 1), "", vec![])),
        StoreError::Rule(RuleError::NoAttendees)
    ));
    assert!(matches!(
        refused(
            &mut fac,
            details(MeetingKind::Video, day(2, 1), "", vec![PartyId::new()])
        ),
        StoreError::NotFound { .. }
    ));

    fac.on(day(1, 6), |w| w.call_off_meeting(meeting, "Bob moved away"));
    assert!(matches!(
        refused(&mut fac, details(MeetingKind::Letters, day(3, 1), "", vec![ann])),
        StoreError::Rule(RuleError::MeetingOver { .. })
    ));
    assert_eq!(
        fac.store.meeting(meeting).expect("meeting").kind,
        MeetingKind::Conference
    );
}

#[test]
fn readiness_follows_the_new_kind_and_attendees() {
    let (mut fac, meeting, ann, _) = planned();
    let missing = |fac: &Laptop| -> Vec<String> {
        let m = fac.store.meeting(meeting).expect("meeting");
        m.readiness.missing.into_iter().map(|m| m.item).collect()
    };
    assert!(
        missing(&fac)
            .iter()
            .any(|i| i.starts_with("consent:direct_meeting:")),
        "a conference asks for consent to meet: {:?}",
        missing(&fac)
    );
    fac.on(day(1, 5), |w| {
        w.edit_meeting(meeting, details(MeetingKind::Letters, day(2, 1), "", vec![ann]))
    });
    let now = missing(&fac);
    assert!(
        !now.iter().any(|i| i.starts_with("consent:direct_meeting:"))
            && now.iter().any(|i| i.starts_with("consent:indirect:")),
        "letters ask for consent to indirect contact instead: {now:?}"
    );
    assert!(
        !now.iter().any(|i| i == "venue_checked"),
        "letters need no venue: {now:?}"
    );
}

#[test]
fn two_laptops_changing_different_details_keep_both() {
    let (mut fac, meeting, ann, bob) = planned();
    let mut other = laptop(Some(("Femi", "facilitator", Some("north"))));
    fac.deliver(&mut other);

    fac.on(day(1, 5), |w| {
        w.edit_meeting(
            meeting,
            details(MeetingKind::Conference, day(2, 1), "Town hall", vec![ann, bob]),
        )
    });
    other.on(day(1, 5), |w| {
        w.edit_meeting(
            meeting,
            details(MeetingKind::Conference, day(2, 15), "Library", vec![ann, bob]),
        )
    });
    fac.deliver(&mut other);
    other.deliver(&mut fac);

    for l in [&fac, &other] {
        let m = l.store.meeting(meeting).expect("meeting");
        assert_eq!((m.planned_on, m.venue.as_str()), (day(2, 15), "Town hall"));
    }
}
