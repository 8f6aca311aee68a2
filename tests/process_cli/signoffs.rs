//! Sign-off of a risk assessment: written offline by a facilitator, signed off offline by a
//! supervisor of the team, each seeing the other's work only after both sync; a return and an
//! approval made offline agree on returned everywhere.

use serde_json::Value;

use crate::common::*;
use crate::{ALL_FACTORS, case_with_draft};

/// The newest assessment of `case` on `store`, as `risk show --json` gives it.
#[track_caller]
fn current_assessment(store: &Store, case: &str) -> Value {
    let v = store.json(&["risk", "show", case]);
    v["assessments"][0].clone()
}

/// Done when (issue 9, risk): a facilitator submits offline, a supervisor of the team approves
/// offline on their own laptop, and the facilitator sees the approval after both sync; the
/// assessment is then current, until a change of circumstances.
#[test]
fn a_supervisor_approves_a_risk_assessment_offline_and_it_reaches_the_facilitator() {
    let hub = start_hub();
    let fac = member(&hub, "femi", "facilitator", Some("north"));
    let sup = member(&hub, "sunita", "supervisor", Some("north"));
    let (case, risk) = case_with_draft(&fac);

    // Submitting needs every factor.
    let refused = fac.run(&["risk", "submit", &risk]);
    assert_code(&refused, EXIT_REFUSED, "submit with a factor missing");
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("readiness to take responsibility"),
        "the refusal names the missing factor: {}",
        describe(&refused)
    );
    fac.ok(&["risk", "edit", &risk, "--factor", ALL_FACTORS[8]]);
    let submitted = fac.json(&["risk", "submit", &risk]);
    assert_eq!(submitted["state"]["state"], "submitted", "{submitted}");
    assert_eq!(submitted["current"], false);
    assert_eq!(submitted["not_current"], "not_approved");

    // A facilitator cannot approve their own work.
    let own = fac.run(&["risk", "approve", &risk]);
    assert_code(&own, EXIT_REFUSED, "a facilitator approving");

    sync(&fac, &hub);
    sync(&sup, &hub);
    let seen = current_assessment(&sup, &case);
    assert_eq!(
        seen["state"]["state"], "submitted",
        "the supervisor holds it: {seen}"
    );
    assert_eq!(
        seen["factors"]["intimidation"]["note"], "Messages sent after the incident",
        "{seen}"
    );

    // The supervisor cannot change the facilitator's assessment, only sign it off.
    let edit = sup.run(&["risk", "edit", &risk, "--rating", "low"]);
    assert_code(&edit, EXIT_REFUSED, "a supervisor editing the assessment");
    // Returning needs a comment; approving offline works.
    let bare = sup.run(&["risk", "return", &risk, "--note", "  "]);
    assert_code(&bare, EXIT_REFUSED, "a return without a comment");
    let approved = sup.json(&["risk", "approve", &risk, "--note", "Good plan."]);
    assert_eq!(approved["assessment"]["state"]["state"], "approved", "{approved}");

    // Before syncing, the facilitator still sees it waiting.
    assert_eq!(current_assessment(&fac, &case)["state"]["state"], "submitted");
    sync(&sup, &hub);
    sync(&fac, &hub);
    let mine = current_assessment(&fac, &case);
    assert_eq!(mine["state"]["state"], "approved", "{mine}");
    assert_eq!(mine["current"], true, "{mine}");
    assert_eq!(mine["sign_offs"][0]["by_name"], "sunita", "{mine}");
    assert_eq!(mine["sign_offs"][0]["note"], "Good plan.", "{mine}");

    // A change of circumstances makes it stop being current, on every laptop after sync.
    fac.ok(&["risk", "changed", &risk, "--note", "He moved next door to her."]);
    let changed = current_assessment(&fac, &case);
    assert_eq!(changed["current"], false);
    assert_eq!(changed["not_current"], "circumstances_changed", "{changed}");
    sync(&fac, &hub);
    sync(&sup, &hub);
    assert_eq!(
        current_assessment(&sup, &case)["not_current"],
        "circumstances_changed"
    );

    // Revised and submitted again, the earlier approval does not count for the new version.
    fac.ok(&[
        "risk",
        "edit",
        &risk,
        "--factor",
        "intimidation=high",
        "--mitigations",
        "Shuttle only.",
    ]);
    let again = fac.json(&["risk", "submit", &risk]);
    assert_eq!(again["state"]["state"], "submitted", "{again}");
    assert_eq!(again["sign_offs"][0]["current"], false, "{again}");
}

/// Two supervisors answer the same submission offline: one approves, one returns. After sync
/// every laptop agrees that it is returned (a concern raised is never hidden by an approval).
#[test]
fn a_return_and_an_approval_made_offline_agree_on_returned_everywhere() {
    let hub = start_hub();
    let fac = member(&hub, "femi", "facilitator", Some("north"));
    let s1 = member(&hub, "sunita", "supervisor", Some("north"));
    let s2 = member(&hub, "sam", "supervisor", Some("north"));
    let other = member(&hub, "sol", "supervisor", Some("south"));
    let (case, risk) = case_with_draft(&fac);
    fac.ok(&["risk", "edit", &risk, "--factor", ALL_FACTORS[8]]);
    fac.ok(&["risk", "submit", &risk]);
    sync(&fac, &hub);
    for s in [&s1, &s2, &other] {
        sync(s, &hub);
    }
    assert!(
        case_ids(&other).is_empty(),
        "a supervisor of another team never receives the case"
    );
    s1.ok(&["risk", "approve", &risk]);
    s2.ok(&["risk", "return", &risk, "--note", "Say more about the messages."]);
    for s in [&s1, &s2, &fac, &s1, &s2] {
        sync(s, &hub);
    }
    for (who, store) in [("femi", &fac), ("sunita", &s1), ("sam", &s2)] {
        let a = current_assessment(store, &case);
        assert_eq!(a["state"]["state"], "returned", "{who}: {a}");
        assert_eq!(a["state"]["note"], "Say more about the messages.", "{who}: {a}");
    }
}
