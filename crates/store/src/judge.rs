//! The facts this store knows of an op's target, gathered for the domain's judgement, which
//! decides every local write and every op received from the hub. No rule is written here.

use casebook_domain::judgement::{Authority, Facts, Known, Standing, Verdict, judge, references};
use casebook_domain::{Entity, Op, OpKind};
use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

use crate::apply::table;
use crate::error::StoreError;

/// What this store holds of the record `id` of kind `entity`.
pub(crate) fn known(conn: &Connection, entity: Entity, id: Uuid) -> Result<Option<Known>, StoreError> {
    let sql = match entity {
        Entity::Case => "SELECT id, 0 FROM cases WHERE id = ?1".to_owned(),
        Entity::Contact => "SELECT case_id, state = 'finalised' FROM contacts WHERE id = ?1".to_owned(),
        other => format!("SELECT case_id, 0 FROM {} WHERE id = ?1", table(other)),
    };
    let row: Option<(String, bool)> = conn
        .prepare_cached(&sql)?
        .query_row(params![id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    row.map(|(case_id, finalised)| {
        Ok(Known {
            entity,
            case_id: case_id
                .parse()
                .map_err(|_| StoreError::Corrupt("bad case id in a record".into()))?,
            finalised,
        })
    })
    .transpose()
}

/// Judges `op` against this store's records. A local write is judged with its author's
/// `authority`; an op from the hub as [`Authority::Vetted`].
pub(crate) fn judge_here(conn: &Connection, op: &Op, authority: Authority) -> Result<Verdict, StoreError> {
    let case_here = known(conn, Entity::Case, op.case_id.as_uuid())?.is_some();
    let standing = if case_here {
        Standing::Holds
    } else {
        Standing::UnknownCase
    };
    let target = match (op.kind, op.entity) {
        (OpKind::Create, Entity::Case) | (OpKind::Update, _) => known(conn, op.entity, op.entity_id)?,
        // A create's id is new unless a record of any kind already has it.
        (OpKind::Create, entity) => known(conn, entity, op.entity_id)?,
    };
    let mut refs = Vec::new();
    for reference in references(op) {
        refs.push((reference, known(conn, reference.entity, reference.id)?));
    }
    let facts = Facts {
        authority,
        standing,
        target,
        references: refs,
        // The hub dates ops against its own clock; a laptop's may be wrong.
        now_ms: None,
    };
    Ok(judge(op, &facts))
}
