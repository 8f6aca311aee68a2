//! Laptops syncing through a real hub, seen in the window: a facilitator's visit reaching their
//! supervisor's team caseload, and a conflict between two laptops of one user resolved on the
//! Conflicts screen.
//! Declared from tests/app_window.rs, whose steps it uses.

use serde_json::Value;

use crate::window::{self, Profile, Window, marker, start_hub};
use crate::{
    add_party, create_case, join_hub, looks_like_reference, record_consent, start_visit, unlock,
    wait_button_gone, wait_saved,
};

/// A facilitator's visit goes through a real hub to their supervisor, who sees the case in
/// the team caseload under the facilitator's name with the visit on its timeline.
#[test]
fn a_visit_reaches_the_supervisor_through_the_hub() {
    let hub = start_hub();
    let fay_code = hub.add_user("fay", "facilitator", Some("north"));
    let sol_code = hub.add_user("sol", "supervisor", Some("north"));

    let fay = Profile::new();
    let wf = Window::open(&fay, "facilitator");
    join_hub(&wf, &hub.url, &fay_code);
    wf.heading("Caseload");
    let summary = format!("Synced case {}", marker());
    let reference = create_case(&wf, &summary);
    add_party(&wf, "Ann Example", "victim");
    record_consent(&wf, "Ann Example");
    start_visit(&wf, "Ann Example");
    let notes = format!("Visit notes for the supervisor {}", marker());
    wf.type_into("Notes", &notes);
    wait_saved(&wf);
    wf.click("Finalise visit");
    wf.click("Yes, finalise");
    // Back on the case page. A background sync may already have replaced the provisional
    // reference with the hub's, so any reference will do as the heading.
    wf.wait_for("the case page again (an h1 holding its reference)", |s| {
        let Some(h1) = Window::displayed(s, "//h1")? else {
            return Ok(None);
        };
        Ok(looks_like_reference(s.text(&h1)?.trim()).then_some(()))
    });
    wf.wait_page_contains(&notes);
    wf.sync_now();

    let row = hub
        .cases()
        .into_iter()
        .find(|c| c["lead"] == "fay")
        .unwrap_or_else(|| panic!("the hub has no case led by fay after the sync: {:?}", hub.cases()));
    let final_reference = row["reference"].as_str().unwrap_or(&reference).to_owned();

    let sol = Profile::new();
    let ws = Window::open(&sol, "supervisor");
    join_hub(&ws, &hub.url, &sol_code);
    ws.sync_now();
    ws.heading("Team caseload");
    let link = format!(
        "//h2[normalize-space(.)='fay']/following::a[contains(normalize-space(.), {})]",
        window::webdriver::xpath_literal(&final_reference)
    );
    ws.el(
        &format!("the case {final_reference} listed under the facilitator \"fay\""),
        &link,
    );
    ws.evidence("team-caseload");
    ws.click_containing(&final_reference);
    ws.heading(&final_reference);
    ws.wait_page_contains(&notes);
    drop(ws);
    drop(wf);
    drop(hub);
}

/// Two laptops of one user change the same summary offline (prepared with the CLI against a
/// real hub); the second laptop's window shows the conflict and resolves it with merged text.
#[test]
fn a_conflict_is_resolved_on_the_conflicts_screen() {
    let hub = start_hub();
    let code1 = hub.add_user("fay", "facilitator", Some("north"));
    let code2 = hub.user_code("fay");
    let l1 = Profile::new();
    let l2 = Profile::new();
    for (laptop, code, name) in [(&l1, &code1, "fay-laptop-1"), (&l2, &code2, "fay-laptop-2")] {
        laptop.enroll(&hub.url, code, name);
    }
    let m = marker();
    let case = l1.new_case(&format!("Original summary {m}"));
    l1.cli_json(&["sync"]);
    l2.cli_json(&["sync"]);
    let text1 = format!("Summary written on laptop 1 {m}");
    let text2 = format!("Summary written on laptop 2 {m}");
    l1.cli_json(&["case", "edit", &case, "--summary", &text1]);
    l2.cli_json(&["case", "edit", &case, "--summary", &text2]);
    for laptop in [&l1, &l2, &l1, &l2] {
        laptop.cli_json(&["sync"]);
    }
    let open = open_conflicts(&l2);
    assert_eq!(
        open.len(),
        1,
        "the CLI should have prepared one conflict: {open:?}"
    );

    let merged = format!("Summary agreed after the conflict {m}");
    {
        let w = Window::open(&l2, "conflicts");
        unlock(&w);
        w.wait_text("#sync-status to mention the conflict", "#sync-status", |t| {
            t.to_lowercase().contains("conflict")
        });
        w.click("Conflicts");
        w.heading("Conflicts");
        w.wait_page_contains("This laptop");
        w.wait_page_contains("Other version");
        w.wait_page_contains(&text1);
        w.wait_page_contains(&text2);
        w.button("Keep this laptop's");
        w.button("Keep other");
        w.evidence("conflicts");
        w.fill("Merged text", &merged);
        w.click("Save merged");
        wait_button_gone(&w, "Save merged");
        w.wait_for("the resolved conflict to leave the screen", |s| {
            let body = s.execute("return document.body.innerText", vec![])?;
            Ok((!body.as_str().unwrap_or_default().contains(&text2)).then_some(()))
        });
    }

    assert!(
        open_conflicts(&l2).is_empty(),
        "the conflict is still open after Save merged: {:?}",
        open_conflicts(&l2)
    );
    assert_eq!(
        summary_of(&l2, &case),
        merged,
        "laptop 2 does not hold the merged summary"
    );
    l2.cli_json(&["sync"]);
    l1.cli_json(&["sync"]);
    assert!(
        open_conflicts(&l1).is_empty(),
        "laptop 1 still has the conflict after syncing"
    );
    assert_eq!(
        summary_of(&l1, &case),
        merged,
        "laptop 1 did not receive the merged summary"
    );
}

fn open_conflicts(p: &Profile) -> Vec<Value> {
    p.cli_json(&["conflicts"])["conflicts"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn summary_of(p: &Profile, case: &str) -> String {
    let cases = p.cli_json(&["case", "list"]);
    cases["cases"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["id"] == case)
        .and_then(|c| c["summary"].as_str())
        .unwrap_or_default()
        .to_owned()
}
