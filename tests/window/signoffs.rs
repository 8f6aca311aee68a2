//! The sign-off queue in the window: a facilitator's risk assessment, submitted with the
//! `casebook` command line on their own laptop, reaches their supervisor's queue through a real
//! hub; the supervisor opens its case from the queue, is refused a return without a comment
//! (beside the comment field), approves it, and the queue empties.
//! Declared from tests/app_window.rs, whose steps it uses.

use crate::join_hub;
use crate::window::{Profile, Window, marker, start_hub};

/// The nine factors' names on the command line (`casebook risk new --factor NAME=LEVEL`).
pub(crate) const FACTORS: [&str; 9] = [
    "re-victimisation",
    "power-imbalance",
    "intimidation",
    "violence",
    "substance-use",
    "mental-health",
    "safeguarding",
    "abuse-context",
    "responsibility",
];

#[test]
fn a_supervisor_approves_a_submitted_risk_assessment_from_the_sign_off_queue() {
    let hub = start_hub();
    let fay_code = hub.add_user("fay", "facilitator", Some("north"));
    let sol_code = hub.add_user("sol", "supervisor", Some("north"));

    // The facilitator, on their own laptop with the command line.
    let fay = Profile::new();
    std::fs::create_dir_all(&fay.store).unwrap();
    fay.cli_json(&[
        "enroll",
        "--hub",
        &hub.url,
        "--code",
        &fay_code,
        "--name",
        "fay-laptop",
    ]);
    let summary = format!("Threats after a break-in {}", marker());
    let created = fay.cli_json(&[
        "case",
        "new",
        "--kind",
        "rj",
        "--stage",
        "out-of-court",
        "--source",
        "police",
        "--summary",
        &summary,
    ]);
    let case = created["id"].as_str().unwrap().to_owned();
    let factors: Vec<String> = FACTORS.iter().map(|f| format!("{f}=low")).collect();
    let mut args = vec![
        "risk",
        "new",
        &case,
        "--rating",
        "low",
        "--mitigations",
        "Separate arrivals.",
    ];
    for f in &factors {
        args.extend(["--factor", f]);
    }
    let risk = fay.cli_json(&args);
    let risk = risk["id"].as_str().unwrap().to_owned();
    fay.cli_json(&["risk", "submit", &risk]);
    fay.cli_json(&["sync"]);
    let reference = hub
        .cases()
        .into_iter()
        .find(|c| c["case_id"] == case.as_str())
        .and_then(|c| c["reference"].as_str().map(str::to_owned))
        .unwrap_or_else(|| panic!("the hub has no case {case}: {:?}", hub.cases()));

    let sol = Profile::new();
    let w = Window::open(&sol, "signoffs");
    join_hub(&w, &hub.url, &sol_code);
    w.click("Sync now");
    w.wait_text("#sync-status to say Synced", "#sync-status", |t| {
        t.contains("Synced")
    });
    w.click("Sign-offs 1 waiting");
    w.heading("Sign-offs waiting");
    w.wait_text("#signoffs-count", "#signoffs-count", |t| {
        t == "1 submission waiting."
    });
    w.wait_page_contains(&format!("Risk assessment for {reference}"));
    w.wait_page_contains("Submitted by fay on ");

    w.click(&reference);
    w.heading(&reference);
    w.wait_text("#risk-state to say Submitted", "#risk-state", |t| {
        t.starts_with("Submitted ")
    });
    w.click("Sign-offs 1 waiting");
    w.heading("Sign-offs waiting");

    w.click("Return");
    let said = w.alert_saying(&["what should change"]);
    assert!(said.contains("Nothing was sent back"), "{said:?}");
    let invalid = w.field("Comment for the facilitator");
    assert_eq!(
        w.s.attribute(&invalid, "aria-invalid").unwrap().as_deref(),
        Some("true"),
        "the comment field is marked as the one at fault"
    );
    w.evidence("signoff-queue");

    w.click("Approve");
    w.wait_page_contains(&format!("Risk assessment of {reference} approved."));
    w.wait_text("#signoffs-empty", "#signoffs-empty", |t| {
        t == "Nothing is waiting for a sign-off."
    });
    w.button("Sign-offs 0 waiting");

    // The approval was written offline; the facilitator sees it after both sync.
    w.click("Sync now");
    w.wait_text("#sync-status to say Synced", "#sync-status", |t| {
        t.contains("Synced")
    });
    fay.cli_json(&["sync"]);
    let shown = fay.cli_json(&["risk", "show", &case]);
    assert_eq!(shown["assessments"][0]["state"]["state"], "approved", "{shown}");
    drop(w);
    drop(hub);
}
