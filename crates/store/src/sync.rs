//! What sync needs of the store: the hub link, the push queue, applying ops from the hub,
//! conflicts, purging cases that left scope, and wiping a revoked device. No network here.

use age::secrecy::SecretString;
use casebook_domain::{CaseId, DeviceId, Entity, Op, OpId, UserId};
use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::apply::{apply, has_target, log, read_ops_where};
use crate::error::StoreError;
use crate::model::Person;
use crate::{Store, read};

/// Applies one remote op inside the caller's transaction: a duplicate only learns its hub
/// sequence number; an op whose record is missing waits as an orphan.
fn apply_one(
    tx: &rusqlite::Transaction<'_>,
    clock: &mut casebook_domain::Clock,
    remote: &RemoteOp,
    counts: &mut ApplyCounts,
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
    if !has_target(tx, op)? {
        let json = serde_json::to_string(op).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        tx.prepare_cached(
            "INSERT OR IGNORE INTO orphan_ops (op_id, hub_seq, op, flag) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![op.op_id.to_string(), seq_sql, json, remote.flag])?;
        counts.waiting += 1;
        return Ok(());
    }
    match apply(tx, op) {
        Ok(applied) => counts.conflicts += applied.conflicts,
        // An op this version cannot apply is kept in the log (so it is never lost and the
        // cursor can move on) but changes nothing.
        Err(StoreError::InvalidOp(e)) => tracing::warn!(op = %op.op_id, "remote op not applied: {e}"),
        Err(e) => return Err(e),
    }
    log(tx, op, None, Some(seq))?;
    if remote.flag.is_some() {
        tx.prepare_cached("UPDATE ops SET flag = ?2 WHERE op_id = ?1")?
            .execute(params![op.op_id.to_string(), remote.flag])?;
    }
    clock.observe(op.hlc);
    counts.applied += 1;
    Ok(())
}

/// This device's enrollment with a hub, kept inside the encrypted store.
#[derive(Clone, Serialize, Deserialize)]
pub struct HubLink {
    /// The hub's base URL.
    pub url: String,
    /// The device token (bearer); never printed.
    #[serde(with = "secret_text")]
    pub token: SecretString,
    /// The device id the hub gave this store.
    pub device_id: DeviceId,
    /// The enrolled user.
    pub user_id: UserId,
    /// Their name.
    pub user_name: String,
    /// Their role (facilitator, supervisor, coordinator, admin).
    pub role: String,
    /// Their team.
    pub team: Option<String>,
}

impl std::fmt::Debug for HubLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubLink")
            .field("url", &self.url)
            .field("device_id", &self.device_id)
            .finish_non_exhaustive()
    }
}

mod secret_text {
    use age::secrecy::{ExposeSecret, SecretString};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(s: &SecretString, ser: S) -> Result<S::Ok, S::Error> {
        ser.serialize_str(s.expose_secret())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SecretString, D::Error> {
        String::deserialize(d).map(SecretString::from)
    }
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
}

/// An open conflict: two concurrent edits of one text field.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConflictView {
    /// The conflict id.
    pub id: String,
    /// The case.
    pub case_id: CaseId,
    /// The case's reference.
    pub reference: String,
    /// `case`, `party`, `contact`.
    pub entity: String,
    /// The record.
    pub entity_id: String,
    /// The field.
    pub field: String,
    /// The value shown now (the later edit).
    pub current: Option<String>,
    /// The other edit's text.
    pub other: Option<String>,
    /// Whether the shown value was written on this device.
    pub current_is_mine: bool,
    /// Whether the other value was written on this device.
    pub other_is_mine: bool,
}

/// Which side of a conflict to keep.
#[derive(Debug, Clone)]
pub enum Keep {
    /// The text written on this device.
    Mine,
    /// The text written elsewhere.
    Theirs,
    /// A merged text.
    Text(String),
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

/// Sync state for the status line.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncStatus {
    /// The hub, if enrolled.
    pub hub: Option<String>,
    /// This device's id (the hub's, once enrolled).
    pub device_id: DeviceId,
    /// The enrolled user's name.
    pub user: Option<String>,
    /// Role.
    pub role: Option<String>,
    /// Last successful sync (RFC 3339).
    pub last_sync: Option<String>,
    /// Ops waiting to be pushed.
    pub pending_ops: u64,
    /// Ops the hub refused.
    pub rejected_ops: u64,
    /// Open conflicts.
    pub conflicts: u64,
    /// Ops in the log, in all.
    pub total_ops: u64,
    /// Cases held.
    pub cases: u64,
    /// The pull cursor.
    pub cursor: u64,
}

impl Store {
    fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    fn count(&self, sql: &str) -> Result<u64, StoreError> {
        let n: i64 = self.conn.query_row(sql, [], |r| r.get(0))?;
        Ok(n.unsigned_abs())
    }

    /// The hub this store is enrolled with, if any.
    pub fn hub_link(&self) -> Result<Option<HubLink>, StoreError> {
        self.meta("hub")?
            .map(|json| {
                serde_json::from_str(&json).map_err(|_| StoreError::Corrupt("stored hub link".into()))
            })
            .transpose()
    }

    /// Records the enrollment. Ops written before it (never pushed) are re-attributed to the
    /// enrolled user, so the hub accepts them as theirs.
    pub fn link_hub(&mut self, link: &HubLink) -> Result<(), StoreError> {
        let old = self.actor.user;
        let new = link.user_id;
        let json = serde_json::to_string(link).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for (k, v) in [
            ("hub", json),
            ("user_id", new.to_string()),
            ("hub_device_id", link.device_id.to_string()),
        ] {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![k, v],
            )?;
        }
        if old != new {
            let (old_s, new_s) = (old.to_string(), new.to_string());
            tx.execute(
                "UPDATE ops SET author = ?2, fields = replace(fields, ?1, ?2) WHERE push_state = 0 AND author = ?1",
                params![old_s, new_s],
            )?;
            for table in [
                "cases",
                "parties",
                "contacts",
                "consents",
                "status_changes",
                "supervision_notes",
            ] {
                tx.execute(
                    &format!("UPDATE {table} SET created_by = ?2 WHERE created_by = ?1"),
                    params![old_s, new_s],
                )?;
            }
            tx.execute(
                "UPDATE cases SET lead = ?2 WHERE lead = ?1",
                params![old_s, new_s],
            )?;
        }
        tx.commit()?;
        self.actor.user = new;
        tracing::info!(device = %link.device_id, "enrolled with a hub");
        Ok(())
    }

    /// Records the team directory the hub sent (who each user id on a case is): each person is
    /// added or, if already known, renamed. Nobody is removed: a name stays useful for as long
    /// as a held case mentions that user.
    pub fn record_people(&mut self, people: &[Person]) -> Result<(), StoreError> {
        if people.is_empty() {
            return Ok(());
        }
        let now = chrono::Utc::now().to_rfc3339();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for p in people {
            tx.prepare_cached(
                "INSERT INTO people (id, name, role, updated_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role,
                                                updated_at = excluded.updated_at
                 WHERE name <> excluded.name OR role <> excluded.role",
            )?
            .execute(params![p.id.to_string(), p.name, p.role, now])?;
        }
        tx.commit()?;
        tracing::debug!(people = people.len(), "team directory recorded");
        Ok(())
    }

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
        for remote in ops {
            apply_one(&tx, &mut self.clock, remote, &mut counts)?;
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
                    apply_one(&tx, &mut self.clock, &remote, &mut counts)?;
                    moved = true;
                }
            }
            if !moved {
                break;
            }
        }
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

    /// Ops of `case` not yet pushed.
    pub fn pending_for_case(&self, case: CaseId) -> Result<u64, StoreError> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM ops WHERE case_id = ?1 AND push_state = 0",
            params![case.to_string()],
            |r| r.get(0),
        )?;
        Ok(n.unsigned_abs())
    }

    /// Removes a case that left this user's scope, with its whole history. Refused (false)
    /// while it has ops not yet pushed: nothing written here is dropped before the hub has it.
    pub fn purge_case(&mut self, case: CaseId) -> Result<bool, StoreError> {
        if self.pending_for_case(case)? > 0 {
            return Ok(false);
        }
        let id = case.to_string();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "DELETE FROM field_versions WHERE entity_id IN (
                SELECT id FROM cases WHERE id = ?1 UNION SELECT id FROM parties WHERE case_id = ?1
                UNION SELECT id FROM contacts WHERE case_id = ?1)",
            params![id],
        )?;
        for table in [
            "consents",
            "contacts",
            "status_changes",
            "supervision_notes",
            "parties",
            "conflicts",
            "ops",
        ] {
            tx.execute(&format!("DELETE FROM {table} WHERE case_id = ?1"), params![id])?;
        }
        tx.execute("DELETE FROM cases WHERE id = ?1", params![id])?;
        tx.commit()?;
        tracing::info!(case = %case, "case left this user's scope and was removed");
        Ok(true)
    }

    /// Records a finished sync and the hub's clock, so a laptop whose clock is far off still
    /// timestamps its changes sensibly.
    pub fn record_sync(&mut self, hub_time_ms: u64) -> Result<(), StoreError> {
        let local = crate::now_ms();
        let offset = i64::try_from(hub_time_ms).unwrap_or(0) - i64::try_from(local).unwrap_or(0);
        // Small differences are network delay; only a clock that is minutes off is corrected.
        let offset = if offset.abs() > 60_000 { offset } else { 0 };
        self.clock_offset_ms = offset;
        let tx = self.conn.transaction()?;
        for (k, v) in [
            ("last_sync", chrono::Utc::now().to_rfc3339()),
            ("clock_offset_ms", offset.to_string()),
        ] {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![k, v],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The sync state for the status line.
    pub fn sync_status(&self) -> Result<SyncStatus, StoreError> {
        let link = self.hub_link()?;
        Ok(SyncStatus {
            hub: link.as_ref().map(|l| l.url.clone()),
            device_id: link.as_ref().map(|l| l.device_id).unwrap_or(self.actor.device),
            user: link.as_ref().map(|l| l.user_name.clone()),
            role: link.as_ref().map(|l| l.role.clone()),
            last_sync: self.meta("last_sync")?,
            pending_ops: self.count("SELECT count(*) FROM ops WHERE push_state = 0")?,
            rejected_ops: self.count("SELECT count(*) FROM ops WHERE push_state = 2")?,
            conflicts: self.count("SELECT count(*) FROM conflicts WHERE resolved_at IS NULL")?,
            total_ops: self.count("SELECT count(*) FROM ops")?,
            cases: self.count("SELECT count(*) FROM cases")?,
            cursor: self.pull_cursor()?,
        })
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

    /// Open conflicts, oldest first.
    pub fn conflicts(&self) -> Result<Vec<ConflictView>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT k.id, k.case_id, c.reference, k.entity, k.entity_id, k.field, k.loser_value,
                    w.device, l.device, k.winner_op
             FROM conflicts k JOIN cases c ON c.id = k.case_id
             LEFT JOIN ops w ON w.op_id = k.winner_op LEFT JOIN ops l ON l.op_id = k.loser_op
             WHERE k.resolved_at IS NULL ORDER BY k.detected_at",
        )?;
        let me = self.actor.device.to_string();
        let hub_me = self.hub_link()?.map(|l| l.device_id.to_string());
        let mine = |d: Option<String>| d.is_some_and(|d| d == me || Some(&d) == hub_me.as_ref());
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                read::parse::<CaseId>(r, 1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, Option<String>>(8)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, case_id, reference, entity, entity_id, field, other, winner_dev, loser_dev) = row?;
            let entity_kind: Entity = entity
                .parse()
                .map_err(|_| StoreError::Corrupt("conflict entity".into()))?;
            // The field name is interpolated below: only the entity's own fields may be.
            if !entity_kind.fields().contains(&field.as_str()) {
                continue;
            }
            let current: Option<String> = self
                .conn
                .query_row(
                    &format!(
                        "SELECT {field} FROM {} WHERE id = ?1",
                        crate::apply::table(entity_kind)
                    ),
                    params![entity_id],
                    |r| r.get(0),
                )
                .optional()?
                .flatten();
            out.push(ConflictView {
                id,
                case_id,
                reference,
                entity,
                entity_id,
                field,
                current,
                other,
                current_is_mine: mine(winner_dev),
                other_is_mine: mine(loser_dev),
            });
        }
        Ok(out)
    }

    /// Resolves a conflict by writing the chosen text as a new edit (which settles the same
    /// conflict on every other replica when it arrives there).
    pub fn resolve_conflict(&mut self, id: &str, keep: Keep) -> Result<(), StoreError> {
        let conflict = self
            .conflicts()?
            .into_iter()
            .find(|c| c.id == id || (id.len() >= 6 && c.id.starts_with(id)))
            .ok_or_else(|| StoreError::NotFound {
                what: "open conflict",
                given: id.to_owned(),
            })?;
        let text = match keep {
            Keep::Text(t) => t,
            Keep::Mine if conflict.other_is_mine && !conflict.current_is_mine => {
                conflict.other.clone().unwrap_or_default()
            }
            Keep::Mine => conflict.current.clone().unwrap_or_default(),
            Keep::Theirs if conflict.other_is_mine && !conflict.current_is_mine => {
                conflict.current.clone().unwrap_or_default()
            }
            Keep::Theirs => conflict.other.clone().unwrap_or_default(),
        };
        let entity: Entity = conflict
            .entity
            .parse()
            .map_err(|_| StoreError::Corrupt("conflict entity".into()))?;
        let entity_id: uuid::Uuid = conflict
            .entity_id
            .parse()
            .map_err(|_| StoreError::Corrupt("conflict record id".into()))?;
        let field = conflict.field.clone();
        let conflict_id = conflict.id.clone();
        self.write(|w| {
            let op = w.set_text(conflict.case_id, entity, entity_id, &field, &text)?;
            w.tx.execute(
                "UPDATE conflicts SET resolved_at = ?1, resolution_op = ?2 WHERE id = ?3",
                params![chrono::Utc::now().to_rfc3339(), op.to_string(), conflict_id],
            )?;
            Ok(())
        })
    }

    /// Erases this store for good (a revoked device told to wipe): the key file is overwritten
    /// before it is removed, so the database, even if recovered from the disk, cannot be read.
    pub fn wipe(self) -> Result<(), StoreError> {
        let paths = self.paths.clone();
        drop(self);
        let key = paths.key();
        if let Ok(meta) = std::fs::metadata(&key) {
            let mut noise = vec![0u8; usize::try_from(meta.len()).unwrap_or(256)];
            getrandom::fill(&mut noise).map_err(|e| StoreError::Encrypt(e.to_string()))?;
            crate::key::write_atomically(&key, &noise)?;
        }
        for file in [
            key,
            paths.db(),
            paths.dir.join("store.db-wal"),
            paths.dir.join("store.db-shm"),
        ] {
            match std::fs::remove_file(&file) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(StoreError::Io {
                        action: "remove",
                        path: file,
                        source: e,
                    });
                }
            }
        }
        tracing::warn!("store wiped at the hub's request");
        Ok(())
    }
}
