//! The one way changes are made: each checks the process rules, becomes an op, is applied to
//! the tables and appended to the op log, all in the caller's transaction.
//!
//! Here: the [`Writer`], the op path every change goes through, and what applies to any record
//! (resolving a conflict's text, finding records). Each kind of change has its own module, like
//! the `impl Writer` blocks of meetings, risk and reports.

mod cases;
mod consents;
mod contacts;
mod parties;
mod supervision;

use std::collections::BTreeMap;

use casebook_domain::contact::ensure_editable;
use casebook_domain::{
    CaseId, CaseStatus, Clock, ContactId, DeviceId, Entity, Op, OpId, OpKind, PartyId, RuleError,
    SCHEMA_VERSION, UserId,
};
use chrono::NaiveDate;
use rusqlite::Transaction;
use serde_json::{Value, json};
use uuid::Uuid;

use casebook_domain::Role;
use casebook_domain::judgement::{Authority, Verdict};

use crate::apply::{apply, log};
use crate::error::StoreError;
use crate::judge::judge_local;
use crate::read;

/// Who is making changes on this device.
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    /// The user.
    pub user: UserId,
    /// This device.
    pub device: DeviceId,
}

/// Makes changes inside one transaction; dropped without [`crate::Store::write`] returning Ok,
/// nothing is kept.
pub struct Writer<'a> {
    pub(crate) tx: Transaction<'a>,
    pub(crate) actor: Actor,
    pub(crate) clock: &'a mut Clock,
    pub(crate) now_ms: u64,
    pub(crate) today: NaiveDate,
}

pub(crate) type Fields = BTreeMap<String, Value>;

fn fields<const N: usize>(pairs: [(&str, Value); N]) -> Fields {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

impl Writer<'_> {
    /// Turns a change into an op, applies it and logs it. Returns the op's id.
    pub(crate) fn emit(
        &mut self,
        case_id: CaseId,
        entity: Entity,
        entity_id: Uuid,
        kind: OpKind,
        fields: Fields,
    ) -> Result<OpId, StoreError> {
        let replaces = match kind {
            OpKind::Create => BTreeMap::new(),
            OpKind::Update => self.replaced(entity, entity_id, &fields)?,
        };
        let op = Op {
            op_id: OpId::new(),
            case_id,
            entity,
            entity_id,
            kind,
            fields,
            replaces,
            hlc: self.clock.tick(self.now_ms),
            author: self.actor.user,
            device: self.actor.device,
            schema_version: SCHEMA_VERSION,
        };
        // The store's own user (a facilitator until a hub says otherwise) is judged like anyone.
        let role = read::enrolled_role(&self.tx)?.unwrap_or(Role::Facilitator);
        let authority = Authority::User {
            id: self.actor.user,
            role,
        };
        if let Verdict::Refuse(refusal) = judge_local(&self.tx, &op, authority)? {
            return Err(refusal.into());
        }
        apply(&self.tx, &op)?;
        log(&self.tx, &op, Some(0), None)?;
        Ok(op.op_id)
    }

    /// The op that set each field's current value: its last edit, else the record's creation.
    fn replaced(
        &self,
        entity: Entity,
        entity_id: Uuid,
        fields: &Fields,
    ) -> Result<BTreeMap<String, OpId>, StoreError> {
        let mut out = BTreeMap::new();
        for field in fields.keys() {
            let version =
                crate::apply::current_version(&self.tx, entity, entity_id, field)?.ok_or_else(|| {
                    StoreError::NotFound {
                        what: entity.as_str(),
                        given: entity_id.to_string(),
                    }
                })?;
            out.insert(field.clone(), version.op);
        }
        Ok(out)
    }

    pub(crate) fn ensure_open(&self, case: CaseId) -> Result<CaseStatus, StoreError> {
        let status = read::case_status(&self.tx, case)?;
        if status == CaseStatus::Closed {
            return Err(RuleError::CaseClosed.into());
        }
        Ok(status)
    }

    /// Sets one text field of a record (resolving a conflict). Returns the op's id.
    pub fn set_text(
        &mut self,
        case: CaseId,
        entity: Entity,
        id: Uuid,
        field: &str,
        text: &str,
    ) -> Result<OpId, StoreError> {
        if entity == Entity::Contact {
            let (_, state, finalised_on) = read::contact_state(&self.tx, ContactId(id))?;
            ensure_editable(state, finalised_on)?;
        }
        self.emit(case, entity, id, OpKind::Update, fields([(field, json!(text))]))
    }

    /// Finds a case by id, reference or unique id prefix.
    pub fn resolve_case(&self, given: &str) -> Result<CaseId, StoreError> {
        read::resolve_case(&self.tx, given)
    }

    /// Finds a party of a case by id or name.
    pub fn resolve_party(&self, case: CaseId, given: &str) -> Result<PartyId, StoreError> {
        read::resolve_party(&self.tx, case, given)
    }

    /// Finds a contact by id or unique id prefix.
    pub fn resolve_contact(&self, given: &str) -> Result<ContactId, StoreError> {
        read::resolve_contact(&self.tx, given)
    }
}

pub use casebook_domain::case::provisional_reference;
