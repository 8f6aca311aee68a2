//! A meeting prepared, held and agreed in the window. A facilitator's case is prepared with the
//! `casebook` command line on their laptop (parties, consents, visits, a risk assessment
//! submitted), then in the window they plan a conference and see the readiness checklist the
//! domain computes: a practical item they confirm leaves it; a consent recorded in the window
//! leaves it; the supervisor's approval, made offline on their own laptop and synced through a
//! real hub, leaves it. Once nothing is missing the meeting is recorded as held, the agreement
//! recorded, and its PDF saved where the person says and read back with `pdftotext`.
//! Declared from tests/app_window.rs, whose steps it uses.

use crate::window::{Profile, Window, pdf_first_page_png, pdf_pages, reference_of, start_hub};
use crate::{date_if_empty, today, unlock, wait_button_gone};

/// The readiness list's text (empty once nothing is missing).
fn readiness(w: &Window) -> String {
    w.s.execute(
        "const l = document.getElementById('readiness'); return l ? l.innerText : '';",
        vec![],
    )
    .unwrap()
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

/// Waits until the readiness list no longer mentions `gone`.
fn wait_left_the_list(w: &Window, gone: &str) {
    w.wait_for(&format!("{gone:?} to leave the readiness list"), |_| {
        Ok((!readiness(w).contains(gone)).then_some(()))
    });
}

#[test]
fn a_meeting_becomes_ready_as_items_consent_and_sign_off_arrive_then_its_agreement_is_saved_as_pdf() {
    let hub = start_hub();
    let fay_code = hub.add_user("fay", "facilitator", Some("north"));
    let sol_code = hub.add_user("sol", "supervisor", Some("north"));

    // The case, prepared on the facilitator's laptop with the command line.
    let fay = Profile::new();
    fay.enroll(&hub.url, &fay_code, "fay-laptop");
    let case = fay.new_case("Shed window broken; the owner asks to meet the young man who did it.");
    for (name, role) in [("Ann Example", "victim"), ("Bob Example", "harmer")] {
        fay.cli_json(&["party", "add", &case, "--role", role, "--name", name]);
    }
    let consents: &[(&str, &str)] = &[
        ("Ann Example", "contact"),
        ("Ann Example", "participation"),
        ("Bob Example", "contact"),
        ("Bob Example", "participation"),
        ("Bob Example", "direct-meeting"),
    ];
    for (party, scope) in consents {
        fay.cli_json(&[
            "consent",
            "record",
            &case,
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
    let risk = fay.submitted_risk(&case);
    let today = today();
    for party in ["Ann Example", "Bob Example"] {
        fay.cli_json(&[
            "contact",
            "add",
            &case,
            "--party",
            party,
            "--kind",
            "visit",
            "--date",
            &today,
            "--notes",
            "Prepared for the meeting.",
        ]);
    }
    fay.cli_json(&["sync"]);
    let reference = reference_of(&hub, &case);

    // In the window: plan a conference with both parties.
    let w = Window::open(&fay, "meeting");
    unlock(&w);
    w.click_containing(&reference);
    w.heading(&reference);
    w.click("Plan a meeting");
    w.heading("Plan a meeting");
    w.click("Plan meeting");
    let said = w.alert_saying(&["how the parties will communicate"]);
    assert!(!said.contains("--"), "worded for the window: {said}");
    w.select("Kind of meeting", "conference");
    date_if_empty(&w, "Date");
    w.fill("Time", "2pm");
    w.fill("Venue", "Community centre, Mill Lane");
    w.check("Ann Example (victim)");
    w.check("Bob Example (responsible person)");
    w.click("Plan meeting");
    let said = w.alert_saying(&["24-hour clock"]);
    assert!(said.contains("14:30"), "{said}");
    w.evidence("meeting-plan");
    w.fill("Time", "14:00");
    w.click("Plan meeting");
    w.heading("Meeting");
    w.wait_page_contains("Face-to-face conference on ");
    w.wait_page_contains("at 14:00, Community centre, Mill Lane.");

    // The plan moves to later that day and another room; what is not touched stays.
    w.click("Change the details");
    w.wait_page_contains("Save changes");
    assert_eq!(
        w.value_of("Venue"),
        "Community centre, Mill Lane",
        "the form starts from the plan"
    );
    w.fill("Time", "1530");
    w.click("Save changes");
    w.alert_saying(&["24-hour clock"]);
    w.fill("Time", "15:30");
    w.fill("Venue", "Town hall");
    w.click("Save changes");
    w.wait_page_contains("Details changed.");
    w.wait_page_contains("at 15:30, Town hall.");
    assert!(!w.has_button("Save changes"), "the form closes once saved");

    // The checklist: what is missing, and why.
    let missing = readiness(&w);
    for item in [
        "has not been approved by a supervisor",
        "Ann Example's consent to a direct meeting is not recorded",
        "Bob Example has not yet acknowledged the basic facts",
        "venue checked",
        "ground rules agreed",
    ] {
        assert!(
            missing.contains(item),
            "{item:?} missing from the checklist:\n{missing}"
        );
    }
    assert!(
        !w.has_button("Confirm risk_assessment"),
        "what the records decide has no Confirm"
    );
    w.wait_page_contains("Not ready: 5 things are missing.");
    assert!(
        !w.s.is_enabled(&w.button("Record as held")).unwrap(),
        "Record as held waits for readiness"
    );

    // The preparation plan saves as it is typed.
    w.type_into("Opening", "Welcome; ground rules; each speaks in turn.");
    w.wait_text("#plan-state to say Saved", "#plan-state", |t| t == "Saved");
    w.s.execute(
        "document.getElementById('readiness-state').closest('section').scrollIntoView({block: 'start'})",
        vec![],
    )
    .unwrap();
    w.evidence("meeting-checklist");

    // A practical item, confirmed, leaves the list.
    w.click("Confirm venue checked");
    w.wait_page_contains("Confirmed: venue checked.");
    wait_left_the_list(&w, "venue checked");

    // A consent recorded in the window leaves it.
    w.click(&format!("← {reference}"));
    w.heading(&reference);
    w.click("Record consent");
    w.select("Party", "Ann Example");
    w.select("Scope", "direct_meeting");
    w.select("Decision", "given");
    w.select("Method", "written");
    date_if_empty(&w, "Date");
    w.click("Save consent");
    wait_button_gone(&w, "Save consent");
    w.click_containing("Face-to-face conference, ");
    w.heading("Meeting");
    wait_left_the_list(&w, "Ann Example's consent");
    assert_eq!(
        w.value_of("Opening"),
        "Welcome; ground rules; each speaks in turn.",
        "the plan was saved"
    );

    // The supervisor approves the risk assessment on their own laptop; both sync.
    w.sync_now();
    let sol = Profile::new();
    sol.enroll(&hub.url, &sol_code, "sol-laptop");
    sol.cli_json(&["sync"]);
    sol.cli_json(&["risk", "approve", &risk, "--note", "Good plan."]);
    sol.cli_json(&["sync"]);
    w.click("Sync now");
    wait_left_the_list(&w, "approved by a supervisor");

    // What is left is confirmed; the meeting is ready and recorded as held.
    w.click("Confirm Bob Example acknowledges the facts");
    wait_left_the_list(&w, "acknowledged the basic facts");
    w.click("Confirm ground rules agreed");
    w.wait_text("#readiness-state to say ready", "#readiness-state", |t| {
        t.starts_with("Ready to be held")
    });
    // Who took part: everyone planned is ticked; nobody at all is refused beside the list.
    let (ann, bob) = ("Ann Example (victim)", "Bob Example (responsible person)");
    w.uncheck(ann);
    w.uncheck(bob);
    w.click("Record as held");
    let said = w.alert_saying(&["at least one"]);
    assert!(said.contains("Nothing was recorded"), "{said}");
    w.check(ann);
    w.check(bob);
    w.click("Record as held");
    w.wait_page_contains("The meeting is recorded as held.");
    w.wait_page_contains("Who took part");

    // The agreement.
    w.click("Record agreement");
    w.alert_saying(&["say what will be done"]);
    w.fill("Action 1: what", "Repair the shed window");
    w.select("Action 1: by whom", "Bob Example");
    w.set_value("Action 1: by when", "2027-02-01");
    w.click("Add another action");
    w.fill("Action 2: what", "Write a letter of apology");
    w.select("Action 2: by whom", "Bob Example");
    w.set_value("Action 2: by when", "2027-01-15");
    w.fill(
        "How each party agreed",
        "Read back to both; both agreed aloud and signed.",
    );
    w.set_value("First review on", "2027-02-15");
    w.evidence("meeting-agreement");
    w.click("Record agreement");
    w.wait_page_contains("Agreement recorded.");
    w.wait_page_contains("Repair the shed window — Bob Example, by 1 Feb 2027");

    // Its PDF: previewed from the PDF's own model, saved where the person says.
    w.click("Show the agreement");
    w.wait_page_contains("Restorative agreement");
    let suggested = w.value_of("Save as");
    assert!(
        suggested.ends_with(&format!("{reference}-agreement.pdf")),
        "prefilled in the Documents folder: {suggested}"
    );
    let file = fay.root.join("home").join("agreement.pdf");
    w.fill("Save as", &file.to_string_lossy());
    w.evidence("meeting-agreement-pdf");
    w.click("Save PDF");
    w.wait_page_contains(&format!("Saved {}.", file.display()));
    let text = pdf_pages(&file).concat();
    pdf_first_page_png(&file, "agreement-pdf");
    for said in [
        "Restorative agreement",
        reference.as_str(),
        "Repair the shed window",
        "Bob Example, by 1 Feb 2027",
        "Review on 15 Feb 2027",
        "Read back to both",
        "Ann Example",
    ] {
        assert!(text.contains(said), "the PDF lacks {said:?}:\n{text}");
    }
    w.click("Save PDF");
    w.alert_saying(&["already exists"]);
    let left: Vec<_> = walk(&fay.root.join("tmp"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    assert!(
        left.is_empty(),
        "nothing is left in the temporary folder: {left:?}"
    );

    // A follow-up review: the letter was written; the next review is set.
    w.select("Action 2 status", "done");
    w.set_value("Next review on", "2027-03-01");
    w.click("Record review");
    w.wait_page_contains("Review recorded.");
    w.wait_page_contains("Next review 1 Mar 2027.");
    w.wait_page_contains("Last reviewed ");
    assert_eq!(
        w.value_of("Action 2 status"),
        "done",
        "the review is what the screen shows"
    );
    assert_eq!(w.value_of("Action 1 status"), "open");
    drop(w);
    drop(hub);
}

/// Every file under `dir` (none when it does not exist).
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .flat_map(|e| {
            let p = e.path();
            if p.is_dir() { walk(&p) } else { vec![p] }
        })
        .collect()
}
