//! One case's records as the rules and the writer check them before a change: its referral
//! details and status, its parties and consent events, a party's or contact's case, and the
//! role this store's user was enrolled with.

use casebook_domain::consent::ConsentEvent;
use casebook_domain::party::PartyFacts;
use casebook_domain::{CaseId, CaseStatus, ContactState};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};

use super::{parse, parse_opt};
use crate::error::StoreError;
use crate::model::CaseRecord;

/// A case's referral details.
pub(crate) fn case_record(conn: &Connection, id: CaseId) -> Result<CaseRecord, StoreError> {
    conn.prepare_cached(
        "SELECT c.id, c.reference, c.kind, c.stage, c.status, c.source, c.referrer, c.summary, c.received_on,
                c.court_date, c.outcome, c.created_at, c.lead, w.name, c.pre_sentence
         FROM cases c LEFT JOIN people w ON w.id = c.lead WHERE c.id = ?1",
    )?
    .query_row(params![id.to_string()], |r| {
        Ok(CaseRecord {
            id: parse(r, 0)?,
            reference: r.get(1)?,
            kind: parse(r, 2)?,
            stage: parse(r, 3)?,
            status: parse(r, 4)?,
            source: parse(r, 5)?,
            referrer: r.get(6)?,
            summary: r.get(7)?,
            received_on: r.get(8)?,
            court_date: r.get(9)?,
            outcome: r.get(10)?,
            created_at: r.get(11)?,
            lead_id: parse_opt(r, 12)?,
            lead_name: r.get(13)?,
            pre_sentence: parse_opt(r, 14)?,
        })
    })
    .optional()?
    .ok_or_else(|| StoreError::NotFound {
        what: "case",
        given: id.to_string(),
    })
}

/// A case's status alone (checked before every change to the case).
pub(crate) fn case_status(conn: &Connection, id: CaseId) -> Result<CaseStatus, StoreError> {
    conn.prepare_cached("SELECT status FROM cases WHERE id = ?1")?
        .query_row(params![id.to_string()], |r| parse(r, 0))
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "case",
            given: id.to_string(),
        })
}

/// What the rules need of a case's parties.
pub(crate) fn party_facts(conn: &Connection, case: CaseId) -> Result<Vec<PartyFacts>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, role, minor, guardian_of FROM parties WHERE case_id = ?1 ORDER BY rid",
    )?;
    let rows = stmt.query_map(params![case.to_string()], |r| {
        Ok(PartyFacts {
            id: parse(r, 0)?,
            name: r.get(1)?,
            role: parse(r, 2)?,
            minor: r.get(3)?,
            guardian_of: parse_opt(r, 4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A case's consent events, with the HLC of the op that recorded each.
pub(crate) fn consent_events(conn: &Connection, case: CaseId) -> Result<Vec<ConsentEvent>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.party_id, c.scope, c.decision, c.method, c.date, o.hlc
         FROM consents c JOIN ops o ON o.op_id = c.created_op
         WHERE c.case_id = ?1",
    )?;
    let rows = stmt.query_map(params![case.to_string()], |r| {
        Ok(ConsentEvent {
            id: parse(r, 0)?,
            party: parse(r, 1)?,
            scope: parse(r, 2)?,
            decision: parse(r, 3)?,
            method: parse(r, 4)?,
            date: r.get(5)?,
            hlc: parse(r, 6)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The role the hub gave this store's user; `None` before enrollment. Only the role is read
/// out of the stored link (which also holds the device token).
pub(crate) fn enrolled_role(conn: &Connection) -> Result<Option<casebook_domain::Role>, StoreError> {
    conn.prepare_cached("SELECT json_extract(value, '$.role') FROM meta WHERE key = 'hub'")?
        .query_row([], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten()
        .map(|role| {
            role.parse()
                .map_err(|_| StoreError::Corrupt("the enrolled role".into()))
        })
        .transpose()
}

/// Whether any contact of the case exists.
pub(crate) fn has_contact(conn: &Connection, case: CaseId) -> Result<bool, StoreError> {
    Ok(conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM contacts WHERE case_id = ?1)")?
        .query_row(params![case.to_string()], |r| r.get(0))?)
}

/// The case a party belongs to and their phone number (the rest is in [`party_facts`]).
pub(crate) fn party_case_and_phone(
    conn: &Connection,
    id: casebook_domain::PartyId,
) -> Result<(CaseId, Option<String>), StoreError> {
    conn.prepare_cached("SELECT case_id, phone FROM parties WHERE id = ?1")?
        .query_row(params![id.to_string()], |r| Ok((parse(r, 0)?, r.get(1)?)))
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "party",
            given: id.to_string(),
        })
}

/// A contact's state, case and finalisation date.
pub(crate) fn contact_state(
    conn: &Connection,
    id: casebook_domain::ContactId,
) -> Result<(CaseId, ContactState, Option<NaiveDate>), StoreError> {
    conn.prepare_cached("SELECT case_id, state, finalised_on FROM contacts WHERE id = ?1")?
        .query_row(params![id.to_string()], |r| {
            Ok((parse(r, 0)?, parse(r, 1)?, r.get(2)?))
        })
        .optional()?
        .ok_or_else(|| StoreError::NotFound {
            what: "contact",
            given: id.to_string(),
        })
}
