//! Two cases a subject access request covers, written straight into a hub's storage: Ann Smith
//! is a party of both, with Bob Stone in one and Dev Patel in the other; each party's records
//! hold marker words of their own, so an answer can be checked for whose words it holds.
//! On either backend: the hub's store is the caller's.

use std::collections::BTreeMap;
use std::path::Path;

use casebook_domain::{CaseId, DeviceId, Entity, Hlc, Op, OpId, OpKind, SCHEMA_VERSION};
use casebook_hub::Storage;
use casebook_hub::storage::UserRow;
use casebook_protocol::Role;
use casebook_testkit::store::HubStore;
use serde_json::{Value, json};
use uuid::Uuid;

/// Words only one party's records hold, to find in (or miss from) the answer.
pub const ANNS_WORDS: &str = "marigold";
pub const ANNS_OTHER_CASE_WORDS: &str = "lantern";
pub const BOBS_WORDS: &str = "peregrine";
pub const BOBS_CONSENT_WORDS: &str = "halibut";

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
pub fn hub_with_two_cases(store: &HubStore) -> (CaseId, CaseId, Uuid, Uuid) {
    let mut storage = store.open();
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

/// The PDF's text (the testkit's `pdftotext`); a function, not a re-export, so the test files
/// that share `common` but read no PDF do not warn of an unused import.
pub fn pdf_text(path: &Path) -> String {
    casebook_testkit::util::pdf_text(path)
}

pub fn assert_only_anns(what: &str, text: &str) {
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
