//! The sign-off queue in the window: a facilitator's risk assessment, submitted with the
//! `casebook` command line on their own laptop, reaches their supervisor's queue through a real
//! hub; the supervisor opens its case from the queue, is refused a return without a comment
//! (beside the comment field), approves it, and the queue empties.
//! Declared from tests/app_window.rs, whose steps it uses.

use crate::join_hub;
use crate::window::{Profile, Window, marker, reference_of, start_hub};

#[test]
fn a_supervisor_approves_a_submitted_risk_assessment_from_the_sign_off_queue() {
    let hub = start_hub();
    let fay_code = hub.add_user("fay", "facilitator", Some("north"));
    let sol_code = hub.add_user("sol", "supervisor", Some("north"));

    // The facilitator, on their own laptop with the command line.
    let fay = Profile::new();
    fay.enroll(&hub.url, &fay_code, "fay-laptop");
    let case = fay.new_case(&format!("Threats after a break-in {}", marker()));
    fay.submitted_risk(&case);
    fay.cli_json(&["sync"]);
    let reference = reference_of(&hub, &case);

    let sol = Profile::new();
    let w = Window::open(&sol, "signoffs");
    join_hub(&w, &hub.url, &sol_code);
    w.sync_now();
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
    w.sync_now();
    fay.cli_json(&["sync"]);
    let shown = fay.cli_json(&["risk", "show", &case]);
    assert_eq!(shown["assessments"][0]["state"]["state"], "approved", "{shown}");
    drop(w);
    drop(hub);
}

#[test]
fn a_supervisor_lets_a_meeting_that_is_not_ready_go_ahead_and_the_facilitator_holds_it() {
    let hub = start_hub();
    let fay_code = hub.add_user("fay", "facilitator", Some("north"));
    let sol_code = hub.add_user("sol", "supervisor", Some("north"));

    // A conference the facilitator planned on their laptop; no risk assessment, so not ready.
    let fay = Profile::new();
    fay.enroll(&hub.url, &fay_code, "fay-laptop");
    let case = fay.new_case(&format!("A sentence hearing is near {}", marker()));
    for (role, name) in [("victim", "Ann Example"), ("harmer", "Bob Example")] {
        fay.cli_json(&["party", "add", &case, "--role", role, "--name", name]);
    }
    let planned = fay.cli_json(&[
        "meeting",
        "plan",
        &case,
        "--kind",
        "conference",
        "--date",
        "2027-01-11",
        "--venue",
        "Town hall",
        "--attendees",
        "Ann Example,Bob Example",
    ]);
    let meeting = planned["id"].as_str().unwrap().to_owned();
    let refused = fay.cli(&["meeting", "held", &meeting]);
    assert_eq!(refused.status.code(), Some(5), "not ready: {refused:?}");
    fay.cli_json(&["sync"]);
    let reference = reference_of(&hub, &case);

    // The supervisor opens it from the team's caseload and lets it go ahead, with a reason.
    let sol = Profile::new();
    let w = Window::open(&sol, "meeting-override");
    join_hub(&w, &hub.url, &sol_code);
    w.sync_now();
    w.click_containing(&reference);
    w.heading(&reference);
    w.click_containing("Face-to-face conference");
    w.heading("Meeting");
    w.wait_page_contains("No risk assessment has been made");
    assert!(
        !w.has_button("Record as held"),
        "a supervisor does not hold the meeting"
    );
    w.click("Let it go ahead");
    let said = w.alert_saying(&["say why"]);
    assert!(said.contains("Nothing was recorded"), "{said}");
    w.fill(
        "Reason to go ahead although not ready",
        "Sentencing is on 12 January; the risk is understood and the venue has two rooms.",
    );
    w.evidence("meeting-override");
    w.click("Let it go ahead");
    w.wait_page_contains("The meeting may go ahead although it is not ready.");
    w.wait_page_contains("sol let it go ahead although it is not ready: Sentencing is on 12 January");
    w.sync_now();

    // Written offline, it reaches the facilitator's laptop: the meeting can now be held, with
    // who took part.
    fay.cli_json(&["sync"]);
    let held = fay.cli_json(&["meeting", "held", &meeting, "--attended", "Bob Example"]);
    assert_eq!(held["held"], true, "{held}");
    let shown = fay.cli_json(&["meeting", "show", &meeting]);
    assert_eq!(shown["took_part"][0]["name"], "Bob Example", "{shown}");
    assert_eq!(shown["took_part"].as_array().map(Vec::len), Some(1), "{shown}");
    drop(w);
    drop(hub);
}
