//! The sign-off queue, read only: every submission held here still waiting for a supervisor's
//! answer (risk assessments and court reports), oldest first, with who submitted it, when, and
//! the command that answers it. Where a submission stands is derived as everywhere else
//! (`casebook_domain::risk::state`); nothing here is stored.
//!
//! A meeting override is not in the queue: nothing in the records asks for one (a supervisor
//! overrides a meeting on their own initiative, `casebook meeting override`).

use casebook_domain::risk::{self, RiskState, SignOffFacts};
use casebook_domain::{CaseId, CaseStatus, Hlc, Role};
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use uuid::Uuid;

use crate::Store;
use crate::error::StoreError;
use crate::read::{self, parse};
use crate::risk::{Subject, sign_offs};

/// What waits for a sign-off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Awaiting {
    /// A risk and safety assessment.
    RiskAssessment,
    /// A pre-sentence court report.
    CourtReport,
}

impl Awaiting {
    /// In words, for people.
    pub fn label(self) -> &'static str {
        match self {
            Awaiting::RiskAssessment => "risk assessment",
            Awaiting::CourtReport => "court report",
        }
    }
}

/// One submission waiting for a supervisor's answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WaitingSignOff {
    /// What it is.
    pub what: Awaiting,
    /// The risk assessment's or court report's id.
    pub id: String,
    /// Its case.
    pub case_id: CaseId,
    /// The case's reference.
    pub reference: String,
    /// Who submitted it (user id).
    pub submitted_by: String,
    /// Their name, when the team directory knows it.
    pub submitted_by_name: Option<String>,
    /// When it was submitted, by the clock of the laptop that submitted it.
    pub submitted_at: DateTime<Utc>,
    /// The command that approves it.
    pub approve: String,
    /// The command that returns it, saying what should change.
    pub return_with: String,
}

/// A submission as stored, before its state is derived.
struct Submitted {
    what: Awaiting,
    id: String,
    case_id: CaseId,
    reference: String,
    submission: Uuid,
    submitted_on: NaiveDate,
    created_by: String,
}

fn submitted(conn: &Connection, what: Awaiting) -> Result<Vec<Submitted>, StoreError> {
    let table = match what {
        Awaiting::RiskAssessment => "risk_assessments",
        Awaiting::CourtReport => "court_reports",
    };
    // A closed case's submission cannot be answered until the case is reopened.
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT t.id, t.case_id, c.reference, t.submission, t.submitted_on, t.created_by
         FROM {table} t JOIN cases c ON c.id = t.case_id
         WHERE t.submission IS NOT NULL AND t.submitted_on IS NOT NULL AND c.status != ?1"
    ))?;
    let rows = stmt.query_map(params![CaseStatus::Closed.as_str()], |r| {
        Ok(Submitted {
            what,
            id: r.get(0)?,
            case_id: parse(r, 1)?,
            reference: r.get(2)?,
            submission: parse(r, 3)?,
            submitted_on: r.get(4)?,
            created_by: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Who submitted `s` and when: the op that set its current submission.
/// Also gives the op's clock as text, which orders submissions from any laptop.
fn submitter(conn: &Connection, s: &Submitted) -> Result<(String, DateTime<Utc>, String), StoreError> {
    let found: Option<(String, String)> = conn
        .prepare_cached(
            "SELECT author, hlc FROM ops WHERE case_id = ?1 AND entity_id = ?2
             AND json_extract(fields, '$.submission') = ?3 ORDER BY seq LIMIT 1",
        )?
        .query_row(
            params![s.case_id.to_string(), s.id, s.submission.to_string()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let at = |hlc: &str| {
        hlc.parse::<Hlc>()
            .ok()
            .and_then(|h| i64::try_from(h.wall_ms).ok())
            .and_then(DateTime::from_timestamp_millis)
    };
    // Every record's ops are in the log while its case is here; the record's own day and
    // author are a fallback, never expected.
    let midnight = s.submitted_on.and_time(chrono::NaiveTime::MIN).and_utc();
    Ok(match found {
        Some((author, hlc)) => (author, at(&hlc).unwrap_or(midnight), hlc),
        None => (s.created_by.clone(), midnight, String::new()),
    })
}

fn waiting(conn: &Connection, s: &Submitted) -> Result<bool, StoreError> {
    let subject = match s.what {
        Awaiting::RiskAssessment => Subject::RiskAssessment,
        Awaiting::CourtReport => Subject::CourtReport,
    };
    let id: Uuid =
        s.id.parse()
            .map_err(|_| StoreError::Corrupt(format!("a {} id", s.what.label())))?;
    let facts: Vec<SignOffFacts> = sign_offs(conn, subject, id)?
        .into_iter()
        .map(|r| r.facts)
        .collect();
    Ok(matches!(
        risk::state(Some((s.submission, s.submitted_on)), &facts),
        RiskState::Submitted { .. }
    ))
}

fn person(conn: &Connection, user: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .prepare_cached("SELECT name FROM people WHERE id = ?1")?
        .query_row(params![user], |r| r.get(0))
        .optional()?)
}

impl Store {
    /// Everything held here waiting for a supervisor's answer, oldest first. A supervisor's
    /// store holds their team's cases and a coordinator's the whole service, so both see every
    /// submission here; a facilitator (or a store never enrolled) sees only their own.
    #[tracing::instrument(skip_all)]
    pub fn signoffs(&self) -> Result<Vec<WaitingSignOff>, StoreError> {
        let everyone = matches!(
            read::enrolled_role(&self.conn)?,
            Some(Role::Supervisor | Role::Coordinator | Role::Admin)
        );
        let me = self.actor.user.to_string();
        let mut queue = Vec::new();
        for what in [Awaiting::RiskAssessment, Awaiting::CourtReport] {
            for s in submitted(&self.conn, what)? {
                if !waiting(&self.conn, &s)? {
                    continue;
                }
                let (by, at, clock) = submitter(&self.conn, &s)?;
                if !everyone && by != me {
                    continue;
                }
                let (approve, return_with) = match what {
                    Awaiting::RiskAssessment => (
                        format!("casebook risk approve {}", s.id),
                        format!("casebook risk return {} --note TEXT", s.id),
                    ),
                    Awaiting::CourtReport => (
                        format!("casebook report approve {}", s.reference),
                        format!("casebook report return {} --note TEXT", s.reference),
                    ),
                };
                queue.push((
                    clock,
                    WaitingSignOff {
                        what,
                        submitted_by_name: person(&self.conn, &by)?,
                        submitted_by: by,
                        submitted_at: at,
                        id: s.id,
                        case_id: s.case_id,
                        reference: s.reference,
                        approve,
                        return_with,
                    },
                ));
            }
        }
        // Two submissions in one millisecond still keep their order: the clock's counter.
        queue.sort_by(|a, b| {
            a.1.submitted_at
                .cmp(&b.1.submitted_at)
                .then_with(|| a.0.cmp(&b.0))
        });
        tracing::debug!(waiting = queue.len(), "sign-off queue read");
        Ok(queue.into_iter().map(|(_, w)| w).collect())
    }
}

#[cfg(test)]
#[path = "signoffs_tests.rs"]
mod tests;
