//! The demo: a team, its people with enrollment codes, and a few cases, to try the hub.

use std::collections::BTreeMap;

use casebook_domain::{CaseId, DeviceId, Entity, Hlc, Op, OpId, OpKind, SCHEMA_VERSION};
use casebook_protocol::Role;
use serde_json::json;

use crate::enroll::issue_code;
use crate::error::HubError;
use crate::storage::Storage;

/// A demo user and the code to enroll a device for them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DemoUser {
    /// The user's name.
    pub user: String,
    /// Their role.
    pub role: Role,
    /// Their team.
    pub team: Option<String>,
    /// A one-time enrollment code.
    pub enrollment_code: String,
}

const PEOPLE: &[(&str, Role, Option<&str>)] = &[
    ("Ada Admin", Role::Admin, None),
    ("Cora Coordinator", Role::Coordinator, None),
    ("Sunita Supervisor", Role::Supervisor, Some("north")),
    ("Femi Facilitator", Role::Facilitator, Some("north")),
    ("Farah Facilitator", Role::Facilitator, Some("north")),
    ("Sol Facilitator", Role::Facilitator, Some("south")),
];

const CASES: &[(&str, &str, &str)] = &[
    (
        "Femi Facilitator",
        "police",
        "Damage to a neighbour's fence after a dispute over parking.",
    ),
    (
        "Femi Facilitator",
        "school",
        "Ongoing conflict between two pupils that ended in a fight.",
    ),
    (
        "Farah Facilitator",
        "probation",
        "Burglary of a corner shop; the owner asked to meet.",
    ),
    (
        "Sol Facilitator",
        "housing",
        "Noise and threats between tenants of one building.",
    ),
];

/// Loads the demo into an empty hub and returns who can enroll with which code.
pub fn load(storage: &mut Storage, now_ms: i64) -> Result<Vec<DemoUser>, HubError> {
    if !storage.users()?.is_empty() {
        return Err(HubError::DemoPresent);
    }
    let mut out = Vec::new();
    for (name, role, team) in PEOPLE {
        let user = storage.add_user(name, *role, *team, now_ms)?;
        let code = issue_code(storage, &user, now_ms)?;
        out.push(DemoUser {
            user: user.name,
            role: *role,
            team: team.map(str::to_owned),
            enrollment_code: code,
        });
    }
    let device = storage.hub_identity().device;
    let today = chrono::Utc::now().date_naive().to_string();
    for (lead, source, summary) in CASES {
        let author = storage.user_by_name(lead)?;
        let case_id = CaseId::new();
        let fields = BTreeMap::from([
            // A provisional reference, as a client would give it; the hub replaces it.
            (
                "reference".to_owned(),
                json!(casebook_domain::case::provisional_reference(case_id)),
            ),
            ("lead".to_owned(), json!(author.id)),
            ("kind".to_owned(), json!("restorative_justice")),
            ("stage".to_owned(), json!("out_of_court")),
            ("status".to_owned(), json!("referred")),
            ("source".to_owned(), json!(source)),
            ("summary".to_owned(), json!(summary)),
            ("received_on".to_owned(), json!(today)),
        ]);
        let op = case_create(case_id, fields, author.id, device, now_ms);
        // The demo's ops pass the same judgement as a laptop's; a refusal is a bug in the demo.
        for result in storage.push(&author, None, &[op], now_ms)? {
            if let casebook_protocol::OpOutcome::Rejected { reason, .. } = result.outcome {
                return Err(HubError::Database(format!("the demo case was refused: {reason}")));
            }
        }
    }
    storage.record_admin(
        crate::audit::AuditAction::Demo,
        json!({"users": PEOPLE.len(), "cases": CASES.len()}),
        now_ms,
    )?;
    Ok(out)
}

fn case_create(
    case_id: CaseId,
    fields: BTreeMap<String, serde_json::Value>,
    author: casebook_domain::UserId,
    device: DeviceId,
    now_ms: i64,
) -> Op {
    Op {
        op_id: OpId::new(),
        case_id,
        entity: Entity::Case,
        entity_id: case_id.as_uuid(),
        kind: OpKind::Create,
        fields,
        replaces: BTreeMap::new(),
        hlc: Hlc {
            wall_ms: u64::try_from(now_ms).unwrap_or(0),
            counter: 0,
            device,
        },
        author,
        device,
        schema_version: SCHEMA_VERSION,
    }
}
