//! A laptop handed in: the hub checks that it holds every op the laptop names, from that
//! device, and if so issues a receipt, retires the device and records both in the audit.

use casebook_domain::OpId;
use casebook_protocol::{HandoverReceipt, handover_digest};
use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::audit::append;
use super::{DeviceRow, Sqlite};
use crate::audit::{AuditAction, AuditEvent};
use crate::error::HubError;

/// What the hub answers a handover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handover {
    /// Every op is held: the receipt, and the device is retired.
    Complete(HandoverReceipt),
    /// These ops are not held from this device; nothing changed but the audit entry.
    Missing(Vec<OpId>),
}

impl Sqlite {
    /// Checks that the hub holds each of `op_ids` as pushed by `device`; if so retires the
    /// device (it never syncs again) and returns the receipt. Either answer is audited.
    pub fn handover(
        &mut self,
        device: &DeviceRow,
        op_ids: &[OpId],
        now_ms: i64,
    ) -> Result<Handover, HubError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut missing = Vec::new();
        {
            let mut held = tx.prepare_cached("SELECT from_device FROM ops WHERE op_id = ?1")?;
            for id in op_ids {
                let from: Option<Option<String>> =
                    held.query_row([id.to_string()], |r| r.get(0)).optional()?;
                if from.flatten().as_deref() != Some(device.id.to_string().as_str()) {
                    missing.push(*id);
                }
            }
        }
        missing.sort();
        missing.dedup();
        let digest = handover_digest(op_ids);
        let detail = serde_json::json!({
            "complete": missing.is_empty(),
            "ops": op_ids.len(),
            "missing": missing.len(),
            "digest": digest,
        });
        let event = AuditEvent::new(AuditAction::Handover, detail).by(device.user.id, Some(device.id));
        append(&tx, &[event], now_ms)?;
        if !missing.is_empty() {
            tx.commit()?;
            return Ok(Handover::Missing(missing));
        }
        tx.execute(
            "UPDATE devices SET handed_over_at = ?1, revoked_at = COALESCE(revoked_at, ?1) WHERE id = ?2",
            params![now_ms, device.id.to_string()],
        )?;
        tx.commit()?;
        let mut distinct = op_ids.to_vec();
        distinct.sort();
        distinct.dedup();
        Ok(Handover::Complete(HandoverReceipt {
            device_id: device.id,
            ops: u64::try_from(distinct.len()).unwrap_or(u64::MAX),
            digest,
            at_ms: u64::try_from(now_ms).unwrap_or(0),
        }))
    }
}
