//! Subject access through the real binary: a person who is a party in two cases gets their own
//! words and records, and neither another party's name nor their words, in the JSON and in the
//! PDF's text (read back with poppler's `pdftotext`); staff names stay; the deadline is one
//! calendar month from the day received; the audit trail records the request and the export
//! by request and cases, never by content. On either backend.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use casebook_hub::audit::AuditAction;
use casebook_hub::storage::AuditQuery;
use common::sar_fixture::{ANNS_WORDS, assert_only_anns, hub_with_two_cases, pdf_text};
use common::{HubStore, hub_cli, ok};
use serde_json::Value;

#[test]
fn a_sar_of_one_party_holds_their_words_and_not_another_partys_name_or_words() {
    let dir = tempfile::tempdir().unwrap();
    // A data dir, or a database of the scratch cluster the test command started.
    let data = HubStore::scratch(dir.path().join("hub"));
    let (first, second, ann, ann_again) = hub_with_two_cases(&data);

    // Two records carry her name: the short form refuses to guess and lists both.
    let out = hub_cli(&data, &["sar", "Ann Smith", "--out", "x"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&ann.to_string()) && err.contains(&ann_again.to_string()),
        "{err}"
    );
    let found: Value = serde_json::from_str(&ok(&data, &["sar", "find", "smith", "--json"])).unwrap();
    assert_eq!(found.as_array().unwrap().len(), 2, "{found}");

    let out_dir = dir.path().join("answer");
    let person = format!("{ann},{ann_again}");
    let said = ok(
        &data,
        &[
            "sar",
            &person,
            "--out",
            out_dir.to_str().unwrap(),
            "--received",
            "2028-01-31",
        ],
    );
    assert!(said.contains("SAR-1") && said.contains("29 Feb 2028"), "{said}");

    let json_text = std::fs::read_to_string(out_dir.join("sar.json")).unwrap();
    assert_only_anns("sar.json", &json_text);
    let answer: Value = serde_json::from_str(&json_text).unwrap();
    assert_eq!(answer["received_on"], "2028-01-31");
    assert_eq!(
        answer["due_on"], "2028-02-29",
        "one calendar month; February has no 31st"
    );
    assert_eq!(answer["cases"].as_array().unwrap().len(), 2);
    let cases = answer["cases"].as_array().unwrap();
    let first_case = cases.iter().find(|c| c["party"]["role"] == "victim").unwrap();
    let contacts = first_case["contacts"].as_array().unwrap();
    assert_eq!(contacts.len(), 1, "Bob's visit is left out: {first_case}");
    let notes = contacts[0]["notes"].as_str().unwrap();
    assert!(
        notes.contains("She said another party had frightened her and that another party's car"),
        "{notes}"
    );
    assert_eq!(
        first_case["consents"].as_array().unwrap().len(),
        1,
        "Bob's consent is left out"
    );
    let joint = cases.iter().find(|c| c["party"]["role"] != "victim").unwrap();
    assert_eq!(joint["contacts"][0]["with_others"], true);

    let pdf = pdf_text(&out_dir.join("sar.pdf"));
    assert_only_anns("sar.pdf", &pdf);
    assert!(pdf.contains("31 Jan 2028"), "British dates: {pdf}");

    // The register and the audit trail: by request and case, never by content.
    let listed: Value = serde_json::from_str(&ok(&data, &["sar", "list", "--json"])).unwrap();
    assert_eq!(listed[0]["reference"], "SAR-1");
    assert_eq!(listed[0]["due_on"], "2028-02-29");
    let storage = data.open();
    for case in [first, second] {
        let entries = storage
            .audit_entries(&AuditQuery {
                case: Some(case),
                ..AuditQuery::default()
            })
            .unwrap();
        let steps: Vec<&str> = entries
            .iter()
            .filter(|e| e.body.action == AuditAction::SubjectAccess)
            .filter_map(|e| e.body.detail["step"].as_str())
            .collect();
        assert_eq!(steps, ["request", "export"], "case {case}");
        for e in entries
            .iter()
            .filter(|e| e.body.action == AuditAction::SubjectAccess)
        {
            let text = serde_json::to_string(&e.body).unwrap().to_lowercase();
            assert!(!text.contains("smith") && !text.contains(ANNS_WORDS), "{text}");
            assert_eq!(e.body.detail["operator"], "ops-alice");
            assert_eq!(e.body.detail["request"], "SAR-1");
        }
    }
    drop(storage);

    ok(&data, &["sar", "extend", "SAR-1"]);
    let listed: Value = serde_json::from_str(&ok(&data, &["sar", "list", "--json"])).unwrap();
    assert_eq!(
        listed[0]["due_on"], "2028-05-02",
        "three months: 30 Apr 2028 is a Sunday, 1 May a bank holiday"
    );
    ok(&data, &["sar", "close", "SAR-1"]);
    assert!(ok(&data, &["sar", "list"]).contains("no open subject access requests"));
    let out = hub_cli(
        &data,
        &["sar", "export", "SAR-1", "--out", out_dir.to_str().unwrap()],
    );
    assert!(!out.status.success(), "a closed request is not answered again");
}
