//! The pre-sentence court report in the window: the facilitator writes and submits it, sees a
//! preview and saves a PDF marked as a draft on every page; their supervisor approves it offline
//! on their own laptop; after both sync the facilitator's window says who approved it and the
//! PDF it saves carries the approval and no draft mark. Both PDFs are read back with
//! `pdftotext`, and their first pages rendered to `docs/screenshots/`.
//! Declared from tests/app_window.rs, whose steps it uses.

use crate::unlock;
use crate::window::{Profile, Window, pdf_first_page_png, pdf_pages, reference_of, start_hub};

#[test]
fn a_court_report_is_a_draft_on_every_page_until_a_supervisor_approves_it() {
    let hub = start_hub();
    let fay_code = hub.add_user("fay", "facilitator", Some("north"));
    let sol_code = hub.add_user("sol", "supervisor", Some("north"));

    let fay = Profile::new();
    fay.enroll(&hub.url, &fay_code, "fay-laptop");
    let created = fay.cli_json(&[
        "case",
        "new",
        "--kind",
        "rj",
        "--stage",
        "pre-sentence",
        "--source",
        "court",
        "--summary",
        "Burglary of a corner shop; the owner asked to hear why it happened.",
        "--court-date",
        "2027-03-04",
        "--pre-sentence",
        "adjournment",
    ]);
    let case = created["id"].as_str().unwrap().to_owned();
    fay.cli_json(&["sync"]);
    let reference = reference_of(&hub, &case);

    let w = Window::open(&fay, "court-report");
    unlock(&w);
    w.click_containing(&reference);
    w.heading(&reference);
    w.wait_page_contains("(sentencing adjourned)");
    w.fill(
        "What took place",
        "The shop owner and the young man were each visited twice. They met at the community \
         centre; he explained, apologised and offered to repaint the shutter.",
    );
    w.click("Submit for approval");
    w.wait_page_contains("Court report submitted for approval.");
    w.wait_text(
        "#court-report-state to say Submitted",
        "#court-report-state",
        |t| t.starts_with("Submitted "),
    );

    w.click("Show the court report");
    w.wait_page_contains("DRAFT — not approved by a supervisor");
    w.wait_page_contains("4 Mar 2027 (sentencing adjourned)");
    let draft = fay.root.join("home").join("court-report-draft.pdf");
    w.fill("Save as", &draft.to_string_lossy());
    w.click("Save PDF");
    w.wait_page_contains(&format!(
        "Saved {} (marked as a draft: not approved by a supervisor).",
        draft.display()
    ));
    let pages = pdf_pages(&draft);
    assert!(!pages.is_empty(), "the draft PDF has pages");
    for (n, page) in pages.iter().enumerate() {
        assert!(
            page.contains("DRAFT"),
            "page {} of the draft is not marked:\n{page}",
            n + 1
        );
    }
    assert!(
        pages.concat().contains("They met at the"),
        "the draft holds what took place:\n{}",
        pages.concat()
    );
    pdf_first_page_png(&draft, "court-report-draft-pdf");
    w.sync_now();

    // The supervisor approves it on their own laptop, offline, and syncs.
    let sol = Profile::new();
    sol.enroll(&hub.url, &sol_code, "sol-laptop");
    sol.cli_json(&["sync"]);
    sol.cli_json(&["report", "approve", &case]);
    sol.cli_json(&["sync"]);

    w.sync_now();
    w.wait_text(
        "#court-report-state to say Approved",
        "#court-report-state",
        |t| t.starts_with("Approved ") && t.contains("by sol"),
    );
    if !w.has_button("Save PDF") {
        w.click("Show the court report");
    }
    w.wait_for("the preview without its draft mark", |s| {
        let body = s.execute("return document.body.innerText", vec![])?;
        Ok(body
            .as_str()
            .is_some_and(|b| !b.contains("DRAFT") && b.contains("Approved by sol"))
            .then_some(()))
    });
    let approved = fay.root.join("home").join("court-report.pdf");
    w.fill("Save as", &approved.to_string_lossy());
    w.evidence("court-report");
    w.click("Save PDF");
    w.wait_page_contains(&format!("Saved {}.", approved.display()));
    let text = pdf_pages(&approved).concat();
    assert!(!text.contains("DRAFT"), "approved, yet marked:\n{text}");
    for said in [
        "Report to the court",
        reference.as_str(),
        "4 Mar 2027 (sentencing adjourned)",
        "Approved by sol",
        "repaint the shutter",
    ] {
        assert!(text.contains(said), "the PDF lacks {said:?}:\n{text}");
    }
    pdf_first_page_png(&approved, "court-report-pdf");
    drop(w);
    drop(hub);
}
