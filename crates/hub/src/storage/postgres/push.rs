//! The PostgreSQL side of a push ([`PushTx`]): the facts of an op's target and the rows an
//! accepted op writes, inside a transaction that holds the `op_seq` row from its first
//! statement to its commit. No rule is written here (`storage/push.rs`, the domain).

use casebook_domain::judgement::Known;
use casebook_domain::{CaseId, DeviceId, Entity, Op, OpId, UserId};
use postgres::Transaction;
use uuid::Uuid;

use super::Postgres;
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
}

impl<'a, 'c> PgTx<'a, 'c> {
    /// Takes the `op_seq` row lock, first thing: the transaction then runs alone among those
    /// that append ops, and the numbers it hands out become visible in the order they were
    /// handed out.
    pub(super) fn lock(tx: &'a mut Transaction<'c>, db: &'a Postgres) -> Result<Self, HubError> {
        let last: i64 = tx
            .query_one("SELECT last FROM op_seq FOR UPDATE", &[])?
            .try_get(0)?;
        Ok(Self {
            tx,
            db,
            last_seq: last,
            locked_at: last,
        })
    }

    /// Stores the newest sequence number handed out; call it before the commit.
    pub(super) fn finish(self) -> Result<(), HubError> {
        if self.last_seq != self.locked_at {
            self.tx
                .execute("UPDATE op_seq SET last = $1", &[&self.last_seq])?;
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
    fn held_seq(&mut self, op: OpId) -> Result<Option<u64>, HubError> {
        let seq: Option<i64> = self
            .tx
            .query_opt("SELECT seq FROM ops WHERE op_id = $1", &[&op.0])?
            .map(|row| row.try_get(0))
            .transpose()?;
        Ok(seq.map(super::to_u64))
    }

    fn is_purged(&mut self, case: CaseId) -> Result<bool, HubError> {
        Ok(self
            .tx
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM purged_cases WHERE case_id = $1)",
                &[&case.0],
            )?
            .try_get(0)?)
    }

    fn assignment(&mut self, case: CaseId) -> Result<Option<Assignment>, HubError> {
        assignment(self.tx, case)
    }

    fn held_until(&mut self, case: CaseId, author: &UserRow) -> Result<Option<u64>, HubError> {
        let by_team = author.role == casebook_domain::Role::Supervisor;
        let until: Option<i64> = self
            .tx
            .query_one(
                "SELECT MAX(until_ms) FROM former_holders
                 WHERE case_id = $1 AND (user_id = $2 OR ($3 AND team IS NOT NULL AND team = $4))",
                &[&case.0, &author.id.0, &by_team, &author.team],
            )?
            .try_get(0)?;
        Ok(until.map(super::to_u64))
    }

    fn known(&mut self, id: Uuid) -> Result<Option<Known>, HubError> {
        let row = self.tx.query_opt(
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
        let row = self
            .tx
            .query_opt("SELECT id, name, role, team FROM users WHERE id = $1", &[&id.0])?;
        row.map(|row| self.db.user_row(&row)).transpose()
    }

    fn create_case(
        &mut self,
        case: CaseId,
        lead: &UserRow,
        co: Option<UserId>,
        now_ms: i64,
    ) -> Result<String, HubError> {
        let year = chrono::Datelike::year(&chrono::Utc::now());
        let n: i32 = self
            .tx
            .query_one(
                "INSERT INTO reference_counters (year, last) VALUES ($1, 1)
                 ON CONFLICT (year) DO UPDATE SET last = reference_counters.last + 1 RETURNING last",
                &[&year],
            )?
            .try_get(0)?;
        let reference = format!("RH-{year}-{n:04}");
        self.tx.execute(
            "INSERT INTO cases (id, reference, lead, co, team, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &case.0,
                &reference,
                &lead.id.0,
                &co.map(|c| c.0),
                &lead.team,
                &now_ms,
            ],
        )?;
        Ok(reference)
    }

    fn settings_of(&mut self, case: CaseId, field: &str) -> Result<Vec<Op>, HubError> {
        // The payloads are sealed: the case's ops are opened here and looked at, which only an
        // allocation does, and only for its own case.
        let rows = self
            .tx
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
        self.tx.execute(
            "UPDATE cases SET lead = $1, co = $2, team = $3 WHERE id = $4",
            &[
                &after.lead.map(|l| l.0),
                &after.co.map(|c| c.0),
                &after.team,
                &after.case_id.0,
            ],
        )?;
        Ok(())
    }

    fn add_former_holder(
        &mut self,
        case: CaseId,
        user: Option<UserId>,
        team: Option<&str>,
        until_ms: i64,
    ) -> Result<(), HubError> {
        self.tx.execute(
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
        self.tx.execute(
            "INSERT INTO ops (seq, op_id, case_id, payload, received_at, from_device, quarantined, quarantine_reason)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &seq,
                &op.op_id.0,
                &op.case_id.0,
                &payload,
                &now_ms,
                &from_device.map(|d| d.0),
                &flag.is_some(),
                &reason,
            ],
        )?;
        self.last_seq = seq;
        Ok(super::to_u64(seq))
    }

    fn add_record(&mut self, id: Uuid, case: CaseId, entity: Entity) -> Result<(), HubError> {
        self.tx.execute(
            "INSERT INTO records (id, case_id, entity) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
            &[&id, &case.0, &entity.as_str()],
        )?;
        Ok(())
    }

    fn finalise(&mut self, id: Uuid) -> Result<(), HubError> {
        self.tx
            .execute("UPDATE records SET finalised = true WHERE id = $1", &[&id])?;
        Ok(())
    }

    fn hub_clock(&mut self) -> Result<Option<u64>, HubError> {
        let value: Option<String> = self
            .tx
            .query_opt("SELECT value FROM hub_meta WHERE key = 'hub_hlc_ms'", &[])?
            .map(|row| row.try_get(0))
            .transpose()?;
        Ok(value.and_then(|v| v.parse().ok()))
    }

    fn set_hub_clock(&mut self, wall_ms: u64) -> Result<(), HubError> {
        self.tx.execute(
            "INSERT INTO hub_meta (key, value) VALUES ('hub_hlc_ms', $1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[&wall_ms.to_string()],
        )?;
        Ok(())
    }
}
