//! Ops as a laptop writes them, for pushing to a hub directly. Every field of an [`Op`] is
//! public, so a test that plays a hostile laptop changes what it needs after building one.

use std::collections::BTreeMap;

use casebook_domain::{CaseId, Entity, Hlc, Op, OpId, OpKind, SCHEMA_VERSION};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::inproc::Device;
use crate::util::now_ms;

/// An op by `device` (its user as author, its id as device and clock), stamped now.
pub fn op(
    device: &Device,
    case_id: CaseId,
    entity: Entity,
    entity_id: Uuid,
    kind: OpKind,
    fields: Value,
) -> Op {
    let fields: BTreeMap<String, Value> =
        serde_json::from_value(fields).unwrap_or_else(|e| panic!("op fields must be a JSON object: {e}"));
    Op {
        op_id: OpId::new(),
        case_id,
        entity,
        entity_id,
        kind,
        fields,
        replaces: BTreeMap::new(),
        hlc: Hlc {
            wall_ms: u64::try_from(now_ms()).expect("the clock is after 1970"),
            counter: 0,
            device: device.id,
        },
        author: device.user,
        device: device.id,
        schema_version: SCHEMA_VERSION,
    }
}

/// Creates a case offline, led by the device's user, with its provisional reference.
pub fn new_case(device: &Device, case_id: CaseId) -> Op {
    let fields = json!({
        "kind": "restorative_justice", "status": "referred",
        "reference": casebook_domain::case::provisional_reference(case_id), "summary": "s",
        "lead": device.user, "stage": "out_of_court", "source": "police", "received_on": "2026-11-02",
    });
    op(
        device,
        case_id,
        Entity::Case,
        case_id.as_uuid(),
        OpKind::Create,
        fields,
    )
}

/// The id of the one party [`opened_case`] adds, derived from the case's id.
pub fn party_of(case_id: CaseId) -> Uuid {
    let mut bytes = case_id.as_uuid().into_bytes();
    bytes[15] ^= 0xff;
    Uuid::from_bytes(bytes)
}

/// A new case and its first party ([`party_of`]), so that [`note`]s can name someone seen.
pub fn opened_case(device: &Device, case_id: CaseId) -> Vec<Op> {
    let party = op(
        device,
        case_id,
        Entity::Party,
        party_of(case_id),
        OpKind::Create,
        json!({"role": "victim", "name": "Ann"}),
    );
    vec![new_case(device, case_id), party]
}

/// A finalised visit with notes on a case opened with [`opened_case`].
pub fn note(device: &Device, case_id: CaseId, text: &str) -> Op {
    let seen = serde_json::to_string(&[party_of(case_id).to_string()]).expect("a list of ids is JSON");
    op(
        device,
        case_id,
        Entity::Contact,
        Uuid::now_v7(),
        OpKind::Create,
        json!({"kind": "visit", "notes": text, "date": "2026-11-03", "state": "finalised", "party_ids": seen}),
    )
}

/// A supervision note on a case.
pub fn supervision_note(device: &Device, case_id: CaseId, text: &str) -> Op {
    op(
        device,
        case_id,
        Entity::SupervisionNote,
        Uuid::now_v7(),
        OpKind::Create,
        json!({"text": text, "date": "2026-11-04"}),
    )
}

/// An update of `fields` of an existing record (`entity`, `entity_id`) of `case_id`.
pub fn update(device: &Device, case_id: CaseId, entity: Entity, entity_id: Uuid, fields: Value) -> Op {
    op(device, case_id, entity, entity_id, OpKind::Update, fields)
}
