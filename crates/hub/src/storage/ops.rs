//! The op log: idempotent push, the scoped pull stream and one case's history.

use std::collections::BTreeSet;

use casebook_domain::{CaseId, DeviceId, Op};
use casebook_protocol::{OpResult, Person, PulledOp, Role};
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};

use super::{Sqlite, UserRow, parse, push};
use crate::error::HubError;
use crate::scope::{self, Assignment, Viewer};

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

impl Sqlite {
    /// [`Storage::push`](super::Storage::push), saying whether this is a wiped device's last push and how many ops
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
        let mut tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let (results, stored) = push::push_all(&mut tx, hub, author, from_device, ops, now_ms, drain)?;
        if let (Some(device), 1..) = (from_device, stored) {
            tx.prepare_cached("UPDATE devices SET ops_held = ops_held + ?2 WHERE id = ?1")?
                .execute(params![device.to_string(), to_i64(stored)])?;
        }
        if !ops.is_empty() || unreadable > 0 {
            let event = push::push_event(&results, unreadable, drain)
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
