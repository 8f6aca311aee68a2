//! The push queue: ops waiting for the hub, its answers, and the ops it refused.

use casebook_domain::{Op, OpId};
use rusqlite::{OptionalExtension, params};
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
        let mut newly_held = 0;
        for (op_id, result) in results {
            match result {
                PushResult::Held { seq } => {
                    newly_held += tx
                        .prepare_cached(
                            "UPDATE ops SET push_state = 1, hub_seq = ?2, push_error = NULL
                             WHERE op_id = ?1 AND push_state IS NOT 1",
                        )?
                        .execute(params![
                            op_id.to_string(),
                            i64::try_from(*seq).unwrap_or(i64::MAX)
                        ])?;
                }
                PushResult::Rejected { reason } => {
                    tx.prepare_cached("UPDATE ops SET push_state = 2, push_error = ?2 WHERE op_id = ?1")?
                        .execute(params![op_id.to_string(), reason])?;
                }
            }
        }
        add_own_ops_held(&tx, newly_held, true)?;
        tx.commit()?;
        Ok(())
    }

    /// How many of this device's own ops the hub has answered as held, ever (a pull's
    /// `own_ops_held`: the hub then leaves them out of its pages); `None` when not enrolled.
    /// Ops erased since (a case that left this laptop, a purge) still count, as on the hub.
    pub fn own_ops_held(&self) -> Result<Option<u64>, StoreError> {
        let Some(device) = self.meta("hub_device_id")? else {
            return Ok(None);
        };
        match self.meta(&own_ops_key(&device))? {
            Some(n) => n
                .parse()
                .map(Some)
                .map_err(|_| StoreError::Corrupt(format!("{} is not a count: {n}", own_ops_key(&device)))),
            // Kept since the count was introduced: what the log holds of the device's pushes.
            None => Ok(Some(
                self.conn
                    .query_row(
                        "SELECT count(*) FROM ops WHERE push_state = 1 AND device = ?1",
                        [&device],
                        |r| r.get::<_, i64>(0),
                    )?
                    .unsigned_abs(),
            )),
        }
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
        // The restored hub's count does not have them either.
        add_own_ops_held(&tx, queued, false)?;
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

/// The meta key of `device`'s count of own ops held: per device, so that enrolling again as a
/// new device starts from nothing, as the hub's count of the new device does.
fn own_ops_key(device: &str) -> String {
    format!("own_ops_held:{device}")
}

/// Raises (or lowers) the enrolled device's count of own ops held by `n`.
fn add_own_ops_held(tx: &rusqlite::Transaction<'_>, n: usize, raise: bool) -> Result<(), StoreError> {
    if n == 0 {
        return Ok(());
    }
    let device: Option<String> = tx
        .query_row("SELECT value FROM meta WHERE key = 'hub_device_id'", [], |r| {
            r.get(0)
        })
        .optional()?;
    let Some(device) = device else {
        return Ok(());
    };
    let n = i64::try_from(n).unwrap_or(i64::MAX);
    let delta = if raise { n } else { -n };
    // The first time, the count starts from what the log holds of the device's pushes, these
    // answers included.
    tx.execute(
        "INSERT INTO meta (key, value) VALUES (?1,
             CAST((SELECT count(*) FROM ops WHERE push_state = 1 AND device = ?2) AS TEXT))
         ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + ?3 AS TEXT)",
        params![own_ops_key(&device), device, delta],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use casebook_domain::{JusticeStage, PartyRole, ReferralSource};
    use chrono::NaiveDate;

    use super::PushResult;
    use crate::test_laptops::*;

    fn held(seq: u64) -> PushResult {
        PushResult::Held { seq }
    }

    #[test]
    fn the_count_of_own_ops_held_grows_once_per_op_and_shrinks_when_one_is_queued_again() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 27).expect("date");
        assert_eq!(
            laptop(None).store.own_ops_held().expect("count"),
            None,
            "not enrolled"
        );
        let mut femi = laptop(Some(("Femi", "facilitator", Some("north"))));
        let case = femi.on(day, |w| {
            w.create_case(referral(ReferralSource::Police, JusticeStage::OutOfCourt, day))
        });
        femi.on(day, |w| w.add_party(case.id, party("Ann", PartyRole::Victim)));
        let ops: Vec<_> = femi
            .store
            .pending_batch(10)
            .expect("batch")
            .iter()
            .map(|o| o.op_id)
            .collect();
        assert!(ops.len() >= 2, "{ops:?}");
        assert_eq!(femi.store.own_ops_held().expect("count"), Some(0));

        femi.store
            .record_push(&[(ops[0], held(1)), (ops[1], held(2))])
            .expect("answers");
        assert_eq!(femi.store.own_ops_held().expect("count"), Some(2));
        // The same answers again (a retried push answered `already_held`): counted once.
        femi.store
            .record_push(&[(ops[0], held(1)), (ops[1], held(2))])
            .expect("answers");
        assert_eq!(femi.store.own_ops_held().expect("count"), Some(2));
        // A refusal is not held.
        let refusal = PushResult::Rejected { reason: "no".into() };
        femi.store
            .record_push(&[(ops[ops.len() - 1], refusal)])
            .expect("answers");
        assert_eq!(femi.store.own_ops_held().expect("count"), Some(2));
        // A hub restored from an older backup no longer holds one: its count lost it too.
        assert_eq!(femi.store.requeue(&ops[..1]).expect("requeue"), 1);
        assert_eq!(femi.store.own_ops_held().expect("count"), Some(1));
        femi.store.record_push(&[(ops[0], held(7))]).expect("answers");
        assert_eq!(femi.store.own_ops_held().expect("count"), Some(2));
    }
}
