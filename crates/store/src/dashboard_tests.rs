//! The dashboard's figures on a hand-built team whose answers are known: each open case counted
//! once by stage, status and lead; first contact over the window with the median and the
//! 10-working-day target; each kind of overdue work on its edge; the cases behind every figure;
//! a year of outcomes, meetings held and agreements on its edges.

use casebook_domain::agreement::{Action, ActionStatus};
use casebook_domain::{CaseId, CaseStatus, JusticeStage, ReferralSource};
use chrono::NaiveDate;

use super::{Bar, DashCase, dashboard, year_since};

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, day).expect("date")
}

#[allow(clippy::too_many_arguments)]
fn case(
    stage: JusticeStage,
    status: CaseStatus,
    lead: Option<(&str, &str)>,
    received_on: NaiveDate,
    first_contact: Option<NaiveDate>,
    court_date: Option<NaiveDate>,
    last_supervision: Option<NaiveDate>,
) -> DashCase {
    DashCase {
        id: CaseId::new(),
        source: ReferralSource::Police,
        stage,
        status,
        lead: lead.map(|(id, _)| id.to_owned()),
        lead_name: lead.map(|(_, name)| name.to_owned()),
        received_on,
        first_contact,
        court_date,
        last_supervision,
        closings: Vec::new(),
        meetings_held: Vec::new(),
        agreements: Vec::new(),
    }
}

fn bar<'a>(bars: &'a [Bar], key: &str) -> &'a Bar {
    bars.iter()
        .find(|b| b.key == key)
        .unwrap_or_else(|| panic!("no {key} in {bars:?}"))
}

#[test]
fn a_team_on_1_december_2026() {
    use CaseStatus as S;
    use JusticeStage as J;
    let (fay, sam) = (Some(("u-fay", "Fay")), Some(("u-sam", "Sam")));
    let today = d(12, 1);
    let cases = [
        // Nobody contacted, the target (16 Nov) passed.
        case(J::OutOfCourt, S::Referred, fay, d(11, 2), None, None, None),
        // Contacted after 3 days; court in 9 days.
        case(
            J::PreSentence,
            S::Contacting,
            fay,
            d(11, 20),
            Some(d(11, 23)),
            Some(d(12, 10)),
            None,
        ),
        // Referred in August, last supervised 25 Aug (older than 12 weeks); first contact
        // before the window.
        case(
            J::PostSentence,
            S::Preparing,
            sam,
            d(8, 3),
            Some(d(8, 20)),
            None,
            Some(d(8, 25)),
        ),
        // Contacted after 21 days (target 15 Oct missed); supervised on 1 Nov.
        case(
            J::OutOfCourt,
            S::Contacting,
            sam,
            d(10, 1),
            Some(d(10, 22)),
            None,
            Some(d(11, 1)),
        ),
        // Closed: not open, but its first contact (5 days) is in the window.
        case(
            J::OutOfCourt,
            S::Closed,
            fay,
            d(9, 10),
            Some(d(9, 15)),
            None,
            None,
        ),
        // Not allocated, received today; a court date 15 days ahead is not soon.
        case(
            J::PreSentence,
            S::Referred,
            None,
            today,
            None,
            Some(d(12, 16)),
            None,
        ),
    ];
    let ids: Vec<CaseId> = cases.iter().map(|c| c.id).collect();
    let dash = dashboard(today, &cases, 2);

    assert_eq!(dash.open.count, 5);
    assert_eq!(dash.open.cases, [ids[0], ids[1], ids[2], ids[3], ids[5]]);
    let stages: Vec<(&str, u64)> = dash.by_stage.iter().map(|b| (b.key.as_str(), b.count)).collect();
    assert_eq!(
        stages,
        [
            ("out_of_court", 2),
            ("pre_sentence", 2),
            ("post_sentence", 1),
            ("not_applicable", 0)
        ]
    );
    assert_eq!(bar(&dash.by_stage, "pre_sentence").cases, [ids[1], ids[5]]);
    let statuses: Vec<(&str, u64)> = dash.by_status.iter().map(|b| (b.key.as_str(), b.count)).collect();
    assert_eq!(
        statuses,
        [
            ("referred", 2),
            ("contacting", 2),
            ("preparing", 1),
            ("meeting_planned", 0),
            ("follow_up", 0)
        ],
        "every open status, none closed"
    );
    let load: Vec<(&str, &str, u64)> = dash
        .by_facilitator
        .iter()
        .map(|b| (b.key.as_str(), b.label.as_str(), b.count))
        .collect();
    assert_eq!(
        load,
        [("u-fay", "Fay", 2), ("u-sam", "Sam", 2), ("", "Not allocated", 1)],
        "most first; a closed case is no load"
    );

    let fc = &dash.first_contact;
    assert_eq!(fc.since, d(9, 2), "91 days up to today, both included");
    assert_eq!(fc.contacted.cases, [ids[1], ids[3], ids[4]]);
    assert_eq!(fc.median_days, Some(5.0), "of 3, 21 and 5 days");
    assert_eq!(fc.within_target.cases, [ids[1], ids[4]]);
    assert_eq!(fc.share_within_target, Some(2.0 / 3.0));

    assert_eq!(bar(&dash.overdue, "first_contact").cases, [ids[0]]);
    assert_eq!(bar(&dash.overdue, "court_soon").cases, [ids[1]]);
    assert_eq!(bar(&dash.overdue, "supervision").cases, [ids[2]]);
    assert_eq!(dash.signoffs_waiting, 2);
}

#[test]
fn the_edges_of_overdue_work() {
    let today = d(12, 1);
    let on = |received, first, court, supervised| {
        case(
            JusticeStage::PreSentence,
            CaseStatus::Contacting,
            None,
            received,
            first,
            court,
            supervised,
        )
    };
    let cases = [
        // Target day itself (17 Nov + 10 working days = 1 Dec): not overdue yet.
        on(d(11, 17), None, None, None),
        // Court today and in exactly 14 days: both soon; yesterday's is past.
        on(today, Some(today), Some(today), None),
        on(today, Some(today), Some(d(12, 15)), None),
        on(today, Some(today), Some(d(11, 30)), None),
        // Supervised exactly 12 weeks ago (8 Sep): not yet due; one day more is.
        on(d(6, 1), Some(d(6, 2)), None, Some(d(9, 8))),
        on(d(6, 1), Some(d(6, 2)), None, Some(d(9, 7))),
        // Referred exactly 12 weeks ago, never supervised: not yet due.
        on(d(9, 8), Some(d(9, 9)), None, None),
    ];
    let ids: Vec<CaseId> = cases.iter().map(|c| c.id).collect();
    let dash = dashboard(today, &cases, 0);
    assert!(bar(&dash.overdue, "first_contact").cases.is_empty());
    assert_eq!(bar(&dash.overdue, "court_soon").cases, [ids[1], ids[2]]);
    assert_eq!(bar(&dash.overdue, "supervision").cases, [ids[5]]);
}

#[test]
fn nobody_contacted_has_no_median_and_no_share() {
    let dash = dashboard(d(12, 1), &[], 0);
    assert_eq!(dash.open.count, 0);
    assert_eq!(dash.first_contact.median_days, None);
    assert_eq!(dash.first_contact.share_within_target, None);
    assert!(dash.by_facilitator.is_empty());
}

fn ymd(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

fn action(due: NaiveDate, status: ActionStatus) -> Action {
    Action {
        what: "Repair the fence".into(),
        by: "Bob".into(),
        due,
        status,
    }
}

#[test]
fn the_year_starts_on_the_first_of_the_month_eleven_months_back() {
    assert_eq!(year_since(d(12, 1)), d(1, 1));
    assert_eq!(year_since(d(12, 31)), d(1, 1));
    assert_eq!(year_since(ymd(2027, 1, 15)), d(2, 1));
    assert_eq!(year_since(ymd(2028, 2, 29)), ymd(2027, 3, 1));
}

#[test]
fn a_year_of_outcomes_meetings_and_agreements() {
    use CaseStatus as S;
    let today = d(12, 1);
    let with = |status, closings: &[(NaiveDate, &str)], held: &[NaiveDate], agreements| DashCase {
        closings: closings.iter().map(|(d, o)| (*d, (*o).to_owned())).collect(),
        meetings_held: held.to_vec(),
        agreements,
        ..case(
            JusticeStage::OutOfCourt,
            status,
            None,
            d(1, 5),
            None,
            None,
            Some(today),
        )
    };
    let overdue_action = vec![(
        vec![
            action(d(11, 30), ActionStatus::Open),
            action(d(11, 1), ActionStatus::Done),
        ],
        Some(today),
    )];
    let cases = [
        // 0. Closed in March; its meetings on the first day of the year, the last of January and
        // the day before the year; its overdue agreement is no work: the case is closed.
        with(
            S::Closed,
            &[(d(3, 10), "Agreement completed")],
            &[d(1, 1), d(1, 31), ymd(2025, 12, 31)],
            vec![(vec![action(d(6, 1), ActionStatus::Open)], Some(d(7, 1)))],
        ),
        // 1. Closed the day before the year: not counted.
        with(S::Closed, &[(ymd(2025, 12, 31), "Withdrawn")], &[], Vec::new()),
        // 2. Closed on the year's first day; the outcome's words trimmed.
        with(S::Closed, &[(d(1, 1), " Withdrawn ")], &[], Vec::new()),
        // 3. Closed twice: the latest closing counts.
        with(
            S::Closed,
            &[(d(6, 1), "Agreement completed"), (d(2, 1), "Withdrawn")],
            &[],
            Vec::new(),
        ),
        // 4. Closed without an outcome's words.
        with(S::Closed, &[(d(11, 20), "")], &[], Vec::new()),
        // 5. Closed in April and reopened: counted, as the quarterly figures count it. Meetings
        // in January, today and tomorrow; an action a day late, the review due today.
        with(
            S::Contacting,
            &[(d(4, 1), "Withdrawn")],
            &[d(1, 15), today, d(12, 2)],
            overdue_action,
        ),
        // 6. An action due today is not late; a review due yesterday is.
        with(
            S::Preparing,
            &[],
            &[],
            vec![(vec![action(today, ActionStatus::Open)], Some(d(11, 30)))],
        ),
        // 7. Every action settled, no review set.
        with(
            S::FollowUp,
            &[],
            &[],
            vec![(
                vec![
                    action(d(10, 1), ActionStatus::Done),
                    action(d(10, 2), ActionStatus::NotDone),
                ],
                None,
            )],
        ),
    ];
    let ids: Vec<CaseId> = cases.iter().map(|c| c.id).collect();
    let dash = dashboard(today, &cases, 0);

    assert_eq!(dash.year_since, d(1, 1));
    let outcomes: Vec<(&str, &str, u64)> = dash
        .closed_by_outcome
        .iter()
        .map(|b| (b.key.as_str(), b.label.as_str(), b.count))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("Agreement completed", "Agreement completed", 2),
            ("Withdrawn", "Withdrawn", 2),
            ("", "no outcome recorded", 1)
        ],
        "most first, then by name"
    );
    assert_eq!(
        bar(&dash.closed_by_outcome, "Agreement completed").cases,
        [ids[0], ids[3]]
    );
    assert_eq!(bar(&dash.closed_by_outcome, "Withdrawn").cases, [ids[2], ids[5]]);

    let months: Vec<(&str, &str, u64)> = dash
        .meetings_by_month
        .iter()
        .map(|b| (b.key.as_str(), b.label.as_str(), b.count))
        .collect();
    assert_eq!(months.len(), 12, "{months:?}");
    assert_eq!(months[0], ("2026-01", "Jan 2026", 3));
    assert_eq!(months[11], ("2026-12", "Dec 2026", 1));
    assert!(months[1..11].iter().all(|(_, _, n)| *n == 0), "{months:?}");
    assert_eq!(
        dash.meetings_by_month[0].cases,
        [ids[0], ids[5]],
        "each case once"
    );
    assert_eq!(dash.meetings_by_month[11].cases, [ids[5]]);

    assert_eq!(bar(&dash.overdue, "actions").cases, [ids[5]]);
    assert_eq!(bar(&dash.overdue, "review").cases, [ids[6]]);
    let kinds: Vec<&str> = dash.overdue.iter().map(|b| b.key.as_str()).collect();
    assert_eq!(
        kinds,
        ["first_contact", "court_soon", "supervision", "actions", "review"]
    );
}

#[test]
fn a_year_without_closings_or_meetings() {
    let dash = dashboard(d(12, 1), &[], 0);
    assert!(dash.closed_by_outcome.is_empty());
    assert_eq!(dash.meetings_by_month.len(), 12);
    assert!(
        dash.meetings_by_month
            .iter()
            .all(|b| b.count == 0 && b.cases.is_empty())
    );
}

/// The same figures read from a real store: a meeting held and an agreement whose action and
/// review are late on an open case, another case closed with an outcome, relative to today.
#[test]
fn a_real_store_reads_closings_meetings_and_agreements() {
    use crate::meeting::NewMeeting;
    use crate::test_laptops::{laptop, party, referral};
    use casebook_domain::PartyRole::Victim;
    use casebook_domain::agreement::parse_action;
    use casebook_domain::meeting::MeetingKind;
    use chrono::Days;

    let today = chrono::Local::now().date_naive();
    let ago = |n: u64| today - Days::new(n);
    let mut fac = laptop(Some(("Femi", "facilitator", Some("north"))));
    let mut sup = laptop(Some(("Sunita", "supervisor", Some("north"))));
    let (held, meeting) = fac.on(ago(40), |w| {
        let case = w
            .create_case(referral(
                ReferralSource::Police,
                JusticeStage::OutOfCourt,
                ago(40),
            ))?
            .id;
        let victim = w.add_party(case, party("V", Victim))?;
        let meeting = w.plan_meeting(
            case,
            NewMeeting {
                kind: MeetingKind::Conference,
                planned_on: ago(3),
                planned_time: None,
                venue: String::new(),
                attendees: vec![victim],
            },
        )?;
        Ok((case, meeting))
    });
    let closed = fac.on(ago(60), |w| {
        Ok(
            w.create_case(referral(ReferralSource::Court, JusticeStage::OutOfCourt, ago(60)))?
                .id,
        )
    });
    fac.deliver(&mut sup);
    sup.on(ago(4), |w| w.override_meeting(meeting, "Before the sentence"));
    sup.deliver(&mut fac);
    fac.on(ago(3), |w| {
        let who: Vec<_> = w.meeting(meeting)?.attendees.iter().map(|a| a.id).collect();
        w.record_meeting_held(meeting, &who)?;
        let late = parse_action(&format!("Repair the fence|H|{}", ago(1))).expect("action");
        let later = parse_action(&format!("Write a letter|H|{today}")).expect("action");
        w.record_agreement(held, Some(meeting), vec![late, later], "", Some(ago(2)))
    });
    fac.on(ago(5), |w| {
        w.change_status(closed, CaseStatus::Closed, Some("agreement kept"))
    });

    let dash = fac.store.dashboard(None).expect("dashboard");
    assert_eq!(dash.open.cases, [held]);
    assert_eq!(dash.closed_by_outcome.len(), 1);
    assert_eq!(bar(&dash.closed_by_outcome, "agreement kept").cases, [closed]);
    let month = ago(3).format("%Y-%m").to_string();
    let months: Vec<(&str, u64)> = dash
        .meetings_by_month
        .iter()
        .filter(|b| b.count > 0)
        .map(|b| (b.key.as_str(), b.count))
        .collect();
    assert_eq!(months, [(month.as_str(), 1)]);
    assert_eq!(bar(&dash.meetings_by_month, &month).cases, [held]);
    assert_eq!(bar(&dash.overdue, "actions").cases, [held]);
    assert_eq!(bar(&dash.overdue, "review").cases, [held]);
}

#[test]
fn a_coordinator_counts_one_team_alone_by_the_leads_team() {
    use crate::test_laptops::{laptop, referral};

    let mut femi = laptop(Some(("Femi", "facilitator", Some("north"))));
    let mut olu = laptop(Some(("Olu", "facilitator", Some("south"))));
    let mut cora = laptop(Some(("Cora", "coordinator", None)));
    let day = crate::today();
    for (l, n) in [(&mut femi, 2), (&mut olu, 1)] {
        for _ in 0..n {
            l.on(day, |w| {
                w.create_case(referral(ReferralSource::Police, JusticeStage::OutOfCourt, day))
            });
        }
    }
    femi.deliver(&mut cora);
    olu.deliver(&mut cora);
    cora.store
        .record_people(&[
            femi.facilitator_in("Femi", "north"),
            olu.facilitator_in("Olu", "south"),
        ])
        .expect("people");

    let all = cora.store.dashboard(None).expect("dashboard");
    assert_eq!((all.open.count, all.team.as_deref()), (3, None));
    assert_eq!(all.teams, ["north", "south"]);
    let north = cora.store.dashboard(Some("north")).expect("north");
    assert_eq!((north.open.count, north.team.as_deref()), (2, Some("north")));
    let leads: Vec<&str> = north.by_facilitator.iter().map(|b| b.label.as_str()).collect();
    assert_eq!(leads, ["Femi"]);
    assert_eq!(cora.store.dashboard(Some("south")).expect("south").open.count, 1);
    assert_eq!(cora.store.dashboard(Some("east")).expect("east").open.count, 0);
}
