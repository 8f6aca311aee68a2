//! Ops from the hub: each is judged like a local write and applied, waits for its record, or is
//! set aside with its reason; the pull cursor moves on whatever one op holds.

use casebook_domain::{CaseId, Op};
use rusqlite::params;
use serde::Serialize;

use casebook_domain::judgement::{Authority, Verdict, judge};

use crate::apply::{apply, has_target, log};
use crate::error::StoreError;
use crate::judge::gather;
use crate::{Store, read};

/// Applies one remote op inside the caller's transaction: a duplicate only learns its hub
/// sequence number; an op whose record is missing waits as an orphan; an op the judgement
/// refuses, or that the tables cannot take, is set aside with its reason. Only an error of the
/// store itself (a full disk) stops the page.
/// With `guarded`, each op runs in a savepoint of its own; without, an op the tables refuse
/// fails the call, and the caller retries the page guarded (savepoints cost time on every op of
/// a page that is nearly always clean).
fn apply_one(
    tx: &rusqlite::Transaction<'_>,
    clock: &mut casebook_domain::Clock,
    remote: &RemoteOp,
    counts: &mut ApplyCounts,
    guarded: bool,
) -> Result<(), StoreError> {
    let (seq, op) = (remote.seq, &remote.op);
    let seq_sql = i64::try_from(seq).unwrap_or(i64::MAX);
    let known = tx
        .prepare_cached("UPDATE ops SET hub_seq = ?2, flag = coalesce(?3, flag) WHERE op_id = ?1")?
        .execute(params![op.op_id.to_string(), seq_sql, remote.flag])?;
    if known > 0 {
        counts.duplicates += 1;
        return Ok(());
    }
    let Some(facts) = gather(tx, op, Authority::Vetted)? else {
        let json = serde_json::to_string(op).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        tx.prepare_cached(
            "INSERT OR IGNORE INTO orphan_ops (op_id, hub_seq, op, flag) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![op.op_id.to_string(), seq_sql, json, remote.flag])?;
        counts.waiting += 1;
        return Ok(());
    };
    if let Verdict::Refuse(refusal) = judge(op, &facts) {
        set_aside(tx, remote, refusal.code(), &refusal.to_string())?;
        counts.set_aside += 1;
        return Ok(());
    }
    if !guarded {
        let applied = apply(tx, op)?;
        log(tx, op, None, Some(seq))?;
        if remote.flag.is_some() {
            tx.prepare_cached("UPDATE ops SET flag = ?2 WHERE op_id = ?1")?
                .execute(params![op.op_id.to_string(), remote.flag])?;
        }
        counts.conflicts += applied.conflicts;
        clock.observe(op.hlc);
        counts.applied += 1;
        return Ok(());
    }
    // One op's failure rolls back that op alone, never the page around it.
    tx.execute_batch("SAVEPOINT remote_op")?;
    let applied = apply(tx, op).and_then(|applied| {
        log(tx, op, None, Some(seq))?;
        if remote.flag.is_some() {
            tx.prepare_cached("UPDATE ops SET flag = ?2 WHERE op_id = ?1")?
                .execute(params![op.op_id.to_string(), remote.flag])?;
        }
        Ok(applied)
    });
    match applied {
        Ok(applied) => {
            tx.execute_batch("RELEASE remote_op")?;
            counts.conflicts += applied.conflicts;
            clock.observe(op.hlc);
            counts.applied += 1;
        }
        Err(e) => {
            tx.execute_batch("ROLLBACK TO remote_op; RELEASE remote_op")?;
            let Some(reason) = unappliable(&e) else {
                return Err(e);
            };
            set_aside(tx, remote, "unappliable", &reason)?;
            counts.set_aside += 1;
        }
    }
    Ok(())
}

/// Why an op could not be applied, if the fault is the op's and not the store's: a store that
/// cannot write (full disk, I/O) must stop the page so that it is tried again.
/// The tables whose new rows a page indexes once at its end (`migrations/V10__fts_after_page.sql`),
/// with their full-text index and its one column.
const INDEXED: [(&str, &str, &str); 3] = [
    ("cases", "cases_fts", "summary"),
    ("parties", "parties_fts", "name"),
    ("contacts", "contacts_fts", "notes"),
];

/// Tells the index triggers to skip rows created from now on in this transaction: FTS5 writes a
/// segment at every statement's savepoint, so indexing row by row cost a third of a first sync.
fn defer_indexing(tx: &rusqlite::Transaction<'_>) -> Result<(), StoreError> {
    for (table, _, _) in INDEXED {
        tx.prepare_cached(&format!(
            "INSERT INTO fts_deferred (tbl, above) SELECT '{table}', coalesce(max(rid), 0) FROM {table}"
        ))?
        .execute([])?;
    }
    Ok(())
}

/// Indexes the rows the triggers skipped, as they stand at the end of the page, in one statement
/// per table, and lets the triggers index every row again.
fn index_deferred(tx: &rusqlite::Transaction<'_>) -> Result<(), StoreError> {
    for (table, fts, column) in INDEXED {
        tx.prepare_cached(&format!(
            "INSERT INTO {fts} (rowid, {column})
             SELECT rid, {column} FROM {table}
             WHERE rid > (SELECT above FROM fts_deferred WHERE tbl = '{table}')"
        ))?
        .execute([])?;
    }
    tx.prepare_cached("DELETE FROM fts_deferred")?.execute([])?;
    Ok(())
}

fn unappliable(e: &StoreError) -> Option<String> {
    match e {
        StoreError::InvalidOp(op) => Some(format!("this version of Casebook cannot apply it: {op}")),
        StoreError::Rule(rule) => Some(rule.to_string()),
        StoreError::Refused(refusal) => Some(refusal.to_string()),
        StoreError::Database { code, .. } if code == "ConstraintViolation" || code == "TypeMismatch" => {
            Some(format!("the store refused it ({code})"))
        }
        _ => None,
    }
}

/// Keeps an op this store will not apply, with its reason, out of the tables and the op log.
fn set_aside(
    tx: &rusqlite::Transaction<'_>,
    remote: &RemoteOp,
    code: &str,
    reason: &str,
) -> Result<(), StoreError> {
    let op = &remote.op;
    tracing::warn!(op = %op.op_id, case = %op.case_id, code, "op from the hub set aside");
    let json = serde_json::to_string(op).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    tx.prepare_cached(
        "INSERT OR IGNORE INTO set_aside_ops (op_id, case_id, hub_seq, op, code, reason, set_aside_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        op.op_id.to_string(),
        op.case_id.to_string(),
        i64::try_from(remote.seq).unwrap_or(i64::MAX),
        json,
        code,
        reason,
        chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    ])?;
    Ok(())
}

/// An op from the hub this store set aside, for display.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SetAsideOp {
    /// The op.
    pub op_id: String,
    /// Its case.
    pub case_id: String,
    /// What it would have changed.
    pub entity: String,
    /// The refusal's stable name (docs/protocol.md).
    pub code: String,
    /// Why it was not applied.
    pub reason: String,
    /// When (RFC 3339).
    pub set_aside_at: String,
}

/// An op received from the hub.
#[derive(Debug, Clone)]
pub struct RemoteOp {
    /// The hub's sequence number.
    pub seq: u64,
    /// The op.
    pub op: Op,
    /// Why the hub flagged it for review, if it did.
    pub flag: Option<String>,
}

/// What one page of remote ops did to the store.
#[derive(Debug, Default, Clone, Copy, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ApplyCounts {
    /// Ops new to this store.
    pub applied: usize,
    /// Ops already here (our own coming back, or overlaps).
    pub duplicates: usize,
    /// Conflicts recorded.
    pub conflicts: usize,
    /// Ops waiting for their record to arrive.
    pub waiting: usize,
    /// Ops set aside: refused by the judgement or impossible to apply.
    pub set_aside: usize,
}

impl Store {
    /// The pull cursor: the hub sequence number this store has applied up to.
    pub fn pull_cursor(&self) -> Result<u64, StoreError> {
        Ok(self
            .meta("pull_cursor")?
            .and_then(|c| c.parse().ok())
            .unwrap_or(0))
    }

    /// Every case held here.
    pub fn held_cases(&self) -> Result<Vec<CaseId>, StoreError> {
        let mut stmt = self.conn.prepare_cached("SELECT id FROM cases")?;
        let rows = stmt.query_map([], |r| read::parse(r, 0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Applies ops from the hub in one transaction, idempotently by op id; with `cursor`, also
    /// moves the pull cursor, so a crash never applies a page without recording it or the
    /// reverse. An op whose record is not here yet waits (see `orphan_ops`) until it is.
    pub fn apply_remote(&mut self, ops: &[RemoteOp], cursor: Option<u64>) -> Result<ApplyCounts, StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut counts = ApplyCounts::default();
        defer_indexing(&tx)?;
        tx.execute_batch("SAVEPOINT page")?;
        let mut clock = self.clock.clone();
        let fast = ops
            .iter()
            .try_for_each(|remote| apply_one(&tx, &mut clock, remote, &mut counts, false));
        match fast {
            Ok(()) => {
                tx.execute_batch("RELEASE page")?;
                self.clock = clock;
            }
            Err(e) if unappliable(&e).is_some() => {
                // Some op the tables refuse: the page again, each op on its own.
                tx.execute_batch("ROLLBACK TO page; RELEASE page")?;
                counts = ApplyCounts::default();
                for remote in ops {
                    apply_one(&tx, &mut self.clock, remote, &mut counts, true)?;
                }
            }
            Err(e) => return Err(e),
        }
        // Orphans whose record has now arrived, in hub order, until none moves.
        loop {
            let orphans: Vec<(u64, String, Option<String>)> = tx
                .prepare_cached("SELECT hub_seq, op, flag FROM orphan_ops ORDER BY hub_seq")?
                .query_map([], |r| {
                    Ok((r.get::<_, i64>(0)?.unsigned_abs(), r.get(1)?, r.get(2)?))
                })?
                .collect::<Result<_, _>>()?;
            let mut moved = false;
            for (seq, json, flag) in orphans {
                let op: Op = serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                if has_target(&tx, &op)? {
                    tx.execute(
                        "DELETE FROM orphan_ops WHERE op_id = ?1",
                        params![op.op_id.to_string()],
                    )?;
                    counts.waiting = counts.waiting.saturating_sub(1);
                    let remote = RemoteOp { seq, op, flag };
                    apply_one(&tx, &mut self.clock, &remote, &mut counts, true)?;
                    moved = true;
                }
            }
            if !moved {
                break;
            }
        }
        index_deferred(&tx)?;
        if let Some(cursor) = cursor {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('pull_cursor', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![cursor.to_string()],
            )?;
        }
        if let Some(last) = self.clock.last() {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('hlc', ?1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![last.to_string()],
            )?;
        }
        tx.commit()?;
        Ok(counts)
    }

    /// Ops from the hub this store set aside, newest first.
    pub fn set_aside_ops(&self) -> Result<Vec<SetAsideOp>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT op_id, case_id, json_extract(op, '$.entity'), code, reason, set_aside_at
             FROM set_aside_ops ORDER BY hub_seq DESC",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(SetAsideOp {
                op_id: r.get(0)?,
                case_id: r.get(1)?,
                entity: r.get::<_, Option<String>>(2)?.unwrap_or_default(),
                code: r.get(3)?,
                reason: r.get(4)?,
                set_aside_at: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
