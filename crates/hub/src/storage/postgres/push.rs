//! The PostgreSQL side of a push ([`PushTx`]): the facts of an op's target and the rows an
//! accepted op writes, inside a transaction that holds the `op_seq` row from its first
//! statement to its commit. No rule is written here (`storage/push.rs`, the domain).
//!
//! Every question is a round trip to the server, so a push reads ahead: what its ops' ids,
//! cases and records are, in four queries for the whole push, kept here and updated as the
//! push writes. The ops and records it writes are sent in one statement each at the end (or
//! before a question that must see them). A push of 500 ops costs about fifteen round trips,
//! not four thousand.

use std::collections::{HashMap, HashSet};

use casebook_domain::judgement::{Known, references};
use casebook_domain::{CaseId, DeviceId, Entity, Op, OpId, UserId};
use postgres::Transaction;
use uuid::Uuid;

use super::Postgres;
use super::prepared::Cached;
use crate::error::HubError;
use crate::scope::Assignment;
use crate::storage::push::PushTx;
use crate::storage::{UserRow, parse};

/// A write transaction that may append ops: the sequence is locked and its last value known.
pub(super) struct PgTx<'a, 'c> {
    pub(super) tx: &'a mut Transaction<'c>,
    pub(super) db: &'a Postgres,
    /// The newest sequence number handed out, this transaction's included.
    last_seq: i64,
    /// The sequence number when the lock was taken.
    locked_at: i64,
    /// What is known so far of op ids (held or not), cases and records.
    held: HashMap<OpId, Option<u64>>,
    purged: HashMap<CaseId, bool>,
    cases: HashMap<CaseId, Option<Assignment>>,
    records: HashMap<Uuid, Option<Known>>,
    /// Users looked up: a push that opens many cases asks for their lead again and again.
    users: HashMap<UserId, Option<UserRow>>,
    /// The hub's own clock (`hub_meta.hub_hlc_ms`), read with the lock, and whether it moved.
    hub_clock: Option<u64>,
    hub_clock_moved: bool,
    /// Written but not yet sent.
    ops: PendingOps,
    new_records: Vec<(Uuid, CaseId, Entity)>,
    finalised: HashSet<Uuid>,
}

/// Ops to insert, column by column, for one `INSERT ... SELECT * FROM UNNEST(...)`.
#[derive(Default)]
struct PendingOps {
    seq: Vec<i64>,
    op_id: Vec<Uuid>,
    case_id: Vec<Uuid>,
    payload: Vec<Vec<u8>>,
    received_at: Vec<i64>,
    from_device: Vec<Option<Uuid>>,
    quarantined: Vec<bool>,
    reason: Vec<Option<Vec<u8>>>,
}

impl<'a, 'c> PgTx<'a, 'c> {
    /// Takes the `op_seq` row lock, first thing: the transaction then runs alone among those
    /// that append ops, and the numbers it hands out become visible in the order they were
    /// handed out.
    pub(super) fn lock(tx: &'a mut Transaction<'c>, db: &'a Postgres) -> Result<Self, HubError> {
        // The hub's clock comes with it: only a transaction holding the lock reads or moves it.
        let row = db.cached(tx).query_one(
            "SELECT o.last, m.value FROM op_seq o LEFT JOIN hub_meta m ON m.key = 'hub_hlc_ms' FOR UPDATE OF o",
            &[],
        )?;
        let last: i64 = row.try_get(0)?;
        let clock: Option<String> = row.try_get(1)?;
        Ok(Self {
            tx,
            db,
            last_seq: last,
            locked_at: last,
            hub_clock: clock.and_then(|v| v.parse().ok()),
            hub_clock_moved: false,
            held: HashMap::new(),
            purged: HashMap::new(),
            cases: HashMap::new(),
            records: HashMap::new(),
            users: HashMap::new(),
            ops: PendingOps::default(),
            new_records: Vec::new(),
            finalised: HashSet::new(),
        })
    }

    /// The transaction, its statements prepared once per connection.
    fn sql(&mut self) -> Cached<'_, Transaction<'c>> {
        self.db.cached(self.tx)
    }

    /// Sends the ops and records written so far.
    fn flush(&mut self) -> Result<(), HubError> {
        if !self.ops.seq.is_empty() {
            let o = std::mem::take(&mut self.ops);
            self.sql().execute(
                "INSERT INTO ops (seq, op_id, case_id, payload, received_at, from_device, quarantined, quarantine_reason)
                 SELECT * FROM UNNEST($1::bigint[], $2::uuid[], $3::uuid[], $4::bytea[], $5::bigint[], $6::uuid[],
                                      $7::boolean[], $8::bytea[])",
                &[
                    &o.seq,
                    &o.op_id,
                    &o.case_id,
                    &o.payload,
                    &o.received_at,
                    &o.from_device,
                    &o.quarantined,
                    &o.reason,
                ],
            )?;
        }
        if !self.new_records.is_empty() {
            let records = std::mem::take(&mut self.new_records);
            let ids: Vec<Uuid> = records.iter().map(|r| r.0).collect();
            let cases: Vec<Uuid> = records.iter().map(|r| r.1.0).collect();
            let entities: Vec<&str> = records.iter().map(|r| r.2.as_str()).collect();
            let finalised: Vec<bool> = ids.iter().map(|id| self.finalised.contains(id)).collect();
            self.sql().execute(
                "INSERT INTO records (id, case_id, entity, finalised)
                 SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::boolean[])
                 ON CONFLICT (id) DO NOTHING",
                &[&ids, &cases, &entities, &finalised],
            )?;
        }
        if !self.finalised.is_empty() {
            let ids: Vec<Uuid> = self.finalised.drain().collect();
            self.sql().execute(
                "UPDATE records SET finalised = true WHERE id = ANY($1) AND NOT finalised",
                &[&ids],
            )?;
        }
        Ok(())
    }

    /// Sends what is left and stores the newest sequence number handed out; call it before
    /// the commit.
    pub(super) fn finish(mut self) -> Result<(), HubError> {
        self.flush()?;
        if self.last_seq != self.locked_at {
            let last = self.last_seq;
            self.sql().execute("UPDATE op_seq SET last = $1", &[&last])?;
        }
        if let (true, Some(wall_ms)) = (self.hub_clock_moved, self.hub_clock) {
            self.sql().execute(
                "INSERT INTO hub_meta (key, value) VALUES ('hub_hlc_ms', $1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                &[&wall_ms.to_string()],
            )?;
        }
        Ok(())
    }
}

/// The assignment in the columns `id, lead, co, team`.
pub(super) fn assignment_row(row: &postgres::Row) -> Result<Assignment, HubError> {
    Ok(Assignment {
        case_id: CaseId(row.try_get(0)?),
        lead: row.try_get::<_, Option<Uuid>>(1)?.map(UserId),
        co: row.try_get::<_, Option<Uuid>>(2)?.map(UserId),
        team: row.try_get(3)?,
    })
}

/// Who holds `case`, if the hub knows it.
pub(super) fn assignment(tx: &mut Transaction<'_>, case: CaseId) -> Result<Option<Assignment>, HubError> {
    tx.query_opt("SELECT id, lead, co, team FROM cases WHERE id = $1", &[&case.0])?
        .map(|row| assignment_row(&row))
        .transpose()
}

impl PushTx for PgTx<'_, '_> {
    fn prefetch(&mut self, ops: &[Op]) -> Result<(), HubError> {
        let op_ids: Vec<Uuid> = ops.iter().map(|op| op.op_id.0).collect();
        let case_ids: Vec<Uuid> = ops
            .iter()
            .map(|op| op.case_id.0)
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut record_ids: HashSet<Uuid> = ops.iter().map(|op| op.entity_id).collect();
        record_ids.extend(ops.iter().flat_map(|op| references(op).into_iter().map(|r| r.id)));
        let record_ids: Vec<Uuid> = record_ids.into_iter().collect();

        for op in ops {
            self.held.insert(op.op_id, None);
        }
        let rows = self
            .sql()
            .query("SELECT op_id, seq FROM ops WHERE op_id = ANY($1)", &[&op_ids])?;
        for row in rows {
            self.held
                .insert(OpId(row.try_get(0)?), Some(super::to_u64(row.try_get(1)?)));
        }
        for case in &case_ids {
            self.purged.insert(CaseId(*case), false);
            self.cases.insert(CaseId(*case), None);
        }
        // The cases and the erased ones in one round trip (an id is in one table or neither).
        let rows = self.sql().query(
            "SELECT id, lead, co, team, false FROM cases WHERE id = ANY($1)
             UNION ALL SELECT case_id, NULL, NULL, NULL, true FROM purged_cases WHERE case_id = ANY($1)",
            &[&case_ids],
        )?;
        for row in rows {
            if row.try_get(4)? {
                self.purged.insert(CaseId(row.try_get(0)?), true);
            } else {
                let case = assignment_row(&row)?;
                self.cases.insert(case.case_id, Some(case));
            }
        }
        for id in &record_ids {
            self.records.insert(*id, None);
        }
        let rows = self.sql().query(
            "SELECT id, entity, case_id, finalised FROM records WHERE id = ANY($1)",
            &[&record_ids],
        )?;
        for row in rows {
            let entity: String = row.try_get(1)?;
            self.records.insert(
                row.try_get(0)?,
                Some(Known {
                    entity: parse(&entity)?,
                    case_id: CaseId(row.try_get(2)?),
                    finalised: row.try_get(3)?,
                }),
            );
        }
        Ok(())
    }

    fn held_seq(&mut self, op: OpId) -> Result<Option<u64>, HubError> {
        if let Some(known) = self.held.get(&op) {
            return Ok(*known);
        }
        let seq: Option<i64> = self
            .sql()
            .query_opt("SELECT seq FROM ops WHERE op_id = $1", &[&op.0])?
            .map(|row| row.try_get(0))
            .transpose()?;
        Ok(seq.map(super::to_u64))
    }

    fn is_purged(&mut self, case: CaseId) -> Result<bool, HubError> {
        if let Some(known) = self.purged.get(&case) {
            return Ok(*known);
        }
        Ok(self
            .sql()
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM purged_cases WHERE case_id = $1)",
                &[&case.0],
            )?
            .try_get(0)?)
    }

    fn assignment(&mut self, case: CaseId) -> Result<Option<Assignment>, HubError> {
        if let Some(known) = self.cases.get(&case) {
            return Ok(known.clone());
        }
        let found = self
            .sql()
            .query_opt("SELECT id, lead, co, team FROM cases WHERE id = $1", &[&case.0])?
            .map(|row| assignment_row(&row))
            .transpose()?;
        self.cases.insert(case, found.clone());
        Ok(found)
    }

    fn held_until(&mut self, case: CaseId, author: &UserRow) -> Result<Option<u64>, HubError> {
        let by_team = author.role == casebook_domain::Role::Supervisor;
        let until: Option<i64> = self
            .sql()
            .query_one(
                "SELECT MAX(until_ms) FROM former_holders
                 WHERE case_id = $1 AND (user_id = $2 OR ($3 AND team IS NOT NULL AND team = $4))",
                &[&case.0, &author.id.0, &by_team, &author.team],
            )?
            .try_get(0)?;
        Ok(until.map(super::to_u64))
    }

    fn known(&mut self, id: Uuid) -> Result<Option<Known>, HubError> {
        if let Some(known) = self.records.get(&id) {
            return Ok(*known);
        }
        let row = self.sql().query_opt(
            "SELECT entity, case_id, finalised FROM records WHERE id = $1",
            &[&id],
        )?;
        row.map(|row| {
            let entity: String = row.try_get(0)?;
            Ok(Known {
                entity: parse(&entity)?,
                case_id: CaseId(row.try_get(1)?),
                finalised: row.try_get(2)?,
            })
        })
        .transpose()
    }

    fn user(&mut self, id: UserId) -> Result<Option<UserRow>, HubError> {
        if let Some(known) = self.users.get(&id) {
            return Ok(known.clone());
        }
        let row = self
            .sql()
            .query_opt("SELECT id, name, role, team FROM users WHERE id = $1", &[&id.0])?;
        let found = row.map(|row| self.db.user_row(&row)).transpose()?;
        self.users.insert(id, found.clone());
        Ok(found)
    }

    fn create_case(
        &mut self,
        case: CaseId,
        lead: &UserRow,
        co: Option<UserId>,
        now_ms: i64,
    ) -> Result<String, HubError> {
        let year = chrono::Datelike::year(&chrono::Utc::now());
        // The year's next number and the case in one round trip; the number is formatted as
        // `RH-{year}-{n:04}` would be (four digits at least).
        let reference: String = self
            .sql()
            .query_one(
                "WITH n AS (
                     INSERT INTO reference_counters (year, last) VALUES ($1, 1)
                     ON CONFLICT (year) DO UPDATE SET last = reference_counters.last + 1 RETURNING last)
                 INSERT INTO cases (id, reference, lead, co, team, created_at)
                 SELECT $2, 'RH-' || $1 || '-' || CASE WHEN n.last < 10000 THEN lpad(n.last::text, 4, '0')
                                                      ELSE n.last::text END,
                        $3, $4, $5, $6
                 FROM n RETURNING reference",
                &[&year, &case.0, &lead.id.0, &co.map(|c| c.0), &lead.team, &now_ms],
            )?
            .try_get(0)?;
        self.cases.insert(
            case,
            Some(Assignment {
                case_id: case,
                lead: Some(lead.id),
                co,
                team: lead.team.clone(),
            }),
        );
        Ok(reference)
    }

    fn settings_of(&mut self, case: CaseId, field: &str) -> Result<Vec<Op>, HubError> {
        // The payloads are sealed: the case's ops are opened here and looked at, which only an
        // allocation does, and only for its own case.
        self.flush()?;
        let rows = self
            .sql()
            .query("SELECT op_id, payload FROM ops WHERE case_id = $1", &[&case.0])?;
        let mut found = Vec::new();
        for row in rows {
            let op = self
                .db
                .open_op(&row.try_get(0)?, &row.try_get::<_, Vec<u8>>(1)?)?;
            if op.entity == Entity::Case && op.fields.contains_key(field) {
                found.push(op);
            }
        }
        Ok(found)
    }

    fn set_assignment(&mut self, after: &Assignment) -> Result<(), HubError> {
        self.sql().execute(
            "UPDATE cases SET lead = $1, co = $2, team = $3 WHERE id = $4",
            &[
                &after.lead.map(|l| l.0),
                &after.co.map(|c| c.0),
                &after.team,
                &after.case_id.0,
            ],
        )?;
        self.cases.insert(after.case_id, Some(after.clone()));
        Ok(())
    }

    fn add_former_holder(
        &mut self,
        case: CaseId,
        user: Option<UserId>,
        team: Option<&str>,
        until_ms: i64,
    ) -> Result<(), HubError> {
        self.sql().execute(
            "INSERT INTO former_holders (case_id, user_id, team, until_ms) VALUES ($1, $2, $3, $4)",
            &[&case.0, &user.map(|u| u.0), &team, &until_ms],
        )?;
        Ok(())
    }

    fn insert_op(
        &mut self,
        op: &Op,
        from_device: Option<DeviceId>,
        flag: Option<&str>,
        now_ms: i64,
    ) -> Result<u64, HubError> {
        let seq = self.last_seq + 1;
        let row = op.op_id.to_string();
        let payload = self
            .db
            .seal(serde_json::to_string(op)?.as_bytes(), "ops", "payload", &row)?;
        let reason = flag
            .map(|f| self.db.seal(f.as_bytes(), "ops", "quarantine_reason", &row))
            .transpose()?;
        let o = &mut self.ops;
        o.seq.push(seq);
        o.op_id.push(op.op_id.0);
        o.case_id.push(op.case_id.0);
        o.payload.push(payload);
        o.received_at.push(now_ms);
        o.from_device.push(from_device.map(|d| d.0));
        o.quarantined.push(flag.is_some());
        o.reason.push(reason);
        self.last_seq = seq;
        let seq = super::to_u64(seq);
        self.held.insert(op.op_id, Some(seq));
        Ok(seq)
    }

    fn add_record(&mut self, id: Uuid, case: CaseId, entity: Entity) -> Result<(), HubError> {
        if self.known(id)?.is_none() {
            self.new_records.push((id, case, entity));
            self.records.insert(
                id,
                Some(Known {
                    entity,
                    case_id: case,
                    finalised: false,
                }),
            );
        }
        Ok(())
    }

    fn finalise(&mut self, id: Uuid) -> Result<(), HubError> {
        if let Some(Some(known)) = self.records.get_mut(&id) {
            known.finalised = true;
        }
        self.finalised.insert(id);
        Ok(())
    }

    fn hub_clock(&mut self) -> Result<Option<u64>, HubError> {
        Ok(self.hub_clock)
    }

    fn set_hub_clock(&mut self, wall_ms: u64) -> Result<(), HubError> {
        // Written once, by `finish`.
        self.hub_clock = Some(wall_ms);
        self.hub_clock_moved = true;
        Ok(())
    }
}
