//! Retention on PostgreSQL: the periods by outcome, legal holds (their reason and who set them
//! sealed), and what each case's period says today. The rules and the refusals are the SQLite
//! backend's (`storage/retention.rs`); this is only where the rows are.

use std::collections::{HashMap, HashSet};

use casebook_domain::CaseId;
use casebook_domain::retention::{Life, Policy};
use chrono::NaiveDate;
use postgres::GenericClient;
use postgres::fallible_iterator::FallibleIterator;
use uuid::Uuid;

use super::{Postgres, snapshot};
use crate::audit::{AuditAction, AuditEvent};
use crate::error::HubError;
use crate::storage::retention::{hold_reason, lives_of, no_period, not_held, period_key, policy_of};
use crate::storage::{CaseRetention, LegalHold};

impl Postgres {
    /// See [`crate::storage::Storage::retention_policy`].
    pub fn retention_policy(&self) -> Result<Policy, HubError> {
        self.run(policy)
    }

    /// See [`crate::storage::Storage::set_retention`].
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
        self.run(|client| {
            let mut tx = client.transaction()?;
            let changed = match years {
                Some(years) => tx.execute(
                    "INSERT INTO retention_periods (outcome, years, set_at) VALUES ($1, $2, $3)
                     ON CONFLICT (outcome) DO UPDATE SET years = excluded.years, set_at = excluded.set_at",
                    &[&key, &i32::try_from(years).unwrap_or(i32::MAX), &now_ms],
                )?,
                None => tx.execute("DELETE FROM retention_periods WHERE outcome = $1", &[&key])?,
            };
            if changed == 0 {
                return Err(no_period(&key));
            }
            self.append(&mut tx, &[event], now_ms)?;
            tx.commit()?;
            Ok(())
        })
    }

    /// See [`crate::storage::Storage::legal_holds`].
    pub fn legal_holds(&self) -> Result<Vec<LegalHold>, HubError> {
        let rows = self.run(|client| {
            Ok(client.query(
                "SELECT h.case_id, c.reference, h.reason, h.held_by, h.held_at
                 FROM legal_holds h JOIN cases c ON c.id = h.case_id ORDER BY c.reference",
                &[],
            )?)
        })?;
        rows.iter()
            .map(|row| {
                let id: Uuid = row.try_get(0)?;
                let row_id = id.to_string();
                let reason: Vec<u8> = row.try_get(2)?;
                let held_by: Option<Vec<u8>> = row.try_get(3)?;
                Ok(LegalHold {
                    case_id: CaseId(id),
                    reference: row.try_get(1)?,
                    reason: self.open_text(&reason, "legal_holds", "reason", &row_id)?,
                    held_by: held_by
                        .map(|b| self.open_text(&b, "legal_holds", "held_by", &row_id))
                        .transpose()?,
                    held_at_ms: row.try_get(4)?,
                })
            })
            .collect()
    }

    /// See [`crate::storage::Storage::hold_case`].
    pub fn hold_case(&mut self, given: &str, reason: &str, now_ms: i64) -> Result<CaseId, HubError> {
        let reason = hold_reason(reason)?;
        let case_id = self.live_case(given)?;
        let row_id = case_id.to_string();
        let sealed_reason = self.seal(reason.as_bytes(), "legal_holds", "reason", &row_id)?;
        let sealed_by = self
            .operator
            .as_deref()
            .map(|o| self.seal(o.as_bytes(), "legal_holds", "held_by", &row_id))
            .transpose()?;
        let event =
            AuditEvent::new(AuditAction::Hold, self.admin_detail(serde_json::json!({}))).about([case_id]);
        self.run(|client| {
            let mut tx = client.transaction()?;
            tx.execute(
                "INSERT INTO legal_holds (case_id, reason, held_by, held_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (case_id) DO UPDATE SET reason = excluded.reason, held_by = excluded.held_by,
                                                     held_at = excluded.held_at",
                &[&case_id.0, &sealed_reason, &sealed_by, &now_ms],
            )?;
            self.append(&mut tx, &[event], now_ms)?;
            tx.commit()?;
            Ok(case_id)
        })
    }

    /// See [`crate::storage::Storage::release_case`].
    pub fn release_case(&mut self, given: &str, now_ms: i64) -> Result<CaseId, HubError> {
        let case_id = self.live_case(given)?;
        let event =
            AuditEvent::new(AuditAction::Release, self.admin_detail(serde_json::json!({}))).about([case_id]);
        self.run(|client| {
            let mut tx = client.transaction()?;
            if tx.execute("DELETE FROM legal_holds WHERE case_id = $1", &[&case_id.0])? == 0 {
                return Err(not_held(given));
            }
            self.append(&mut tx, &[event], now_ms)?;
            tx.commit()?;
            Ok(case_id)
        })
    }

    /// See [`crate::storage::Storage::retention_of_cases`]. One snapshot: the policy, the holds
    /// and the cases' ops as of the same moment.
    pub fn retention_of_cases(&mut self, today: NaiveDate) -> Result<Vec<CaseRetention>, HubError> {
        self.run(|client| {
            let mut tx = snapshot(client)?;
            let policy = policy(&mut tx)?;
            let lives = self.lives(&mut tx, None)?;
            let held = held_cases(&mut tx)?;
            let rows = tx.query("SELECT id, reference FROM cases ORDER BY reference", &[])?;
            tx.commit()?;
            rows.iter()
                .map(|row| {
                    let case_id = CaseId(row.try_get(0)?);
                    Ok(CaseRetention::of(
                        case_id,
                        row.try_get(1)?,
                        &lives,
                        &policy,
                        &held,
                        today,
                    ))
                })
                .collect()
        })
    }

    /// A case the hub holds now, by id or reference (an erased one is no longer found).
    pub(super) fn live_case(&self, given: &str) -> Result<CaseId, HubError> {
        let given = given.trim();
        let by_id = given.parse::<Uuid>().ok();
        let row = self.run(|client| {
            Ok(client.query_opt(
                "SELECT id FROM cases WHERE id = $1 OR reference = $2",
                &[&by_id, &given],
            )?)
        })?;
        Ok(CaseId(
            row.ok_or_else(|| HubError::NoSuchCase(given.to_owned()))?
                .try_get(0)?,
        ))
    }

    /// The life of each case (or only `only`) from its case and status-change ops. The kind of
    /// an op is inside its sealed payload, so every op of those cases is read and opened, as it
    /// streams in: an admin command's cost, never a request's.
    pub(super) fn lives(
        &self,
        client: &mut impl GenericClient,
        only: Option<CaseId>,
    ) -> Result<HashMap<CaseId, Life>, HubError> {
        let only = only.map(|c| c.0);
        let mut rows = client.query_raw(
            "SELECT op_id, payload FROM ops WHERE ($1::uuid IS NULL OR case_id = $1) ORDER BY seq",
            [&only as &(dyn postgres::types::ToSql + Sync)],
        )?;
        let mut ops = Vec::new();
        while let Some(row) = rows.next()? {
            let op_id: Uuid = row.try_get(0)?;
            let payload: Vec<u8> = row.try_get(1)?;
            ops.push(self.open_op(&op_id, &payload)?);
        }
        Ok(lives_of(ops))
    }
}

/// The retention periods now set.
pub(super) fn policy(client: &mut impl GenericClient) -> Result<Policy, HubError> {
    let rows = client.query("SELECT outcome, years FROM retention_periods", &[])?;
    let rows = rows
        .iter()
        .map(|row| {
            let years: i32 = row.try_get(1)?;
            Ok((row.try_get(0)?, u32::try_from(years).unwrap_or(0)))
        })
        .collect::<Result<Vec<_>, HubError>>()?;
    Ok(policy_of(rows))
}

/// The cases under a legal hold.
pub(super) fn held_cases(client: &mut impl GenericClient) -> Result<HashSet<CaseId>, HubError> {
    client
        .query("SELECT case_id FROM legal_holds", &[])?
        .iter()
        .map(|row| Ok(CaseId(row.try_get(0)?)))
        .collect()
}
