//! What needs doing next, across every kind of deadline: the caseload puts first the case whose
//! next thing falls soonest, whether that is a first contact, a court date, an agreed action or
//! an agreement's review, and a settled agreement asks for nothing more.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use casebook_domain::agreement::{Action, ActionStatus};
use casebook_domain::{CaseId, DeadlineKind};
use casebook_store::{CaseFilter, Store};
use chrono::{Days, NaiveDate};
use common::{fixture, new_case};

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn in_days(n: u64) -> NaiveDate {
    today().checked_add_days(Days::new(n)).unwrap()
}

fn action(what: &str, due: NaiveDate) -> Action {
    Action {
        what: what.into(),
        by: "Bob".into(),
        due,
        status: ActionStatus::Open,
    }
}

/// A referral received today: its first contact is due in ten working days.
fn received_today(summary: &str) -> casebook_store::model::NewCase {
    casebook_store::model::NewCase {
        received_on: Some(today()),
        ..new_case(summary)
    }
}

fn next(store: &Store, case: CaseId) -> (NaiveDate, DeadlineKind) {
    let d = store.case_detail(case).unwrap().next_deadline.unwrap();
    (d.date, d.kind)
}

#[test]
fn the_caseload_puts_first_whatever_falls_soonest_agreed_actions_and_reviews_included() {
    let (_f, mut store) = fixture();
    let waiting = store
        .write(|w| w.create_case(received_today("Nobody contacted yet")))
        .unwrap()
        .id;
    let acting = store
        .write(|w| w.create_case(received_today("An apology letter due")))
        .unwrap()
        .id;
    let reviewing = store
        .write(|w| w.create_case(received_today("A review tomorrow")))
        .unwrap()
        .id;
    let acting_agreement = store
        .write(|w| {
            w.record_agreement(
                acting,
                None,
                vec![
                    action("Write a letter", in_days(3)),
                    action("Repaint", in_days(30)),
                ],
                "",
                Some(in_days(40)),
            )
        })
        .unwrap();
    store
        .write(|w| {
            w.record_agreement(
                reviewing,
                None,
                vec![action("Repaint", in_days(20))],
                "",
                Some(in_days(1)),
            )
        })
        .unwrap();

    let order: Vec<CaseId> = store
        .list_cases(CaseFilter::default())
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(order, [reviewing, acting, waiting]);
    assert_eq!(next(&store, reviewing), (in_days(1), DeadlineKind::ReviewDue));
    assert_eq!(next(&store, acting), (in_days(3), DeadlineKind::ActionDue));
    assert_eq!(next(&store, waiting).1, DeadlineKind::FirstContact);
    let listed = store.list_cases(CaseFilter::default()).unwrap();
    assert_eq!(
        listed[1].next_deadline,
        store.case_detail(acting).unwrap().next_deadline,
        "the caseload and the case screen agree"
    );

    // Reviewed: both actions done and no further review; the agreement asks for nothing.
    store
        .write(|w| {
            w.review_agreement(
                acting_agreement,
                &[(1, ActionStatus::Done), (2, ActionStatus::Done)],
                None,
            )
        })
        .unwrap();
    assert_eq!(next(&store, acting).1, DeadlineKind::FirstContact);
}
