//! One case as a screen shows it: its details, its parties with their current consents, the
//! next deadline, and its timeline of contacts, consents, status changes and supervision notes.

use std::collections::HashMap;

use casebook_domain::consent::current_consents;
use casebook_domain::{CaseId, ConsentScope, PartyId};
use rusqlite::{Connection, params};

use super::records::{case_record, consent_events, has_contact, party_facts};
use super::{parse, parse_ids, parse_opt};
use crate::deadlines;
use crate::error::StoreError;
use crate::model::{
    CaseDetail, ConsentNow, ConsentView, ContactView, PartyView, StatusView, SupervisionNoteView,
    TimelineEntry,
};

/// Everything about one case: details, parties with current consent, and the timeline.
pub(crate) fn case_detail(conn: &Connection, id: CaseId) -> Result<CaseDetail, StoreError> {
    let case = case_record(conn, id)?;
    let facts = party_facts(conn, id)?;
    let events = consent_events(conn, id)?;
    let current = current_consents(&events);
    let names: HashMap<PartyId, String> = facts.iter().map(|p| (p.id, p.name.clone())).collect();

    let mut phones: HashMap<String, Option<String>> = HashMap::new();
    {
        let mut stmt = conn.prepare_cached("SELECT id, phone FROM parties WHERE case_id = ?1")?;
        let rows = stmt.query_map(params![id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?;
        for row in rows {
            let (pid, phone) = row?;
            phones.insert(pid, phone);
        }
    }
    let mut warnings = Vec::new();
    let parties = facts
        .iter()
        .map(|p| {
            if let Err(e) = casebook_domain::consent::check_minor_participation(p, &facts, &events) {
                warnings.push(e.to_string());
            }
            PartyView {
                id: p.id,
                name: p.name.clone(),
                role: p.role,
                phone: phones.get(&p.id.to_string()).cloned().flatten(),
                minor: p.minor,
                guardian_of: p.guardian_of,
                consents: ConsentScope::ALL
                    .iter()
                    .filter_map(|s| {
                        current.get(&(p.id, *s)).map(|c| ConsentNow {
                            scope: *s,
                            decision: c.decision,
                            method: c.method,
                            date: c.date,
                        })
                    })
                    .collect(),
            }
        })
        .collect();

    let timeline = timeline(conn, id, &names)?;
    let next = deadlines::of_case(
        conn,
        id,
        case.status,
        case.stage,
        case.court_date,
        case.received_on,
        has_contact(conn, id)?,
    )?;
    Ok(CaseDetail {
        case,
        next_deadline: next,
        parties,
        timeline,
        warnings,
    })
}

/// A case's contacts, consent events, status changes and supervision notes, oldest first.
pub(crate) fn timeline(
    conn: &Connection,
    id: CaseId,
    names: &HashMap<PartyId, String>,
) -> Result<Vec<TimelineEntry>, StoreError> {
    let case_id = id.to_string();
    // (entry, created_at) so that same-day entries keep the order they were recorded in.
    let mut entries: Vec<(TimelineEntry, String)> = Vec::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT k.id, k.kind, k.date, k.notes, k.state, k.initiated_by_party, k.party_ids, k.amends,
                    k.finalised_on, k.created_at, o.flag
             FROM contacts k LEFT JOIN ops o ON o.op_id = k.created_op WHERE k.case_id = ?1",
        )?;
        let rows = stmt.query_map(params![case_id], |r| {
            Ok((
                parse(r, 0)?,
                parse(r, 1)?,
                r.get(2)?,
                r.get(3)?,
                parse(r, 4)?,
                r.get(5)?,
                r.get::<_, String>(6)?,
                parse_opt(r, 7)?,
                r.get(8)?,
                r.get::<_, String>(9)?,
                r.get::<_, Option<String>>(10)?,
            ))
        })?;
        for row in rows {
            let (
                id,
                kind,
                date,
                notes,
                state,
                initiated_by_party,
                party_ids,
                amends,
                finalised_on,
                created_at,
                flagged,
            ) = row?;
            let party_ids = parse_ids(&party_ids)?;
            entries.push((
                TimelineEntry::Contact(ContactView {
                    id,
                    kind,
                    date,
                    notes,
                    state,
                    initiated_by_party,
                    party_ids,
                    amends,
                    finalised_on,
                    flagged,
                }),
                created_at,
            ));
        }
    }
    {
        let mut stmt = conn.prepare_cached(
            "SELECT id, party_id, scope, decision, method, date, note, created_at FROM consents WHERE case_id = ?1",
        )?;
        let rows = stmt.query_map(params![case_id], |r| {
            let party_id: PartyId = parse(r, 1)?;
            Ok((
                ConsentView {
                    id: parse(r, 0)?,
                    party_id,
                    party_name: names.get(&party_id).cloned().unwrap_or_default(),
                    scope: parse(r, 2)?,
                    decision: parse(r, 3)?,
                    method: parse(r, 4)?,
                    date: r.get(5)?,
                    note: r.get(6)?,
                },
                r.get(7)?,
            ))
        })?;
        for row in rows {
            let (view, created_at) = row?;
            entries.push((TimelineEntry::Consent(view), created_at));
        }
    }
    {
        let mut stmt = conn.prepare_cached(
            "SELECT id, from_status, to_status, transition, outcome, date, created_at
             FROM status_changes WHERE case_id = ?1",
        )?;
        let rows = stmt.query_map(params![case_id], |r| {
            Ok((
                StatusView {
                    id: parse(r, 0)?,
                    from: parse(r, 1)?,
                    to: parse(r, 2)?,
                    transition: serde_json::from_value(serde_json::Value::String(r.get(3)?)).map_err(
                        |e| {
                            rusqlite::Error::FromSqlConversionFailure(
                                3,
                                rusqlite::types::Type::Text,
                                Box::new(e),
                            )
                        },
                    )?,
                    outcome: r.get(4)?,
                    date: r.get(5)?,
                },
                r.get(6)?,
            ))
        })?;
        for row in rows {
            let (view, created_at) = row?;
            entries.push((TimelineEntry::Status(view), created_at));
        }
    }
    {
        let mut stmt = conn.prepare_cached(
            "SELECT n.id, n.text, n.date, n.created_by, w.name, n.created_at
             FROM supervision_notes n LEFT JOIN people w ON w.id = n.created_by WHERE n.case_id = ?1",
        )?;
        let rows = stmt.query_map(params![case_id], |r| {
            Ok((
                SupervisionNoteView {
                    id: parse(r, 0)?,
                    text: r.get(1)?,
                    date: r.get(2)?,
                    author_id: parse(r, 3)?,
                    author_name: r.get(4)?,
                },
                r.get(5)?,
            ))
        })?;
        for row in rows {
            let (view, created_at) = row?;
            entries.push((TimelineEntry::Supervision(view), created_at));
        }
    }
    entries.sort_by(|(a, at), (b, bt)| a.date().cmp(&b.date()).then_with(|| at.cmp(bt)));
    Ok(entries.into_iter().map(|(e, _)| e).collect())
}
