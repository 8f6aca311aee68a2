//! A meeting's readiness: it becomes ready with the supervisor's sign-off and every consent,
//! and a consent withdrawn on another laptop makes it not ready again after sync.

use serde_json::json;

use crate::common::*;
use crate::{ALL_FACTORS, case_with_draft};

/// Every consent a conference needs from one party.
fn consent_all(store: &Store, case: &str, party: &str) {
    for scope in ["participation", "direct-meeting"] {
        store.create(&[
            "consent",
            "record",
            case,
            "--party",
            party,
            "--scope",
            scope,
            "--decision",
            "given",
            "--method",
            "verbal",
        ]);
    }
}

/// The items `meeting show --json` lists as missing.
#[track_caller]
fn missing_items(store: &Store, meeting: &str) -> Vec<String> {
    let v = store.json(&["meeting", "show", meeting]);
    v["missing"]
        .as_array()
        .unwrap_or_else(|| panic!("meeting show --json: no missing list in {v}"))
        .iter()
        .map(|m| m["item"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Done when (issue 9, meeting): a facilitator prepares a conference offline, the supervisor
/// approves the risk assessment offline, both sync, and the meeting becomes ready once what a
/// person vouches for is confirmed; a consent withdrawn on the facilitator's second laptop makes
/// it not ready on the first after sync, and recording it held is then refused with the reason.
#[test]
fn a_meeting_becomes_ready_with_sign_off_and_consent_and_a_withdrawal_elsewhere_undoes_it() {
    let hub = start_hub();
    let laptop = enroll(
        &hub,
        &hub.add_user("femi", "facilitator", Some("north")),
        "femi-laptop-1",
    );
    let sup = member(&hub, "sunita", "supervisor", Some("north"));
    let (case, risk) = case_with_draft(&laptop);
    laptop.create(&["party", "add", &case, "--role", "harmer", "--name", "Bob"]);
    laptop.ok(&["risk", "edit", &risk, "--factor", ALL_FACTORS[8]]);
    laptop.ok(&["risk", "submit", &risk]);

    let planned = laptop.json(&[
        "meeting",
        "plan",
        &case,
        "--kind",
        "conference",
        "--date",
        "2026-12-10",
        "--time",
        "14:00",
        "--venue",
        "Community centre",
        "--attendees",
        "Ann,Bob",
    ]);
    let meeting = planned["id"].as_str().unwrap().to_owned();
    assert_eq!(planned["ready"], false);
    let missing = missing_items(&laptop, &meeting);
    assert!(missing.contains(&"risk_assessment".to_owned()), "{missing:?}");
    assert_eq!(
        missing.iter().filter(|m| m.starts_with("consent:")).count(),
        4,
        "two consents for each of Ann and Bob: {missing:?}"
    );

    // The plan moves a week and to another room: only what is given changes.
    let moved = laptop.json(&[
        "meeting",
        "edit",
        &meeting,
        "--date",
        "2026-12-17",
        "--venue",
        "Town hall",
    ]);
    assert_eq!(moved["changed"], true, "{moved}");
    let again = laptop.json(&["meeting", "edit", &meeting, "--attendees", "Bob,Ann"]);
    assert_eq!(
        again["changed"], false,
        "the same people in another order: {again}"
    );

    // What the records decide cannot be ticked by hand.
    let ticked = laptop.run(&["meeting", "confirm", &meeting, "risk_assessment"]);
    assert_code(&ticked, EXIT_REFUSED, "confirming the risk assessment by hand");
    assert!(
        String::from_utf8_lossy(&ticked.stderr).contains("casebook risk"),
        "{}",
        describe(&ticked)
    );
    let held = laptop.run(&["meeting", "held", &meeting]);
    assert_code(&held, EXIT_REFUSED, "holding an unprepared meeting");
    assert!(
        String::from_utf8_lossy(&held.stderr).contains("not ready"),
        "{}",
        describe(&held)
    );

    // Preparation, all offline: consents, visits after the submission, the practical items.
    consent_all(&laptop, &case, "Ann");
    consent_all(&laptop, &case, "Bob");
    for who in ["Ann", "Bob"] {
        laptop.create(&[
            "contact",
            "add",
            &case,
            "--party",
            who,
            "--kind",
            "visit",
            "--date",
            &today(),
            "--notes",
            "Talked through the meeting.",
        ]);
    }
    laptop.ok(&[
        "meeting",
        "prepare",
        &meeting,
        "--section",
        "opening",
        "--text",
        "Welcome; ground rules.",
    ]);
    for item in ["venue_checked", "ground_rules_agreed", "facts_acknowledged:Bob"] {
        laptop.ok(&["meeting", "confirm", &meeting, item]);
    }
    assert_eq!(missing_items(&laptop, &meeting), vec!["risk_assessment"]);

    // The supervisor signs off offline; after both sync, the meeting is ready.
    sync(&laptop, &hub);
    sync(&sup, &hub);
    sup.ok(&["risk", "approve", &risk]);
    sync(&sup, &hub);
    sync(&laptop, &hub);
    let shown = laptop.json(&["meeting", "show", &meeting]);
    assert_eq!(shown["ready"], true, "{shown}");
    let seen = sup.json(&["meeting", "show", &meeting]);
    assert_eq!(
        (&seen["planned_on"], &seen["venue"], &seen["planned_time"]),
        (&json!("2026-12-17"), &json!("Town hall"), &json!("14:00")),
        "the change reached the supervisor through the hub's judgement: {seen}"
    );
    assert_eq!(shown["plan"]["opening"], "Welcome; ground rules.", "{shown}");
    assert_eq!(
        sup.json(&["meeting", "show", &meeting])["ready"],
        true,
        "the supervisor agrees"
    );

    // Ann withdraws her consent, recorded on the facilitator's second laptop.
    let second = enroll(&hub, &hub.user_code("femi"), "femi-laptop-2");
    sync(&second, &hub);
    second.create(&[
        "consent",
        "record",
        &case,
        "--party",
        "Ann",
        "--scope",
        "direct-meeting",
        "--decision",
        "withdrawn",
        "--method",
        "verbal",
    ]);
    sync(&second, &hub);
    sync(&laptop, &hub);
    let after = laptop.json(&["meeting", "show", &meeting]);
    assert_eq!(after["ready"], false, "{after}");
    let text = after["missing"][0]["text"].as_str().unwrap_or_default();
    assert!(
        text.contains("Ann's consent to a direct meeting is withdrawn"),
        "{after}"
    );
    let refused = laptop.run(&["meeting", "held", &meeting]);
    assert_code(&refused, EXIT_REFUSED, "holding after a withdrawal");
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("withdrawn"),
        "{}",
        describe(&refused)
    );

    // Only a supervisor overrides, with a reason; the override reaches the facilitator by sync.
    assert_code(
        &laptop.run(&["meeting", "override", &meeting, "--reason", "x"]),
        EXIT_REFUSED,
        "a facilitator overriding",
    );
    sync(&sup, &hub);
    assert_code(
        &sup.run(&["meeting", "override", &meeting, "--reason", " "]),
        EXIT_REFUSED,
        "an override without a reason",
    );
    sup.ok(&[
        "meeting",
        "override",
        &meeting,
        "--reason",
        "Ann asked to go ahead by letter; recorded at her visit.",
    ]);
    sync(&sup, &hub);
    sync(&laptop, &hub);
    let shown = laptop.json(&["meeting", "show", &meeting]);
    assert_eq!(shown["overridden"][0], "sunita", "{shown}");
    laptop.ok(&["meeting", "held", &meeting]);
    assert!(laptop.json(&["meeting", "show", &meeting])["held_on"].is_string());
}
