//! What a case's records ask for next beyond its own fields: the earliest open agreement
//! action, the earliest review, and the oldest submission still waiting for a supervisor. The
//! domain turns them into deadlines (`casebook_domain::case`); SQLite finds them, so that no
//! agreement or sign-off is parsed in Rust. The caseload keeps the result per case
//! (`crate::caseload`); a case's screen reads it fresh.

use casebook_domain::case::{Deadline, next_deadline, sign_off_due, sooner};
use casebook_domain::{CaseId, CaseStatus, JusticeStage, agreement};
use chrono::NaiveDate;
use rusqlite::{Connection, params};

use crate::error::StoreError;

/// Three columns for the case whose id is the SQL expression `$case`: the earliest day of an
/// open action of its agreements, their earliest review, and the day of its oldest submission
/// (risk assessment or court report) that no sign-off answers. The last is
/// `casebook_domain::risk::state` being `Submitted` (only a sign-off of the current submission
/// counts) in SQL; `signoffs_tests` checks that the caseload and the sign-off queue agree.
macro_rules! pending_columns {
    ($case:literal) => {
        concat!(
            "(SELECT min(json_extract(j.value, '$.due')) FROM agreements a, json_each(a.actions) j
              WHERE a.case_id = ",
            $case,
            " AND json_extract(j.value, '$.status') = 'open'),
             (SELECT min(a.review_on) FROM agreements a WHERE a.case_id = ",
            $case,
            "),
             (SELECT min(d) FROM (
                SELECT t.submitted_on AS d FROM risk_assessments t
                WHERE t.case_id = ",
            $case,
            " AND t.submission IS NOT NULL
                  AND t.submitted_on IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM sign_offs s
                                  WHERE s.case_id = t.case_id AND s.submission = t.submission)
                UNION ALL
                SELECT t.submitted_on FROM court_reports t
                WHERE t.case_id = ",
            $case,
            " AND t.submission IS NOT NULL
                  AND t.submitted_on IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM sign_offs s
                                  WHERE s.case_id = t.case_id AND s.submission = t.submission)))"
        )
    };
}
pub(crate) use pending_columns;

/// The case's own fields that deadlines come from, and what its records ask for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CaseFacts {
    pub(crate) status: CaseStatus,
    pub(crate) stage: JusticeStage,
    pub(crate) court_date: Option<NaiveDate>,
    pub(crate) received_on: NaiveDate,
    pub(crate) has_contact: bool,
    /// The first of [`pending_columns`].
    pub(crate) open_action: Option<NaiveDate>,
    /// The second.
    pub(crate) review: Option<NaiveDate>,
    /// The third.
    pub(crate) sign_off_since: Option<NaiveDate>,
}

impl CaseFacts {
    /// The case's next deadline: the soonest of what the domain derives from its fields and
    /// what its records ask for. A closed case has none.
    pub(crate) fn next(&self) -> Option<Deadline> {
        if self.status == CaseStatus::Closed {
            return None;
        }
        let own = next_deadline(
            self.status,
            self.stage,
            self.court_date,
            self.received_on,
            self.has_contact,
        );
        let agreed = agreement::due_of(self.open_action, self.review);
        sooner(
            sooner(own, agreed),
            sign_off_due(self.status, self.sign_off_since),
        )
    }
}

/// The next deadline of one case, from its record fields already read.
pub(crate) fn of_case(
    conn: &Connection,
    case: CaseId,
    status: CaseStatus,
    stage: JusticeStage,
    court_date: Option<NaiveDate>,
    received_on: NaiveDate,
    has_contact: bool,
) -> Result<Option<Deadline>, StoreError> {
    let (open_action, review, sign_off_since) = conn
        .prepare_cached(concat!("SELECT ", pending_columns!("?1")))?
        .query_row(params![case.to_string()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    Ok(CaseFacts {
        status,
        stage,
        court_date,
        received_on,
        has_contact,
        open_action,
        review,
        sign_off_since,
    }
    .next())
}
