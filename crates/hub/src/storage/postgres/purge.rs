//! Erasing a case on PostgreSQL: its ops and every fact that names it go in one transaction
//! that holds the `op_seq` lock (so no push on any process writes to the case meanwhile), a
//! tombstone stays, and every active device gets a purge order it confirms. Whether a case may
//! go, and what the audit trail says of it, is decided where the SQLite backend decides it
//! (`storage/purge.rs`).

use casebook_domain::{CaseId, DeviceId};
use casebook_protocol::PurgeConfirmation;
use chrono::NaiveDate;
use uuid::Uuid;

use super::Postgres;
use super::retention::{held_cases, policy};
use crate::error::HubError;
use crate::storage::purge::{PurgePlan, confirmed_event, day, parse_day};
use crate::storage::{DeviceConfirmation, DeviceRow, Tombstone};

impl Postgres {
    /// See [`crate::storage::Storage::purge_case`]. The erased rows' old versions stay in the
    /// table files until autovacuum reuses their space: sealed, like every payload here.
    pub fn purge_case(
        &mut self,
        given: &str,
        force: bool,
        today: NaiveDate,
        now_ms: i64,
    ) -> Result<Tombstone, HubError> {
        let case_id = self.live_case(given)?;
        let id = case_id.to_string();
        let operator = self.operator.clone();
        let sealed_operator = operator
            .as_deref()
            .map(|o| self.seal(o.as_bytes(), "purged_cases", "ordered_by", &id))
            .transpose()?;
        self.run(|client| {
            let mut tx = client.transaction()?;
            tx.query_one("SELECT last FROM op_seq FOR UPDATE", &[])?;
            let reference: String = tx
                .query_opt("SELECT reference FROM cases WHERE id = $1", &[&case_id.0])?
                .ok_or_else(|| HubError::NoSuchCase(given.to_owned()))?
                .try_get(0)?;
            let policy = policy(&mut tx)?;
            let life = self
                .lives(&mut tx, Some(case_id))?
                .remove(&case_id)
                .unwrap_or_default();
            let held = held_cases(&mut tx)?.contains(&case_id);
            let plan = PurgePlan::judge(&reference, &life, &policy, held, force, today)?;
            for sql in [
                "DELETE FROM ops WHERE case_id = $1",
                "DELETE FROM records WHERE case_id = $1",
                "DELETE FROM former_holders WHERE case_id = $1",
                "DELETE FROM legal_holds WHERE case_id = $1",
                "DELETE FROM cases WHERE id = $1",
            ] {
                tx.execute(sql, &[&case_id.0])?;
            }
            tx.execute(
                "INSERT INTO purged_cases (case_id, reference, received_on, closed_on, years, ordered_by, ordered_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    &case_id.0,
                    &reference,
                    &day(life.received_on),
                    &day(life.closed_on),
                    &i32::try_from(plan.years).unwrap_or(i32::MAX),
                    &sealed_operator,
                    &now_ms,
                ],
            )?;
            // Every device that can still sync (see the SQLite backend for why all of them).
            let devices = tx.execute(
                "INSERT INTO purge_confirmations (case_id, device_id)
                 SELECT $1, id FROM devices WHERE revoked_at IS NULL",
                &[&case_id.0],
            )?;
            let event = plan.event(case_id, &reference, &life, operator.as_deref(), devices);
            self.append(&mut tx, &[event], now_ms)?;
            tx.commit()?;
            tracing::info!(case = %case_id, devices, "case erased under the retention policy");
            Ok(())
        })?;
        self.tombstone(case_id)?
            .ok_or_else(|| HubError::Database("the tombstone just written is missing".to_owned()))
    }

    /// See [`crate::storage::Storage::tombstones`].
    pub fn tombstones(&self) -> Result<Vec<Tombstone>, HubError> {
        let ids = self.run(|client| {
            Ok(client.query(
                "SELECT case_id FROM purged_cases ORDER BY ordered_at DESC, reference",
                &[],
            )?)
        })?;
        let mut out = Vec::with_capacity(ids.len());
        for row in ids {
            if let Some(t) = self.tombstone(CaseId(row.try_get(0)?))? {
                out.push(t);
            }
        }
        Ok(out)
    }

    fn tombstone(&self, case_id: CaseId) -> Result<Option<Tombstone>, HubError> {
        let (row, confirmations) = self.run(|client| {
            let row = client.query_opt(
                "SELECT reference, received_on, closed_on, years, ordered_by, ordered_at
                 FROM purged_cases WHERE case_id = $1",
                &[&case_id.0],
            )?;
            let confirmations = client.query(
                "SELECT p.device_id, d.name, u.id, u.name, p.confirmed_at, p.held
                 FROM purge_confirmations p JOIN devices d ON d.id = p.device_id JOIN users u ON u.id = d.user_id
                 WHERE p.case_id = $1",
                &[&case_id.0],
            )?;
            Ok((row, confirmations))
        })?;
        let Some(row) = row else { return Ok(None) };
        let mut devices = confirmations
            .iter()
            .map(|c| {
                let device: Uuid = c.try_get(0)?;
                let user: Uuid = c.try_get(2)?;
                Ok(DeviceConfirmation {
                    device_id: DeviceId(device),
                    name: self.open_text(
                        &c.try_get::<_, Vec<u8>>(1)?,
                        "devices",
                        "name",
                        &device.to_string(),
                    )?,
                    user: self.open_text(&c.try_get::<_, Vec<u8>>(3)?, "users", "name", &user.to_string())?,
                    confirmed_at_ms: c.try_get(4)?,
                    held: c.try_get(5)?,
                })
            })
            .collect::<Result<Vec<_>, HubError>>()?;
        // By user, then device: the names are sealed, so sorted here rather than by the server.
        devices.sort_by(|a, b| (&a.user, &a.name).cmp(&(&b.user, &b.name)));
        let years: Option<i32> = row.try_get(3)?;
        let ordered_by: Option<Vec<u8>> = row.try_get(4)?;
        Ok(Some(Tombstone {
            case_id,
            reference: row.try_get(0)?,
            received_on: parse_day(row.try_get(1)?),
            closed_on: parse_day(row.try_get(2)?),
            years: years.and_then(|y| u32::try_from(y).ok()),
            ordered_by: ordered_by
                .map(|b| self.open_text(&b, "purged_cases", "ordered_by", &case_id.to_string()))
                .transpose()?,
            ordered_at_ms: row.try_get(5)?,
            devices,
        }))
    }

    /// See [`crate::storage::Storage::confirm_purges`]: one statement for all of them, which
    /// answers the orders it confirmed (not given, or confirmed already: ignored).
    pub fn confirm_purges(
        &mut self,
        device: &DeviceRow,
        confirmations: &[PurgeConfirmation],
        now_ms: i64,
    ) -> Result<usize, HubError> {
        let cases: Vec<Uuid> = confirmations.iter().map(|c| c.case_id.0).collect();
        let held: Vec<bool> = confirmations.iter().map(|c| c.held).collect();
        self.run(|client| {
            let mut tx = client.transaction()?;
            let rows = tx.query(
                "UPDATE purge_confirmations p SET confirmed_at = $1, held = c.held
                 FROM (SELECT DISTINCT ON (case_id) case_id, held
                       FROM UNNEST($3::uuid[], $4::boolean[]) AS c (case_id, held)) c
                 WHERE p.device_id = $2 AND p.case_id = c.case_id AND p.confirmed_at IS NULL
                 RETURNING p.case_id, p.held",
                &[&now_ms, &device.id.0, &cases, &held],
            )?;
            let mut confirmed = Vec::with_capacity(rows.len());
            let mut erased = 0u64;
            for row in &rows {
                confirmed.push(CaseId(row.try_get(0)?));
                erased += u64::from(row.try_get::<_, bool>(1)?);
            }
            if let Some(event) = confirmed_event(device, &confirmed, erased) {
                self.append(&mut tx, &[event], now_ms)?;
            }
            tx.commit()?;
            Ok(confirmed.len())
        })
    }
}
