//! The op log on PostgreSQL: push, the scoped pull stream, one case's history.

use std::collections::BTreeSet;

use casebook_domain::{CaseId, DeviceId, Op};
use casebook_protocol::{OpResult, Person, PulledOp, PurgeOrder, Role};
use postgres::Transaction;
use uuid::Uuid;

use super::prepared::Cached;
use super::push::{PgTx, assignment, assignment_row};
use super::{Postgres, snapshot, to_i64, to_u64};
use crate::error::HubError;
use crate::scope::{self, Assignment, Viewer};
use crate::storage::push::{push_all, push_event};
use crate::storage::{HistoryPage, OwnOps, PullPage, UserRow};

impl Postgres {
    /// See [`crate::storage::Storage::push_as`].
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
        self.run(|client| {
            let mut tx = client.transaction()?;
            let mut log = PgTx::lock(&mut tx, self)?;
            let (results, stored) = push_all(&mut log, hub, author, from_device, ops, now_ms, drain)?;
            log.finish()?;
            if let (Some(device), 1..) = (from_device, stored) {
                self.cached(&mut tx).execute(
                    "UPDATE devices SET ops_held = ops_held + $2 WHERE id = $1",
                    &[&device.0, &to_i64(stored)],
                )?;
            }
            if !ops.is_empty() || unreadable > 0 {
                let event = push_event(&results, unreadable, drain)
                    .by(author.id, from_device)
                    .about(ops.iter().map(|op| op.case_id));
                self.append(&mut tx, &[event], now_ms)?;
            }
            tx.commit()?;
            Ok(results)
        })
    }

    /// See [`crate::storage::Storage::begin_drain`].
    pub fn begin_drain(&mut self, device: DeviceId, now_ms: i64) -> Result<bool, HubError> {
        let changed = self.run(|client| {
            Ok(client.execute(
                "UPDATE devices SET drained_at = $1 WHERE id = $2 AND wipe AND drained_at IS NULL",
                &[&now_ms, &device.0],
            )?)
        })?;
        Ok(changed == 1)
    }

    /// See [`crate::storage::Storage::pull`].
    pub fn pull(
        &mut self,
        viewer: &Viewer,
        cursor: u64,
        held: &[CaseId],
        limit: u32,
        own: Option<OwnOps>,
    ) -> Result<PullPage, HubError> {
        self.run(|client| {
            // One snapshot for the page, the scope and the newest sequence number: under READ
            // COMMITTED each statement would see a later one, and a push committed between the
            // page and the cursor would be skipped.
            let mut tx = snapshot(client)?;
            let skip_from = match own {
                Some(own) if own.held == ops_held(&mut self.cached(&mut tx), own.device)? => Some(own.device.0),
                _ => None,
            };
            let visible = scope::visible(viewer, &candidate_assignments(&mut self.cached(&mut tx), viewer)?);
            let seen: BTreeSet<&CaseId> = visible.iter().collect();
            let hidden: Vec<Uuid> = held.iter().filter(|c| !seen.contains(c)).map(|c| c.0).collect();
            let known: Vec<CaseId> = self
                .cached(&mut tx)
                .query("SELECT id FROM cases WHERE id = ANY($1)", &[&hidden])?
                .iter()
                .map(|row| row.try_get(0).map(CaseId))
                .collect::<Result<_, _>>()?;
            let change = scope::diff(&visible, held, &known);
            let flagged = scope::sees_quarantined(viewer);
            let mut cases_added = Vec::new();
            if cursor > 0 && !change.added.is_empty() {
                let added: Vec<Uuid> = change.added.iter().map(|c| c.0).collect();
                let before: BTreeSet<Uuid> = tx
                    .query(
                        "SELECT DISTINCT case_id FROM ops WHERE case_id = ANY($1) AND seq <= $2 AND ($3 OR NOT quarantined)",
                        &[&added, &to_i64(cursor), &flagged],
                    )?
                    .iter()
                    .map(|row| row.try_get(0))
                    .collect::<Result<_, _>>()?;
                cases_added = change
                    .added
                    .into_iter()
                    .filter(|c| before.contains(&c.0))
                    .collect();
            }
            let cases: Vec<Uuid> = visible.iter().map(|c| c.0).collect();
            // Not prepared ahead (`prepared.rs`): after five runs PostgreSQL may keep one plan
            // for every cursor and scope, one fitted to a facilitator's five cases that then
            // serves a coordinator's thousands. Planned with its values, each page gets its own.
            let rows = tx.query(
                "SELECT seq, op_id, payload, quarantine_reason FROM ops
                 WHERE seq > $1 AND case_id = ANY($2) AND ($3 OR NOT quarantined)
                   AND ($5::uuid IS NULL OR from_device IS DISTINCT FROM $5)
                 ORDER BY seq LIMIT $4",
                &[
                    &to_i64(cursor),
                    &cases,
                    &flagged,
                    &(i64::from(limit) + 1),
                    &skip_from,
                ],
            )?;
            let (ops, more) = self.page(&rows, limit)?;
            let next_cursor = match ops.last() {
                Some(last) if more => last.seq,
                _ => {
                    let last: i64 = self
                        .cached(&mut tx)
                        .query_one("SELECT last FROM op_seq", &[])?
                        .try_get(0)?;
                    cursor.max(to_u64(last))
                }
            };
            let people = self.team_directory(&mut tx, viewer)?;
            tx.commit()?;
            Ok(PullPage {
                ops,
                next_cursor,
                more,
                cases_added,
                cases_removed: change.removed,
                people,
            })
        })
    }

    /// See [`crate::storage::Storage::remaining`].
    pub fn remaining(&mut self, viewer: &Viewer, after: u64) -> Result<u64, HubError> {
        self.run(|client| {
            let mut tx = snapshot(client)?;
            let visible: Vec<Uuid> = scope::visible(viewer, &candidate_assignments(&mut self.cached(&mut tx), viewer)?)
                .iter()
                .map(|c| c.0)
                .collect();
            let count: i64 = tx
                .query_one(
                    "SELECT count(*) FROM ops WHERE case_id = ANY($1) AND seq > $2 AND ($3 OR NOT quarantined)",
                    &[&visible, &to_i64(after), &scope::sees_quarantined(viewer)],
                )?
                .try_get(0)?;
            tx.commit()?;
            Ok(to_u64(count))
        })
    }

    /// See [`crate::storage::Storage::history`].
    pub fn history(
        &mut self,
        viewer: &Viewer,
        case_id: CaseId,
        after: u64,
        limit: u32,
    ) -> Result<Option<HistoryPage>, HubError> {
        self.run(|client| {
            let mut tx = snapshot(client)?;
            match assignment(&mut tx, case_id)? {
                Some(case) if scope::in_scope(viewer, &case) => {}
                _ => return Ok(None),
            }
            let rows = tx.query(
                "SELECT seq, op_id, payload, quarantine_reason FROM ops
                 WHERE case_id = $1 AND seq > $2 AND ($3 OR NOT quarantined) ORDER BY seq LIMIT $4",
                &[
                    &case_id.0,
                    &to_i64(after),
                    &scope::sees_quarantined(viewer),
                    &(i64::from(limit) + 1),
                ],
            )?;
            let (ops, more) = self.page(&rows, limit)?;
            let next_after = ops.last().map_or(after, |o| o.seq);
            tx.commit()?;
            Ok(Some(HistoryPage {
                ops,
                next_after,
                more,
            }))
        })
    }

    /// See [`crate::storage::Storage::pending_purges`].
    pub fn pending_purges(&self, device: DeviceId) -> Result<Vec<PurgeOrder>, HubError> {
        let rows = self.run(|client| Ok(client.query(
            "SELECT p.case_id, c.ordered_at FROM purge_confirmations p JOIN purged_cases c ON c.case_id = p.case_id
             WHERE p.device_id = $1 AND p.confirmed_at IS NULL ORDER BY c.ordered_at, p.case_id",
            &[&device.0],
        )?))?;
        rows.iter()
            .map(|row| {
                Ok(PurgeOrder {
                    case_id: CaseId(row.try_get(0)?),
                    ordered_at_ms: to_u64(row.try_get(1)?),
                })
            })
            .collect()
    }

    /// The op sealed in the row `op_id`.
    pub(super) fn open_op(&self, op_id: &Uuid, payload: &[u8]) -> Result<Op, HubError> {
        let json = self.sealer.open(
            payload,
            &crate::storage::seal::row_aad("ops", "payload", &op_id.to_string()),
        )?;
        Ok(serde_json::from_slice(&json)?)
    }

    /// One page from rows of `seq, op_id, payload, quarantine_reason` in seq order: at most
    /// `limit` ops and [`MAX_PAGE_BYTES`](casebook_protocol::messages::MAX_PAGE_BYTES) of
    /// their JSON, but at least one; and whether more follow.
    fn page(&self, rows: &[postgres::Row], limit: u32) -> Result<(Vec<PulledOp>, bool), HubError> {
        let limit = limit.max(1) as usize;
        let (mut ops, mut bytes) = (Vec::new(), 0usize);
        for row in rows {
            let op_id: Uuid = row.try_get(1)?;
            let payload: Vec<u8> = row.try_get(2)?;
            let json = self.sealer.open(
                &payload,
                &crate::storage::seal::row_aad("ops", "payload", &op_id.to_string()),
            )?;
            let over_budget = bytes + json.len() > casebook_protocol::messages::MAX_PAGE_BYTES;
            if ops.len() >= limit || (!ops.is_empty() && over_budget) {
                return Ok((ops, true));
            }
            bytes += json.len();
            let reason: Option<Vec<u8>> = row.try_get(3)?;
            ops.push(PulledOp {
                seq: to_u64(row.try_get(0)?),
                op: serde_json::from_slice(&json)?,
                quarantined: reason
                    .map(|r| self.open_text(&r, "ops", "quarantine_reason", &op_id.to_string()))
                    .transpose()?,
            });
        }
        Ok((ops, false))
    }

    /// Who the viewer's case ids refer to (see the SQLite backend's `team_directory`).
    fn team_directory(&self, tx: &mut Transaction<'_>, viewer: &Viewer) -> Result<Vec<Person>, HubError> {
        let mut tx = self.cached(tx);
        let rows = match &viewer.team {
            _ if viewer.role == Role::Coordinator => {
                tx.query("SELECT id, name, role, team FROM users", &[])?
            }
            Some(team) => tx.query("SELECT id, name, role, team FROM users WHERE team = $1", &[team])?,
            None => tx.query(
                "SELECT id, name, role, team FROM users WHERE id = $1",
                &[&viewer.id.0],
            )?,
        };
        let mut people = rows
            .iter()
            .map(|row| {
                let user = self.user_row(row)?;
                Ok(Person {
                    id: user.id,
                    name: user.name,
                    role: user.role.as_str().to_owned(),
                    team: user.team,
                })
            })
            .collect::<Result<Vec<_>, HubError>>()?;
        // Sorted here: the names are sealed, so the database cannot order them.
        people.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(people)
    }
}

/// How many ops the hub holds from `device`.
fn ops_held(tx: &mut Cached<'_, Transaction<'_>>, device: DeviceId) -> Result<u64, HubError> {
    let held: Option<i64> = tx
        .query_opt("SELECT ops_held FROM devices WHERE id = $1", &[&device.0])?
        .map(|row| row.try_get(0))
        .transpose()?;
    Ok(held.map_or(0, to_u64))
}

/// The cases that can be in `viewer`'s scope (the rule itself is `scope::in_scope`).
fn candidate_assignments(
    tx: &mut Cached<'_, Transaction<'_>>,
    viewer: &Viewer,
) -> Result<Vec<Assignment>, HubError> {
    let rows = match viewer.role {
        Role::Facilitator => tx.query(
            "SELECT id, lead, co, team FROM cases WHERE lead = $1 OR co = $1",
            &[&viewer.id.0],
        )?,
        Role::Supervisor => match &viewer.team {
            Some(team) => tx.query("SELECT id, lead, co, team FROM cases WHERE team = $1", &[team])?,
            None => return Ok(Vec::new()),
        },
        Role::Coordinator | Role::Admin => tx.query("SELECT id, lead, co, team FROM cases", &[])?,
    };
    rows.iter().map(assignment_row).collect()
}
