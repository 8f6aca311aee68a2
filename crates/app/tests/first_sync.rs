//! A supervisor's first sync in the app: the indicator says how far receiving has got, in
//! numbers a progress bar can draw, and they are gone once the round ends.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use casebook_app_core::dto::{CaseloadQuery, Received, SyncState};
use casebook_app_core::{AppEvent, CaseId};
use casebook_protocol::Role;
use casebook_testkit::inproc::TestHub;
use casebook_testkit::ops::{note, opened_case};
use common::PASS;

/// Cases on the hub, and notes on each: more ops than one turn of the client (1,000) applies,
/// so progress is reported before the round ends.
const CASES: usize = 25;
const NOTES_PER_CASE: usize = 100;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_first_sync_reports_changes_received_of_the_total_for_a_progress_bar() {
    let hub = TestHub::start().await;
    let femi = hub.user("Femi", Role::Facilitator, Some("north")).await;
    let mut pushed = 0usize;
    for _ in 0..CASES {
        let case = CaseId::new();
        let mut ops = opened_case(&femi, case);
        ops.extend((0..NOTES_PER_CASE).map(|i| note(&femi, case, &format!("Visit {i}"))));
        pushed += ops.len();
        let answer = hub.push(&femi, &ops).await;
        assert_eq!(answer.results.len(), ops.len());
    }

    let dir = tempfile::tempdir().unwrap();
    let (sup, events) = common::app_with_events(&dir);
    let code = hub.add_user("Sunita", Role::Supervisor, Some("north"));
    sup.join_hub(hub.url.clone(), code, PASS.into(), PASS.into())
        .await
        .unwrap();
    let done = sup.sync_now().await.unwrap();

    let seen: Vec<Received> = events
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            AppEvent::Sync(view) => view.received,
            AppEvent::State(_) => None,
        })
        .collect();
    assert!(
        !seen.is_empty(),
        "the indicator should report progress while receiving"
    );
    let total = seen[0].total;
    assert!(
        usize::try_from(total).unwrap() >= pushed,
        "the total counts every change in scope: {total} of {pushed} pushed"
    );
    for pair in seen.windows(2) {
        assert!(pair[0].done <= pair[1].done, "progress only grows: {seen:?}");
    }
    assert!(
        seen.iter().all(|r| r.done <= r.total && r.total == total),
        "{seen:?}"
    );
    assert_eq!(
        (done.state, done.received),
        (SyncState::Idle, None),
        "no progress once the round is over"
    );
    let cases = sup.caseload(CaseloadQuery::default()).unwrap();
    assert_eq!(cases.total, u32::try_from(CASES).unwrap(), "every case arrived");
}
