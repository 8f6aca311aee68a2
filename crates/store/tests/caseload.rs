//! What needs doing next, across every kind of deadline: the caseload puts first the case whose
//! next thing falls soonest, whether that is a first contact, a court date, an agreed action or
//! an agreement's review, and a settled agreement asks for nothing more. A window of the
//! caseload is a slice of the whole, and follows every change, across a lock and reopen too.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use casebook_domain::agreement::{Action, ActionStatus};
use casebook_domain::{CaseId, DeadlineKind};
use casebook_store::{CaseFilter, Store, Window};
use chrono::{Days, NaiveDate};
use common::{fixture, new_case, party, pass, visit};

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

fn ids(cases: &[casebook_store::model::CaseSummary]) -> Vec<CaseId> {
    cases.iter().map(|c| c.id).collect()
}

#[test]
fn windows_of_the_caseload_are_slices_of_the_whole_and_follow_every_change() {
    let (f, mut store) = fixture();
    let mut cases = Vec::new();
    for n in 0..23u64 {
        let received = today().checked_sub_days(Days::new(n * 3)).unwrap();
        let id = store
            .write(|w| {
                w.create_case(casebook_store::model::NewCase {
                    received_on: Some(received),
                    ..new_case(&format!("Case {n}"))
                })
            })
            .unwrap()
            .id;
        cases.push(id);
    }
    // A few contacted (no first-contact deadline: newest first, after the rest).
    for id in &cases[..5] {
        store
            .write(|w| {
                let p = w.add_party(*id, party("Ann", casebook_domain::PartyRole::Victim))?;
                w.add_contact(*id, visit(p, "Met at home."))
            })
            .unwrap();
    }
    let filter = CaseFilter::default();
    let whole = ids(&store.list_cases(filter).unwrap());
    assert_eq!(whole.len(), 23);
    let mut stitched = Vec::new();
    for offset in (0..30).step_by(10) {
        let (part, total) = store
            .caseload_window(filter, Window { offset, limit: 10 })
            .unwrap();
        assert_eq!(total, 23);
        stitched.extend(ids(&part));
    }
    assert_eq!(stitched, whole, "three windows of ten are the whole, in order");
    assert!(
        whole[18..].iter().all(|id| cases[..5].contains(id)),
        "contacted cases, with nothing due, come last"
    );

    // A change shows at once.
    let last = *whole.last().unwrap();
    store
        .write(|w| {
            let long_ago = today().checked_sub_days(Days::new(100)).unwrap();
            w.record_agreement(last, None, vec![action("Write a letter", long_ago)], "", None)
        })
        .unwrap();
    let (first, _) = store
        .caseload_window(filter, Window { offset: 0, limit: 1 })
        .unwrap();
    assert_eq!(
        ids(&first),
        [last],
        "an action long overdue comes before every first contact"
    );
    assert_eq!(first[0].parties, ["Ann"]);

    // The kept rows survive a reopen and stay right.
    drop(store);
    let store = Store::open(&f.paths, &pass("correct horse battery")).unwrap();
    assert_eq!(ids(&store.list_cases(filter).unwrap())[0], last);
}

/// A finished sync round brings the kept rows up to date, so the first caseload after it (the
/// one shown on unlocking) recomputes nothing.
#[test]
fn a_finished_sync_leaves_the_caseload_nothing_to_recompute() {
    let (_f, mut store) = fixture();
    for n in 0..3 {
        store
            .write(|w| w.create_case(received_today(&format!("Case {n}"))))
            .unwrap();
    }
    store
        .record_sync(u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap())
        .unwrap();
    assert_eq!(store.refresh_caseload().unwrap(), 0, "the round recomputed them");
    store
        .write(|w| w.create_case(received_today("After the round")))
        .unwrap();
    assert_eq!(
        store.refresh_caseload().unwrap(),
        1,
        "only the case written since"
    );
    assert_eq!(store.refresh_caseload().unwrap(), 0);
}
