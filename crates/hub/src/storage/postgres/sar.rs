//! Subject access requests on PostgreSQL: the register (who the subject is and who asked,
//! sealed) and the reads an answer needs, every op opened as it streams in. The steps and their
//! audit entries are built where the SQLite backend builds them (`storage/sar.rs`).

use std::collections::BTreeSet;

use casebook_domain::{CaseId, Entity};
use chrono::NaiveDate;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;
use uuid::Uuid;

use super::Postgres;
use crate::error::HubError;
use crate::sar::{CaseInput, due_on};
use crate::storage::sar::{Step, by_case, opened_event, sar_number, step_event, unknown_sar};
use crate::storage::{AskedBy, SarRequest};

const COLUMNS: &str =
    "id, parties, received_on, due_on, extended, requester, opened_at, exported_at, closed_at";

impl Postgres {
    /// See [`crate::storage::Storage::party_ops`].
    pub fn party_ops(&self) -> Result<Vec<CaseInput>, HubError> {
        self.case_inputs(
            "SELECT o.case_id, c.reference, o.op_id, o.payload FROM ops o JOIN cases c ON c.id = o.case_id
             WHERE o.case_id IN (SELECT case_id FROM records WHERE entity = 'party') ORDER BY o.seq",
            &[],
            Some(Entity::Party),
        )
    }

    /// See [`crate::storage::Storage::case_ops`].
    pub fn case_ops(&self, cases: &[CaseId]) -> Result<Vec<CaseInput>, HubError> {
        let ids: Vec<Uuid> = cases.iter().map(|c| c.0).collect();
        self.case_inputs(
            "SELECT o.case_id, c.reference, o.op_id, o.payload FROM ops o JOIN cases c ON c.id = o.case_id
             WHERE o.case_id = ANY($1) ORDER BY o.seq",
            &[&ids],
            None,
        )
    }

    /// The ops `sql` selects (case id, reference, op id, sealed payload), of the kind `only` if
    /// given (the kind is inside the seal, so it is filtered once opened), grouped by case.
    fn case_inputs(
        &self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
        only: Option<Entity>,
    ) -> Result<Vec<CaseInput>, HubError> {
        let ops = self.run(|client| {
            let mut rows = client.query_raw(sql, params.iter().copied())?;
            let mut ops = Vec::new();
            while let Some(row) = rows.next()? {
                let op_id: Uuid = row.try_get(2)?;
                let op = self.open_op(&op_id, &row.try_get::<_, Vec<u8>>(3)?)?;
                if only.is_none_or(|kind| op.entity == kind) {
                    ops.push((CaseId(row.try_get(0)?), row.try_get(1)?, op));
                }
            }
            Ok(ops)
        })?;
        Ok(by_case(ops))
    }

    /// See [`crate::storage::Storage::cases_of_parties`].
    pub fn cases_of_parties(&self, parties: &[Uuid]) -> Result<Vec<CaseId>, HubError> {
        self.party_cases(parties, true)
    }

    /// The cases of `parties`; unless `strict`, a party the hub no longer holds (its case was
    /// erased) is passed over.
    fn party_cases(&self, parties: &[Uuid], strict: bool) -> Result<Vec<CaseId>, HubError> {
        let ids = parties.to_vec();
        let rows = self.run(|client| {
            Ok(client.query(
                "SELECT id, case_id FROM records WHERE id = ANY($1) AND entity = 'party'",
                &[&ids],
            )?)
        })?;
        let found = rows
            .iter()
            .map(|row| Ok((row.try_get::<_, Uuid>(0)?, CaseId(row.try_get(1)?))))
            .collect::<Result<Vec<_>, HubError>>()?;
        if strict && let Some(missing) = parties.iter().find(|p| !found.iter().any(|(id, _)| id == *p)) {
            return Err(HubError::NotHeldForSubjectAccess(format!(
                "no party {missing} on this hub (see `sar find NAME`)"
            )));
        }
        Ok(found
            .into_iter()
            .map(|(_, case)| case)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect())
    }

    /// See [`crate::storage::Storage::open_sar`]. The request's number is taken first: the
    /// sealed values are bound to their row.
    pub fn open_sar(
        &mut self,
        parties: &[Uuid],
        received: NaiveDate,
        requester: Option<&str>,
        by: AskedBy,
        now_ms: i64,
    ) -> Result<SarRequest, HubError> {
        let cases = self.cases_of_parties(parties)?;
        let due = due_on(received, false);
        let detail = self.admin_detail(serde_json::json!({}));
        let parties_json = serde_json::to_vec(parties)?;
        let id = self.run(|client| {
            let mut tx = client.transaction()?;
            let id: i64 = tx
                .query_one(
                    "SELECT nextval(pg_get_serial_sequence('subject_access_requests', 'id'))",
                    &[],
                )?
                .try_get(0)?;
            let row = id.to_string();
            let sealed_parties = self.seal(&parties_json, "subject_access_requests", "parties", &row)?;
            let sealed_requester = requester
                .map(|r| self.seal(r.as_bytes(), "subject_access_requests", "requester", &row))
                .transpose()?;
            tx.execute(
                "INSERT INTO subject_access_requests (id, parties, received_on, due_on, requester, opened_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
                &[
                    &id,
                    &sealed_parties,
                    &received.to_string(),
                    &due.to_string(),
                    &sealed_requester,
                    &now_ms,
                ],
            )?;
            let event = opened_event(detail, id, parties, (received, due), cases, by);
            self.append(&mut tx, &[event], now_ms)?;
            tx.commit()?;
            Ok(id)
        })?;
        self.sar_request(&id.to_string())
    }

    /// See [`crate::storage::Storage::sar_requests`].
    pub fn sar_requests(&self, all: bool) -> Result<Vec<SarRequest>, HubError> {
        let rows = self.run(|client| {
            Ok(client.query(
                &format!(
                    "SELECT {COLUMNS} FROM subject_access_requests WHERE $1 OR closed_at IS NULL ORDER BY id"
                ),
                &[&all],
            )?)
        })?;
        rows.iter().map(|row| self.request_of(row)).collect()
    }

    /// See [`crate::storage::Storage::sar_request`].
    pub fn sar_request(&self, given: &str) -> Result<SarRequest, HubError> {
        let id = sar_number(given)?;
        let row = self.run(|client| {
            Ok(client.query_opt(
                &format!("SELECT {COLUMNS} FROM subject_access_requests WHERE id = $1"),
                &[&id],
            )?)
        })?;
        self.request_of(&row.ok_or_else(|| unknown_sar(given))?)
    }

    /// See [`crate::storage::Storage::sar_exported`] and the other steps.
    pub(in crate::storage) fn sar_step(
        &mut self,
        request: &SarRequest,
        step: Step,
        by: AskedBy,
        now_ms: i64,
    ) -> Result<(), HubError> {
        let (id, event) = step_event(request, step, by, |d| self.admin_detail(d))?;
        self.run(|client| {
            let mut tx = client.transaction()?;
            match step {
                Step::Export => tx.execute(
                    "UPDATE subject_access_requests SET exported_at = $2 WHERE id = $1",
                    &[&id, &now_ms],
                )?,
                Step::Extend(due) => tx.execute(
                    "UPDATE subject_access_requests SET extended = true, due_on = $2 WHERE id = $1",
                    &[&id, &due.to_string()],
                )?,
                Step::Close => tx.execute(
                    "UPDATE subject_access_requests SET closed_at = $2 WHERE id = $1",
                    &[&id, &now_ms],
                )?,
            };
            self.append(&mut tx, &[event], now_ms)?;
            tx.commit()?;
            Ok(())
        })
    }

    /// A request from the row of [`COLUMNS`].
    fn request_of(&self, row: &postgres::Row) -> Result<SarRequest, HubError> {
        let id: i64 = row.try_get(0)?;
        let row_id = id.to_string();
        let parties: Vec<Uuid> = serde_json::from_slice(&self.sealer.open(
            &row.try_get::<_, Vec<u8>>(1)?,
            &crate::storage::seal::row_aad("subject_access_requests", "parties", &row_id),
        )?)?;
        let day = |i: usize| -> Result<NaiveDate, HubError> {
            let text: String = row.try_get(i)?;
            text.parse()
                .map_err(|_| HubError::Database(format!("request {id} has a date that is not one")))
        };
        let requester: Option<Vec<u8>> = row.try_get(5)?;
        Ok(SarRequest {
            id: u64::try_from(id).unwrap_or(0),
            reference: format!("SAR-{id}"),
            cases: self.party_cases(&parties, false)?,
            parties,
            received_on: day(2)?,
            due_on: day(3)?,
            extended: row.try_get(4)?,
            requester: requester
                .map(|r| self.open_text(&r, "subject_access_requests", "requester", &row_id))
                .transpose()?,
            opened_at_ms: row.try_get(6)?,
            exported_at_ms: row.try_get(7)?,
            closed_at_ms: row.try_get(8)?,
        })
    }
}
