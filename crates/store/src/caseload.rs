//! The caseload: every case with what needs doing soonest first. Each case's derived columns
//! (next deadline, draft contacts, parties' names) are kept in `caseload_rows` and recomputed
//! only for the cases an op touched since the last read (`caseload_stale`, marked by
//! `apply`), so listing 10,000 cases reads one row each and a window of them is a LIMIT.

use casebook_domain::case::DeadlineKind;
use casebook_domain::{CaseStatus, Deadline};
use chrono::NaiveDate;
use rusqlite::{Connection, params};

use crate::deadlines::{CaseFacts, pending_columns};
use crate::error::StoreError;
use crate::model::CaseSummary;
use crate::read::{parse, parse_opt};

/// Which cases the caseload shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct CaseFilter {
    /// Include closed cases.
    pub include_closed: bool,
}

/// Part of the caseload: `limit` cases after the first `offset`, in caseload order.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// Cases skipped.
    pub offset: u32,
    /// Cases at most.
    pub limit: u32,
}

/// Marks `case` for recomputing at the next read: called for every op applied, inside its
/// transaction, so that a crash cannot leave a row that no longer matches its records.
pub(crate) fn mark_stale(conn: &Connection, case: &str) -> Result<(), StoreError> {
    conn.prepare_cached("INSERT OR IGNORE INTO caseload_stale (case_id) VALUES (?1)")?
        .execute(params![case])?;
    Ok(())
}

/// Recomputes the rows of every marked case and clears the marks, in a savepoint (a read may
/// come inside a writer's transaction). Returns how many cases were recomputed.
pub(crate) fn refresh(conn: &Connection) -> Result<usize, StoreError> {
    let marked: i64 = conn
        .prepare_cached("SELECT count(*) FROM caseload_stale")?
        .query_row([], |r| r.get(0))?;
    if marked == 0 {
        return Ok(0);
    }
    conn.execute_batch("SAVEPOINT caseload_refresh")?;
    match recompute(conn) {
        Ok(n) => {
            conn.execute_batch("RELEASE caseload_refresh")?;
            tracing::debug!(cases = n, "caseload rows recomputed");
            Ok(n)
        }
        Err(e) => {
            // Nothing half-done stays: the marks remain for the next read.
            let _ = conn.execute_batch("ROLLBACK TO caseload_refresh; RELEASE caseload_refresh");
            Err(e)
        }
    }
}

fn recompute(conn: &Connection) -> Result<usize, StoreError> {
    let mut stmt = conn.prepare_cached(concat!(
        "SELECT c.id, c.status, c.stage, c.court_date, c.received_on, c.reference,
                EXISTS (SELECT 1 FROM contacts k WHERE k.case_id = c.id),
                (SELECT count(*) FROM contacts k WHERE k.case_id = c.id AND k.state = 'draft'),
                (SELECT json_group_array(p.name) FROM parties p WHERE p.case_id = c.id), ",
        pending_columns!("c.id"),
        " FROM caseload_stale s JOIN cases c ON c.id = s.case_id"
    ))?;
    let rows = stmt.query_map([], |r| {
        let facts = CaseFacts {
            status: parse(r, 1)?,
            stage: parse(r, 2)?,
            court_date: r.get(3)?,
            received_on: r.get(4)?,
            has_contact: r.get(6)?,
            open_action: r.get(9)?,
            review: r.get(10)?,
            sign_off_since: r.get(11)?,
        };
        let reference: String = r.get(5)?;
        Ok((
            r.get::<_, String>(0)?,
            facts,
            reference,
            r.get::<_, i64>(7)?,
            r.get::<_, String>(8)?,
        ))
    })?;
    let mut upsert = conn.prepare_cached(
        "INSERT INTO caseload_rows (case_id, closed, sort_key, due_on, due_kind, drafts, parties)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (case_id) DO UPDATE SET closed = excluded.closed,
             sort_key = excluded.sort_key, due_on = excluded.due_on,
             due_kind = excluded.due_kind, drafts = excluded.drafts, parties = excluded.parties",
    )?;
    let mut n = 0;
    for row in rows {
        let (id, facts, reference, drafts, parties) = row?;
        let due = facts.next();
        upsert.execute(params![
            id,
            facts.status == CaseStatus::Closed,
            sort_key(due, facts.received_on, &reference),
            due.map(|d| d.date),
            due.map(|d| d.kind.as_str()),
            drafts,
            parties
        ])?;
        n += 1;
    }
    conn.prepare_cached("DELETE FROM caseload_stale")?.execute([])?;
    Ok(n)
}

/// The caseload's order as one text: a case with something due first, soonest first; then the
/// others, newest referral first (the day counted down from 9999-12-31, so that ascending text
/// is descending date); on a tie, by reference.
fn sort_key(due: Option<Deadline>, received_on: NaiveDate, reference: &str) -> String {
    use chrono::Datelike;
    match due {
        Some(d) => format!("0{}{reference}", d.date),
        None => {
            let month_day = received_on.month() * 100 + received_on.day();
            let day = received_on.year() * 10_000 + i32::try_from(month_day).unwrap_or(0);
            format!("1{:08}{reference}", 99_991_231 - day)
        }
    }
}

/// How many cases the caseload holds.
pub(crate) fn count(conn: &Connection, filter: CaseFilter) -> Result<u32, StoreError> {
    let n: i64 = conn
        .prepare_cached("SELECT count(*) FROM caseload_rows WHERE closed IN (0, ?1)")?
        .query_row(params![filter.include_closed], |r| r.get(0))?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// The caseload, what needs doing soonest first; cases with no deadline after, newest first;
/// then by reference. With a window, only that part of it.
pub(crate) fn list(
    conn: &Connection,
    filter: CaseFilter,
    window: Option<Window>,
) -> Result<Vec<CaseSummary>, StoreError> {
    refresh(conn)?;
    let (offset, limit) = window.map_or((0, -1), |w| (i64::from(w.offset), i64::from(w.limit)));
    // Two statements, so that each walks its index in order and a window reads only its rows.
    const COLUMNS: &str = "SELECT c.id, c.reference, c.kind, c.stage, c.status, c.summary,
                c.received_on, c.court_date, r.due_on, r.due_kind, r.drafts, r.parties, c.lead, w.name
         FROM caseload_rows r JOIN cases c ON c.id = r.case_id
              LEFT JOIN people w ON w.id = c.lead";
    let sql = if filter.include_closed {
        format!("{COLUMNS} ORDER BY r.sort_key LIMIT ?1 OFFSET ?2")
    } else {
        format!("{COLUMNS} WHERE r.closed = 0 ORDER BY r.sort_key LIMIT ?1 OFFSET ?2")
    };
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![limit, offset], |r| {
        let due_on: Option<NaiveDate> = r.get(8)?;
        let due_kind: Option<DeadlineKind> = parse_opt(r, 9)?;
        let status: CaseStatus = parse(r, 4)?;
        Ok((
            CaseSummary {
                id: parse(r, 0)?,
                reference: r.get(1)?,
                kind: parse(r, 2)?,
                stage: parse(r, 3)?,
                status,
                summary: r.get(5)?,
                received_on: r.get(6)?,
                court_date: r.get(7)?,
                next_deadline: due_on.zip(due_kind).map(|(date, kind)| Deadline { date, kind }),
                parties: Vec::new(),
                drafts: r.get(10)?,
                lead_id: parse_opt(r, 12)?,
                lead_name: r.get(13)?,
            },
            r.get::<_, String>(11)?,
        ))
    })?;
    let mut cases = Vec::new();
    for row in rows {
        let (mut case, names) = row?;
        case.parties = serde_json::from_str(&names).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        cases.push(case);
    }
    Ok(cases)
}
