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

// Unlocking (scrypt) takes ~0.3 s and the demo then commits a case every few milliseconds for
// seconds on end, so a kill 0.4–1.1 s after the start lands in the middle of its writes.

/// Done when #6: `verify` passes after 50 SIGKILLs during writes; `case list --json` keeps
/// working and the number of cases never goes down.
#[test]
fn verify_passes_after_50_sigkills_during_writes() {
    let store = Store::new();
    let mut last_count = 0;
    let mut killed = 0;
    for round in 1..=ROUNDS {
        let mut demo = store.spawn(&["demo", "--cases", "500"]);
        sleep(Duration::from_millis(random_between(400, 1100)));
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
    assert!(
        last_count > 0,
        "no case was ever committed: the demo never got to write before being killed"
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
