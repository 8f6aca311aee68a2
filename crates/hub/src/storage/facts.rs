//! What the hub knows of an op's target, gathered for the domain's judgement: the records and
//! their cases, the case's assignment, and whether the author held it before a reassignment.
//! The decision itself is `casebook_domain::judgement::judge`; no rule is written here.

use casebook_domain::judgement::{Authority, Facts, Known, Named, Standing, named, references};
use casebook_domain::{CaseId, Entity, Op, OpKind, UserId};
use rusqlite::{OptionalExtension, Transaction, params};
use uuid::Uuid;

use super::UserRow;
use super::ops::assignment;
use crate::error::HubError;
use crate::scope::{self, Assignment};

/// What one record is, as the hub registered it.
pub(super) fn known(tx: &Transaction<'_>, id: Uuid) -> Result<Option<Known>, HubError> {
    let raw: Option<(String, String, bool)> = tx
        .prepare_cached("SELECT entity, case_id, finalised FROM records WHERE id = ?1")?
        .query_row([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    raw.map(|(entity, case_id, finalised)| {
        Ok(Known {
            entity: super::parse(&entity)?,
            case_id: super::parse(&case_id)?,
            finalised,
        })
    })
    .transpose()
}

/// The facts the judgement needs for `op`, pushed by `author`, and the case's assignment.
pub(super) fn gather(
    tx: &Transaction<'_>,
    author: &UserRow,
    op: &Op,
    now_ms: i64,
) -> Result<(Facts, Option<Assignment>), HubError> {
    let case = assignment(tx, op.case_id)?;
    let standing = match &case {
        None => Standing::UnknownCase,
        Some(c) if scope::in_scope(&author.viewer(), c) => Standing::Holds,
        Some(_) => match held_until(tx, op.case_id, author)? {
            Some(until) => Standing::HeldUntil(until),
            None => Standing::Outsider,
        },
    };
    let target = known(tx, op.entity_id)?;
    let mut refs = Vec::new();
    for reference in references(op) {
        refs.push((reference, known(tx, reference.id)?));
    }
    let facts = Facts {
        authority: Authority::User {
            id: author.id,
            role: author.role,
        },
        standing,
        target,
        references: refs,
        now_ms: Some(u64::try_from(now_ms).unwrap_or(0)),
        named: named_users(tx, author, op)?,
    };
    Ok((facts, case))
}

/// What the hub knows of each user `op` allocates its case to: their role, and whether they
/// share the author's team.
fn named_users(
    tx: &Transaction<'_>,
    author: &UserRow,
    op: &Op,
) -> Result<Vec<(UserId, Option<Named>)>, HubError> {
    let mut out = Vec::new();
    for id in named(op) {
        let known = user(tx, id)?.map(|user| Named {
            role: user.role,
            in_authors_team: author.team.is_some() && user.team == author.team,
        });
        out.push((id, known));
    }
    Ok(out)
}

/// The user `id`, if the hub has one.
pub(super) fn user(tx: &Transaction<'_>, id: UserId) -> Result<Option<UserRow>, HubError> {
    tx.prepare_cached("SELECT id, name, role, team FROM users WHERE id = ?1")?
        .query_row([id.to_string()], |r| super::user_from_row(r, 0))
        .optional()?
        .map(super::user_row)
        .transpose()
}

/// Until when `author` last held the case (as its lead or co, or as a supervisor of its team),
/// if a reassignment took it from them.
fn held_until(tx: &Transaction<'_>, case_id: CaseId, author: &UserRow) -> Result<Option<u64>, HubError> {
    let by_team = author.role == casebook_domain::Role::Supervisor;
    let until: Option<i64> = tx
        .prepare_cached(
            "SELECT MAX(until_ms) FROM former_holders
             WHERE case_id = ?1 AND (user_id = ?2 OR (?3 AND team IS NOT NULL AND team = ?4))",
        )?
        .query_row(
            params![case_id.to_string(), author.id.to_string(), by_team, author.team],
            |r| r.get(0),
        )?;
    Ok(until.map(|t| u64::try_from(t).unwrap_or(0)))
}

/// Registers what an accepted op creates or settles: a new record and its case, or a contact
/// that is now finalised.
pub(super) fn register(tx: &Transaction<'_>, op: &Op) -> Result<(), HubError> {
    if op.kind == OpKind::Create {
        tx.prepare_cached("INSERT OR IGNORE INTO records (id, case_id, entity) VALUES (?1, ?2, ?3)")?
            .execute(params![
                op.entity_id.to_string(),
                op.case_id.to_string(),
                op.entity.as_str()
            ])?;
    }
    if op.entity == Entity::Contact && op.fields.get("state").and_then(|s| s.as_str()) == Some("finalised") {
        tx.prepare_cached("UPDATE records SET finalised = 1 WHERE id = ?1")?
            .execute([op.entity_id.to_string()])?;
    }
    Ok(())
}

/// Records that a reassignment at `until_ms` took the case from whoever held it before and
/// does not hold it after.
pub(super) fn record_former_holders(
    tx: &Transaction<'_>,
    before: &Assignment,
    after: &Assignment,
    until_ms: u64,
) -> Result<(), HubError> {
    let until = i64::try_from(until_ms).unwrap_or(i64::MAX);
    let now_holding = [after.lead, after.co];
    for user in [before.lead, before.co].into_iter().flatten() {
        if !now_holding.contains(&Some(user)) {
            tx.execute(
                "INSERT INTO former_holders (case_id, user_id, until_ms) VALUES (?1, ?2, ?3)",
                params![before.case_id.to_string(), user.to_string(), until],
            )?;
        }
    }
    if before.team.is_some() && before.team != after.team {
        tx.execute(
            "INSERT INTO former_holders (case_id, team, until_ms) VALUES (?1, ?2, ?3)",
            params![before.case_id.to_string(), before.team, until],
        )?;
    }
    Ok(())
}
