//! What a case's records ask for next, read for every case at once (the caseload) or for one
//! (its screen): the earliest open agreement action, the earliest review, and the oldest
//! submission still waiting for a supervisor. The domain turns them into deadlines
//! (`casebook_domain::case`); SQLite finds them so that a caseload of 10,000 cases parses no
//! agreement or sign-off in Rust.

use std::collections::HashMap;

use casebook_domain::case::{Deadline, next_deadline, sign_off_due, sooner};
use casebook_domain::{CaseId, CaseStatus, JusticeStage, agreement};
use chrono::NaiveDate;
use rusqlite::{Connection, params};

use crate::error::StoreError;

/// Per case: the earliest day of an open action of its agreements and their earliest review.
/// A left join, so that an agreement of no actions still brings its review.
macro_rules! agreements_due {
    ($filter:literal) => {
        concat!(
            "SELECT a.case_id,
                    min(CASE WHEN json_extract(j.value, '$.status') = 'open'
                        THEN json_extract(j.value, '$.due') END),
                    min(a.review_on)
             FROM agreements a LEFT JOIN json_each(a.actions) j ",
            $filter,
            " GROUP BY a.case_id"
        )
    };
}

/// Per case: the day of its oldest submission (risk assessment or court report) that no
/// sign-off answers. This is `casebook_domain::risk::state` being `Submitted` (only a sign-off
/// of the current submission counts), in SQL; `signoffs_tests` checks that the caseload and the
/// sign-off queue agree.
macro_rules! sign_offs_waiting {
    ($filter:literal) => {
        concat!(
            "SELECT case_id, min(submitted_on) FROM (
                SELECT t.case_id, t.submitted_on FROM risk_assessments t
                WHERE t.submission IS NOT NULL AND t.submitted_on IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM sign_offs s
                                  WHERE s.case_id = t.case_id AND s.submission = t.submission)
                UNION ALL
                SELECT t.case_id, t.submitted_on FROM court_reports t
                WHERE t.submission IS NOT NULL AND t.submitted_on IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM sign_offs s
                                  WHERE s.case_id = t.case_id AND s.submission = t.submission)
             ) ",
            $filter,
            " GROUP BY case_id"
        )
    };
}

/// What one case's records ask for, beyond its own fields.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Pending {
    open_action: Option<NaiveDate>,
    review: Option<NaiveDate>,
    sign_off_since: Option<NaiveDate>,
}

/// The case's own fields that deadlines come from.
pub(crate) struct CaseFacts {
    pub(crate) status: CaseStatus,
    pub(crate) stage: JusticeStage,
    pub(crate) court_date: Option<NaiveDate>,
    pub(crate) received_on: NaiveDate,
    pub(crate) has_contact: bool,
}

impl Pending {
    /// The case's next deadline: the soonest of what the domain derives from its fields and
    /// what its records ask for. A closed case has none.
    pub(crate) fn next(self, case: &CaseFacts) -> Option<Deadline> {
        if case.status == CaseStatus::Closed {
            return None;
        }
        let own = next_deadline(
            case.status,
            case.stage,
            case.court_date,
            case.received_on,
            case.has_contact,
        );
        let agreed = agreement::due_of(self.open_action, self.review);
        sooner(
            sooner(own, agreed),
            sign_off_due(case.status, self.sign_off_since),
        )
    }
}

/// [`Pending`] of every case that has any, by case id.
pub(crate) fn by_case(conn: &Connection) -> Result<HashMap<String, Pending>, StoreError> {
    let mut all: HashMap<String, Pending> = HashMap::new();
    let mut stmt = conn.prepare_cached(agreements_due!(""))?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?)))?;
    for row in rows {
        let (case, open_action, review) = row?;
        let p = all.entry(case).or_default();
        p.open_action = open_action;
        p.review = review;
    }
    let mut stmt = conn.prepare_cached(sign_offs_waiting!(""))?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))?;
    for row in rows {
        let (case, since) = row?;
        all.entry(case).or_default().sign_off_since = since;
    }
    Ok(all)
}

/// [`Pending`] of one case.
pub(crate) fn of_case(conn: &Connection, case: CaseId) -> Result<Pending, StoreError> {
    let id = case.to_string();
    let mut p = Pending::default();
    let mut stmt = conn.prepare_cached(agreements_due!("WHERE a.case_id = ?1"))?;
    let mut rows = stmt.query(params![id])?;
    if let Some(r) = rows.next()? {
        p.open_action = r.get(1)?;
        p.review = r.get(2)?;
    }
    let mut stmt = conn.prepare_cached(sign_offs_waiting!("WHERE case_id = ?1"))?;
    let mut rows = stmt.query(params![id])?;
    if let Some(r) = rows.next()? {
        p.sign_off_since = r.get(1)?;
    }
    Ok(p)
}
