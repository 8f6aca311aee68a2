//! A hub whose PostgreSQL connection is cut (a database restart, a failover) connects again and
//! goes on: at most the request that finds the connection gone fails, and the statements it had
//! prepared on the old connection are never used on the new one, where their names may belong to
//! other statements.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use casebook_domain::CaseId;
use casebook_hub::{HubError, HubKey, Storage};
use casebook_protocol::{OpOutcome, OpResult, Role};
use casebook_testkit::inproc::{enrolled_in, note, now, opened_case};
use casebook_testkit::postgres::Cluster;

/// How many times the connection is cut.
const ROUNDS: usize = 25;

/// Ends every connection of the hub's, as a restarting server does: without waiting for them to
/// go, so that the hub may still be reading the server's goodbye when it next asks.
fn cut_connections(cluster: &Cluster) -> i64 {
    let mut admin = cluster.connect().expect("admin connection");
    admin
        .query_one(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'casebook-hub'",
            &[],
        )
        .expect("terminate")
        .get(0)
}

/// `push` again after a failure that says the connection was lost; any other failure, or a
/// second one, fails the test.
fn retried(mut push: impl FnMut() -> Result<Vec<OpResult>, HubError>) -> (Vec<OpResult>, bool) {
    match push() {
        Ok(results) => (results, false),
        Err(first) => {
            let said = first.to_string();
            assert!(
                // 57P01: "terminating connection due to administrator command".
                said.contains("57P01") || said.contains("connection") || said.contains("closed"),
                "the first request after the cut fails only for the lost connection: {said}"
            );
            (push().expect("the next request works on a new connection"), true)
        }
    }
}

#[test]
fn a_cut_connection_is_made_again_and_its_prepared_statements_are_not_reused() {
    let cluster = Cluster::start().expect("scratch PostgreSQL");
    let url = cluster.create_database("reconnect").expect("database");
    let key = HubKey::random().expect("key");
    let mut storage = Storage::connect(&url.parse().expect("url"), key).expect("connect");
    let (sam, device) = enrolled_in(&mut storage, "Sam Okafor", Role::Facilitator, Some("north"));

    // Before the cut: every statement of a push is prepared on this connection.
    let first = CaseId::new();
    let mut ops = opened_case(&device, first);
    ops.push(note(&device, first, "before the cut"));
    let before = storage.push(&sam, Some(device.id), &ops, now()).unwrap();
    assert!(
        before
            .iter()
            .all(|r| matches!(r.outcome, OpOutcome::Accepted { .. })),
        "{before:?}"
    );

    // After each cut: the first request may fail, the next must work. The client can learn
    // that the server ended the connection before it sees the socket close, so the request
    // after a failed one must connect again even while the old connection does not look closed;
    // several rounds give that race its chance.
    let second = CaseId::new();
    let mut pushed = Vec::new();
    let mut failed = 0;
    for round in 0..ROUNDS {
        assert!(cut_connections(&cluster) >= 1, "the hub had a connection to cut");
        let mut batch = vec![note(&device, first, &format!("after cut {round}"))];
        if round == 0 {
            // A new case: other statements than before, in another order.
            batch.extend(opened_case(&device, second));
        }
        let (after, failed_once) = retried(|| storage.push(&sam, Some(device.id), &batch, now()));
        // Held either way; a push whose answer was lost with the connection is held already.
        assert!(
            after
                .iter()
                .all(|r| matches!(r.outcome, OpOutcome::Accepted { .. })
                    || failed_once && matches!(r.outcome, OpOutcome::AlreadyHeld { .. })),
            "{after:?}"
        );
        failed += usize::from(failed_once);
        pushed.extend(batch);
    }
    // Then the first push again, which must be answered from the ops held, under the same
    // numbers.
    let again = storage.push(&sam, Some(device.id), &ops, now()).unwrap();
    for (was, now) in before.iter().zip(&again) {
        let (OpOutcome::Accepted { seq: a }, OpOutcome::AlreadyHeld { seq: b }) =
            (&was.outcome, &now.outcome)
        else {
            panic!("a push repeated after the cut is already held: {was:?} then {now:?}");
        };
        assert_eq!(a, b, "under the number it was stored with");
    }
    // Every op pushed is stored once (beside them, the hub's own op naming each new case).
    let held = storage.case_ops(&[first, second]).unwrap();
    let stored: Vec<_> = held
        .iter()
        .flat_map(|case| &case.ops)
        .map(|op| op.op_id)
        .collect();
    for op in ops.iter().chain(&pushed) {
        let times = stored.iter().filter(|id| **id == op.op_id).count();
        assert_eq!(times, 1, "op {} stored {times} times", op.op_id);
    }
    eprintln!("the first request after a cut failed in {failed} of {ROUNDS} rounds");
}
