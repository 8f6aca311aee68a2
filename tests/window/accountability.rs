//! A laptop's accountability in the window: a recovery code made in Settings resets a forgotten
//! passphrase from the Unlock screen (a mistyped one refused beside its field) with the case
//! still there; then the laptop, enrolled with a real hub, is handed in from Settings and the
//! hub's receipt is shown with the store gone. And a coordinator answers a subject access
//! request: finds the person on the hub, opens the request and saves sar.json and sar.pdf.
//! Declared from tests/app_window.rs, whose steps it uses.

use crate::window::{Profile, Window, marker, pdf_pages, reference_of, start_hub};
use crate::{create_case, unlock};

const NEW_PASSPHRASE: &str = "copper lantern orchard sparrow 9";

/// The code's 28 letters and digits, whatever the page puts between its groups.
fn symbols(text: &str) -> String {
    text.chars().filter(char::is_ascii_alphanumeric).collect()
}

#[test]
fn a_forgotten_passphrase_is_reset_with_a_recovery_code_and_the_laptop_is_handed_in() {
    let mut profile = Profile::new();
    profile.init_store();
    let w = Window::open(&profile, "accountability");
    unlock(&w);
    let reference = create_case(&w, &format!("Recovered case {}", marker()));

    w.click("Settings");
    w.heading("Settings");
    w.wait_text("#recovery-state: no code yet", "#recovery-state", |t| {
        t.contains("No recovery code")
    });
    w.click("Make a recovery code");
    w.fill("Your passphrase", "not the passphrase at all 3");
    w.click("Show my new code");
    w.alert_saying(&["passphrase is wrong"]);
    w.fill("Your passphrase", &profile.passphrase);
    w.click("Show my new code");
    let shown = w.wait_text("the code in #recovery-code", "#recovery-code", |t| {
        symbols(t).len() == 28
    });
    let code = symbols(&shown);
    w.wait_page_contains("it will not be shown again");
    w.axe_check("recovery-code");
    w.click("I have written it down");
    w.wait_for("the code to leave the page", |s| {
        Ok(s.css_all("#recovery-code")?.is_empty().then_some(()))
    });
    assert!(
        !w.page_text().contains(&code[..8]),
        "the code is still on the page"
    );
    w.wait_text("#recovery-state: a code made", "#recovery-state", |t| {
        t.contains("A recovery code was made")
    });

    w.click("Lock");
    w.heading("Unlock Casebook");
    w.click("Forgot your passphrase?");
    w.heading("Reset your passphrase");
    let other = if code.starts_with('7') { '8' } else { '7' };
    w.fill("Recovery code", &format!("{other}{}", &code[1..]));
    w.fill("Passphrase", NEW_PASSPHRASE);
    w.fill("Repeat passphrase", NEW_PASSPHRASE);
    w.click("Set new passphrase");
    let said = w.alert_saying(&["not a recovery code"]);
    assert!(
        said.contains("a letter or digit in it is wrong") && said.contains("Nothing was changed"),
        "{said:?}"
    );
    let field = w.field("Recovery code");
    assert_eq!(
        w.s.attribute(&field, "aria-invalid").unwrap().as_deref(),
        Some("true"),
        "the code's field is marked as the one at fault"
    );
    w.evidence("recover");
    // As read from the paper: lower case, in groups of four with spaces.
    let typed: Vec<String> = code
        .to_lowercase()
        .chars()
        .collect::<Vec<_>>()
        .chunks(4)
        .map(|c| c.iter().collect())
        .collect();
    w.fill("Recovery code", &typed.join(" "));
    w.click("Set new passphrase");
    w.heading("Caseload");
    w.wait_page_contains("Your passphrase was reset");
    w.wait_page_contains(&reference);

    // Enrolled from the command line while the app is locked, with the new passphrase.
    let hub = start_hub();
    let fay_code = hub.add_user("fay", "facilitator", Some("north"));
    w.click("Lock");
    w.heading("Unlock Casebook");
    profile.passphrase = NEW_PASSPHRASE.to_owned();
    profile.enroll(&hub.url, &fay_code, "fay-laptop");
    w.fill("Passphrase", NEW_PASSPHRASE);
    w.click("Unlock");
    w.heading("Caseload");
    w.sync_now();

    w.click("Settings");
    w.heading("Settings");
    w.click("Safe to hand in");
    w.fill("Type your passphrase to confirm", NEW_PASSPHRASE);
    w.axe_check("handover-confirm");
    w.click("Hand in and erase this laptop");
    w.heading("This laptop was handed in");
    let receipt = w.wait_text("the receipt", "#handover-receipt", |t| {
        t.contains("Changes the hub holds")
    });
    assert!(receipt.contains("Handed in"), "{receipt:?}");
    for file in ["store.key", "store.db"] {
        assert!(!profile.store.join(file).exists(), "{file} is still there");
    }
    let devices = hub.admin_json(&["device", "list"]);
    assert!(
        !devices[0]["handed_over_ms"].is_null(),
        "the hub has no receipt for the device: {devices}"
    );
    w.evidence("handover");
    w.click("Set up this laptop again");
    w.heading("Welcome to Casebook");
    drop(w);
    drop(hub);
}

#[test]
fn a_coordinator_opens_a_subject_access_request_and_saves_the_answer() {
    let hub = start_hub();
    // A facilitator's case on the hub: Ann Smith, harmed by Bob Stone, one call with each.
    let femi = Profile::new();
    femi.enroll(
        &hub.url,
        &hub.add_user("Femi Adeyemi", "facilitator", Some("north")),
        "femi-laptop",
    );
    let case = femi.new_case("A shed broken into; the harmer admitted it.");
    for (name, role, notes) in [
        (
            "Ann Smith",
            "victim",
            "Ann spoke of the marigold evening; Bob Stone frightened her.",
        ),
        ("Bob Stone", "harmer", "Bob described the peregrine incident."),
    ] {
        femi.cli_json(&["party", "add", &case, "--role", role, "--name", name]);
        femi.cli_json(&[
            "contact",
            "add",
            &case,
            "--party",
            name,
            "--kind",
            "call",
            "--date",
            &crate::today(),
            "--notes",
            notes,
        ]);
    }
    femi.cli_json(&["sync"]);
    let reference = reference_of(&hub, &case);

    let cora = Profile::new();
    cora.enroll(
        &hub.url,
        &hub.add_user("Cora", "coordinator", None),
        "cora-laptop",
    );
    let w = Window::open(&cora, "subject-access");
    w.heading("Unlock Casebook");
    w.fill("Passphrase", &cora.passphrase);
    w.click("Unlock");
    w.heading("The service's caseload");
    w.click("Subject access");
    w.heading("Subject access requests");
    w.wait_page_contains("No subject access request is open.");
    w.fill("Name of the person", "smith");
    w.click("Find");
    w.check(&format!("{reference} Ann Smith (victim)"));
    w.fill("Requested by", "Ann Smith");
    w.click("Open request");
    w.wait_page_contains("SAR-1 opened: the answer is due on");
    w.wait_page_contains("days left");
    let folder = cora.root.join("home").join("SAR-1");
    w.fill("Folder for the answer to SAR-1", &folder.to_string_lossy());
    w.axe_check("subject-access");
    w.click("Save the answer to SAR-1");
    w.wait_page_contains(&format!("Saved {}", folder.join("sar.json").display()));
    // The request as the register shows it, with where its answer went.
    w.s.execute(
        "document.querySelector('.register > li').scrollIntoView({block: 'start'})",
        vec![],
    )
    .unwrap();
    w.save_screenshot("subject-access");

    let json = std::fs::read_to_string(folder.join("sar.json")).unwrap();
    let pdf = pdf_pages(&folder.join("sar.pdf")).concat();
    for (what, text) in [("sar.json", &json), ("sar.pdf", &pdf)] {
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            text.contains("marigold") && text.contains("another party"),
            "{what}: {text}"
        );
        assert!(
            !text.contains("Stone") && !text.contains("peregrine"),
            "{what}: {text}"
        );
    }
    w.click("Close SAR-1");
    w.wait_page_contains("SAR-1 is closed.");
    w.wait_page_contains("No subject access request is open.");
    drop(w);
    drop(hub);
}
