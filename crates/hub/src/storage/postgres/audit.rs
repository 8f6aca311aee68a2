//! The audit trail on PostgreSQL: the same hash chain as on SQLite, each entry's JSON sealed,
//! appended under the one-row `audit_head` lock so processes append one after another.

use postgres::Transaction;

use super::{Postgres, to_i64, to_u64};
use crate::audit::{AuditAction, AuditEvent, EntryBody, chain_hash};
use crate::error::HubError;

impl Postgres {
    /// Appends `events` to the chain inside `tx` (the transaction of what they record, when
    /// there is one). Returns the new head's hash.
    pub(super) fn append(
        &self,
        tx: &mut Transaction<'_>,
        events: &[AuditEvent],
        now_ms: i64,
    ) -> Result<String, HubError> {
        let head = tx.query_one("SELECT seq, hash FROM audit_head FOR UPDATE", &[])?;
        let (mut seq, mut prev): (u64, String) = (to_u64(head.try_get(0)?), head.try_get(1)?);
        for event in events {
            seq += 1;
            let text = serde_json::to_string(&EntryBody::new(seq, now_ms, event))?;
            let hash = chain_hash(&prev, &text);
            let sealed = self.seal(text.as_bytes(), "audit", "entry", &seq.to_string())?;
            tx.execute(
                "INSERT INTO audit (seq, at_ms, action, user_id, device_id, entry, prev_hash, hash)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                &[
                    &to_i64(seq),
                    &now_ms,
                    &event.action.as_str(),
                    &event.user.map(|u| u.0),
                    &event.device.map(|d| d.0),
                    &sealed,
                    &prev,
                    &hash,
                ],
            )?;
            for case in &event.cases {
                tx.execute(
                    "INSERT INTO audit_cases (seq, case_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
                    &[&to_i64(seq), &case.0],
                )?;
            }
            prev = hash;
        }
        tx.execute(
            "UPDATE audit_head SET seq = $1, hash = $2",
            &[&to_i64(seq), &prev],
        )?;
        Ok(prev)
    }

    /// See [`crate::storage::Storage::append_audit`].
    pub fn append_audit(&mut self, events: &[AuditEvent], now_ms: i64) -> Result<(), HubError> {
        if events.is_empty() {
            return Ok(());
        }
        let mut client = self.client()?;
        let mut tx = client.transaction()?;
        self.append(&mut tx, events, now_ms)?;
        tx.commit()?;
        Ok(())
    }

    /// See [`crate::storage::Storage::record_admin`].
    pub fn record_admin(
        &mut self,
        action: AuditAction,
        extra: serde_json::Value,
        now_ms: i64,
    ) -> Result<(), HubError> {
        let event = AuditEvent::new(action, self.admin_detail(extra));
        self.append_audit(&[event], now_ms)
    }
}
