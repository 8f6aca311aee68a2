//! The case, whole, in the window: a facilitator edits the referral (a missing field is named
//! beside it and nothing typed is lost), closes the case with an outcome and reopens it, edits
//! a party, and amends a finalised visit, with the original and its amendment both on the
//! timeline.
//! Declared from tests/app_window.rs, whose steps (`create_case`, `add_party`, ...) it uses.

use crate::window::{Profile, Window, marker};
use crate::{add_party, create_case, record_consent, start_visit, unlock, wait_button_gone, wait_saved};

/// A store of its own, unlocked in a window, with a new case open; returns the window.
fn open_case(profile: &Profile, name: &str, summary: &str) -> Window {
    profile.init_store();
    let w = Window::open(profile, name);
    unlock(&w);
    create_case(&w, summary);
    w
}

#[test]
fn a_facilitator_edits_the_referral_closes_the_case_with_an_outcome_and_reopens_it() {
    let profile = Profile::new();
    let w = open_case(&profile, "case-edit", "Bike taken from the school shed.");

    w.click("Edit referral");
    w.fill("Summary", "  ");
    w.click("Save referral");
    let said = w.alert_saying(&["summary"]);
    assert!(said.contains("Nothing was changed"), "{said:?}");

    // Plain words, not a marker: this form is the docs' screenshot, and the store is the test's own.
    let summary = "Bike taken from the school shed; the head teacher asks to meet the pupil.";
    w.fill("Summary", summary);
    w.select("Justice stage", "pre_sentence");
    w.fill("Referrer", "DC Shah, youth team");
    w.click("Save referral");
    let said = w.alert_saying(&["court"]);
    assert!(
        said.contains("pre-sentence"),
        "the court date is asked for: {said:?}"
    );
    assert_eq!(
        w.value_of("Summary"),
        summary,
        "a refused save keeps what was typed"
    );
    assert_eq!(w.value_of("Referrer"), "DC Shah, youth team");
    w.s.execute(
        "document.querySelector('textarea').closest('form').scrollIntoView({block: 'start'})",
        vec![],
    )
    .unwrap();
    w.evidence("case-edit");

    w.set_value("Court date", "2027-03-04");
    w.click("Save referral");
    wait_button_gone(&w, "Save referral");
    w.wait_page_contains(summary);
    w.wait_page_contains("DC Shah, youth team");
    w.wait_page_contains("4 March 2027");

    w.select("New status", "contacting");
    w.click("Change status");
    w.wait_page_contains("The case moved to contacting.");
    // Follow-up: feedback only with the party's consent to follow-up, then the case closes
    // from the same screen.
    add_party(&w, "Hana Example", "victim");
    w.select("Whose feedback", "Hana Example (victim)");
    w.select("How satisfied with the process", "very_satisfied");
    let words = "I got to say how it felt, and he listened.";
    w.fill("In their own words", words);
    w.click("Record feedback");
    let said = w.alert_saying(&["consent to follow-up"]);
    assert!(
        said.contains("Hana Example") && said.contains("Nothing was recorded"),
        "{said}"
    );
    assert_eq!(
        w.value_of("In their own words"),
        words,
        "a refusal keeps what was typed"
    );
    w.click("Record consent");
    w.select("Party", "Hana Example");
    w.select("Scope", "follow_up");
    w.select("Decision", "given");
    w.select("Method", "verbal");
    crate::date_if_empty(&w, "Date");
    w.click("Save consent");
    wait_button_gone(&w, "Save consent");
    w.check("Yes");
    w.click("Record feedback");
    w.wait_page_contains("Feedback recorded.");
    w.wait_page_contains("very satisfied; would recommend it.");
    w.wait_page_contains(words);
    w.s.execute(
        "[...document.querySelectorAll('h2')].find((h) => h.textContent === 'Follow-up feedback').scrollIntoView({block: 'start'})",
        vec![],
    )
    .unwrap();
    w.evidence("feedback");

    w.select("New status", "closed");
    w.click("Close case");
    let said = w.alert_saying(&["outcome"]);
    assert!(!said.contains("--"), "worded for the window: {said:?}");
    let outcome = format!("The school and the pupil agreed repairs {}", marker());
    w.fill("Outcome", &outcome);
    w.click("Close case");
    w.wait_page_contains("The case is closed.");
    w.wait_page_contains(&outcome);
    for gone in ["Edit referral", "Record a visit", "Add party", "Record consent"] {
        assert!(!w.has_button(gone), "a closed case offers {gone:?}");
    }

    w.select("Reopen as", "contacting");
    w.click("Reopen case");
    w.wait_page_contains("The case is reopened: contacting.");
    w.button("Edit referral");
    w.button("Record a visit");
    let statuses = w.page_text().matches("Status: ").count();
    assert!(statuses >= 3, "each move is on the timeline:\n{}", w.page_text());
}

#[test]
fn a_facilitator_edits_a_party_and_amends_a_finalised_visit_seeing_both_on_the_timeline() {
    let profile = Profile::new();
    let w = open_case(&profile, "amend", "Window broken at the corner shop.");
    add_party(&w, "Ann Example", "victim");
    w.click("Edit Ann Example");
    w.fill("Name", "  ");
    w.click("Save changes");
    w.alert_saying(&["name"]);
    w.fill("Name", "Ann Example");
    w.fill("Phone", "01632 960123");
    w.click("Save changes");
    wait_button_gone(&w, "Save changes");
    w.wait_page_contains("Phone: 01632 960123");
    record_consent(&w, "Ann Example");

    start_visit(&w, "Ann Example");
    let first = format!("Ann wants to meet on Tuesday {}", marker());
    w.type_into("Notes", &first);
    wait_saved(&w);
    w.click("Finalise visit");
    w.click("Yes, finalise");
    w.wait_page_contains(&first);

    w.click("Amend this note");
    w.heading("Amend a visit note");
    assert_eq!(
        w.value_of("Notes"),
        first,
        "the amendment starts from the note it corrects"
    );
    let corrected = format!("Ann wants to meet on Thursday, not Tuesday {}", marker());
    w.fill("Notes", &corrected);
    wait_saved(&w);
    w.click("Finalise visit");
    w.click("Yes, finalise");
    w.wait_page_contains(&corrected);
    w.wait_page_contains("Amends the note of");
    w.wait_page_contains("Amended by a later note");
    assert!(
        w.page_text().contains(&first),
        "the original stays on the timeline"
    );
}
