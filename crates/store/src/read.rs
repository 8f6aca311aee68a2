//! Queries: the caseload, a case with its parties and timeline, and full-text search.

use std::collections::HashMap;
use std::str::FromStr;

use casebook_domain::consent::{ConsentEvent, current_consents};
use casebook_domain::party::PartyFacts;
use casebook_domain::{CaseId, CaseStatus, ConsentScope, ContactState, PartyId};
use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::deadlines;
use crate::error::StoreError;
use crate::model::{
    CaseDetail, CaseRecord, ConsentNow, ConsentView, ContactView, PartyView, SearchHit, StatusView,
    SupervisionNoteView, TimelineEntry,
};

/// Reads column `i` as text and parses it, naming the column if the stored text is bad.
pub(crate) fn parse<T: FromStr>(row: &Row<'_>, i: usize) -> rusqlite::Result<T>
where
    T::Err: std::fmt::Display,
{
    let s: String = row.get(i)?;
    s.parse().map_err(|e: T::Err| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.to_string().into())
    })
}

/// Like [`parse`], for a nullable column.
pub(crate) fn parse_opt<T: FromStr>(row: &Row<'_>, i: usize) -> rusqlite::Result<Option<T>>
where
    T::Err: std::fmt::Display,
{
    let s: Option<String> = row.get(i)?;
    s.map(|s| {
        s.parse().map_err(|e: T::Err| {
            rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.to_string().into())
        })
    })
    .transpose()
}

/// A list of ids in its stored form (a JSON list of strings, kept as text): the inverse of
/// [`parse_ids`].
pub(crate) fn ids_text<T: serde::Serialize>(ids: &[T]) -> Result<String, StoreError> {
    serde_json::to_string(ids).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn parse_ids<T: FromStr>(json: &str) -> Result<Vec<T>, StoreError> {
    let texts: Vec<String> = serde_json::from_str(json).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    texts
        .iter()
        .map(|t| {
            t.parse()
                .map_err(|_| StoreError::Corrupt(format!("bad id {t:?}")))
        })
        .collect()
}

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

/// Finds a case by id, reference, or unique id prefix.
pub(crate) fn resolve_case(conn: &Connection, given: &str) -> Result<CaseId, StoreError> {
    let given = given.trim();
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM cases WHERE id = ?1 OR reference = ?1 COLLATE NOCASE
         UNION SELECT id FROM cases WHERE length(?1) >= 6 AND id LIKE ?1 || '%' LIMIT 5",
    )?;
    let ids: Vec<String> = stmt
        .query_map(params![given], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    one_of("case", given, ids)
}

/// Finds a party of a case by id, unique id prefix, or exact name (case-insensitive).
pub(crate) fn resolve_party(conn: &Connection, case: CaseId, given: &str) -> Result<PartyId, StoreError> {
    let given = given.trim();
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM parties WHERE case_id = ?1
           AND (id = ?2 OR name = ?2 COLLATE NOCASE OR (length(?2) >= 6 AND id LIKE ?2 || '%'))
         LIMIT 5",
    )?;
    let ids: Vec<String> = stmt
        .query_map(params![case.to_string(), given], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    one_of("party of this case", given, ids)
}

/// Finds a contact by id or unique id prefix.
pub(crate) fn resolve_contact(
    conn: &Connection,
    given: &str,
) -> Result<casebook_domain::ContactId, StoreError> {
    resolve_record(conn, casebook_domain::Entity::Contact, given)
}

/// Finds a record of `entity` by id or a unique id prefix (at least six characters).
pub(crate) fn resolve_record<T: FromStr>(
    conn: &Connection,
    entity: casebook_domain::Entity,
    given: &str,
) -> Result<T, StoreError> {
    let given = given.trim();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id FROM {} WHERE id = ?1 OR (length(?1) >= 6 AND id LIKE ?1 || '%') LIMIT 5",
        crate::apply::table(entity)
    ))?;
    let ids: Vec<String> = stmt
        .query_map(params![given], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    one_of(entity.label(), given, ids)
}

pub(crate) fn one_of<T: FromStr>(what: &'static str, given: &str, ids: Vec<String>) -> Result<T, StoreError> {
    match ids.as_slice() {
        [] => Err(StoreError::NotFound {
            what,
            given: given.to_owned(),
        }),
        [one] => one
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("bad {what} id"))),
        many => Err(StoreError::Ambiguous {
            what,
            given: given.to_owned(),
            candidates: many.join(", "),
        }),
    }
}

/// Turns what a person typed into an FTS5 query: every word must match, the last as a prefix.
fn fts_query(text: &str) -> Option<String> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\""))
        .collect();
    if words.is_empty() {
        return None;
    }
    Some(format!("{}*", words.join(" ")))
}

/// The three full-text indexes: (entity, FTS table, source table, join to the case).
const SEARCHED: [(&str, &str, &str); 3] = [
    (
        "case",
        "cases_fts",
        "SELECT s.id, s.id, s.reference FROM cases s WHERE s.rid = ?1",
    ),
    (
        "party",
        "parties_fts",
        "SELECT s.id, s.case_id, c.reference FROM parties s JOIN cases c ON c.id = s.case_id WHERE s.rid = ?1",
    ),
    (
        "contact",
        "contacts_fts",
        "SELECT s.id, s.case_id, c.reference FROM contacts s JOIN cases c ON c.id = s.case_id WHERE s.rid = ?1",
    ),
];

/// Full-text search over case summaries, party names and contact notes, best matches first.
pub(crate) fn search(conn: &Connection, text: &str, limit: u32) -> Result<Vec<SearchHit>, StoreError> {
    let Some(query) = fts_query(text) else {
        return Ok(Vec::new());
    };
    let mut scored: Vec<(f64, SearchHit)> = Vec::new();
    for (entity, fts, source) in SEARCHED {
        // `ORDER BY rank LIMIT` is answered by FTS5 itself, so snippets are only built for the
        // rows returned, not for every match.
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT rowid, rank, snippet({fts}, 0, '[', ']', '…', 12) FROM {fts} WHERE {fts} MATCH ?1
             ORDER BY rank LIMIT ?2"
        ))?;
        let matches: Vec<(i64, f64, String)> = stmt
            .query_map(params![query, limit], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        let mut record = conn.prepare_cached(source)?;
        for (rowid, rank, snippet) in matches {
            let (entity_id, case_id, reference): (String, String, String) =
                record.query_row(params![rowid], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            let case_id = case_id
                .parse()
                .map_err(|_| StoreError::Corrupt("bad case id".into()))?;
            scored.push((
                rank,
                SearchHit {
                    case_id,
                    reference,
                    entity,
                    entity_id,
                    snippet,
                },
            ));
        }
    }
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok(scored
        .into_iter()
        .take(limit as usize)
        .map(|(_, hit)| hit)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn search_text_becomes_a_safe_fts_query() {
        assert_eq!(
            fts_query("broken window").as_deref(),
            Some("\"broken\" \"window\"*")
        );
        assert_eq!(
            fts_query("\"; DROP TABLE cases; --").as_deref(),
            Some("\"DROP\" \"TABLE\" \"cases\"*")
        );
        assert_eq!(fts_query("  -- ").as_deref(), None);
    }
}
