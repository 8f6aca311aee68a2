//! The dashboard through the app, on a store whose answers are known: open cases by stage,
//! first contact against the target, overdue work, and the caseload listing exactly the cases
//! behind a figure.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use casebook_app_core::dto::{CaseloadQuery, NewVisitInput};
use casebook_app_core::model::NewCase;
use casebook_app_core::{App, CaseId};
use casebook_domain::{CaseKind, ContactKind, JusticeStage, PartyRole, ReferralSource};
use chrono::{Days, NaiveDate};

use common::{party, unlocked};

fn ago(days: u64) -> NaiveDate {
    chrono::Local::now().date_naive() - Days::new(days)
}

fn ahead(days: u64) -> NaiveDate {
    chrono::Local::now().date_naive() + Days::new(days)
}

fn case(app: &App, stage: JusticeStage, received: NaiveDate, court: Option<NaiveDate>) -> CaseId {
    app.create_case(NewCase {
        kind: CaseKind::RestorativeJustice,
        stage,
        source: ReferralSource::Police,
        referrer: None,
        summary: "Damage to a neighbour's car.".into(),
        court_date: court,
        pre_sentence: None,
        received_on: Some(received),
    })
    .unwrap()
    .id
}

fn contact(app: &App, case: CaseId, on: NaiveDate) {
    let p = party(app, case, "Ann Example", PartyRole::Victim);
    app.start_visit(
        case,
        NewVisitInput {
            party_ids: vec![p],
            kind: ContactKind::Visit,
            date: on,
            initiated_by_party: false,
            notes: "First visit.".into(),
            amends: None,
        },
    )
    .unwrap();
}

fn keys_and_counts(bars: &[casebook_store::dashboard::Bar]) -> Vec<(String, u64)> {
    bars.iter().map(|b| (b.key.clone(), b.count)).collect()
}

#[test]
fn the_dashboard_counts_the_cases_held_here_and_each_figure_lists_its_cases() {
    let dir = tempfile::tempdir().unwrap();
    let app = unlocked(&dir);
    // Nobody contacted for 60 days: first contact overdue.
    let waiting = case(&app, JusticeStage::OutOfCourt, ago(60), None);
    // Contacted after 2 days: within the target.
    let quick = case(&app, JusticeStage::OutOfCourt, ago(30), None);
    contact(&app, quick, ago(28));
    // Contacted after 30 days, court in a week, never supervised in 100 days.
    let late = case(&app, JusticeStage::PreSentence, ago(100), Some(ahead(7)));
    contact(&app, late, ago(70));

    let dash = app.dashboard(None).unwrap();
    assert_eq!(dash.open.count, 3);
    assert_eq!(
        keys_and_counts(&dash.by_stage)[..2],
        [("out_of_court".to_owned(), 2), ("pre_sentence".to_owned(), 1)]
    );
    assert_eq!(dash.by_facilitator.iter().map(|b| b.count).sum::<u64>(), 3);
    let fc = &dash.first_contact;
    assert_eq!(fc.contacted.count, 2);
    assert_eq!(fc.median_days, Some(16.0), "of 2 and 30 days");
    assert_eq!(fc.within_target.cases, [quick]);
    assert_eq!(fc.share_within_target, Some(0.5));
    let overdue = |key: &str| dash.overdue.iter().find(|b| b.key == key).unwrap().cases.clone();
    assert_eq!(overdue("first_contact"), [waiting]);
    assert_eq!(overdue("court_soon"), [late]);
    assert_eq!(overdue("supervision"), [late]);
    assert_eq!(dash.signoffs_waiting, 0);

    let listed = app
        .caseload(CaseloadQuery {
            ids: Some(fc.contacted.cases.clone()),
            ..Default::default()
        })
        .unwrap()
        .cases;
    let mut ids: Vec<CaseId> = listed.iter().map(|c| c.id).collect();
    ids.sort();
    let mut expected = vec![quick, late];
    expected.sort();
    assert_eq!(ids, expected, "the caseload lists exactly the figure's cases");
}
