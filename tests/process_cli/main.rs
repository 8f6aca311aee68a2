//! Cross-process tests of the restorative process after the visits: real `casebook` stores,
//! each on its own laptop (directory), syncing through the real `casebook-hub` binary over HTTP.
//! One module per concern: supervisors' sign-off of risk assessments, a meeting's readiness,
//! and the documents (preparation brief, court report) read back from their PDFs.

#![allow(clippy::unwrap_used, missing_docs)]

#[path = "../common/mod.rs"]
mod common;

mod documents;
mod meeting;
mod signoffs;

use common::*;

const ALL_FACTORS: [&str; 9] = [
    "re-victimisation=medium",
    "power-imbalance=low",
    "intimidation=high",
    "violence=low",
    "substance-use=low",
    "mental-health=medium",
    "safeguarding=low",
    "abuse-context=low",
    "responsibility=medium",
];

/// A case with a victim, and a risk assessment of it with every factor but one assessed.
fn case_with_draft(fac: &Store) -> (String, String) {
    let (case, _) = fac.new_case(&format!("Threats after a break-in {}", marker()));
    fac.create(&["party", "add", &case, "--role", "victim", "--name", "Ann"]);
    let mut args = vec![
        "risk",
        "new",
        &case,
        "--rating",
        "medium",
        "--mitigations",
        "Separate arrival times.",
    ];
    for f in &ALL_FACTORS[..8] {
        args.extend(["--factor", f]);
    }
    args.extend(["--factor-note", "intimidation=Messages sent after the incident"]);
    let risk = fac.create(&args);
    (case, risk)
}
