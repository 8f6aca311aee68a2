//! Exactly-once delivery under crashes: `casebook sync` SIGKILLed at random moments, and the
//! hub itself SIGKILLed (and restarted on the same port and data dir) while syncs run. After a
//! clean final round every op is on the hub exactly once and every replica holds the same.

#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::thread::sleep;
use std::time::{Duration, Instant};

use common::*;

/// Rounds in which L1 writes and its sync is SIGKILLed at a random moment.
const SYNC_KILL_ROUNDS: usize = 50;
/// Hub SIGKILLs that must land while an L1/L2 sync is still running.
const HUB_KILLS: usize = 20;
/// L1 syncs that must be SIGKILLed while still running.
const SYNC_KILLS: usize = 10;

/// The `CASEBOOK_LOG` filter under which a `casebook` command says "store unlocked" on stderr.
const UNLOCKED_LOG: &str = "casebook_store=debug";
/// How long a sync may take to unlock its store on a loaded machine.
const UNLOCK_LIMIT: Duration = Duration::from_secs(120);

/// A finalised note with Ann on `case`.
fn note_args<'a>(case: &'a str, notes: &'a str) -> Vec<&'a str> {
    vec![
        "contact",
        "add",
        case,
        "--party",
        "Ann",
        "--kind",
        "call",
        "--date",
        "2026-11-21",
        "--notes",
        notes,
    ]
}

/// (op_id, device) of every op in a store's log, read with standard tools (age + SQLCipher).
fn store_ops(store: &Store) -> Vec<(String, String)> {
    let conn = open_with_standard_tools(&store.dir, &store.passphrase);
    let mut stmt = conn.prepare("SELECT op_id, device FROM ops").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// The store's own device id (its `meta.device_id`, the `device` of the ops it writes; not
/// the hub's id for the enrolled device, which `status --json` shows).
fn local_device(store: &Store) -> String {
    let conn = open_with_standard_tools(&store.dir, &store.passphrase);
    conn.query_row("SELECT value FROM meta WHERE key = 'device_id'", [], |r| r.get(0))
        .unwrap()
}

/// Done when #7: every op written on a laptop reaches the hub exactly once although syncs and
/// the hub are SIGKILLed at random moments, and all replicas end up identical.
#[test]
fn every_op_reaches_the_hub_exactly_once_despite_killed_syncs_and_a_killed_hub() {
    let started = Instant::now();
    let mut hub = start_hub();
    let codes = [
        hub.add_user("fay", "facilitator", Some("north")),
        hub.user_code("fay"),
        hub.add_user("sol", "supervisor", Some("north")),
    ];
    // Enrolled side by side (each `casebook` run spends most of its time unlocking).
    let [l1, l2, s] = std::thread::scope(|scope| {
        let handles: Vec<_> = codes
            .iter()
            .zip(["fay-laptop-1", "fay-laptop-2", "sol-laptop"])
            .map(|(code, name)| scope.spawn(|| enroll(&hub, code, name)))
            .collect();
        let stores: Vec<Store> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        <[Store; 3]>::try_from(stores).ok().unwrap()
    });

    // A shared case both laptops write notes on.
    let (shared, _) = l1.new_case(&format!("Shared case {}", marker()));
    l1.create(&["party", "add", &shared, "--role", "victim", "--name", "Ann"]);
    sync(&l1, &hub);
    sync(&l2, &hub);

    let mut sync_kills = 0; // SIGKILLs that ended a running L1 sync
    let mut hub_kills = 0; // hub SIGKILLs while an L1/L2 sync was running
    let mut round = 0;
    // About how long an L1 sync runs after unlocking: the last unkilled one's time, grown after
    // each kill that landed. The kills are drawn within it, so they land mid-sync on a fast
    // machine as on a slow one, at early and late moments alike.
    let mut l1_runs_for = Duration::from_millis(100);
    // More rounds until enough kills landed mid-sync: how many do depends on the machine's speed.
    while round < SYNC_KILL_ROUNDS || hub_kills < HUB_KILLS || sync_kills < SYNC_KILLS {
        assert!(
            round < SYNC_KILL_ROUNDS + 70,
            "only {hub_kills} hub kills and {sync_kills} L1 sync kills landed during a sync in {round} rounds"
        );
        let hub_round = hub_kills < HUB_KILLS && (round % 2 == 1 || round >= SYNC_KILL_ROUNDS);

        // Write on L1 (and on L2 in hub rounds, at the same time).
        std::thread::scope(|scope| {
            if hub_round {
                scope.spawn(|| {
                    let note = format!("L2 note {round} {}", marker());
                    l2.ok(&note_args(&shared, &note));
                });
            }
            if round % 2 == 0 {
                l1.ok(&["demo", "--cases", "2", "--seed", &format!("{}", 1000 + round)]);
            } else {
                let note = format!("L1 note {round} {}", marker());
                l1.ok(&note_args(&shared, &note));
            }
        });

        // Each sync says on stderr when it has unlocked its store (the slow part, longer on a
        // loaded machine); from then on it talks to the hub. The kills come at random short
        // delays after L1 says so, in the middle of its push and pull, however slow the unlock.
        let (mut l1_sync, mut l1_said) = l1.spawn_watched(&["sync"], UNLOCKED_LOG);
        let mut l2_sync = hub_round.then(|| l2.spawn_watched(&["sync"], UNLOCKED_LOG).0);
        if let Err(why) = l1_said.wait_for(UNLOCK_LIMIT, |l| l.contains("store unlocked")) {
            kill(&mut l1_sync);
            panic!("round {round}: L1's sync never said it unlocked its store: {why}");
        }
        let l1_kill_at = Duration::from_millis(random_between(0, l1_runs_for.as_millis().max(2) as u64));
        // The hub dies while a sync runs only if drawn within how long syncs run here.
        let hub_kill_at =
            Duration::from_millis(random_between(0, l1_runs_for.as_millis().clamp(2, 150) as u64));
        let t0 = Instant::now();
        let mut l1_done = false;
        let mut hub_done = !hub_round;
        while !(l1_done && hub_done) {
            if !l1_done {
                if l1_sync.try_wait().unwrap().is_some() {
                    l1_done = true; // finished before its SIGKILL
                    l1_runs_for = t0.elapsed();
                } else if t0.elapsed() >= l1_kill_at {
                    if kill(&mut l1_sync) {
                        sync_kills += 1;
                        // Still running then: look a little later next time.
                        l1_runs_for = (l1_runs_for * 3 / 2).min(Duration::from_secs(2));
                    }
                    l1_done = true;
                }
            }
            if !hub_done && t0.elapsed() >= hub_kill_at {
                let l1_running = !l1_done && l1_sync.try_wait().unwrap().is_none();
                let l2_running = l2_sync.as_mut().is_some_and(|c| c.try_wait().unwrap().is_none());
                hub.kill();
                if l1_running || l2_running {
                    hub_kills += 1;
                }
                hub_done = true;
            }
            sleep(Duration::from_millis(2));
        }
        // Unkilled syncs finish on their own (fast when the hub is gone).
        let _ = l1_sync.wait();
        if let Some(mut child) = l2_sync {
            let _ = child.wait();
        }
        if !hub.is_running() {
            hub.restart();
        }
        round += 1;
    }
    eprintln!(
        "{round} rounds, {sync_kills} L1 syncs SIGKILLed mid-run, {hub_kills} hub SIGKILLs during a sync, {:.1?}",
        started.elapsed()
    );
    // A clean final round.
    for store in [&l1, &l2, &s, &l1, &l2] {
        sync(store, &hub);
    }

    // status, case list and verify of each replica, the three replicas side by side.
    let [
        (st1, list1, verify1),
        (st2, list2, verify2),
        (sts, lists, verifys),
    ] = std::thread::scope(|scope| {
        let handles: Vec<_> = [&l1, &l2, &s]
            .into_iter()
            .map(|store| scope.spawn(move || (status(store), case_summaries(store), store.json(&["verify"]))))
            .collect();
        let all: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        <[_; 3]>::try_from(all).ok().unwrap()
    });
    assert_eq!(num(&st1, "pending_ops"), 0, "L1 still has pending ops: {st1}");
    assert_eq!(num(&st2, "pending_ops"), 0, "L2 still has pending ops: {st2}");
    assert_eq!(num(&st1, "rejected_ops"), 0, "the hub rejected ops of L1: {st1}");
    assert_eq!(num(&st2, "rejected_ops"), 0, "the hub rejected ops of L2: {st2}");
    // The hub knows each laptop by its enrollment's device id; the ops a laptop writes carry
    // the store's own device id.
    let hub_device1 = st1["device_id"].as_str().unwrap().to_owned();
    let hub_device2 = st2["device_id"].as_str().unwrap().to_owned();
    let device1 = local_device(&l1);
    let device2 = local_device(&l2);

    // Every op L1 (and L2) wrote is on the hub exactly once; nothing else is there.
    let hub_counts = hub.op_counts();
    let l1_ops = store_ops(&l1);
    let l1_ids: BTreeSet<&str> = l1_ops.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(l1_ids.len(), l1_ops.len(), "L1's log holds an op twice");
    let mut own = BTreeMap::<&str, usize>::new();
    for (op_id, device) in &l1_ops {
        if *device == device1 || *device == device2 {
            *own.entry(device.as_str()).or_default() += 1;
            assert_eq!(
                hub_counts.get(op_id).copied().unwrap_or(0),
                1,
                "op {op_id} written by fay's laptops is not on the hub exactly once"
            );
        }
    }
    assert!(
        own.get(device1.as_str()).copied().unwrap_or(0) > SYNC_KILL_ROUNDS,
        "L1 wrote fewer ops than rounds? ops per device: {own:?}"
    );
    let hub_ids: BTreeSet<&str> = hub_counts.keys().map(String::as_str).collect();
    assert_eq!(
        hub_ids.len(),
        hub_counts.values().sum::<i64>() as usize,
        "an op_id is in the hub's log twice"
    );
    let missing_on_hub: Vec<_> = l1_ids.difference(&hub_ids).collect();
    let missing_on_l1: Vec<_> = hub_ids.difference(&l1_ids).collect();
    assert!(
        missing_on_hub.is_empty() && missing_on_l1.is_empty(),
        "L1 and the hub hold different ops: {} only on L1 {:?}, {} only on the hub {:?}",
        missing_on_hub.len(),
        missing_on_hub.iter().take(5).collect::<Vec<_>>(),
        missing_on_l1.len(),
        missing_on_l1.iter().take(5).collect::<Vec<_>>()
    );
    // Per device: what the hub took from each laptop is what that laptop wrote.
    let conn = hub.open_db();
    for (device, hub_device) in [(&device1, &hub_device1), (&device2, &hub_device2)] {
        let on_hub: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM ops WHERE from_device = ?1",
                [hub_device],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            on_hub as usize,
            own.get(device.as_str()).copied().unwrap_or(0),
            "the hub's ops from device {hub_device} differ from what it wrote"
        );
    }
    // The hub's own count for fay's cases.
    let hub_cases = hub.cases();
    assert!(hub_cases.iter().all(|c| c["lead"] == "fay"), "{hub_cases:?}");
    let hub_case_ops: u64 = hub_cases.iter().map(|c| c["ops"].as_u64().unwrap()).sum();
    assert_eq!(
        hub_case_ops,
        num(&st1, "total_ops"),
        "hub ops for fay's cases vs L1's total_ops"
    );
    assert!(
        hub_cases.iter().all(|c| c["quarantined"] == 0),
        "nothing should be flagged: {hub_cases:?}"
    );

    // Every replica holds the same.
    assert_eq!(num(&st1, "total_ops"), l1_ops.len() as u64, "{st1}");
    assert_eq!(
        num(&st2, "total_ops"),
        num(&st1, "total_ops"),
        "L2 vs L1 total_ops"
    );
    assert_eq!(
        num(&sts, "total_ops"),
        num(&st1, "total_ops"),
        "supervisor vs L1 total_ops"
    );
    assert_eq!(list1.len(), hub_cases.len(), "L1's cases vs the hub's");
    assert_eq!(list2, list1, "L2's case list differs from L1's");
    assert_eq!(lists, list1, "the supervisor's case list differs from L1's");
    for (v, name) in [(verify1, "L1"), (verify2, "L2"), (verifys, "the supervisor")] {
        assert_eq!(v["ok"], true, "verify on {name}: {v}");
    }
    eprintln!("done in {:.1?}", started.elapsed());
}
