//! Subject access through the real binary: a person who is a party in two cases gets their own
//! words and records, and neither another party's name nor their words, in the JSON and in the
//! PDF's text (read back with poppler's `pdftotext`); staff names stay; the deadline is one
//! calendar month from the day received; the audit trail records the request and the export
//! by request and cases, never by content.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use casebook_domain::{CaseId, DeviceId, Entity, Hlc, Op, OpId, OpKind, SCHEMA_VERSION};
use casebook_hub::Storage;
use casebook_hub::audit::AuditAction;
use casebook_hub::storage::{AuditQuery, UserRow};
use casebook_protocol::Role;
use common::{hub_cli, ok};
use serde_json::{Value, json};
use uuid::Uuid;

/// Words only one party's records hold, to find in (or miss from) the answer.
const ANNS_WORDS: &str = "marigold";
const ANNS_OTHER_CASE_WORDS: &str = "lantern";
const BOBS_WORDS: &str = "peregrine";
const BOBS_CONSENT_WORDS: &str = "halibut";

/// Builds one case's ops as a facilitator's laptop would, with increasing clocks.
struct Writer {
    author: UserRow,
    device: DeviceId,
    case: CaseId,
    clock: u64,
    ops: Vec<Op>,
}

impl Writer {
    /// Opens `case`, led by `author`.
    fn new(author: &UserRow, case: CaseId) -> Self {
        let hour_ago = u64::try_from(casebook_hub::state::now_ms() - 3_600_000).unwrap();
        let mut w = Self::on(author, case, hour_ago);
        let reference = casebook_domain::case::provisional_reference(case);
        w.add(
            Entity::Case,
            case.as_uuid(),
            json!({"kind": "restorative_justice", "status": "contacting", "reference": reference,
                   "summary": "Burglary at the flat of Ann Smith; Bob Stone admitted it.",
                   "lead": author.id, "stage": "out_of_court", "source": "police", "received_on": "2026-11-02"}),
        );
        w
    }

    /// Writes on an existing `case`, from `clock` on.
    fn on(author: &UserRow, case: CaseId, clock: u64) -> Self {
        Self {
            author: author.clone(),
            device: DeviceId::new(),
            case,
            clock,
            ops: Vec::new(),
        }
    }

    fn add(&mut self, entity: Entity, id: Uuid, fields: Value) -> Uuid {
        self.clock += 1;
        self.ops.push(Op {
            op_id: OpId::new(),
            case_id: self.case,
            entity,
            entity_id: id,
            kind: OpKind::Create,
            fields: serde_json::from_value::<BTreeMap<String, Value>>(fields).unwrap(),
            replaces: BTreeMap::new(),
            hlc: Hlc {
                wall_ms: self.clock,
                counter: 0,
                device: self.device,
            },
            author: self.author.id,
            device: self.device,
            schema_version: SCHEMA_VERSION,
        });
        id
    }

    fn party(&mut self, name: &str, role: &str) -> Uuid {
        self.add(
            Entity::Party,
            Uuid::now_v7(),
            json!({"role": role, "name": name, "phone": "07700 900123"}),
        )
    }

    fn visit(&mut self, seen: &[Uuid], notes: &str, shareable: Option<&str>) {
        let seen: Vec<String> = seen.iter().map(Uuid::to_string).collect();
        self.add(
            Entity::Contact,
            Uuid::now_v7(),
            json!({"kind": "visit", "notes": notes, "date": "2026-11-03", "state": "finalised",
                   "party_ids": serde_json::to_string(&seen).unwrap(), "shareable": shareable}),
        );
    }

    fn consent(&mut self, party: Uuid, note: &str) {
        self.add(
            Entity::Consent,
            Uuid::now_v7(),
            json!({"party_id": party, "scope": "direct_meeting", "decision": "given",
                   "method": "verbal", "date": "2026-11-04", "note": note}),
        );
    }

    fn push(self, storage: &mut Storage) {
        let results = storage
            .push(&self.author, None, &self.ops, casebook_hub::state::now_ms())
            .unwrap();
        assert!(results.iter().all(|r| r.outcome.is_held()), "{results:?}");
    }
}

/// Ann Smith is the victim in one case (with Bob Stone) and a party in another (with Dev
/// Patel); each party's records hold their own marker words.
fn hub_with_two_cases(data: &Path) -> (CaseId, CaseId, Uuid, Uuid) {
    let mut storage = Storage::open(data, None).unwrap();
    let femi = storage
        .add_user("Femi Adeyemi", Role::Facilitator, Some("north"), 1)
        .unwrap();
    let sue = storage
        .add_user("Sue Okafor", Role::Supervisor, Some("north"), 1)
        .unwrap();
    let (first, second) = (CaseId::new(), CaseId::new());

    let mut w = Writer::new(&femi, first);
    let ann = w.party("Ann Smith", "victim");
    let bob = w.party("Bob Stone", "harmer");
    w.visit(
        &[ann],
        &format!("Ann told Femi Adeyemi about the {ANNS_WORDS} evening. She said BOB STONE had frightened her and that bob's car was outside."),
        Some("Ann would like a letter of apology."),
    );
    w.visit(
        &[bob],
        &format!("Bob described the {BOBS_WORDS} incident and his debts."),
        None,
    );
    w.consent(ann, "Ann is willing to meet");
    w.consent(bob, &format!("Bob agreed after the {BOBS_CONSENT_WORDS} talk"));
    let clock = w.clock;
    w.push(&mut storage);
    let mut s = Writer::on(&sue, first, clock + 10);
    s.add(
        Entity::SupervisionNote,
        Uuid::now_v7(),
        json!({"text": "Check that Bob Stone keeps away from Ann's flat.", "date": "2026-11-05"}),
    );
    s.push(&mut storage);

    let mut w = Writer::new(&femi, second);
    let ann_again = w.party("ann  smith", "party");
    let dev = w.party("Dev Patel", "party");
    w.visit(
        &[ann_again, dev],
        &format!("Joint call: the {ANNS_OTHER_CASE_WORDS} dispute; Dev Patel and Ann talked."),
        None,
    );
    w.push(&mut storage);
    (first, second, ann, ann_again)
}

fn pdf_text(path: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils, installed by scripts/setup)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn assert_only_anns(what: &str, text: &str) {
    // Words of a phrase may be wrapped onto two lines of the PDF.
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let lower = text.to_lowercase();
    for theirs in [
        BOBS_WORDS,
        BOBS_CONSENT_WORDS,
        "bob",
        "stone",
        "dev patel",
        "patel",
        "debts",
    ] {
        assert!(
            !lower.contains(theirs),
            "{what} holds another party's {theirs:?}:\n{text}"
        );
    }
    for hers in [
        ANNS_WORDS,
        ANNS_OTHER_CASE_WORDS,
        "ann smith",
        "letter of apology",
        "another party",
    ] {
        assert!(lower.contains(hers), "{what} lacks {hers:?}:\n{text}");
    }
    for staff in ["Femi Adeyemi", "Sue Okafor"] {
        assert!(
            text.contains(staff),
            "{what} lacks the staff name {staff}:\n{text}"
        );
    }
}

#[test]
fn a_sar_of_one_party_holds_their_words_and_not_another_partys_name_or_words() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("hub");
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
    let storage = Storage::open(&data, None).unwrap();
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
