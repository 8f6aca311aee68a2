//! A laptop's life after enrollment on PostgreSQL: the organisation's recovery recipient it
//! seals its key to, a recovery it reports, and its handover.

use std::collections::BTreeSet;

use casebook_domain::OpId;
use casebook_protocol::{HandoverReceipt, handover_digest};
use uuid::Uuid;

use super::Postgres;
use crate::audit::{AuditAction, AuditEvent};
use crate::error::HubError;
use crate::storage::{DeviceRow, Handover};

/// The `hub_meta` key of the recovery recipient (a public key: nothing to seal).
const RECIPIENT_KEY: &str = "recovery_recipient";

impl Postgres {
    /// See [`crate::storage::Storage::recovery_recipient`].
    pub fn recovery_recipient(&self) -> Result<Option<String>, HubError> {
        self.run(|client| {
            Ok(client
                .query_opt("SELECT value FROM hub_meta WHERE key = $1", &[&RECIPIENT_KEY])?
                .map(|row| row.try_get(0))
                .transpose()?)
        })
    }

    /// See [`crate::storage::Storage::set_recovery_recipient`].
    pub fn set_recovery_recipient(&mut self, recipient: &str, now_ms: i64) -> Result<(), HubError> {
        let event = AuditEvent::new(
            AuditAction::RecoveryKey,
            self.admin_detail(serde_json::json!({ "recipient": recipient })),
        );
        self.run(|client| {
            let mut tx = client.transaction()?;
            tx.execute(
                "INSERT INTO hub_meta (key, value) VALUES ($1, $2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                &[&RECIPIENT_KEY, &recipient],
            )?;
            self.append(&mut tx, &[event], now_ms)?;
            tx.commit()?;
            Ok(())
        })
    }

    /// See [`crate::storage::Storage::record_recovery`].
    pub fn record_recovery(
        &mut self,
        device: &DeviceRow,
        recovered_at_ms: i64,
        now_ms: i64,
    ) -> Result<(), HubError> {
        let event = AuditEvent::new(
            AuditAction::Recovery,
            serde_json::json!({ "recovered_at_ms": recovered_at_ms }),
        )
        .by(device.user.id, Some(device.id));
        self.append_audit(&[event], now_ms)
    }

    /// See [`crate::storage::Storage::handover`].
    pub fn handover(
        &mut self,
        device: &DeviceRow,
        op_ids: &[OpId],
        now_ms: i64,
    ) -> Result<Handover, HubError> {
        let distinct: BTreeSet<OpId> = op_ids.iter().copied().collect();
        let ids: Vec<Uuid> = distinct.iter().map(|id| id.0).collect();
        let digest = handover_digest(op_ids);
        self.run(|client| {
            let mut tx = client.transaction()?;
            let held: BTreeSet<Uuid> = tx
                .query(
                    "SELECT op_id FROM ops WHERE op_id = ANY($1) AND from_device = $2",
                    &[&ids, &device.id.0],
                )?
                .iter()
                .map(|row| row.try_get(0))
                .collect::<Result<_, _>>()?;
            let missing: Vec<OpId> = distinct
                .iter()
                .filter(|id| !held.contains(&id.0))
                .copied()
                .collect();
            let detail = serde_json::json!({
                "complete": missing.is_empty(),
                "ops": op_ids.len(),
                "missing": missing.len(),
                "digest": digest,
            });
            let event = AuditEvent::new(AuditAction::Handover, detail).by(device.user.id, Some(device.id));
            self.append(&mut tx, &[event], now_ms)?;
            if !missing.is_empty() {
                tx.commit()?;
                return Ok(Handover::Missing(missing));
            }
            tx.execute(
                "UPDATE devices SET handed_over_at = $1, revoked_at = COALESCE(revoked_at, $1) WHERE id = $2",
                &[&now_ms, &device.id.0],
            )?;
            tx.commit()?;
            Ok(Handover::Complete(HandoverReceipt {
                device_id: device.id,
                ops: u64::try_from(distinct.len()).unwrap_or(u64::MAX),
                digest,
                at_ms: u64::try_from(now_ms).unwrap_or(0),
            }))
        })
    }

    /// Counts an attempt of `client` against the limit `bucket` (at most `max` per window of
    /// `window_ms`), in the database so that every hub process shares one count; false once
    /// the window's allowance is spent. The address is stored only as a keyed hash.
    pub fn allow_attempt(
        &mut self,
        bucket: &str,
        client: &str,
        max: u32,
        window_ms: i64,
        now_ms: i64,
    ) -> Result<bool, HubError> {
        let hashed = self.clients.of(client.as_bytes());
        let attempts: i32 = self.run(|db| {
            let mut tx = db.transaction()?;
            // A counter lost in a database crash gives a client a few more attempts, once: not
            // worth a WAL flush per attempt, which would cap enrollment at the disk's fsync rate.
            tx.batch_execute("SET LOCAL synchronous_commit = off")?;
            let attempts: i32 = tx
                .query_one(
                    "INSERT INTO rate_limits (bucket, client, window_start, attempts) VALUES ($1, $2, $3, 1)
                     ON CONFLICT (bucket, client) DO UPDATE SET
                       window_start = CASE WHEN rate_limits.window_start <= $3 - $4 THEN $3 ELSE rate_limits.window_start END,
                       attempts = CASE WHEN rate_limits.window_start <= $3 - $4 THEN 1 ELSE rate_limits.attempts + 1 END
                     RETURNING attempts",
                    &[&bucket, &&hashed[..], &now_ms, &window_ms],
                )?
                .try_get(0)?;
            if attempts == 1 {
                // A new window: windows long over are dropped now and then, here.
                tx.execute(
                    "DELETE FROM rate_limits WHERE window_start < $1",
                    &[&now_ms.saturating_sub(window_ms.saturating_mul(10))],
                )?;
            }
            tx.commit()?;
            Ok(attempts)
        })?;
        Ok(u32::try_from(attempts).is_ok_and(|n| n <= max))
    }
}
