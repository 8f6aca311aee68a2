//! A large caseload in the window: a hundred cases at a time, the most urgent first, with how
//! many there are in all, and more on request; the amount shown survives opening a case.
//! Declared from tests/app_window.rs, whose `unlock` it uses.

use crate::unlock;
use crate::window::{Profile, Window};

/// The case links in the list.
fn case_links(w: &Window) -> u64 {
    w.s.execute(
        "return document.querySelectorAll('ul.cases a.case').length",
        vec![],
    )
    .unwrap()
    .as_u64()
    .unwrap_or(0)
}

fn wait_links(w: &Window, n: u64) {
    w.wait_for(&format!("{n} case links"), |_| {
        Ok((case_links(w) == n).then_some(()))
    });
}

#[test]
fn a_large_caseload_shows_a_hundred_cases_at_a_time_and_more_on_request() {
    let profile = Profile::new();
    profile.init_store();
    profile.cli_json(&["demo", "--cases", "250"]);
    let w = Window::open(&profile, "caseload");
    unlock(&w);

    w.wait_page_contains("Showing the first 100 of 250 cases, what needs doing next first.");
    wait_links(&w, 100);
    let first = w.el("the first case", "(//ul[contains(@class,'cases')]//a)[1]");
    let first_text = w.s.text(&first).unwrap();
    w.axe_check("caseload-window");

    w.click("Show 100 more");
    w.wait_page_contains("Showing the first 200 of 250 cases");
    wait_links(&w, 200);
    let again = w.el("the first case", "(//ul[contains(@class,'cases')]//a)[1]");
    assert_eq!(
        w.s.text(&again).unwrap(),
        first_text,
        "more is added after, in order"
    );

    // Opening a case and coming back keeps what was shown.
    w.s.click(&again).unwrap();
    w.click("← Caseload");
    w.heading("Caseload");
    wait_links(&w, 200);
    w.click("Show 50 more");
    w.wait_page_contains("250 cases, what needs doing next first.");
    wait_links(&w, 250);
    assert!(!w.has_button("Show 50 more"), "nothing more to show");
}
