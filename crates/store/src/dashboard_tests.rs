//! The dashboard's figures on a hand-built team whose answers are known: each open case counted
//! once by stage, status and lead; first contact over the window with the median and the
//! 10-working-day target; each kind of overdue work on its edge; the cases behind every figure.

use casebook_domain::{CaseId, CaseStatus, JusticeStage, ReferralSource};
use chrono::NaiveDate;

use super::{Bar, DashCase, dashboard};

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
