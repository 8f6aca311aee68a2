//! Cross-process tests of sync: the real `casebook-hub` binary serving a scratch data dir on
//! 127.0.0.1, and `casebook` stores enrolled with it. One module per concern: scope per role
//! (and a supervisor's team caseload), reassignment with a late offline note, two laptops of
//! one user converging through a conflict, revocation with and without wipe, the protocol's
//! error answers over raw HTTP, and a hub that is down.

#![allow(clippy::unwrap_used, missing_docs)]

#[path = "../common/mod.rs"]
mod common;

mod conflicts;
mod offline;
mod protocol_errors;
mod reassignment;
mod revocation;
mod scope;

use common::*;

/// A case with one victim party, `Ann`, created on `store` (offline); returns (id, reference).
#[track_caller]
fn case_with_party(store: &Store, summary: &str) -> (String, String) {
    let (id, reference) = store.new_case(summary);
    store.create(&["party", "add", &id, "--role", "victim", "--name", "Ann"]);
    (id, reference)
}

/// `case show CASE --json`, as text (to look for a marker anywhere in it).
#[track_caller]
fn show_text(store: &Store, case: &str) -> String {
    store.json(&["case", "show", case]).to_string()
}

/// `case show CASE --json` timeline notes.
#[track_caller]
fn timeline_notes(store: &Store, case: &str) -> Vec<String> {
    let v = store.json(&["case", "show", case]);
    v["timeline"]
        .as_array()
        .unwrap_or_else(|| panic!("case show --json: no \"timeline\" array in {v}"))
        .iter()
        .filter_map(|e| e["notes"].as_str().map(str::to_owned))
        .collect()
}
