//! The register of subject access requests and the reads an answer needs: each request, its
//! step (opened, extended, answered, closed) written with its audit entry in one transaction.

use std::collections::{BTreeMap, BTreeSet};

use casebook_domain::{CaseId, DeviceId, Op, UserId};
use chrono::NaiveDate;
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use uuid::Uuid;

use super::audit::append;
use super::{Sqlite, parse};
use crate::audit::{AuditAction, AuditEvent};
use crate::error::HubError;
use crate::sar::{CaseInput, due_on};

/// Who asked for a step of a request: the operator at the hub's command line (`None`, named by
/// `Storage::set_operator`) or a coordinator from their device.
pub type AskedBy = Option<(UserId, DeviceId)>;

/// A subject access request as the hub keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SarRequest {
    /// Its number.
    pub id: u64,
    /// How people name it: "SAR-3".
    pub reference: String,
    /// The party records that are the person asking.
    pub parties: Vec<Uuid>,
    /// The cases those records belong to.
    pub cases: Vec<CaseId>,
    /// When it was received; the deadline runs from this day.
    pub received_on: NaiveDate,
    /// When the answer is due.
    pub due_on: NaiveDate,
    /// Extended by two months (a complex request).
    pub extended: bool,
    /// Who asked, in the operator's words.
    pub requester: Option<String>,
    /// When it was opened on the hub, ms since the Unix epoch.
    pub opened_at_ms: i64,
    /// When an answer was last written.
    pub exported_at_ms: Option<i64>,
    /// When it was closed.
    pub closed_at_ms: Option<i64>,
}

const COLUMNS: &str =
    "id, parties, received_on, due_on, extended, requester, opened_at, exported_at, closed_at";

/// [`COLUMNS`] as read, in order.
type RequestColumns = (
    i64,
    String,
    NaiveDate,
    NaiveDate,
    bool,
    Option<String>,
    i64,
    Option<i64>,
    Option<i64>,
);

impl Sqlite {
    /// Every party op the hub holds, by case: enough to list who is a party where.
    pub fn party_ops(&self) -> Result<Vec<CaseInput>, HubError> {
        self.case_inputs(
            "SELECT o.case_id, c.reference, o.op_json FROM ops o JOIN cases c ON c.id = o.case_id
             WHERE o.case_id IN (SELECT case_id FROM records WHERE entity = 'party')
               AND json_extract(o.op_json, '$.entity') = 'party'
             ORDER BY o.seq",
            None,
        )
    }

    /// Every op of `cases`, by case.
    pub fn case_ops(&self, cases: &[CaseId]) -> Result<Vec<CaseInput>, HubError> {
        self.case_inputs(
            "SELECT o.case_id, c.reference, o.op_json FROM ops o JOIN cases c ON c.id = o.case_id
             WHERE o.case_id IN (SELECT value FROM json_each(?1)) ORDER BY o.seq",
            Some(&serde_json::to_string(cases)?),
        )
    }

    /// The ops `sql` selects (case id, reference, op JSON), grouped by case; `cases` is its ?1.
    fn case_inputs(&self, sql: &str, cases: Option<&str>) -> Result<Vec<CaseInput>, HubError> {
        let mut stmt = self.conn.prepare(sql)?;
        let mut rows = match cases {
            Some(cases) => stmt.query([cases])?,
            None => stmt.query([])?,
        };
        let mut ops = Vec::new();
        while let Some(row) = rows.next()? {
            let (case, reference, json): (String, String, String) = (row.get(0)?, row.get(1)?, row.get(2)?);
            ops.push((parse(&case)?, reference, serde_json::from_str(&json)?));
        }
        Ok(by_case(ops))
    }

    /// The cases the party records `parties` belong to; an error names an id the hub does not
    /// hold as a party.
    pub fn cases_of_parties(&self, parties: &[Uuid]) -> Result<Vec<CaseId>, HubError> {
        self.party_cases(parties, true)
    }

    /// The cases of `parties`; unless `strict`, a party the hub no longer holds (its case was
    /// erased under the retention policy) is passed over, so the request stays listed.
    fn party_cases(&self, parties: &[Uuid], strict: bool) -> Result<Vec<CaseId>, HubError> {
        let mut cases = BTreeSet::new();
        for party in parties {
            let case: Option<String> = self
                .conn
                .query_row(
                    "SELECT case_id FROM records WHERE id = ?1 AND entity = 'party'",
                    [party.to_string()],
                    |r| r.get(0),
                )
                .optional()?;
            match case {
                Some(case) => {
                    cases.insert(parse::<CaseId>(&case)?);
                }
                None if strict => {
                    return Err(HubError::NotHeldForSubjectAccess(format!(
                        "no party {party} on this hub (see `sar find NAME`)"
                    )));
                }
                None => {}
            }
        }
        Ok(cases.into_iter().collect())
    }

    /// Opens a request for `parties`, received on `received`, due one calendar month later.
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
        // Who ran it, taken before the transaction borrows the connection.
        let detail = self.admin_detail(serde_json::json!({}));
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO subject_access_requests (parties, received_on, due_on, requester, opened_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![serde_json::to_string(parties)?, received, due, requester, now_ms],
        )?;
        let id = tx.last_insert_rowid();
        let event = opened_event(detail, id, parties, (received, due), cases, by);
        append(&tx, &[event], now_ms)?;
        tx.commit()?;
        self.sar_request(&id.to_string())
    }

    /// Requests, oldest first: the open ones, or all with `all`.
    pub fn sar_requests(&self, all: bool) -> Result<Vec<SarRequest>, HubError> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {COLUMNS} FROM subject_access_requests WHERE ?1 OR closed_at IS NULL ORDER BY id"
        ))?;
        let rows = stmt
            .query_map([all], |r| RequestColumns::try_from(r))?
            .collect::<Result<Vec<_>, _>>()?;
        rows.into_iter().map(|row| self.request_of(row)).collect()
    }

    /// The request `given` ("SAR-3" or "3").
    pub fn sar_request(&self, given: &str) -> Result<SarRequest, HubError> {
        let id = sar_number(given)?;
        let row = self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM subject_access_requests WHERE id = ?1"),
                [id],
                |r| RequestColumns::try_from(r),
            )
            .optional()?
            .ok_or_else(|| unknown_sar(given))?;
        self.request_of(row)
    }

    /// One step of an open request and its audit entry, in one transaction.
    pub(super) fn sar_step(
        &mut self,
        request: &SarRequest,
        step: Step,
        by: AskedBy,
        now_ms: i64,
    ) -> Result<(), HubError> {
        let (id, event) = step_event(request, step, by, |d| self.admin_detail(d))?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        match step {
            Step::Export => tx.execute(
                "UPDATE subject_access_requests SET exported_at = ?2 WHERE id = ?1",
                params![id, now_ms],
            )?,
            Step::Extend(due) => tx.execute(
                "UPDATE subject_access_requests SET extended = 1, due_on = ?2 WHERE id = ?1",
                params![id, due],
            )?,
            Step::Close => tx.execute(
                "UPDATE subject_access_requests SET closed_at = ?2 WHERE id = ?1",
                params![id, now_ms],
            )?,
        };
        append(&tx, &[event], now_ms)?;
        tx.commit()?;
        Ok(())
    }

    fn request_of(&self, row: RequestColumns) -> Result<SarRequest, HubError> {
        let (id, parties, received_on, due_on, extended, requester, opened, exported, closed) = row;
        let parties: Vec<Uuid> = serde_json::from_str(&parties)?;
        Ok(SarRequest {
            id: u64::try_from(id).unwrap_or(0),
            reference: format!("SAR-{id}"),
            cases: self.party_cases(&parties, false)?,
            parties,
            received_on,
            due_on,
            extended,
            requester,
            opened_at_ms: opened,
            exported_at_ms: exported,
            closed_at_ms: closed,
        })
    }
}

/// Ops with their case and its reference (each case's in sequence order), grouped by case, by
/// reference.
pub(super) fn by_case(ops: impl IntoIterator<Item = (CaseId, String, Op)>) -> Vec<CaseInput> {
    let mut cases: BTreeMap<CaseId, CaseInput> = BTreeMap::new();
    for (case_id, reference, op) in ops {
        cases
            .entry(case_id)
            .or_insert_with(|| CaseInput {
                case_id,
                reference,
                ops: Vec::new(),
            })
            .ops
            .push(op);
    }
    let mut out: Vec<CaseInput> = cases.into_values().collect();
    out.sort_by(|a, b| a.reference.cmp(&b.reference));
    out
}

/// The number of the request `given` ("SAR-3" or "3").
pub(super) fn sar_number(given: &str) -> Result<i64, HubError> {
    let trimmed = given.trim();
    let number = trimmed
        .strip_prefix("SAR-")
        .or_else(|| trimmed.strip_prefix("sar-"))
        .unwrap_or(trimmed);
    number.parse().map_err(|_| unknown_sar(given))
}

/// The answer for a request the hub does not have.
pub(super) fn unknown_sar(given: &str) -> HubError {
    HubError::NotHeldForSubjectAccess(format!(
        "no subject access request {given:?} (see `sar list --all`)"
    ))
}

/// The audit entry of opening request `id`: `detail` (who ran it) with the request's ids and dates.
pub(super) fn opened_event(
    mut detail: serde_json::Value,
    id: i64,
    parties: &[Uuid],
    (received, due): (NaiveDate, NaiveDate),
    cases: Vec<CaseId>,
    by: AskedBy,
) -> AuditEvent {
    if let (Some(detail), serde_json::Value::Object(step)) = (
        detail.as_object_mut(),
        json_step("request", id, Some(parties), Some((received, due))),
    ) {
        detail.extend(step);
    }
    asked_by(
        AuditEvent::new(AuditAction::SubjectAccess, detail).about(cases),
        by,
    )
}

/// The row id of `request` and the audit entry of `step` on it (`admin_detail` adds who ran
/// it); a closed request takes no more steps.
pub(super) fn step_event(
    request: &SarRequest,
    step: Step,
    by: AskedBy,
    admin_detail: impl FnOnce(serde_json::Value) -> serde_json::Value,
) -> Result<(i64, AuditEvent), HubError> {
    if request.closed_at_ms.is_some() {
        return Err(HubError::SubjectAccess(format!(
            "{} is closed; open a new request with `sar new`",
            request.reference
        )));
    }
    let id = i64::try_from(request.id).unwrap_or(i64::MAX);
    let name = match step {
        Step::Export => "export",
        Step::Extend(_) => "extend",
        Step::Close => "close",
    };
    let event = asked_by(
        AuditEvent::new(
            AuditAction::SubjectAccess,
            admin_detail(json_step(name, id, None, None)),
        )
        .about(request.cases.iter().copied()),
        by,
    );
    Ok((id, event))
}

/// A change to an open request.
#[derive(Debug, Clone, Copy)]
pub(super) enum Step {
    /// An answer was written.
    Export,
    /// Extended: due on this day.
    Extend(NaiveDate),
    /// Closed.
    Close,
}

/// `event` by the coordinator's device that asked, if one did.
fn asked_by(event: AuditEvent, by: AskedBy) -> AuditEvent {
    match by {
        Some((user, device)) => event.by(user, Some(device)),
        None => event,
    }
}

/// The detail of a request's audit entry: ids and dates, never names or the answer's content.
fn json_step(
    step: &str,
    request: i64,
    parties: Option<&[Uuid]>,
    dates: Option<(NaiveDate, NaiveDate)>,
) -> serde_json::Value {
    let mut detail = serde_json::json!({ "step": step, "request": format!("SAR-{request}") });
    if let Some(parties) = parties {
        detail["parties"] = serde_json::json!(parties);
    }
    if let Some((received, due)) = dates {
        detail["received_on"] = serde_json::json!(received);
        detail["due_on"] = serde_json::json!(due);
    }
    detail
}
