//! The risk assessment in the window: filled on the case screen, refused for sign-off while a
//! factor is missing, submitted, and shown approved once a supervisor's approval (made with the
//! CLI on their own laptop) arrives by sync.
//! Declared from tests/app_window.rs, whose steps it uses.

use crate::window::{Profile, Window, marker, start_hub};
use crate::{create_case, join_hub};

/// The nine factors as the risk assessment screen labels them (`RiskFactor`'s labels).
const RISK_FACTORS: [&str; 9] = [
    "Re-victimisation",
    "Power imbalance",
    "Intimidation or threats",
    "History of violence",
    "Substance use",
    "Mental health",
    "Safeguarding of a child or adult at risk",
    "Domestic or sexual abuse context",
    "Readiness to take responsibility",
];

/// The text of `#risk-state` once it satisfies `ok`.
fn risk_state(w: &Window, what: &str, ok: impl Fn(&str) -> bool) -> String {
    w.wait_text(&format!("#risk-state to say {what}"), "#risk-state", ok)
}

/// A facilitator fills the risk assessment on the case screen: "Submit for sign-off" is refused
/// while a factor is missing, and works once it is assessed. A supervisor approves it with the
/// `casebook` CLI on their own store; after both sync, the facilitator's window says "Approved"
/// by the supervisor, and current.
#[test]
fn a_risk_assessment_is_submitted_in_the_window_and_approved_by_a_supervisor_elsewhere() {
    let hub = start_hub();
    let fay_code = hub.add_user("fay", "facilitator", Some("north"));
    let sol_code = hub.add_user("sol", "supervisor", Some("north"));

    let fay = Profile::new();
    let w = Window::open(&fay, "risk");
    join_hub(&w, &hub.url, &fay_code);
    create_case(&w, &format!("Risk assessed case {}", marker()));
    risk_state(&w, "that there is none yet", |t| {
        t.contains("No risk assessment yet")
    });
    w.click("Start the risk assessment");

    let missing = RISK_FACTORS[2];
    for factor in RISK_FACTORS.iter().filter(|f| **f != missing) {
        w.select(&format!("{factor}: level"), "medium");
    }
    w.fill(
        "History of violence: note",
        "One caution, five years ago; nothing since.",
    );
    w.select("Overall rating", "medium");
    w.fill(
        "Safety plan",
        "Meet at the probation office, a co-facilitator present; separate arrivals.",
    );
    w.click("Submit for sign-off");
    let refusal = w.alert_saying(&["not assessed yet"]);
    assert!(
        refusal.to_lowercase().contains(&missing.to_lowercase()),
        "the refusal names the missing factor {missing:?}: {refusal}"
    );
    risk_state(&w, "Draft (saved, not submitted)", |t| t.trim() == "Draft");

    w.select(&format!("{missing}: level"), "high");
    w.fill(
        &format!("{missing}: note"),
        "Messages after the incident; none for a year.",
    );
    w.click("Submit for sign-off");
    let submitted = risk_state(&w, "Submitted <date>", |t| t.starts_with("Submitted "));
    assert!(
        submitted
            .split_whitespace()
            .last()
            .is_some_and(|y| y.len() == 4 && y.starts_with("20")),
        "a British date (27 Nov 2026): {submitted}"
    );
    w.wait_page_contains("Not current: the risk assessment has not been approved by a supervisor");
    w.button("Revise the risk assessment");
    w.s.execute(
        "document.getElementById('risk-state').closest('section').scrollIntoView()",
        vec![],
    )
    .unwrap();
    w.evidence("risk-assessment");
    w.sync_now();

    // The supervisor, on their own laptop with the command line.
    let case = hub
        .cases()
        .into_iter()
        .find(|c| c["lead"] == "fay")
        .and_then(|c| c["case_id"].as_str().map(str::to_owned))
        .unwrap_or_else(|| panic!("the hub has no case led by fay: {:?}", hub.cases()));
    let sol = Profile::new();
    sol.enroll(&hub.url, &sol_code, "sol-laptop");
    sol.cli_json(&["sync"]);
    let shown = sol.cli_json(&["risk", "show", &case]);
    let risk = shown["assessments"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("risk show --json: no assessment: {shown}"))
        .to_owned();
    assert_eq!(shown["assessments"][0]["state"]["state"], "submitted", "{shown}");
    sol.cli_json(&["risk", "approve", &risk, "--note", "Good plan."]);
    sol.cli_json(&["sync"]);

    w.click("Sync now");
    let approved = risk_state(&w, "Approved <date> by sol", |t| t.starts_with("Approved "));
    assert!(approved.ends_with("by sol"), "{approved}");
    w.wait_page_contains("Current: a meeting may rely on it.");
    w.button("Record a change of circumstances");
    drop(w);
    drop(hub);
}
