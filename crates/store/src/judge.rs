//! The facts this store knows of an op's target, gathered for the domain's judgement, which
//! decides every local write and every op received from the hub. No rule is written here.

use casebook_domain::judgement::{
    Authority, Facts, Known, Named, Standing, Verdict, judge, named, references,
};
use casebook_domain::{Entity, Op, OpKind, Role, UserId};
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

/// What this store knows of `op`'s target, for the judgement; `None` when its record (for an
/// update) or its case (for a create) is not here, which for an op from the hub means it waits
/// as an orphan. One lookup for an update, two for a create, plus one per reference.
pub(crate) fn gather(conn: &Connection, op: &Op, authority: Authority) -> Result<Option<Facts>, StoreError> {
    let (standing, target) = match (op.kind, op.entity) {
        (OpKind::Create, Entity::Case) => {
            let case = known(conn, Entity::Case, op.case_id.as_uuid())?;
            let target = if op.entity_id == op.case_id.as_uuid() {
                case
            } else {
                known(conn, Entity::Case, op.entity_id)?
            };
            let standing = if case.is_some() {
                Standing::Holds
            } else {
                Standing::UnknownCase
            };
            (standing, target)
        }
        (OpKind::Create, entity) => {
            if known(conn, Entity::Case, op.case_id.as_uuid())?.is_none() {
                return Ok(None);
            }
            (Standing::Holds, known(conn, entity, op.entity_id)?)
        }
        (OpKind::Update, entity) => match known(conn, entity, op.entity_id)? {
            // A record is always stored with its case, so its case is here too.
            Some(target) => (Standing::Holds, Some(target)),
            None => return Ok(None),
        },
    };
    let mut refs = Vec::new();
    for reference in references(op) {
        refs.push((reference, known(conn, reference.entity, reference.id)?));
    }
    Ok(Some(Facts {
        authority,
        standing,
        target,
        references: refs,
        // The hub dates ops against its own clock; a laptop's may be wrong.
        now_ms: None,
        named: named_users(conn, op)?,
    }))
}

/// What the team directory says of each user `op` allocates its case to. The directory the hub
/// sends is the author's team (a coordinator's: the whole service), so anyone in it is of the
/// author's team as far as this laptop can tell; the hub judges again with every user's team.
fn named_users(conn: &Connection, op: &Op) -> Result<Vec<(UserId, Option<Named>)>, StoreError> {
    let mut out = Vec::new();
    for user in named(op) {
        let role: Option<String> = conn
            .prepare_cached("SELECT role FROM people WHERE id = ?1")?
            .query_row(params![user.to_string()], |r| r.get(0))
            .optional()?;
        let known = role.map(|role| Named {
            // A role this build does not know is no facilitator.
            role: role.parse().unwrap_or(Role::Admin),
            in_authors_team: true,
        });
        out.push((user, known));
    }
    Ok(out)
}

/// Judges a change this store's own user makes. A change to a record or case that is not here
/// is refused like any other.
pub(crate) fn judge_local(conn: &Connection, op: &Op, authority: Authority) -> Result<Verdict, StoreError> {
    let facts = match gather(conn, op, authority)? {
        Some(facts) => facts,
        None => Facts {
            authority,
            standing: Standing::UnknownCase,
            target: None,
            references: Vec::new(),
            now_ms: None,
            named: named_users(conn, op)?,
        },
    };
    Ok(judge(op, &facts))
}
