//! The op log: idempotent push, the scoped pull stream and one case's history.

use std::collections::{BTreeMap, BTreeSet};

use casebook_domain::{CaseId, DeviceId, Entity, Hlc, Op, OpId, OpKind, SCHEMA_VERSION};
use casebook_protocol::{OpOutcome, OpResult, Person, PulledOp, Role};

use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};

use casebook_domain::judgement::{ALLOCATION_FIELDS, Verdict, judge};

use super::{HubIdentity, Storage, UserRow, facts, parse};
use crate::audit::{AuditAction, AuditEvent};
use crate::error::HubError;
use crate::scope::{self, Assignment, Viewer};

/// Why the ops of a wiped device's last push are flagged: the laptop may be in other hands.
const DRAINED: &str =
    "pushed by a device revoked with a wipe, in its last sync; a supervisor should review it";

/// One page of the pull stream.
#[derive(Debug, Clone, PartialEq)]
pub struct PullPage {
    /// In-scope ops after the cursor.
    pub ops: Vec<PulledOp>,
    /// Where the next pull starts.
    pub next_cursor: u64,
    /// Whether more ops wait.
    pub more: bool,
    /// Newly visible cases with history before the cursor.
    pub cases_added: Vec<CaseId>,
    /// Held cases no longer visible.
    pub cases_removed: Vec<CaseId>,
    /// The viewer's team directory (just the viewer without a team).
    pub people: Vec<Person>,
}

/// One page of a case's history.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryPage {
    /// The ops after `after`.
    pub ops: Vec<PulledOp>,
    /// Where the next page starts.
    pub next_after: u64,
    /// Whether more pages follow.
    pub more: bool,
}

impl Storage {
    /// Judges and stores each op unless already held, in one short transaction: a refused op
    /// is answered with its reason without holding back the ops after it. `drain` marks the
    /// last push of a device revoked with a wipe: its ops are flagged for review.
    pub fn push(
        &mut self,
        author: &UserRow,
        from_device: Option<DeviceId>,
        ops: &[Op],
        now_ms: i64,
    ) -> Result<Vec<OpResult>, HubError> {
        self.push_as(author, from_device, ops, now_ms, false, 0)
    }

    /// [`Storage::push`], saying whether this is a wiped device's last push and how many ops
    /// of the same request the hub could not read (they are refused before they get here, and
    /// counted in the push's audit entry, which is written in the same transaction).
    pub fn push_as(
        &mut self,
        author: &UserRow,
        from_device: Option<DeviceId>,
        ops: &[Op],
        now_ms: i64,
        drain: bool,
        unreadable: usize,
    ) -> Result<Vec<OpResult>, HubError> {
        let hub = self.hub;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut results = Vec::with_capacity(ops.len());
        for op in ops {
            let outcome = push_one(&tx, hub, author, from_device, op, now_ms, drain)?;
            if let OpOutcome::Rejected { code, .. } = &outcome {
                tracing::warn!(op = %op.op_id, case = %op.case_id, user = %author.id, code, "op refused");
            }
            results.push(OpResult {
                op_id: op.op_id,
                outcome,
            });
        }
        let stored = results
            .iter()
            .filter(|r| {
                matches!(
                    r.outcome,
                    OpOutcome::Accepted { .. } | OpOutcome::Quarantined { .. }
                )
            })
            .count();
        if let (Some(device), 1..) = (from_device, stored) {
            tx.prepare_cached("UPDATE devices SET ops_held = ops_held + ?2 WHERE id = ?1")?
                .execute(params![
                    device.to_string(),
                    i64::try_from(stored).unwrap_or(i64::MAX)
                ])?;
        }
        if !ops.is_empty() || unreadable > 0 {
            let event = push_event(&results, unreadable, drain)
                .by(author.id, from_device)
                .about(ops.iter().map(|op| op.case_id));
            super::audit::append(&tx, &[event], now_ms)?;
        }
        tx.commit()?;
        Ok(results)
    }

    /// Marks a device revoked with a wipe as drained: true for exactly one push, its last.
    pub fn begin_drain(&mut self, device: DeviceId, now_ms: i64) -> Result<bool, HubError> {
        let changed = self.conn.execute(
            "UPDATE devices SET drained_at = ?1 WHERE id = ?2 AND wipe AND drained_at IS NULL",
            params![now_ms, device.to_string()],
        )?;
        Ok(changed == 1)
    }

    /// The ops `viewer` may see after `cursor`, and how their scope changed against `held`;
    /// without the device's own ops when it holds all of them (`own`, see [`OwnOps`]).
    pub fn pull(
        &mut self,
        viewer: &Viewer,
        cursor: u64,
        held: &[CaseId],
        limit: u32,
        own: Option<OwnOps>,
    ) -> Result<PullPage, HubError> {
        // One read transaction: the page, the scope and the max seq come from one snapshot.
        let tx = self.conn.transaction()?;
        let skip_from = match own {
            Some(own) if own.held == ops_held(&tx, own.device)? => Some(own.device.to_string()),
            _ => None,
        };
        // Only the cases that can be in scope, and only the held ones the hub knows: a pull
        // with nothing new costs the same on a small hub and a large one.
        let visible = scope::visible(viewer, &candidate_assignments(&tx, viewer)?);
        // Only a held case out of sight can have left the scope: a coordinator's first sync,
        // holding thousands of cases by its end, asks about none of them.
        let seen: BTreeSet<&CaseId> = visible.iter().collect();
        let hidden: Vec<CaseId> = held.iter().filter(|c| !seen.contains(c)).copied().collect();
        let known = known_cases(&tx, &hidden)?;
        let change = scope::diff(&visible, held, &known);
        let flagged = scope::sees_quarantined(viewer);
        let mut cases_added = Vec::new();
        // Nothing lies before the first cursor. After it, every case in sight not yet held is
        // looked up (in id order, so the index is read front to back once): one statement,
        // parsed once, for the thousands a first sync of a whole service has not reached yet.
        if cursor > 0 && !change.added.is_empty() {
            let mut before = tx.prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM ops WHERE case_id = ?1 AND seq <= ?2 AND (?3 OR quarantine_reason IS NULL))",
            )?;
            for case_id in change.added {
                if before.query_row(params![case_id.to_string(), to_i64(cursor), flagged], |r| {
                    r.get(0)
                })? {
                    cases_added.push(case_id);
                }
            }
        }
        // Which ops make the page is decided on seq numbers alone, and only the page's op rows
        // are read: selecting the JSON of every remaining op to sort it made each page of a first
        // sync read the rest of the log. A viewer of most of the hub's cases walks the log in seq
        // order and stops at the page's end; a viewer of some reads the index of their cases.
        let sql = if sees_most_cases(&tx, visible.len())? {
            "SELECT seq, op_json, quarantine_reason FROM ops
             WHERE seq > ?1 AND +case_id IN (SELECT value FROM json_each(?2)) AND (?3 OR quarantine_reason IS NULL)
               AND (?5 IS NULL OR from_device IS NOT ?5)
             ORDER BY seq LIMIT ?4"
        } else {
            "SELECT seq, op_json, quarantine_reason FROM ops WHERE seq IN (
                 SELECT seq FROM ops
                 WHERE seq > ?1 AND case_id IN (SELECT value FROM json_each(?2)) AND (?3 OR quarantine_reason IS NULL)
                   AND (?5 IS NULL OR from_device IS NOT ?5)
                 ORDER BY seq LIMIT ?4)
             ORDER BY seq"
        };
        let (ops, more) = select_ops(
            &tx,
            sql,
            params![
                to_i64(cursor),
                serde_json::to_string(&visible)?,
                flagged,
                i64::from(limit) + 1,
                skip_from
            ],
            limit,
        )?;
        let next_cursor = match ops.last() {
            Some(last) if more => last.seq,
            _ => {
                let max: i64 = tx.query_row("SELECT COALESCE(MAX(seq), 0) FROM ops", [], |r| r.get(0))?;
                cursor.max(u64::try_from(max).unwrap_or(0))
            }
        };
        let people = team_directory(&tx, viewer)?;
        tx.commit()?;
        Ok(PullPage {
            ops,
            next_cursor,
            more,
            cases_added,
            cases_removed: change.removed,
            people,
        })
    }

    /// How many ops `viewer` may see after `after`: the total of a progress indicator. It
    /// reads the index of the viewer's cases (seq and flag are in it), never the ops
    /// themselves, and counts the device's own ops, which a pull may leave out.
    pub fn remaining(&mut self, viewer: &Viewer, after: u64) -> Result<u64, HubError> {
        let tx = self.conn.transaction()?;
        let visible = scope::visible(viewer, &candidate_assignments(&tx, viewer)?);
        let count: i64 = tx
            .prepare_cached(
                "SELECT COUNT(*) FROM ops INDEXED BY ops_by_case_quarantine
                 WHERE case_id IN (SELECT value FROM json_each(?1)) AND seq > ?2
                   AND (?3 OR quarantine_reason IS NULL)",
            )?
            .query_row(
                params![
                    serde_json::to_string(&visible)?,
                    to_i64(after),
                    scope::sees_quarantined(viewer)
                ],
                |r| r.get(0),
            )?;
        tx.commit()?;
        Ok(to_u64(count))
    }

    /// One page of the whole history of a case `viewer` may see; `None` if it may not.
    pub fn history(
        &mut self,
        viewer: &Viewer,
        case_id: CaseId,
        after: u64,
        limit: u32,
    ) -> Result<Option<HistoryPage>, HubError> {
        let tx = self.conn.transaction()?;
        match assignment(&tx, case_id)? {
            Some(case) if scope::in_scope(viewer, &case) => {}
            _ => return Ok(None),
        }
        let (ops, more) = select_ops(
            &tx,
            "SELECT seq, op_json, quarantine_reason FROM ops
             WHERE case_id = ?1 AND seq > ?2 AND (?3 OR quarantine_reason IS NULL) ORDER BY seq LIMIT ?4",
            params![
                case_id.to_string(),
                to_i64(after),
                scope::sees_quarantined(viewer),
                i64::from(limit) + 1
            ],
            limit,
        )?;
        let next_after = ops.last().map_or(after, |o| o.seq);
        tx.commit()?;
        Ok(Some(HistoryPage {
            ops,
            next_after,
            more,
        }))
    }
}

/// What a pulling device says it holds of its own ops: how many the hub has answered as held.
/// When the hub counts as many from that device, the pull leaves them out, since the device
/// wrote them; when the counts differ (a store copied back from an older file, an answer
/// lost), it sends them as it always did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OwnOps {
    /// The pulling device.
    pub device: DeviceId,
    /// How many of its own ops it holds as held by the hub.
    pub held: u64,
}

/// How many ops the hub holds from `device`.
fn ops_held(tx: &Transaction<'_>, device: DeviceId) -> Result<u64, HubError> {
    let held: Option<i64> = tx
        .prepare_cached("SELECT ops_held FROM devices WHERE id = ?1")?
        .query_row([device.to_string()], |r| r.get(0))
        .optional()?;
    Ok(held.map_or(0, to_u64))
}

/// What a push's audit entry says: how many ops were taken, flagged and refused, and why.
fn push_event(results: &[OpResult], unreadable: usize, drain: bool) -> AuditEvent {
    let (mut accepted, mut held, mut flagged) = (0u64, 0u64, 0u64);
    let mut refused: BTreeMap<&str, u64> = BTreeMap::new();
    for result in results {
        match &result.outcome {
            OpOutcome::Accepted { .. } => accepted += 1,
            OpOutcome::AlreadyHeld { .. } => held += 1,
            OpOutcome::Quarantined { .. } => flagged += 1,
            OpOutcome::Rejected { code, .. } => *refused.entry(code.as_str()).or_default() += 1,
        }
    }
    AuditEvent::new(
        AuditAction::Push,
        serde_json::json!({
            "accepted": accepted,
            "already_held": held,
            "flagged": flagged,
            "refused": refused,
            "unreadable": unreadable,
            "last_push_before_wipe": drain,
        }),
    )
}

fn refused(code: &str, reason: impl Into<String>) -> OpOutcome {
    OpOutcome::Rejected {
        reason: reason.into(),
        code: code.to_owned(),
    }
}

fn push_one(
    tx: &Transaction<'_>,
    hub: HubIdentity,
    author: &UserRow,
    from_device: Option<DeviceId>,
    op: &Op,
    now_ms: i64,
    drain: bool,
) -> Result<OpOutcome, HubError> {
    let held: Option<i64> = tx
        .prepare_cached("SELECT seq FROM ops WHERE op_id = ?1")?
        .query_row([op.op_id.to_string()], |r| r.get(0))
        .optional()?;
    if let Some(seq) = held {
        return Ok(OpOutcome::AlreadyHeld { seq: to_u64(seq) });
    }
    // An erased case never comes back, whoever writes to it and however late.
    if super::purge::is_purged(tx, op.case_id)? {
        use casebook_domain::retention::{PURGED, PURGED_REASON};
        return Ok(refused(PURGED, PURGED_REASON));
    }
    if op.author != author.id {
        return Ok(refused(
            "author_mismatch",
            "the op's author is not the user this device is enrolled for",
        ));
    }
    if from_device.is_some_and(|d| op.device != d || op.hlc.device != d) {
        return Ok(refused(
            "device_mismatch",
            "the op's device is not the device that pushed it",
        ));
    }
    let (facts, case) = facts::gather(tx, author, op, now_ms)?;
    let mut flag = match judge(op, &facts) {
        Verdict::Refuse(refusal) => return Ok(refused(refusal.code(), refusal.to_string())),
        Verdict::Accept => None,
        Verdict::Flag(reason) => Some(reason),
    };
    if drain {
        flag = Some(flag.unwrap_or(DRAINED));
    }
    if case.is_none() {
        // A case created offline: it belongs to its author, or to the facilitators a
        // coordinator allocated it to as they entered it, and to the lead's team.
        let named = |field: &str| -> Result<Option<UserRow>, HubError> {
            match op.fields.get(field).and_then(|v| v.as_str()) {
                Some(id) => facts::user(tx, parse(id)?),
                None => Ok(None),
            }
        };
        let lead = named("lead")?.unwrap_or_else(|| author.clone());
        let co = named("co")?;
        tx.execute(
            "INSERT INTO cases (id, reference, lead, co, team, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                op.case_id.to_string(),
                next_reference(tx)?,
                lead.id.to_string(),
                co.map(|c| c.id.to_string()),
                lead.team,
                now_ms
            ],
        )?;
    } else if op.entity == Entity::Case && ALLOCATION_FIELDS.iter().any(|f| op.fields.contains_key(*f)) {
        // Judged before it is stored, so that a later allocation already held is seen as such.
        apply_allocation(tx, op, to_u64(now_ms).max(op.hlc.wall_ms))?;
    }
    let seq = insert_op(tx, op, from_device, flag, now_ms)?;
    facts::register(tx, op)?;
    if case.is_none() {
        let reference: String = tx.query_row(
            "SELECT reference FROM cases WHERE id = ?1",
            [op.case_id.to_string()],
            |r| r.get(0),
        )?;
        let replaces = BTreeMap::from([("reference".to_owned(), op.op_id)]);
        let fields = BTreeMap::from([("reference".to_owned(), serde_json::Value::String(reference))]);
        let hub_op = hub_op(tx, hub, op.case_id, fields, replaces, Some(op.hlc), now_ms)?;
        insert_op(tx, &hub_op, None, None, now_ms)?;
    }
    Ok(match flag {
        Some(reason) => OpOutcome::Quarantined {
            seq,
            reason: reason.to_owned(),
        },
        None => OpOutcome::Accepted { seq },
    })
}

/// Applies an accepted allocation op (a coordinator's or supervisor's `lead` / `co`) to the
/// `cases` table, field by field unless a later allocation of that field is already held: the
/// hub follows the same last-writer-wins by HLC as every laptop, so both end with one answer.
fn apply_allocation(tx: &Transaction<'_>, op: &Op, until_ms: u64) -> Result<(), HubError> {
    let Some(before) = assignment(tx, op.case_id)? else {
        return Ok(());
    };
    let (mut lead, mut co) = (before.lead, before.co);
    for field in ALLOCATION_FIELDS {
        let Some(value) = op.fields.get(*field) else {
            continue;
        };
        if latest_setting(tx, op.case_id, field)?.is_some_and(|held| held.hlc > op.hlc) {
            continue;
        }
        let user = value.as_str().map(parse).transpose()?;
        if *field == "lead" {
            lead = user;
        } else {
            co = user;
        }
    }
    // The judgement refuses an allocation without a lead; a case never loses its lead here.
    let Some(lead) = lead.map(|id| facts::user(tx, id)).transpose()?.flatten() else {
        return Ok(());
    };
    allocate(tx, op.case_id, &lead, co, until_ms)?;
    Ok(())
}

/// Moves a case to `lead` (and `co`, or none), into the lead's team, and records whom it was
/// taken from at `until_ms`: a note they wrote before then is still theirs to push, flagged
/// (the late-note rule). The one path for the admin's `case assign` and for an allocation op.
/// Returns the assignment before and after.
pub(super) fn allocate(
    tx: &Transaction<'_>,
    case_id: CaseId,
    lead: &UserRow,
    co: Option<casebook_domain::UserId>,
    until_ms: u64,
) -> Result<(Assignment, Assignment), HubError> {
    let before = assignment(tx, case_id)?.ok_or_else(|| HubError::NoSuchCase(case_id.to_string()))?;
    let after = Assignment {
        case_id,
        lead: Some(lead.id),
        co,
        team: lead.team.clone(),
    };
    tx.execute(
        "UPDATE cases SET lead = ?1, co = ?2, team = ?3 WHERE id = ?4",
        params![
            lead.id.to_string(),
            co.map(|c| c.to_string()),
            lead.team,
            case_id.to_string()
        ],
    )?;
    facts::record_former_holders(tx, &before, &after, until_ms)?;
    Ok((before, after))
}

/// The held op of the case with the latest HLC that sets `field` of the case record.
pub(super) fn latest_setting(
    tx: &Transaction<'_>,
    case_id: CaseId,
    field: &str,
) -> Result<Option<Op>, HubError> {
    let mut stmt = tx.prepare_cached(
        "SELECT op_json FROM ops WHERE case_id = ?1 AND json_extract(op_json, '$.entity') = 'case'
         AND json_type(op_json, '$.fields.' || ?2) IS NOT NULL",
    )?;
    let texts = stmt
        .query_map(params![case_id.to_string(), field], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    let ops = texts
        .iter()
        .map(|t| serde_json::from_str::<Op>(t))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ops.into_iter().max_by_key(|op| op.hlc))
}

/// An op written by the hub itself, so its decisions reach clients like any change.
pub(super) fn hub_op(
    tx: &Transaction<'_>,
    hub: HubIdentity,
    case_id: CaseId,
    fields: BTreeMap<String, serde_json::Value>,
    replaces: BTreeMap<String, OpId>,
    after: Option<Hlc>,
    now_ms: i64,
) -> Result<Op, HubError> {
    // Later than the op it answers, even if that laptop's clock runs ahead of ours, and later
    // than the hub's previous op, so that no two hub ops share a timestamp.
    let floor = after
        .map_or(0, |h| h.wall_ms.saturating_add(1))
        .max(to_u64(now_ms));
    let previous: Option<String> = tx
        .query_row("SELECT value FROM hub_meta WHERE key = 'hub_hlc_ms'", [], |r| {
            r.get(0)
        })
        .optional()?;
    let wall_ms = next_hub_wall(previous.and_then(|v| v.parse().ok()), floor);
    tx.execute(
        "INSERT INTO hub_meta (key, value) VALUES ('hub_hlc_ms', ?1)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [wall_ms.to_string()],
    )?;
    Ok(Op {
        op_id: OpId::new(),
        case_id,
        entity: Entity::Case,
        entity_id: case_id.as_uuid(),
        kind: OpKind::Update,
        fields,
        replaces,
        hlc: Hlc {
            wall_ms,
            counter: 0,
            device: hub.device,
        },
        author: hub.user,
        device: hub.device,
        schema_version: SCHEMA_VERSION,
    })
}

/// The largest wall time the hub stamps: HLCs are stored as fixed-width text of 15 digits,
/// and time order must stay text order. Year 33658; reached only from a poisoned clock.
const MAX_HUB_WALL_MS: u64 = 999_999_999_999_999;

/// The hub's next wall time: after its previous one and at least `floor`, saturating instead of
/// overflowing, so that a clock once pushed to the far future cannot wrap round to 1970.
fn next_hub_wall(previous: Option<u64>, floor: u64) -> u64 {
    previous
        .map_or(floor, |p| p.saturating_add(1).max(floor))
        .min(MAX_HUB_WALL_MS)
}

pub(super) fn insert_op(
    tx: &Transaction<'_>,
    op: &Op,
    from_device: Option<DeviceId>,
    quarantine: Option<&str>,
    now_ms: i64,
) -> Result<u64, HubError> {
    tx.prepare_cached(
        "INSERT INTO ops (op_id, case_id, op_json, received_at, from_device, quarantine_reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        op.op_id.to_string(),
        op.case_id.to_string(),
        serde_json::to_string(op)?,
        now_ms,
        from_device.map(|d| d.to_string()),
        quarantine
    ])?;
    Ok(to_u64(tx.last_insert_rowid()))
}

/// The next human reference, e.g. `RH-2026-0042`, counted per year.
fn next_reference(tx: &Transaction<'_>) -> Result<String, HubError> {
    let year = chrono::Datelike::year(&chrono::Utc::now());
    let n: i64 = tx.query_row(
        "INSERT INTO reference_counters (year, last) VALUES (?1, 1)
         ON CONFLICT (year) DO UPDATE SET last = last + 1 RETURNING last",
        [year],
        |r| r.get(0),
    )?;
    Ok(format!("RH-{year}-{n:04}"))
}

pub(super) fn assignment(tx: &Transaction<'_>, case_id: CaseId) -> Result<Option<Assignment>, HubError> {
    let raw = tx
        .prepare_cached("SELECT id, lead, co, team FROM cases WHERE id = ?1")?
        .query_row([case_id.to_string()], raw_assignment)
        .optional()?;
    raw.map(to_assignment).transpose()
}

/// The cases that can be in `viewer`'s scope (the scope rule itself is `scope::in_scope`).
fn candidate_assignments(tx: &Transaction<'_>, viewer: &Viewer) -> Result<Vec<Assignment>, HubError> {
    let (sql, key) = match viewer.role {
        Role::Facilitator => (
            "SELECT id, lead, co, team FROM cases WHERE lead = ?1 OR co = ?1",
            Some(viewer.id.to_string()),
        ),
        Role::Supervisor => match &viewer.team {
            Some(team) => (
                "SELECT id, lead, co, team FROM cases WHERE team = ?1",
                Some(team.clone()),
            ),
            None => return Ok(Vec::new()),
        },
        Role::Coordinator | Role::Admin => return assignments(tx),
    };
    let mut stmt = tx.prepare_cached(sql)?;
    let raw = stmt
        .query_map([key], raw_assignment)?
        .collect::<Result<Vec<_>, _>>()?;
    raw.into_iter().map(to_assignment).collect()
}

/// Who the viewer's case ids refer to: their team's members, or only themselves without a
/// team (a team is what a supervisor groups the caseload by). A coordinator allocates cases
/// across the service, so theirs is everyone.
fn team_directory(tx: &Transaction<'_>, viewer: &Viewer) -> Result<Vec<Person>, HubError> {
    let (sql, key) = match &viewer.team {
        _ if viewer.role == Role::Coordinator => (
            "SELECT id, name, role, team FROM users WHERE ?1 IS NOT NULL ORDER BY name",
            String::new(),
        ),
        Some(team) => (
            "SELECT id, name, role, team FROM users WHERE team = ?1 ORDER BY name",
            team.clone(),
        ),
        None => (
            "SELECT id, name, role, team FROM users WHERE id = ?1",
            viewer.id.to_string(),
        ),
    };
    let mut stmt = tx.prepare_cached(sql)?;
    let raw = stmt
        .query_map([key], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    raw.into_iter()
        .map(|(id, name, role, team)| {
            Ok(Person {
                id: parse(&id)?,
                name,
                role,
                team,
            })
        })
        .collect()
}

/// Which of `held` the hub knows.
fn known_cases(tx: &Transaction<'_>, held: &[CaseId]) -> Result<Vec<CaseId>, HubError> {
    let mut stmt = tx.prepare_cached("SELECT id FROM cases WHERE id IN (SELECT value FROM json_each(?1))")?;
    let ids = stmt
        .query_map([serde_json::to_string(held)?], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    ids.iter().map(|id| parse(id)).collect()
}

pub(super) fn assignments(tx: &Transaction<'_>) -> Result<Vec<Assignment>, HubError> {
    let mut stmt = tx.prepare("SELECT id, lead, co, team FROM cases")?;
    let raw = stmt
        .query_map([], raw_assignment)?
        .collect::<Result<Vec<_>, _>>()?;
    raw.into_iter().map(to_assignment).collect()
}

type RawAssignment = (String, Option<String>, Option<String>, Option<String>);

fn raw_assignment(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawAssignment> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
}

fn to_assignment((id, lead, co, team): RawAssignment) -> Result<Assignment, HubError> {
    Ok(Assignment {
        case_id: parse(&id)?,
        lead: lead.as_deref().map(parse).transpose()?,
        co: co.as_deref().map(parse).transpose()?,
        team,
    })
}

/// One page of ops: at most `limit` of them and
/// [`MAX_PAGE_BYTES`](casebook_protocol::messages::MAX_PAGE_BYTES) of their JSON, but at least
/// one, so that a large op cannot stall the stream; and whether more follow. `sql` selects
/// `seq, op_json, quarantine_reason` in seq order, at least `limit + 1` rows.
fn select_ops(
    tx: &Transaction<'_>,
    sql: &str,
    params: impl rusqlite::Params,
    limit: u32,
) -> Result<(Vec<PulledOp>, bool), HubError> {
    let limit = limit.max(1) as usize;
    let mut stmt = tx.prepare(sql)?;
    let mut rows = stmt.query(params)?;
    let (mut ops, mut bytes) = (Vec::new(), 0usize);
    // Rows are read one at a time and the page stops at its budget: one pull never holds more
    // than a page (plus the op that did not fit) in memory.
    while let Some(row) = rows.next()? {
        let json: String = row.get(1)?;
        let over_budget = bytes + json.len() > casebook_protocol::messages::MAX_PAGE_BYTES;
        if ops.len() >= limit || (!ops.is_empty() && over_budget) {
            return Ok((ops, true));
        }
        bytes += json.len();
        ops.push(PulledOp {
            seq: to_u64(row.get(0)?),
            op: serde_json::from_str(&json)?,
            quarantined: row.get(2)?,
        });
    }
    Ok((ops, false))
}

/// Whether a viewer of `visible` cases sees at least half of the hub's: then walking the op log
/// in seq order reads little that the page does not return. Below a few dozen cases the index of
/// each case is always cheaper, and the hub's cases are not counted.
fn sees_most_cases(tx: &Transaction<'_>, visible: usize) -> Result<bool, HubError> {
    const FEW: usize = 64;
    if visible <= FEW {
        return Ok(false);
    }
    let all: i64 = tx.query_row("SELECT COUNT(*) FROM cases", [], |r| r.get(0))?;
    Ok(visible.saturating_mul(2) >= usize::try_from(all).unwrap_or(usize::MAX))
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hub_clock_saturates_at_the_extremes() {
        assert_eq!(next_hub_wall(None, 5), 5);
        assert_eq!(next_hub_wall(Some(5), 3), 6);
        assert_eq!(next_hub_wall(Some(5), 9), 9);
        for (previous, floor) in [(Some(u64::MAX), 0), (Some(1 << 63), u64::MAX), (None, u64::MAX)] {
            assert_eq!(next_hub_wall(previous, floor), MAX_HUB_WALL_MS);
        }
        assert_eq!(
            next_hub_wall(Some(MAX_HUB_WALL_MS), 0),
            MAX_HUB_WALL_MS,
            "never wraps"
        );
    }
}
