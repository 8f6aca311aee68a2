//! The organisation's recovery recipient: laptops seal their database key to it at enrollment,
//! so a forgotten passphrase loses nothing. The hub keeps only the public half.

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use super::Sqlite;
use super::audit::append;
use crate::audit::{AuditAction, AuditEvent};
use crate::error::HubError;

const RECIPIENT_KEY: &str = "recovery_recipient";

impl Sqlite {
    /// The recovery recipient (`age1…`) laptops seal their key to, if one was made.
    pub fn recovery_recipient(&self) -> Result<Option<String>, HubError> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM hub_meta WHERE key = ?1",
                [RECIPIENT_KEY],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Makes `recipient` the recovery recipient for laptops enrolled from now on (audited).
    pub fn set_recovery_recipient(&mut self, recipient: &str, now_ms: i64) -> Result<(), HubError> {
        let event = AuditEvent::new(
            AuditAction::RecoveryKey,
            self.admin_detail(serde_json::json!({ "recipient": recipient })),
        );
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO hub_meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![RECIPIENT_KEY, recipient],
        )?;
        append(&tx, &[event], now_ms)?;
        tx.commit()?;
        Ok(())
    }

    /// Records that a laptop's store was opened with the recovery key (reported at its next sync).
    pub fn record_recovery(
        &mut self,
        device: &super::DeviceRow,
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
}
