//! The SQLite side of a push ([`PushTx`]): what the hub knows of an op's target (the records
//! and their cases, the case's assignment, whether the author held it before a reassignment)
//! and the rows an accepted op writes. No rule is written here: they are in `push.rs` and the
//! domain's judgement.

use casebook_domain::judgement::Known;
use casebook_domain::{CaseId, DeviceId, Entity, Op, OpId, UserId};
use rusqlite::{OptionalExtension, Transaction, params};
use uuid::Uuid;

use super::UserRow;
use super::ops::assignment;
use super::push::PushTx;
use crate::error::HubError;
use crate::scope::Assignment;

impl PushTx for Transaction<'_> {
    fn held_seq(&mut self, op: OpId) -> Result<Option<u64>, HubError> {
        let seq: Option<i64> = self
            .prepare_cached("SELECT seq FROM ops WHERE op_id = ?1")?
            .query_row([op.to_string()], |r| r.get(0))
            .optional()?;
        Ok(seq.map(|s| u64::try_from(s).unwrap_or(0)))
    }

    fn is_purged(&mut self, case: CaseId) -> Result<bool, HubError> {
        super::purge::is_purged(self, case)
    }

    fn assignment(&mut self, case: CaseId) -> Result<Option<Assignment>, HubError> {
        assignment(self, case)
    }

    fn held_until(&mut self, case: CaseId, author: &UserRow) -> Result<Option<u64>, HubError> {
        let by_team = author.role == casebook_domain::Role::Supervisor;
        let until: Option<i64> = self
            .prepare_cached(
                "SELECT MAX(until_ms) FROM former_holders
                 WHERE case_id = ?1 AND (user_id = ?2 OR (?3 AND team IS NOT NULL AND team = ?4))",
            )?
            .query_row(
                params![case.to_string(), author.id.to_string(), by_team, author.team],
                |r| r.get(0),
            )?;
        Ok(until.map(|t| u64::try_from(t).unwrap_or(0)))
    }

    fn known(&mut self, id: Uuid) -> Result<Option<Known>, HubError> {
        known(self, id)
    }

    fn user(&mut self, id: UserId) -> Result<Option<UserRow>, HubError> {
        user(self, id)
    }

    fn create_case(
        &mut self,
        case: CaseId,
        lead: &UserRow,
        co: Option<UserId>,
        now_ms: i64,
    ) -> Result<String, HubError> {
        let reference = next_reference(self)?;
        self.execute(
            "INSERT INTO cases (id, reference, lead, co, team, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                case.to_string(),
                reference,
                lead.id.to_string(),
                co.map(|c| c.to_string()),
                lead.team,
                now_ms
            ],
        )?;
        Ok(reference)
    }

    fn settings_of(&mut self, case: CaseId, field: &str) -> Result<Vec<Op>, HubError> {
        let mut stmt = self.prepare_cached(
            "SELECT op_json FROM ops WHERE case_id = ?1 AND json_extract(op_json, '$.entity') = 'case'
             AND json_type(op_json, '$.fields.' || ?2) IS NOT NULL",
        )?;
        let texts = stmt
            .query_map(params![case.to_string(), field], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(texts
            .iter()
            .map(|t| serde_json::from_str::<Op>(t))
            .collect::<Result<Vec<_>, _>>()?)
    }

    fn set_assignment(&mut self, after: &Assignment) -> Result<(), HubError> {
        self.execute(
            "UPDATE cases SET lead = ?1, co = ?2, team = ?3 WHERE id = ?4",
            params![
                after.lead.map(|l| l.to_string()),
                after.co.map(|c| c.to_string()),
                after.team,
                after.case_id.to_string()
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
        self.execute(
            "INSERT INTO former_holders (case_id, user_id, team, until_ms) VALUES (?1, ?2, ?3, ?4)",
            params![case.to_string(), user.map(|u| u.to_string()), team, until_ms],
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
        super::ops::insert_op(self, op, from_device, flag, now_ms)
    }

    fn add_record(&mut self, id: Uuid, case: CaseId, entity: Entity) -> Result<(), HubError> {
        self.prepare_cached("INSERT OR IGNORE INTO records (id, case_id, entity) VALUES (?1, ?2, ?3)")?
            .execute(params![id.to_string(), case.to_string(), entity.as_str()])?;
        Ok(())
    }

    fn finalise(&mut self, id: Uuid) -> Result<(), HubError> {
        self.prepare_cached("UPDATE records SET finalised = 1 WHERE id = ?1")?
            .execute([id.to_string()])?;
        Ok(())
    }

    fn hub_clock(&mut self) -> Result<Option<u64>, HubError> {
        let previous: Option<String> = self
            .query_row("SELECT value FROM hub_meta WHERE key = 'hub_hlc_ms'", [], |r| {
                r.get(0)
            })
            .optional()?;
        Ok(previous.and_then(|v| v.parse().ok()))
    }

    fn set_hub_clock(&mut self, wall_ms: u64) -> Result<(), HubError> {
        self.execute(
            "INSERT INTO hub_meta (key, value) VALUES ('hub_hlc_ms', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [wall_ms.to_string()],
        )?;
        Ok(())
    }
}

/// What one record is, as the hub registered it.
pub(super) fn known(tx: &Transaction<'_>, id: Uuid) -> Result<Option<Known>, HubError> {
    let raw: Option<(String, String, bool)> = tx
        .prepare_cached("SELECT entity, case_id, finalised FROM records WHERE id = ?1")?
        .query_row([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    raw.map(|(entity, case_id, finalised)| {
        Ok(Known {
            entity: super::parse(&entity)?,
            case_id: super::parse(&case_id)?,
            finalised,
        })
    })
    .transpose()
}

/// The user `id`, if the hub has one.
pub(super) fn user(tx: &Transaction<'_>, id: UserId) -> Result<Option<UserRow>, HubError> {
    tx.prepare_cached("SELECT id, name, role, team FROM users WHERE id = ?1")?
        .query_row([id.to_string()], |r| super::user_from_row(r, 0))
        .optional()?
        .map(super::user_row)
        .transpose()
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
