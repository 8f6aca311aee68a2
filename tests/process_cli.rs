//! Cross-process tests of the restorative process after the visits: real `casebook` stores,
//! each on its own laptop (directory), syncing through the real `casebook-hub` binary over HTTP.
//! A risk assessment written offline by a facilitator is signed off offline by a supervisor of
//! the team, and each sees the other's work only after both sync.

#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::*;
use serde_json::{Value, json};

const ALL_FACTORS: [&str; 9] = [
    "re-victimisation=medium",
    "power-imbalance=low",
    "intimidation=high",
    "violence=low",
    "substance-use=low",
    "mental-health=medium",
    "safeguarding=low",
    "abuse-context=low",
    "responsibility=medium",
];

/// The newest assessment of `case` on `store`, as `risk show --json` gives it.
#[track_caller]
fn current_assessment(store: &Store, case: &str) -> Value {
    let v = store.json(&["risk", "show", case]);
    v["assessments"][0].clone()
}

/// A case with a victim, and a risk assessment of it with every factor but one assessed.
fn case_with_draft(fac: &Store) -> (String, String) {
    let (case, _) = fac.new_case(&format!("Threats after a break-in {}", marker()));
    fac.create(&["party", "add", &case, "--role", "victim", "--name", "Ann"]);
    let mut args = vec![
        "risk",
        "new",
        &case,
        "--rating",
        "medium",
        "--mitigations",
        "Separate arrival times.",
    ];
    for f in &ALL_FACTORS[..8] {
        args.extend(["--factor", f]);
    }
    args.extend(["--factor-note", "intimidation=Messages sent after the incident"]);
    let risk = fac.create(&args);
    (case, risk)
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
