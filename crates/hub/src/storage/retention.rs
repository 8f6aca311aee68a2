//! Retention: the periods by outcome, legal holds, and what each case's period says today
//! (`purge.rs` erases what is due). What is due is decided by `casebook_domain::retention`;
//! this is its SQL.

use std::collections::HashMap;

use casebook_domain::retention::{self, Life, Policy, Retention};
use casebook_domain::{CaseId, Op};
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
        let key = match outcome {
            Some(o) if o.trim().is_empty() || o.trim() == DEFAULT_OUTCOME => {
                return Err(HubError::Retention(
                    "name an outcome as recorded on cases, or give --default".to_owned(),
                ));
            }
            Some(o) => retention::outcome_key(o),
            None => DEFAULT_OUTCOME.to_owned(),
        };
        if years.is_some_and(|y| y > retention::MAX_YEARS) {
            return Err(HubError::Retention(format!(
                "a period is at most {} years",
                retention::MAX_YEARS
            )));
        }
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
            None if key == DEFAULT_OUTCOME => {
                return Err(HubError::Retention(
                    "the default period cannot be removed, only changed".to_owned(),
                ));
            }
            None => tx.execute("DELETE FROM retention_periods WHERE outcome = ?1", [&key])?,
        };
        if changed == 0 {
            return Err(HubError::Retention(format!(
                "no period is set for the outcome {key:?}"
            )));
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
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(HubError::Retention("a legal hold needs a reason".to_owned()));
        }
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
            return Err(HubError::Retention(format!(
                "case {given} is not under a legal hold"
            )));
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
                let life = lives.get(&case_id).cloned().unwrap_or_default();
                Ok(CaseRetention {
                    case_id,
                    reference,
                    received_on: life.received_on,
                    closed_on: life.closed_on,
                    years: policy.years_for(life.outcome.as_deref()),
                    retention: retention::decide(&life, &policy, held.contains(&case_id), today),
                })
            })
            .collect()
    }

    /// Erases the case `given` (id or reference) if it is due on `today`, or, with `force`, if
    /// it is closed at all (an erasure request): its ops, records, former holders and
    /// assignment, in one transaction, with freed pages zeroed. Leaves a tombstone and a purge
    /// order for every active device, and writes the tombstone into the audit trail. A case
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

pub(super) fn policy(conn: &Connection) -> Result<Policy, HubError> {
    let mut policy = Policy::default();
    let mut stmt = conn.prepare("SELECT outcome, years FROM retention_periods")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    for (outcome, years) in rows {
        if outcome == DEFAULT_OUTCOME {
            policy.default_years = years;
        } else {
            policy.by_outcome.insert(outcome, years);
        }
    }
    Ok(policy)
}

pub(super) fn held_cases(conn: &Connection) -> Result<std::collections::HashSet<CaseId>, HubError> {
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
        "SELECT case_id, op_json FROM ops
         WHERE (?1 IS NULL OR case_id = ?1)
           AND json_extract(op_json, '$.entity') IN ('case', 'status_change')
         ORDER BY seq",
    )?;
    let raw = stmt
        .query_map([only.map(|c| c.to_string())], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut ops: HashMap<CaseId, Vec<Op>> = HashMap::new();
    for (case, json) in raw {
        ops.entry(parse(&case)?)
            .or_default()
            .push(serde_json::from_str(&json)?);
    }
    Ok(ops
        .into_iter()
        .map(|(case, ops)| (case, retention::life(&ops)))
        .collect())
}
