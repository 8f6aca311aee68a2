//! Crash safety of the `casebook` store across processes: a bulk writer SIGKILLed again and
//! again at random moments leaves a store that still opens, never loses committed cases and
//! passes `casebook verify` (cipher integrity and op log consistency).

#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::thread::sleep;
use std::time::Duration;

use common::*;
use serde_json::Value;

const ROUNDS: usize = 50;

/// How long a demo may take to unlock the store and commit its first case. Generous: unlocking
/// (scrypt) is slow on a loaded machine, and waiting costs nothing when it is fast.
const FIRST_COMMIT_LIMIT: Duration = Duration::from_secs(120);

// A fixed delay from the start would land before the first write whenever the unlock is slow
// (another build running), so each kill waits for the demo's own word that a case is
// committed ("demo: 1 of 500 cases written"), then a random short delay: the demo commits a
// case every few milliseconds, so the SIGKILL lands in the middle of its writes.

/// Done when #6: `verify` passes after 50 SIGKILLs during writes; `case list --json` keeps
/// working, the number of cases never goes down, and no case the demo said it committed is
/// lost.
#[test]
fn verify_passes_after_50_sigkills_during_writes() {
    let store = Store::new();
    let mut last_count = 0;
    let mut killed = 0;
    for round in 1..=ROUNDS {
        let (mut demo, mut stderr) = store.spawn_watched(&["demo", "--cases", "500"], "warn");
        if let Err(why) = stderr.wait_for(FIRST_COMMIT_LIMIT, |l| l.starts_with("demo: ")) {
            kill(&mut demo);
            panic!("round {round}: the demo did not report its first committed case: {why}");
        }
        sleep(Duration::from_millis(random_between(0, 250)));
        if kill(&mut demo) {
            killed += 1;
        }
        if round % 10 == 0 {
            let cases = store.cases();
            assert!(
                cases.len() >= last_count,
                "round {round}: cases went from {last_count} down to {} after SIGKILLs",
                cases.len()
            );
            // Each round's demo said it had committed at least one case before its SIGKILL.
            assert!(
                cases.len() >= round,
                "round {round}: only {} cases, but every demo so far reported a committed case",
                cases.len()
            );
            for c in &cases {
                for field in ["id", "reference", "summary", "status"] {
                    assert!(
                        c[field].as_str().is_some_and(|s| !s.is_empty()),
                        "round {round}: half-written case? {c}"
                    );
                }
            }
            last_count = cases.len();
        }
    }
    assert!(
        killed >= ROUNDS / 2,
        "only {killed} of {ROUNDS} demo runs were still running when killed: the kills did not hit writes"
    );

    let out = store.run(&["verify", "--json"]);
    assert_code(
        &out,
        EXIT_OK,
        &format!("verify after {ROUNDS} SIGKILLs ({killed} mid-run)"),
    );
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("verify --json: stdout is not JSON ({e})\n{}", describe(&out)));
    assert_eq!(
        v["ok"],
        Value::Bool(true),
        "verify --json after the SIGKILLs: {v:#}"
    );
    assert!(store.cases().len() >= last_count, "cases lost after verify");
}
