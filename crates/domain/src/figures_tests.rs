//! The figures against a hand-built quarter (Q4 2026: 1 Oct – 31 Dec) whose answers are known:
//! events on the first and last day count, events one day either side do not.

use super::*;
use crate::agreement::ActionStatus::{Done, NotDone, Open};
use crate::case::JusticeStage::*;
use crate::case::ReferralSource::*;
use crate::meeting::MeetingKind::*;

#[test]
fn csv_fields_are_quoted_and_never_formulas() {
    assert_eq!(csv_field("agreement kept"), "agreement kept");
    assert_eq!(csv_field("kept, mostly"), "\"kept, mostly\"");
    assert_eq!(csv_field("said \"sorry\""), "\"said \"\"sorry\"\"\"");
    assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
    assert_eq!(csv_field("-1"), "'-1");
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

fn q4() -> Period {
    Period::new(d(2026, 10, 1), d(2026, 12, 31)).expect("period")
}

fn case(team: Option<&str>, source: ReferralSource, stage: JusticeStage, received: NaiveDate) -> CaseFacts {
    CaseFacts {
        team: team.map(str::to_owned),
        source,
        stage,
        received_on: received,
        first_contact: None,
        closings: Vec::new(),
        meetings: Vec::new(),
        agreements: Vec::new(),
        victims: Vec::new(),
    }
}

fn closing(date: NaiveDate, outcome: &str) -> Closing {
    Closing {
        date,
        outcome: outcome.into(),
    }
}

fn meeting(kind: MeetingKind, held_on: Option<NaiveDate>, attendees: &[PartyId]) -> HeldMeeting {
    HeldMeeting {
        kind,
        held_on,
        attendees: attendees.to_vec(),
    }
}

fn agreement(made_on: NaiveDate, actions: &[ActionStatus], reviewed_on: Option<NaiveDate>) -> AgreementFacts {
    AgreementFacts {
        made_on,
        actions: actions.to_vec(),
        reviewed_on,
    }
}

/// Six cases; the comments say what each contributes to Q4 2026.
fn fixture() -> Vec<CaseFacts> {
    let v = |_: u8| PartyId::new();
    let (v1, v2, v3, v4, v5, v6) = (v(1), v(2), v(3), v(4), v(5), v(6));
    let harmer = PartyId::new();

    // A: referred on the first day, contacted 10 days later, everything else on the last day.
    let mut a = case(Some("north"), Police, PreSentence, d(2026, 10, 1));
    a.first_contact = Some(d(2026, 10, 11));
    a.closings = vec![closing(d(2026, 12, 31), "agreement kept")];
    a.victims = vec![v1];
    a.meetings = vec![meeting(Conference, Some(d(2026, 12, 31)), &[v1, harmer])];
    a.agreements = vec![agreement(d(2026, 10, 1), &[Done, Done], Some(d(2026, 12, 31)))];

    // B: referred the day before (not a referral of Q4), contacted on the first day (1 day);
    // closed, reopened, closed again in Q4 (counted once, by the last outcome); a letters
    // exchange on the first day counts, a shuttle the day before does not; an agreement made
    // before Q4 and completed on its first day counts as completed, not made.
    let mut b = case(Some("north"), Probation, PostSentence, d(2026, 9, 30));
    b.first_contact = Some(d(2026, 10, 1));
    b.closings = vec![
        closing(d(2026, 11, 20), " agreement kept "),
        closing(d(2026, 10, 1), "withdrew"),
    ];
    b.victims = vec![v2, v3];
    b.meetings = vec![
        meeting(Letters, Some(d(2026, 10, 1)), &[v2, harmer]),
        meeting(Shuttle, Some(d(2026, 9, 30)), &[v3]),
    ];
    b.agreements = vec![agreement(d(2026, 9, 30), &[Done], Some(d(2026, 10, 1)))];

    // C: referred on the last day; first contact, closing and a video call the day after; an
    // agreement made on the last day with an action not done is made, never completed.
    let mut c = case(Some("south"), Court, PreSentence, d(2026, 12, 31));
    c.first_contact = Some(d(2027, 1, 1));
    c.closings = vec![closing(d(2027, 1, 1), "agreement kept")];
    c.meetings = vec![meeting(Video, Some(d(2027, 1, 1)), &[harmer])];
    c.agreements = vec![agreement(
        d(2026, 12, 31),
        &[Done, NotDone],
        Some(d(2026, 12, 31)),
    )];

    // D: referred and contacted before Q4; one victim at two meetings counts once; a meeting
    // still planned counts for nothing; completed the day after Q4.
    let mut d_ = case(Some("south"), SelfReferral, NotApplicable, d(2026, 9, 5));
    d_.first_contact = Some(d(2026, 9, 30));
    d_.closings = vec![closing(d(2026, 12, 15), "victim declined")];
    d_.victims = vec![v4, v5];
    d_.meetings = vec![
        meeting(Conference, Some(d(2026, 11, 15)), &[v4, harmer]),
        meeting(Shuttle, Some(d(2026, 11, 20)), &[v4]),
        meeting(Conference, None, &[v5]),
    ];
    d_.agreements = vec![agreement(d(2026, 9, 20), &[Done], Some(d(2027, 1, 1)))];

    // E (no team known): 5 days to first contact; a video call on the last day is direct.
    let mut e = case(None, Police, OutOfCourt, d(2026, 11, 15));
    e.first_contact = Some(d(2026, 11, 20));
    e.victims = vec![v6];
    e.meetings = vec![meeting(Video, Some(d(2026, 12, 31)), &[v6])];
    e.agreements = vec![agreement(d(2027, 1, 1), &[Open], None)];

    // F: a contact dated before the referral counts as 0 days; completed the day before Q4.
    let mut f = case(None, Housing, NotApplicable, d(2026, 12, 10));
    f.first_contact = Some(d(2026, 12, 9));
    f.agreements = vec![agreement(d(2026, 9, 1), &[Done], Some(d(2026, 9, 30)))];

    vec![a, b, c, d_, e, f]
}

#[test]
fn every_figure_of_the_quarter_is_known() {
    let f = figures(q4(), None, &fixture());
    assert_eq!(
        (f.from, f.to, f.team.as_deref()),
        (d(2026, 10, 1), d(2026, 12, 31), None)
    );
    assert_eq!(
        f.referrals, 4,
        "A, C, E, F: the first and last day count, 30 Sep does not"
    );
    assert_eq!(f.referrals_by_source[&Police], 2);
    assert_eq!(f.referrals_by_source[&Court], 1);
    assert_eq!(f.referrals_by_source[&Housing], 1);
    assert_eq!(f.referrals_by_source[&Probation], 0, "B came the day before");
    assert_eq!(
        f.referrals_by_source.len(),
        ReferralSource::ALL.len(),
        "zeros listed"
    );
    assert_eq!(f.referrals_by_stage[&PreSentence], 2);
    assert_eq!(f.referrals_by_stage[&OutOfCourt], 1);
    assert_eq!(f.referrals_by_stage[&NotApplicable], 1);
    assert_eq!(f.referrals_by_stage[&PostSentence], 0);

    assert_eq!(
        f.cases_closed, 3,
        "A on the last day, B once, D; not C the day after"
    );
    assert_eq!(
        f.closed_by_outcome,
        BTreeMap::from([
            ("agreement kept".to_owned(), 2),
            ("victim declined".to_owned(), 1)
        ])
    );

    assert_eq!(f.meetings_held, 5);
    assert_eq!(
        f.meetings_held_direct, 3,
        "A's and D's conferences, E's video call"
    );
    assert_eq!(f.meetings_held_indirect, 2, "B's letters, D's shuttle");
    assert_eq!(f.meetings_held_by_kind[&Conference], 2);
    assert_eq!(f.meetings_held_by_kind[&Video], 1);
    assert_eq!(f.meetings_held_by_kind[&Letters], 1);
    assert_eq!(f.meetings_held_by_kind[&Shuttle], 1);

    assert_eq!(f.agreements_made, 2, "A on the first day, C on the last");
    assert_eq!(f.agreements_completed, 2, "A on the last day, B on the first");

    assert_eq!(f.first_contact_cases, 4, "A 10, B 1, E 5, F 0 days");
    assert_eq!(f.first_contact_median_days, Some(3.0), "the mean of 1 and 5");
    assert_eq!(
        f.victims_took_part, 4,
        "v1, v2, v4 once, v6; not v3 (30 Sep) or v5 (planned)"
    );
}

#[test]
fn a_team_counts_only_its_own_cases() {
    let f = figures(q4(), Some("north"), &fixture());
    assert_eq!(f.team.as_deref(), Some("north"));
    assert_eq!((f.referrals, f.cases_closed, f.meetings_held), (1, 2, 2));
    assert_eq!((f.agreements_made, f.agreements_completed), (1, 2));
    assert_eq!(
        (f.first_contact_cases, f.first_contact_median_days),
        (2, Some(5.5))
    );
    assert_eq!(f.victims_took_part, 2);
    let nobody = figures(q4(), Some("west"), &fixture());
    assert_eq!((nobody.referrals, nobody.first_contact_median_days), (0, None));
}

#[test]
fn a_single_day_and_an_odd_count() {
    let day = Period::new(d(2026, 10, 1), d(2026, 10, 1)).expect("one day");
    let f = figures(day, None, &fixture());
    assert_eq!(f.referrals, 1, "A");
    assert_eq!(f.first_contact_cases, 1, "B");
    assert_eq!(f.first_contact_median_days, Some(1.0));
    assert_eq!((f.meetings_held, f.meetings_held_indirect), (1, 1));
    assert_eq!(f.closed_by_outcome, BTreeMap::from([("withdrew".to_owned(), 1)]));
    assert_eq!((f.agreements_made, f.agreements_completed), (1, 1));
}

#[test]
fn empty_ranges_count_nothing_and_have_no_median() {
    let before = Period::new(d(2025, 1, 1), d(2025, 3, 31)).expect("period");
    for f in [figures(before, None, &fixture()), figures(q4(), None, &[])] {
        assert_eq!(
            f.referrals + f.cases_closed + f.meetings_held + f.agreements_made,
            0
        );
        assert_eq!((f.agreements_completed, f.victims_took_part), (0, 0));
        assert_eq!((f.first_contact_cases, f.first_contact_median_days), (0, None));
        assert!(f.referrals_by_source.values().all(|n| *n == 0));
        assert!(f.closed_by_outcome.is_empty());
        let rows = f.rows();
        let median = rows
            .iter()
            .find(|r| r.figure == "first_contact_median_days")
            .expect("median row");
        assert_eq!(median.value, "", "no median is an empty cell, not 0");
    }
}

#[test]
fn a_period_ending_before_it_starts_is_refused_in_british_dates() {
    let err = Period::new(d(2026, 12, 31), d(2026, 10, 1)).expect_err("backwards");
    assert_eq!(
        err.to_string(),
        "The period ends (1 Oct 2026) before it starts (31 Dec 2026): give a --from on or before --to."
    );
}

#[test]
fn medians_of_odd_and_even_counts() {
    assert_eq!(median(&mut []), None);
    assert_eq!(median(&mut [7]), Some(7.0));
    assert_eq!(median(&mut [9, 1, 4]), Some(4.0));
    assert_eq!(median(&mut [10, 0, 1, 5]), Some(3.0));
    assert_eq!(median(&mut [2, 3]), Some(2.5));
}

#[test]
fn rows_list_every_figure_in_order_with_stored_names() {
    let f = figures(q4(), None, &fixture());
    let rows = f.rows();
    assert_eq!(rows[0].figure, "referrals");
    assert_eq!(rows[0].value, "4");
    assert!(
        rows.iter()
            .any(|r| r.figure == "referrals_by_source" && r.category == "self")
    );
    assert!(
        rows.iter()
            .any(|r| r.figure == "closed_by_outcome" && r.category == "agreement kept" && r.value == "2")
    );
    let last = rows.last().expect("rows");
    assert_eq!((last.figure, last.value.as_str()), ("victims_took_part", "4"));
    let json = serde_json::to_value(&f).expect("json");
    assert_eq!(json["referrals_by_source"]["police"], 2);
    assert_eq!(json["meetings_held_by_kind"]["conference"], 2);
    assert_eq!(json["first_contact_median_days"], 3.0);
}
