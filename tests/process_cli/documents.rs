//! The documents, checked in their PDFs' text: a preparation brief carries only what the other
//! party agreed to share, and a court report is a draft on every page until a supervisor
//! approves it and quotes only consenting parties.

use crate::common::*;

/// The text of a PDF as `pdftotext -layout` reads it, one string per page.
#[track_caller]
fn pdf_pages(file: &std::path::Path) -> Vec<String> {
    let out = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(file)
        .arg("-")
        .output()
        .expect("pdftotext is missing: scripts/setup installs poppler-utils");
    assert!(
        out.status.success(),
        "pdftotext {}: {}",
        file.display(),
        describe(&out)
    );
    String::from_utf8_lossy(&out.stdout)
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// Done when (issue 9, information barrier): the brief for one party contains the other's
/// shareable summary and none of their private notes (checked in the PDF's text), and nothing
/// of a party who has not consented to share.
#[test]
fn a_preparation_brief_carries_only_what_the_other_party_agreed_to_share() {
    let fac = Store::new();
    let (case, _) = fac.new_case(&format!("Window broken {}", marker()));
    fac.create(&["party", "add", &case, "--role", "victim", "--name", "Ann"]);
    fac.create(&["party", "add", &case, "--role", "harmer", "--name", "Bob"]);
    let (ann_private, ann_shared) = (marker(), marker());
    let (bob_private, bob_shared) = (marker(), marker());
    for (who, private, shared) in [
        ("Ann", &ann_private, &ann_shared),
        ("Bob", &bob_private, &bob_shared),
    ] {
        fac.create(&[
            "contact",
            "add",
            &case,
            "--party",
            who,
            "--kind",
            "visit",
            "--date",
            "2026-11-20",
            "--notes",
            &format!("Private: {private}"),
            "--shareable",
            &format!("Shared: {shared}"),
        ]);
    }
    fac.create(&[
        "consent",
        "record",
        &case,
        "--party",
        "Ann",
        "--scope",
        "share-with-other-party",
        "--decision",
        "given",
        "--method",
        "written",
    ]);

    let pdf = fac.dir.join("brief-bob.pdf");
    let brief = fac.json(&["brief", &case, "--for", "Bob", "--out", pdf.to_str().unwrap()]);
    assert_eq!(brief["shared"][0]["name"], "Ann", "{brief}");
    let text = pdf_pages(&pdf).join("\n");
    assert!(
        text.contains(&ann_shared),
        "Ann's shareable summary is in Bob's brief: {text}"
    );
    for absent in [&ann_private, &bob_private, &bob_shared] {
        assert!(
            !text.contains(absent.as_str()),
            "{absent} must not be in Bob's brief: {text}"
        );
    }
    // Bob has not consented to share: Ann's brief is empty of him.
    let for_ann = fac.json(&["brief", &case, "--for", "Ann"]);
    assert_eq!(for_ann["shared"], serde_json::json!([]), "{for_ann}");
    assert!(
        fac.leaks(&ann_private).is_empty(),
        "the private note is only in the encrypted store"
    );
}

/// Done when (issue 9, court report): before a supervisor approves it the court report is marked
/// as a draft on every page; it quotes only the party who consented to share with the court;
/// after the supervisor's offline approval reaches the facilitator it is final.
#[test]
fn the_court_report_is_a_draft_until_a_supervisor_approves_it_and_quotes_only_consenting_parties() {
    let hub = start_hub();
    let fac = member(&hub, "femi", "facilitator", Some("north"));
    let sup = member(&hub, "sunita", "supervisor", Some("north"));
    let v = fac.json(&[
        "case",
        "new",
        "--kind",
        "rj",
        "--stage",
        "pre-sentence",
        "--court-date",
        "2027-01-12",
        "--source",
        "court",
        "--summary",
        "Burglary; sentencing adjourned for RJ",
    ]);
    let case = v["id"].as_str().unwrap().to_owned();
    fac.create(&["party", "add", &case, "--role", "victim", "--name", "Ann"]);
    fac.create(&["party", "add", &case, "--role", "harmer", "--name", "Bob"]);
    let (ann_words, bob_words) = (marker(), marker());
    for (who, words) in [("Ann", &ann_words), ("Bob", &bob_words)] {
        fac.create(&[
            "contact",
            "add",
            &case,
            "--party",
            who,
            "--kind",
            "visit",
            "--date",
            "2026-11-20",
            "--notes",
            "Private.",
            "--shareable",
            words,
        ]);
    }
    fac.create(&[
        "consent",
        "record",
        &case,
        "--party",
        "Bob",
        "--scope",
        "share-with-court",
        "--decision",
        "given",
        "--method",
        "signed",
    ]);
    fac.create(&[
        "agreement",
        "new",
        &case,
        "--action",
        "Repair the door|Bob|2027-01-08",
        "--review",
        "2027-01-09",
    ]);
    // Many paragraphs, so that the report runs to several pages.
    let long: Vec<String> = (1..=60)
        .map(|i| {
            format!("Paragraph {i}: preparation visit and a telephone call about the meeting arrangements.")
        })
        .collect();
    fac.ok(&["report", "write", &case, "--text", &long.join("\n\n")]);

    let draft = fac.dir.join("draft.pdf");
    let made = fac.json(&["report", "court", &case, "--out", draft.to_str().unwrap()]);
    assert_eq!(made["draft"], true);
    let pages = pdf_pages(&draft);
    assert!(
        pages.len() >= 2,
        "the long report has several pages: {}",
        pages.len()
    );
    for (i, page) in pages.iter().enumerate() {
        assert!(
            page.contains("DRAFT"),
            "page {} lacks the draft mark: {page}",
            i + 1
        );
    }
    let all = pages.join("\n");
    assert!(
        all.contains("12 Jan 2027"),
        "the court date in British form: {all}"
    );
    assert!(
        all.contains(&bob_words),
        "Bob consented to share with the court: {all}"
    );
    assert!(!all.contains(&ann_words), "Ann did not: {all}");
    assert!(
        all.contains("Repair the door"),
        "the agreement is in the report: {all}"
    );

    // A facilitator cannot approve; the supervisor does, offline, and it reaches the facilitator.
    fac.ok(&["report", "submit", &case]);
    assert_code(
        &fac.run(&["report", "approve", &case]),
        EXIT_REFUSED,
        "a facilitator approving",
    );
    sync(&fac, &hub);
    sync(&sup, &hub);
    sup.ok(&["report", "approve", &case, "--note", "Clear and balanced."]);
    sync(&sup, &hub);
    sync(&fac, &hub);
    let final_pdf = fac.dir.join("final.pdf");
    let made = fac.json(&["report", "court", &case, "--out", final_pdf.to_str().unwrap()]);
    assert_eq!(made["draft"], false, "{made}");
    let text = pdf_pages(&final_pdf).join("\n");
    assert!(!text.contains("DRAFT"), "the approved report is not a draft");
    assert!(text.contains("sunita"), "the approver is named: {text}");
    // An existing file is never overwritten.
    let again = fac.run(&["report", "court", &case, "--out", final_pdf.to_str().unwrap()]);
    assert_ne!(again.status.code(), Some(EXIT_OK), "{}", describe(&again));

    let agreement_pdf = fac.dir.join("agreement.pdf");
    fac.ok(&[
        "report",
        "agreement",
        &case,
        "--out",
        agreement_pdf.to_str().unwrap(),
    ]);
    let text = pdf_pages(&agreement_pdf).join("\n");
    assert!(
        text.contains("Repair the door") && text.contains("8 Jan 2027"),
        "{text}"
    );
}
