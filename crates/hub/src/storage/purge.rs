//! Erasing a case that is due: its ops and every fact that names it go in one transaction, a
//! tombstone stays, and every active device gets a purge order it confirms. Whether a case is
//! due is `casebook_domain::retention`'s to decide; this is the SQL.

use casebook_domain::retention::{self, Life, Policy, Retention};
use casebook_domain::{CaseId, DeviceId};
use casebook_protocol::{PurgeConfirmation, PurgeOrder};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use super::audit::append;
use super::retention::{held_cases, lives, policy};
use super::{DeviceRow, Sqlite, parse};
use crate::audit::{AuditAction, AuditEvent};
use crate::error::HubError;

/// What is left of an erased case, and how far its purge order has got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tombstone {
    /// The case.
    pub case_id: CaseId,
    /// Its reference.
    pub reference: String,
    /// When its referral was received.
    pub received_on: Option<NaiveDate>,
    /// When it was closed.
    pub closed_on: Option<NaiveDate>,
    /// The period that applied, in years.
    pub years: Option<u32>,
    /// The system user who ordered the purge.
    pub ordered_by: Option<String>,
    /// When, ms since the Unix epoch.
    pub ordered_at_ms: i64,
    /// Each device told to erase it, and whether it has.
    pub devices: Vec<DeviceConfirmation>,
}

/// One device's answer to a purge order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceConfirmation {
    /// The device.
    pub device_id: DeviceId,
    /// Its name.
    pub name: String,
    /// Its user's name.
    pub user: String,
    /// When it confirmed, ms since the Unix epoch (`None`: not yet).
    pub confirmed_at_ms: Option<i64>,
    /// Whether it held anything of the case.
    pub held: Option<bool>,
}

impl Sqlite {
    /// Erases the case `given` (id or reference) if it is due on `today`, or, with `force`, if
    /// it is closed at all (an erasure request): its ops, records, former holders and
    /// assignment, in one transaction, with freed pages zeroed. Leaves a tombstone and a purge
    /// order for every active device, and writes the tombstone into the audit trail. A case
    /// under a legal hold is never erased.
    pub fn purge_case(
        &mut self,
        given: &str,
        force: bool,
        today: NaiveDate,
        now_ms: i64,
    ) -> Result<Tombstone, HubError> {
        let case_id = self.live_case(given)?;
        let operator = self.operator.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let policy = policy(&tx)?;
        let life = lives(&tx, Some(case_id))?.remove(&case_id).unwrap_or_default();
        let held = held_cases(&tx)?.contains(&case_id);
        let reference: String = tx.query_row(
            "SELECT reference FROM cases WHERE id = ?1",
            [case_id.to_string()],
            |r| r.get(0),
        )?;
        let plan = PurgePlan::judge(&reference, &life, &policy, held, force, today)?;
        let id = case_id.to_string();
        for sql in [
            "DELETE FROM ops WHERE case_id = ?1",
            "DELETE FROM records WHERE case_id = ?1",
            "DELETE FROM former_holders WHERE case_id = ?1",
            "DELETE FROM legal_holds WHERE case_id = ?1",
            "DELETE FROM cases WHERE id = ?1",
        ] {
            tx.execute(sql, [&id])?;
        }
        tx.execute(
            "INSERT INTO purged_cases (case_id, reference, received_on, closed_on, years, ordered_by, ordered_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![id, reference, day(life.received_on), day(life.closed_on), plan.years, operator, now_ms],
        )?;
        // Every device that can still sync: case ids are random, so the order tells a device
        // that never held the case nothing about it, and scope may have moved since it did.
        let devices = tx.execute(
            "INSERT INTO purge_confirmations (case_id, device_id)
             SELECT ?1, id FROM devices WHERE revoked_at IS NULL",
            [&id],
        )?;
        let event = plan.event(case_id, &reference, &life, operator.as_deref(), devices as u64);
        append(&tx, &[event], now_ms)?;
        tx.commit()?;
        checkpoint(&self.conn);
        tracing::info!(case = %case_id, devices, "case erased under the retention policy");
        self.tombstone(case_id)?
            .ok_or_else(|| HubError::Database("the tombstone just written is missing".to_owned()))
    }

    /// Every erased case with its devices' confirmations, newest first.
    pub fn tombstones(&self) -> Result<Vec<Tombstone>, HubError> {
        let mut stmt = self
            .conn
            .prepare("SELECT case_id FROM purged_cases ORDER BY ordered_at DESC, reference")?;
        let ids = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(t) = self.tombstone(parse(&id)?)? {
                out.push(t);
            }
        }
        Ok(out)
    }

    fn tombstone(&self, case_id: CaseId) -> Result<Option<Tombstone>, HubError> {
        let row = self
            .conn
            .query_row(
                "SELECT reference, received_on, closed_on, years, ordered_by, ordered_at
                 FROM purged_cases WHERE case_id = ?1",
                [case_id.to_string()],
                |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, Option<u32>>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, i64>(5)?,
                    ))
                },
            )
            .optional()?;
        let Some((reference, received_on, closed_on, years, ordered_by, ordered_at_ms)) = row else {
            return Ok(None);
        };
        let mut stmt = self.conn.prepare(
            "SELECT p.device_id, d.name, u.name, p.confirmed_at, p.held
             FROM purge_confirmations p JOIN devices d ON d.id = p.device_id JOIN users u ON u.id = d.user_id
             WHERE p.case_id = ?1 ORDER BY u.name, d.name",
        )?;
        let raw = stmt
            .query_map([case_id.to_string()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get::<_, Option<bool>>(4)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let devices = raw
            .into_iter()
            .map(|(id, name, user, confirmed_at_ms, held)| {
                Ok(DeviceConfirmation {
                    device_id: parse(&id)?,
                    name,
                    user,
                    confirmed_at_ms,
                    held,
                })
            })
            .collect::<Result<Vec<_>, HubError>>()?;
        Ok(Some(Tombstone {
            case_id,
            reference,
            received_on: parse_day(received_on),
            closed_on: parse_day(closed_on),
            years,
            ordered_by,
            ordered_at_ms,
            devices,
        }))
    }

    /// The purge orders `device` has not confirmed yet, oldest first.
    pub fn pending_purges(&self, device: DeviceId) -> Result<Vec<PurgeOrder>, HubError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT p.case_id, c.ordered_at FROM purge_confirmations p
             JOIN purged_cases c ON c.case_id = p.case_id
             WHERE p.device_id = ?1 AND p.confirmed_at IS NULL ORDER BY c.ordered_at, p.case_id",
        )?;
        let raw = stmt
            .query_map([device.to_string()], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        raw.into_iter()
            .map(|(id, at)| {
                Ok(PurgeOrder {
                    case_id: parse(&id)?,
                    ordered_at_ms: u64::try_from(at).unwrap_or(0),
                })
            })
            .collect()
    }

    /// Records that `device` erased these cases (or never held them). Orders it was not given,
    /// or confirmed already, are ignored. Audited when anything was confirmed.
    pub fn confirm_purges(
        &mut self,
        device: &DeviceRow,
        confirmations: &[PurgeConfirmation],
        now_ms: i64,
    ) -> Result<usize, HubError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (mut cases, mut held) = (Vec::new(), 0u64);
        {
            let mut confirm = tx.prepare_cached(
                "UPDATE purge_confirmations SET confirmed_at = ?1, held = ?2
                 WHERE device_id = ?3 AND case_id = ?4 AND confirmed_at IS NULL",
            )?;
            for c in confirmations {
                if confirm.execute(params![
                    now_ms,
                    c.held,
                    device.id.to_string(),
                    c.case_id.to_string()
                ])? == 1
                {
                    cases.push(c.case_id);
                    held += u64::from(c.held);
                }
            }
        }
        if let Some(event) = confirmed_event(device, &cases, held) {
            append(&tx, &[event], now_ms)?;
        }
        tx.commit()?;
        Ok(cases.len())
    }
}

/// What a purge that may go ahead erases under: the period, and whether it comes before the
/// case is due (an erasure request).
pub(super) struct PurgePlan {
    /// The period that applied, in years.
    pub(super) years: u32,
    forced: bool,
}

impl PurgePlan {
    /// Whether the case `reference`, with this life, may be erased on `today`: when it is due,
    /// or with `force` when it is closed; never when held or open. The refusal says what to do.
    pub(super) fn judge(
        reference: &str,
        life: &Life,
        policy: &Policy,
        held: bool,
        force: bool,
        today: NaiveDate,
    ) -> Result<Self, HubError> {
        let forced = match retention::decide(life, policy, held, today) {
            Retention::Due { .. } => false,
            Retention::Kept { .. } if force => true,
            Retention::Kept { due_on } => {
                return Err(HubError::Retention(format!(
                    "case {reference} is kept until {}; give --force to erase it before then (an erasure request). Nothing was changed.",
                    due_on.format("%-d %b %Y")
                )));
            }
            Retention::Held { .. } => {
                return Err(HubError::Retention(format!(
                    "case {reference} is under a legal hold; release it first. Nothing was changed."
                )));
            }
            Retention::Open => {
                return Err(HubError::Retention(format!(
                    "case {reference} is not closed (or has no closing date); only closed cases are erased. Nothing was changed."
                )));
            }
        };
        Ok(Self {
            years: policy.years_for(life.outcome.as_deref()),
            forced,
        })
    }

    /// The tombstone's audit entry: ids, reference, dates and who ordered it; nothing of the
    /// case's content.
    pub(super) fn event(
        &self,
        case_id: CaseId,
        reference: &str,
        life: &Life,
        operator: Option<&str>,
        devices: u64,
    ) -> AuditEvent {
        AuditEvent::new(
            AuditAction::Purge,
            serde_json::json!({
                "operator": operator,
                "reference": reference,
                "received_on": day(life.received_on),
                "closed_on": day(life.closed_on),
                "years": self.years,
                "forced": self.forced,
                "devices": devices,
            }),
        )
        .about([case_id])
    }
}

/// A day as the tombstone stores it (YYYY-MM-DD).
pub(super) fn day(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.to_string())
}

/// A day the tombstone stored.
pub(super) fn parse_day(d: Option<String>) -> Option<NaiveDate> {
    d.and_then(|d| d.parse().ok())
}

/// The audit entry of `device` confirming the purge orders of `cases` (`held` of them it held),
/// if it confirmed any.
pub(super) fn confirmed_event(device: &DeviceRow, cases: &[CaseId], held: u64) -> Option<AuditEvent> {
    if cases.is_empty() {
        return None;
    }
    let count = cases.len() as u64;
    Some(
        AuditEvent::new(
            AuditAction::Purged,
            serde_json::json!({"erased": held, "not_held": count - held}),
        )
        .by(device.user.id, Some(device.id))
        .about(cases.iter().copied()),
    )
}

/// Whether `case_id` was erased: an op for it is refused, never stored.
pub(super) fn is_purged(conn: &Connection, case_id: CaseId) -> Result<bool, HubError> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM purged_cases WHERE case_id = ?1)")?
        .query_row([case_id.to_string()], |r| r.get(0))?)
}

/// Moves every committed page into the database file and empties the WAL, so that the erased
/// case's old pages do not wait there (encrypted, but readable with the key) until the next
/// checkpoint. A reader in the middle of a pull can delay it: it then happens at a later one.
fn checkpoint(conn: &Connection) {
    match conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get::<_, i64>(0)) {
        Ok(0) => {}
        Ok(_) => tracing::warn!(
            "the WAL could not be emptied after a purge (readers busy); a later checkpoint will"
        ),
        Err(e) => tracing::warn!(error = %HubError::from(e), "checkpoint after a purge failed"),
    }
}
