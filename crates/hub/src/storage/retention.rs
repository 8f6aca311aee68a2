//! Retention: the periods by outcome, legal holds, and what each case's period says today
//! (`purge.rs` erases what is due). What is due is decided by `casebook_domain::retention`;
//! this is its SQL.

use std::collections::{HashMap, HashSet};

use casebook_domain::retention::{self, Life, Policy, Retention};
use casebook_domain::{CaseId, Entity, Op};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use super::audit::append;
use super::{Sqlite, parse};
use crate::audit::{AuditAction, AuditEvent};
use crate::error::HubError;

/// The key of the period that applies to every outcome without one of its own.
const DEFAULT_OUTCOME: &str = "*";

/// A case under a legal hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LegalHold {
    /// The case.
    pub case_id: CaseId,
    /// Its reference.
    pub reference: String,
    /// Why it is held (the admin's words).
    pub reason: String,
    /// The system user who placed the hold.
    pub held_by: Option<String>,
    /// When, ms since the Unix epoch.
    pub held_at_ms: i64,
}

/// What the retention policy says of one case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseRetention {
    /// The case.
    pub case_id: CaseId,
    /// Its reference.
    pub reference: String,
    /// When its referral was received.
    pub received_on: Option<NaiveDate>,
    /// When it was last closed.
    pub closed_on: Option<NaiveDate>,
    /// The years it is kept after closing, by its outcome.
    pub years: u32,
    /// Open, kept until, due since, or held.
    #[serde(skip)]
    pub retention: Retention,
}

impl Sqlite {
    /// The retention periods now set.
    pub fn retention_policy(&self) -> Result<Policy, HubError> {
        policy(&self.conn)
    }

    /// Sets the period of `outcome` (every other outcome with `None`) to `years`, or removes an
    /// outcome's own period with `years = None`. Audited.
    pub fn set_retention(
        &mut self,
        outcome: Option<&str>,
        years: Option<u32>,
        now_ms: i64,
    ) -> Result<(), HubError> {
        let key = period_key(outcome, years)?;
        let event = AuditEvent::new(
            AuditAction::Retention,
            self.admin_detail(serde_json::json!({"outcome": key, "years": years})),
        );
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let changed = match years {
            Some(years) => tx.execute(
                "INSERT INTO retention_periods (outcome, years, set_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (outcome) DO UPDATE SET years = excluded.years, set_at = excluded.set_at",
                params![key, years, now_ms],
            )?,
            None => tx.execute("DELETE FROM retention_periods WHERE outcome = ?1", [&key])?,
        };
        if changed == 0 {
            return Err(no_period(&key));
        }
        append(&tx, &[event], now_ms)?;
        tx.commit()?;
        Ok(())
    }

    /// Every legal hold, by reference.
    pub fn legal_holds(&self) -> Result<Vec<LegalHold>, HubError> {
        let mut stmt = self.conn.prepare(
            "SELECT h.case_id, c.reference, h.reason, h.held_by, h.held_at
             FROM legal_holds h JOIN cases c ON c.id = h.case_id ORDER BY c.reference",
        )?;
        let raw = stmt
            .query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        raw.into_iter()
            .map(|(id, reference, reason, held_by, held_at_ms)| {
                Ok(LegalHold {
                    case_id: parse(&id)?,
                    reference,
                    reason,
                    held_by,
                    held_at_ms,
                })
            })
            .collect()
    }

    /// Puts the case `given` (id or reference) under a legal hold: it is not erased until the
    /// hold is released. Audited (who and which case; the reason stays in the hold).
    pub fn hold_case(&mut self, given: &str, reason: &str, now_ms: i64) -> Result<CaseId, HubError> {
        let reason = hold_reason(reason)?;
        let case_id = self.live_case(given)?;
        let event =
            AuditEvent::new(AuditAction::Hold, self.admin_detail(serde_json::json!({}))).about([case_id]);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO legal_holds (case_id, reason, held_by, held_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (case_id) DO UPDATE SET reason = excluded.reason, held_by = excluded.held_by,
                                                 held_at = excluded.held_at",
            params![case_id.to_string(), reason, self.operator, now_ms],
        )?;
        append(&tx, &[event], now_ms)?;
        tx.commit()?;
        Ok(case_id)
    }

    /// Releases the legal hold of the case `given`; its period applies again. Audited.
    pub fn release_case(&mut self, given: &str, now_ms: i64) -> Result<CaseId, HubError> {
        let case_id = self.live_case(given)?;
        let event =
            AuditEvent::new(AuditAction::Release, self.admin_detail(serde_json::json!({}))).about([case_id]);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        if tx.execute(
            "DELETE FROM legal_holds WHERE case_id = ?1",
            [case_id.to_string()],
        )? == 0
        {
            return Err(not_held(given));
        }
        append(&tx, &[event], now_ms)?;
        tx.commit()?;
        Ok(case_id)
    }

    /// What the policy says today of every case the hub holds, by reference.
    pub fn retention_of_cases(&mut self, today: NaiveDate) -> Result<Vec<CaseRetention>, HubError> {
        let tx = self.conn.transaction()?;
        let policy = policy(&tx)?;
        let lives = lives(&tx, None)?;
        let held = held_cases(&tx)?;
        let mut stmt = tx.prepare("SELECT id, reference FROM cases ORDER BY reference")?;
        let raw = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        drop(stmt);
        tx.commit()?;
        raw.into_iter()
            .map(|(id, reference)| {
                let case_id: CaseId = parse(&id)?;
                Ok(CaseRetention::of(
                    case_id, reference, &lives, &policy, &held, today,
                ))
            })
            .collect()
    }

    /// A case the hub holds now, by id or reference (an erased one is no longer found).
    pub(super) fn live_case(&self, given: &str) -> Result<CaseId, HubError> {
        let id: String = self
            .conn
            .query_row(
                "SELECT id FROM cases WHERE id = ?1 OR reference = ?1",
                [given.trim()],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| HubError::NoSuchCase(given.to_owned()))?;
        parse(&id)
    }
}

impl CaseRetention {
    /// What `policy` says on `today` of the case `case_id`, from its life (if any is known).
    pub(super) fn of(
        case_id: CaseId,
        reference: String,
        lives: &HashMap<CaseId, Life>,
        policy: &Policy,
        held: &HashSet<CaseId>,
        today: NaiveDate,
    ) -> Self {
        let life = lives.get(&case_id).cloned().unwrap_or_default();
        Self {
            case_id,
            reference,
            received_on: life.received_on,
            closed_on: life.closed_on,
            years: policy.years_for(life.outcome.as_deref()),
            retention: retention::decide(&life, policy, held.contains(&case_id), today),
        }
    }
}

/// The key `retention_periods` stores the period of `outcome` under (the default's with
/// `None`), once the change asked for (`years`, or removal with `None`) is one that may be made.
pub(super) fn period_key(outcome: Option<&str>, years: Option<u32>) -> Result<String, HubError> {
    let key = match outcome {
        Some(o) if o.trim().is_empty() || o.trim() == DEFAULT_OUTCOME => {
            return Err(HubError::Retention(
                "name an outcome as recorded on cases, or give --default".to_owned(),
            ));
        }
        Some(o) => retention::outcome_key(o),
        None => DEFAULT_OUTCOME.to_owned(),
    };
    match years {
        Some(y) if y > retention::MAX_YEARS => Err(HubError::Retention(format!(
            "a period is at most {} years",
            retention::MAX_YEARS
        ))),
        None if key == DEFAULT_OUTCOME => Err(HubError::Retention(
            "the default period cannot be removed, only changed".to_owned(),
        )),
        _ => Ok(key),
    }
}

/// The refusal to remove a period that was never set.
pub(super) fn no_period(key: &str) -> HubError {
    HubError::Retention(format!("no period is set for the outcome {key:?}"))
}

/// The reason of a legal hold, trimmed; there must be one.
pub(super) fn hold_reason(reason: &str) -> Result<&str, HubError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(HubError::Retention("a legal hold needs a reason".to_owned()));
    }
    Ok(reason)
}

/// The refusal to release a case that is not held.
pub(super) fn not_held(given: &str) -> HubError {
    HubError::Retention(format!("case {given} is not under a legal hold"))
}

/// The policy from the rows `(outcome, years)` of `retention_periods`.
pub(super) fn policy_of(rows: impl IntoIterator<Item = (String, u32)>) -> Policy {
    let mut policy = Policy::default();
    for (outcome, years) in rows {
        if outcome == DEFAULT_OUTCOME {
            policy.default_years = years;
        } else {
            policy.by_outcome.insert(outcome, years);
        }
    }
    policy
}

/// The life of each case from its ops (any order of cases, each case's in sequence order),
/// reading only the ops retention looks at.
pub(super) fn lives_of(ops: impl IntoIterator<Item = Op>) -> HashMap<CaseId, Life> {
    let mut by_case: HashMap<CaseId, Vec<Op>> = HashMap::new();
    for op in ops {
        if matches!(op.entity, Entity::Case | Entity::StatusChange) {
            by_case.entry(op.case_id).or_default().push(op);
        }
    }
    by_case
        .into_iter()
        .map(|(case, ops)| (case, retention::life(&ops)))
        .collect()
}

pub(super) fn policy(conn: &Connection) -> Result<Policy, HubError> {
    let mut stmt = conn.prepare("SELECT outcome, years FROM retention_periods")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(policy_of(rows))
}

pub(super) fn held_cases(conn: &Connection) -> Result<HashSet<CaseId>, HubError> {
    let mut stmt = conn.prepare("SELECT case_id FROM legal_holds")?;
    let ids = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    ids.iter().map(|id| parse(id)).collect()
}

/// The life of each case (or only `only`) from its case and status-change ops. Reads every op
/// row of those cases: an admin command's cost, never a request's.
pub(super) fn lives(conn: &Connection, only: Option<CaseId>) -> Result<HashMap<CaseId, Life>, HubError> {
    let mut stmt = conn.prepare(
        "SELECT op_json FROM ops
         WHERE (?1 IS NULL OR case_id = ?1)
           AND json_extract(op_json, '$.entity') IN ('case', 'status_change')
         ORDER BY seq",
    )?;
    let raw = stmt
        .query_map([only.map(|c| c.to_string())], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    let ops = raw
        .iter()
        .map(|json| serde_json::from_str::<Op>(json))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(lives_of(ops))
}
