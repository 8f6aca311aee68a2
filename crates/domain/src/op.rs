//! Operations: every change to a case is one op in the op log, the unit of sync.
//!
//! An op names the entity and the fields it sets, carries an HLC timestamp and, for an edit,
//! the op id of each value it replaced, so a concurrent edit can be recognised and kept as a
//! conflict instead of being silently discarded.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::hlc::Hlc;
use crate::ids::{CaseId, DeviceId, OpId, UserId};

/// The version of the op format and of the schema the fields refer to.
pub const SCHEMA_VERSION: u32 = 1;

labelled_enum!(
    /// The kind of record an op changes.
    Entity {
        /// A case.
        Case = "case" / "case",
        /// A party to a case.
        Party = "party" / "party",
        /// A contact (visit, call, ...).
        Contact = "contact" / "contact",
        /// A consent event.
        Consent = "consent" / "consent event",
        /// A change of a case's status.
        StatusChange = "status_change" / "status change",
        /// A supervisor's note on a case.
        SupervisionNote = "supervision_note" / "supervision note",
        /// A risk and safety assessment of a case.
        RiskAssessment = "risk_assessment" / "risk assessment",
        /// A supervisor's approval or return of submitted work.
        SignOff = "sign_off" / "sign-off",
        /// A restorative meeting being prepared, then held or called off.
        Meeting = "meeting" / "meeting",
        /// Something a person confirmed while preparing a meeting.
        MeetingCheck = "meeting_check" / "meeting check",
        /// The agreement reached: actions, reviews.
        Agreement = "agreement" / "agreement",
        /// A pre-sentence report to the court.
        CourtReport = "court_report" / "court report",
        /// A party's feedback at follow-up, given with their consent.
        Feedback = "feedback" / "feedback",
    }
);

impl Entity {
    /// The fields an op may set on this entity; anything else is refused.
    pub fn fields(self) -> Vec<&'static str> {
        crate::fields::of(self).iter().map(|f| f.name).collect()
    }

    /// The fields a create op must set (non-null): a record without them cannot be shown.
    pub fn required_fields(self) -> Vec<&'static str> {
        crate::fields::of(self)
            .iter()
            .filter(|f| f.required())
            .map(|f| f.name)
            .collect()
    }

    /// Records that are never edited once written.
    pub fn is_append_only(self) -> bool {
        matches!(
            self,
            Entity::Consent
                | Entity::StatusChange
                | Entity::SupervisionNote
                | Entity::SignOff
                | Entity::MeetingCheck
                | Entity::Feedback
        )
    }
}

labelled_enum!(
    /// Whether the op creates a record or edits one.
    OpKind {
        /// Creates the record with all its fields.
        Create = "create" / "create",
        /// Sets some fields of an existing record.
        Update = "update" / "update",
    }
);

/// One operation of the op log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Op {
    /// Unique, client-generated.
    pub op_id: OpId,
    /// The case it belongs to (the unit of sync scope).
    pub case_id: CaseId,
    /// The kind of record.
    pub entity: Entity,
    /// The record's id.
    pub entity_id: Uuid,
    /// Create or update.
    pub kind: OpKind,
    /// The fields it sets, by stored name.
    pub fields: BTreeMap<String, serde_json::Value>,
    /// For an update: the op that set each field's previous value.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub replaces: BTreeMap<String, OpId>,
    /// When, on the hybrid logical clock.
    pub hlc: Hlc,
    /// Who.
    pub author: UserId,
    /// On which device.
    pub device: DeviceId,
    /// The op format version.
    pub schema_version: u32,
}

/// Why an op cannot be applied as it stands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpError {
    /// It sets a field the entity does not have.
    #[error("a {entity} has no field {field:?}")]
    UnknownField {
        /// The entity.
        entity: Entity,
        /// The field.
        field: String,
    },
    /// A sign-off that answers no piece of work, or two.
    #[error(
        "a sign-off answers exactly one piece of work (a risk assessment, a court report or a meeting's override)"
    )]
    SignOffSubjects,
    /// It edits a record that is append-only.
    #[error("a {0} is never edited once recorded")]
    AppendOnly(Entity),
    /// A create that lacks a field every such record must have.
    #[error("a new {entity} must set {field:?}")]
    MissingField {
        /// The entity.
        entity: Entity,
        /// The field.
        field: &'static str,
    },
    /// A field holds a value it can never have (an unknown status, a malformed date, a null
    /// where every record has a value, a number where text belongs).
    #[error("a {entity}'s {field:?} has a value it cannot have")]
    BadValue {
        /// The entity.
        entity: Entity,
        /// The field.
        field: String,
    },
    /// It comes from a newer version of Casebook.
    #[error("the op was written by a newer version of Casebook (format {0})")]
    NewerFormat(u32),
}

impl Op {
    /// Checks the op's shape: a known format, only fields its entity has, each with a value of
    /// its type, no null where a record must have a value, and no edit of an append-only record.
    pub fn validate(&self) -> Result<(), OpError> {
        if self.schema_version > SCHEMA_VERSION {
            return Err(OpError::NewerFormat(self.schema_version));
        }
        if self.kind == OpKind::Update && self.entity.is_append_only() {
            return Err(OpError::AppendOnly(self.entity));
        }
        if self.entity == Entity::SignOff && self.kind == OpKind::Create {
            let subjects = ["risk_assessment", "court_report", "meeting"]
                .iter()
                .filter(|f| self.fields.get(**f).is_some_and(|v| !v.is_null()))
                .count();
            if subjects != 1 {
                return Err(OpError::SignOffSubjects);
            }
        }
        let table = crate::fields::of(self.entity);
        if self.kind == OpKind::Create {
            for field in table.iter().filter(|f| f.required()) {
                if self.fields.get(field.name).is_none_or(serde_json::Value::is_null) {
                    return Err(OpError::MissingField {
                        entity: self.entity,
                        field: field.name,
                    });
                }
            }
        }
        for name in self.replaces.keys() {
            if crate::fields::find(self.entity, name).is_none() {
                return Err(OpError::UnknownField {
                    entity: self.entity,
                    field: name.clone(),
                });
            }
        }
        for (name, value) in &self.fields {
            let Some(field) = crate::fields::find(self.entity, name) else {
                return Err(OpError::UnknownField {
                    entity: self.entity,
                    field: name.clone(),
                });
            };
            if !crate::fields::fits(field, value) {
                return Err(OpError::BadValue {
                    entity: self.entity,
                    field: name.clone(),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(entity: Entity, kind: OpKind, field: &str) -> Op {
        let device = DeviceId::new();
        Op {
            op_id: OpId::new(),
            case_id: CaseId::new(),
            entity,
            entity_id: Uuid::now_v7(),
            kind,
            fields: BTreeMap::from([(field.to_owned(), serde_json::json!("x"))]),
            replaces: BTreeMap::new(),
            hlc: Hlc {
                wall_ms: 1,
                counter: 0,
                device,
            },
            author: UserId::new(),
            device,
            schema_version: SCHEMA_VERSION,
        }
    }

    #[test]
    fn ops_may_only_set_known_fields() {
        assert_eq!(op(Entity::Case, OpKind::Update, "summary").validate(), Ok(()));
        assert!(matches!(
            op(Entity::Case, OpKind::Update, "summary; DROP TABLE cases").validate(),
            Err(OpError::UnknownField { .. })
        ));
    }

    #[test]
    fn values_of_closed_sets_and_dates_are_checked() {
        let mut edit = op(Entity::Case, OpKind::Update, "summary");
        edit.fields.insert("status".into(), serde_json::json!("exploded"));
        assert!(matches!(edit.validate(), Err(OpError::BadValue { .. })));
        edit.fields.insert("status".into(), serde_json::json!("closed"));
        edit.fields
            .insert("court_date".into(), serde_json::json!("31/12/2026"));
        assert!(matches!(edit.validate(), Err(OpError::BadValue { .. })));
        edit.fields.insert("court_date".into(), serde_json::Value::Null);
        assert_eq!(edit.validate(), Ok(()));
    }

    #[test]
    fn creates_must_set_the_required_fields() {
        let mut create = op(Entity::Party, OpKind::Create, "name");
        assert_eq!(
            create.validate(),
            Err(OpError::MissingField {
                entity: Entity::Party,
                field: "role"
            })
        );
        create.fields.insert("role".into(), serde_json::json!("victim"));
        assert_eq!(create.validate(), Ok(()));
        create.fields.insert("name".into(), serde_json::Value::Null);
        assert!(create.validate().is_err());
    }

    #[test]
    fn append_only_records_are_never_updated() {
        let mut create = op(Entity::Consent, OpKind::Create, "scope");
        create.fields = BTreeMap::from([
            ("party_id".to_owned(), serde_json::json!(uuid::Uuid::now_v7())),
            ("scope".to_owned(), serde_json::json!("contact")),
            ("decision".to_owned(), serde_json::json!("withdrawn")),
            ("method".to_owned(), serde_json::json!("verbal")),
            ("date".to_owned(), serde_json::json!("2026-11-02")),
        ]);
        assert_eq!(create.validate(), Ok(()));
        assert_eq!(
            op(Entity::Consent, OpKind::Update, "scope").validate(),
            Err(OpError::AppendOnly(Entity::Consent))
        );
    }

    #[test]
    fn a_sign_off_answers_exactly_one_piece_of_work() {
        let mut o = op(Entity::SignOff, OpKind::Create, "note");
        for (k, v) in [
            ("submission", serde_json::json!(Uuid::now_v7())),
            ("decision", serde_json::json!("approved")),
            ("date", serde_json::json!("2026-11-27")),
        ] {
            o.fields.insert(k.into(), v);
        }
        assert_eq!(o.validate(), Err(OpError::SignOffSubjects), "no subject");
        o.fields
            .insert("risk_assessment".into(), serde_json::json!(Uuid::now_v7()));
        assert_eq!(o.validate(), Ok(()));
        o.fields
            .insert("meeting".into(), serde_json::json!(Uuid::now_v7()));
        assert_eq!(o.validate(), Err(OpError::SignOffSubjects), "two subjects");
        o.fields.insert("risk_assessment".into(), serde_json::json!(null));
        assert_eq!(o.validate(), Ok(()), "a meeting's override");
    }

    #[test]
    fn supervision_notes_need_text_and_a_date_and_are_never_edited() {
        let mut create = op(Entity::SupervisionNote, OpKind::Create, "text");
        create
            .fields
            .insert("date".into(), serde_json::json!("2026-11-02"));
        assert_eq!(create.validate(), Ok(()));
        create.fields.insert("text".into(), serde_json::json!("  "));
        assert!(matches!(create.validate(), Err(OpError::BadValue { .. })));
        create.fields.remove("date");
        create.fields.insert("text".into(), serde_json::json!("fine"));
        assert!(matches!(
            create.validate(),
            Err(OpError::MissingField { field: "date", .. })
        ));
        assert_eq!(
            op(Entity::SupervisionNote, OpKind::Update, "text").validate(),
            Err(OpError::AppendOnly(Entity::SupervisionNote))
        );
        assert_eq!(Entity::SupervisionNote.as_str(), "supervision_note");
    }

    #[test]
    fn ops_from_a_newer_format_are_refused() {
        let mut newer = op(Entity::Case, OpKind::Update, "summary");
        newer.schema_version = SCHEMA_VERSION + 1;
        assert_eq!(newer.validate(), Err(OpError::NewerFormat(SCHEMA_VERSION + 1)));
    }

    #[test]
    fn ops_round_trip_through_json() {
        let o = op(Entity::Contact, OpKind::Create, "notes");
        let back: Op = serde_json::from_str(&serde_json::to_string(&o).expect("json")).expect("parse");
        assert_eq!(back, o);
    }
}
