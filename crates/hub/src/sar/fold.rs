//! A case's records as they stand, rebuilt from its ops: each field takes the value of the
//! latest op (by HLC) that set it, as on every laptop. Concurrent text edits that lost are not
//! shown (the laptops keep them as conflicts for a person to resolve).

use std::collections::BTreeMap;

use casebook_domain::{Entity, Hlc, Op, OpKind, UserId};
use serde_json::Value;
use uuid::Uuid;

/// One record of a case as its ops leave it.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// The kind of record.
    pub entity: Entity,
    /// Its id.
    pub id: Uuid,
    /// Who created it (the author of its first op).
    pub created_by: UserId,
    /// When it was created, on the clock of the laptop that wrote it.
    pub created: Hlc,
    /// Every field set so far, by stored name.
    pub fields: BTreeMap<String, Value>,
}

impl Record {
    /// A text field, if set and not null.
    pub fn text(&self, field: &str) -> Option<&str> {
        self.fields.get(field).and_then(Value::as_str)
    }

    /// A date field, if set and well formed.
    pub fn date(&self, field: &str) -> Option<chrono::NaiveDate> {
        self.text(field).and_then(|t| t.parse().ok())
    }

    /// A flag, false when unset.
    pub fn flag(&self, field: &str) -> bool {
        self.fields.get(field).and_then(Value::as_bool).unwrap_or(false)
    }

    /// The ids of a list-of-records field (`party_ids`, `attendees`), empty when unset.
    pub fn ids(&self, field: &str) -> Vec<Uuid> {
        self.text(field)
            .and_then(casebook_domain::fields::ids_in_list)
            .unwrap_or_default()
    }

    /// The id in a reference field (`party_id`, `meeting`).
    pub fn id_of(&self, field: &str) -> Option<Uuid> {
        self.text(field).and_then(|t| t.parse().ok())
    }
}

/// The records `ops` leave, in the order they were created.
pub fn fold(ops: &[Op]) -> Vec<Record> {
    let mut ordered: Vec<&Op> = ops.iter().collect();
    ordered.sort_by_key(|op| op.hlc);
    let mut records: BTreeMap<Uuid, Record> = BTreeMap::new();
    for op in ordered {
        let record = records.entry(op.entity_id).or_insert_with(|| Record {
            entity: op.entity,
            id: op.entity_id,
            created_by: op.author,
            created: op.hlc,
            fields: BTreeMap::new(),
        });
        if op.kind == OpKind::Create {
            record.created_by = op.author;
        }
        for (name, value) in &op.fields {
            record.fields.insert(name.clone(), value.clone());
        }
    }
    let mut out: Vec<Record> = records.into_values().collect();
    out.sort_by_key(|r| r.created);
    out
}

#[cfg(test)]
mod tests {
    use casebook_domain::{CaseId, DeviceId, OpId, SCHEMA_VERSION};
    use serde_json::json;

    use super::*;

    fn op(id: Uuid, kind: OpKind, ms: u64, fields: Value) -> Op {
        let device = DeviceId::new();
        Op {
            op_id: OpId::new(),
            case_id: CaseId::new(),
            entity: Entity::Party,
            entity_id: id,
            kind,
            fields: serde_json::from_value(fields).expect("an object"),
            replaces: BTreeMap::new(),
            hlc: Hlc {
                wall_ms: ms,
                counter: 0,
                device,
            },
            author: UserId::new(),
            device,
            schema_version: SCHEMA_VERSION,
        }
    }

    #[test]
    fn the_latest_edit_of_each_field_wins_whatever_the_order_received() {
        let id = Uuid::now_v7();
        let create = op(
            id,
            OpKind::Create,
            1,
            json!({"name": "Ann", "role": "victim", "phone": "1"}),
        );
        let rename = op(id, OpKind::Update, 3, json!({"name": "Ann Smith"}));
        let phone = op(id, OpKind::Update, 2, json!({"phone": "2", "name": "Annie"}));
        let records = fold(&[rename, create.clone(), phone]);
        assert_eq!(records.len(), 1);
        let party = &records[0];
        assert_eq!(party.text("name"), Some("Ann Smith"));
        assert_eq!(party.text("phone"), Some("2"));
        assert_eq!(party.text("role"), Some("victim"));
        assert_eq!(party.created_by, create.author);
    }
}
