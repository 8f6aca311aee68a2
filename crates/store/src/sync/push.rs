//! The push queue: ops waiting for the hub, its answers, and the ops it refused.

use casebook_domain::{Op, OpId};
use rusqlite::params;
use serde::Serialize;

use crate::Store;
use crate::apply::read_ops_where;
use crate::error::StoreError;

/// The hub's answer for one pushed op, as the store records it.
#[derive(Debug, Clone)]
pub enum PushResult {
    /// The hub holds it (accepted now, earlier, or flagged for a supervisor).
    Held {
        /// The hub's sequence number.
        seq: u64,
    },
    /// The hub will never take it; kept here and shown.
    Rejected {
        /// Why.
        reason: String,
    },
}

/// A rejected op, for display.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RejectedOp {
    /// The op.
    pub op_id: String,
    /// Its case.
    pub case_id: String,
    /// What it changed.
    pub entity: String,
    /// Why the hub refused it.
    pub reason: String,
}

impl Store {
    /// The next ops to push, oldest first.
    pub fn pending_batch(&self, limit: usize) -> Result<Vec<Op>, StoreError> {
        read_ops_where(&self.conn, "push_state = 0", limit)
    }

    /// Records the hub's answers to a push.
    pub fn record_push(&mut self, results: &[(OpId, PushResult)]) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for (op_id, result) in results {
            match result {
                PushResult::Held { seq } => tx
                    .prepare_cached(
                        "UPDATE ops SET push_state = 1, hub_seq = ?2, push_error = NULL WHERE op_id = ?1",
                    )?
                    .execute(params![
                        op_id.to_string(),
                        i64::try_from(*seq).unwrap_or(i64::MAX)
                    ])?,
                PushResult::Rejected { reason } => tx
                    .prepare_cached("UPDATE ops SET push_state = 2, push_error = ?2 WHERE op_id = ?1")?
                    .execute(params![op_id.to_string(), reason])?,
            };
        }
        tx.commit()?;
        Ok(())
    }

    /// Every op written here that the hub has said it holds: what a handover asks it to
    /// certify before the store is erased.
    pub fn held_own_ops(&self) -> Result<Vec<OpId>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT op_id FROM ops WHERE push_state = 1 ORDER BY seq")?;
        let ids = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        ids.iter()
            .map(|id| {
                id.parse()
                    .map_err(|_| StoreError::Corrupt(format!("an op id in the log is not a UUID: {id}")))
            })
            .collect()
    }

    /// Puts ops the hub no longer holds (a hub restored from an older backup) back in the push
    /// queue, so the next push sends them again; returns how many were queued.
    pub fn requeue(&mut self, ops: &[OpId]) -> Result<usize, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut queued = 0;
        for id in ops {
            queued += tx
                .prepare_cached(
                    "UPDATE ops SET push_state = 0, hub_seq = NULL, push_error = NULL WHERE op_id = ?1 AND push_state = 1",
                )?
                .execute([id.to_string()])?;
        }
        tx.commit()?;
        Ok(queued)
    }

    /// Ops the hub refused, with its reasons.
    pub fn rejected_ops(&self) -> Result<Vec<RejectedOp>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT op_id, case_id, entity, coalesce(push_error, '') FROM ops WHERE push_state = 2 ORDER BY seq",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(RejectedOp {
                op_id: r.get(0)?,
                case_id: r.get(1)?,
                entity: r.get(2)?,
                reason: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
