//! The supervisor's dashboard, read only: the open cases held here by stage, status and lead
//! facilitator, days from referral to first contact, overdue work and sign-offs waiting. The
//! store's scope is the dashboard's: a supervisor's laptop holds their team's cases, a
//! coordinator's the whole service. Every figure carries the cases behind it, so the app can
//! open exactly that list. The figures are a pure function of each case's facts
//! ([`dashboard`]); the median and the first-contact target reuse the domain's definitions
//! (`figures::figures`, `calendar::add_working_days`).

use casebook_domain::case::FIRST_CONTACT_WORKING_DAYS;
use casebook_domain::figures::{self, CaseFacts, Period};
use casebook_domain::{CaseId, CaseStatus, JusticeStage, ReferralSource, calendar};
use chrono::{Days, NaiveDate};
use serde::Serialize;

use crate::Store;
use crate::error::StoreError;
use crate::read::parse;

/// A court date this many days ahead or fewer is counted as coming soon.
pub const COURT_SOON_DAYS: u64 = 14;
/// Case supervision is due at least this often (the RJC's practitioner code: every 12 weeks).
pub const SUPERVISION_DAYS: u64 = 12 * 7;
/// First contacts are measured over this many days up to today (a quarter, 13 weeks).
pub const FIRST_CONTACT_WINDOW_DAYS: u64 = 13 * 7;

/// What the dashboard needs of one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashCase {
    /// The case.
    pub id: CaseId,
    /// The agency that referred it.
    pub source: ReferralSource,
    /// Its justice stage.
    pub stage: JusticeStage,
    /// Its status.
    pub status: CaseStatus,
    /// The lead facilitator's user id, once allocated.
    pub lead: Option<String>,
    /// The lead's name, from the team directory.
    pub lead_name: Option<String>,
    /// The day the referral was received.
    pub received_on: NaiveDate,
    /// The earliest day of any contact with a party (draft or finalised).
    pub first_contact: Option<NaiveDate>,
    /// The court date, if any.
    pub court_date: Option<NaiveDate>,
    /// The day of the latest supervision note.
    pub last_supervision: Option<NaiveDate>,
}

/// One figure: a count, what it is in words, and the cases it counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Bar {
    /// The stored name of what is counted (`pre_sentence`, `contacting`, a user id, `court_soon`).
    pub key: String,
    /// In words, for people ("pre-sentence", "Femi", "court date within 14 days").
    pub label: String,
    /// How many cases.
    pub count: u64,
    /// The cases counted, in the order they were read.
    pub cases: Vec<CaseId>,
}

impl Bar {
    fn new(key: &str, label: &str) -> Self {
        Self {
            key: key.to_owned(),
            label: label.to_owned(),
            count: 0,
            cases: Vec::new(),
        }
    }

    fn add(&mut self, case: CaseId) {
        self.count += 1;
        self.cases.push(case);
    }
}

/// Days from referral to first contact, over the cases first contacted in the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FirstContact {
    /// The first day of the window (today is the last).
    pub since: NaiveDate,
    /// The cases first contacted within the window.
    pub contacted: Bar,
    /// The median calendar days from referral to first contact, as the quarterly figures
    /// define it (`Figures::first_contact_median_days`); absent when no case was contacted.
    pub median_days: Option<f64>,
    /// Of those, the cases contacted within the target of 10 working days.
    pub within_target: Bar,
    /// `within_target` as a share of `contacted` (0 to 1); absent when none was contacted.
    pub share_within_target: Option<f64>,
}

/// The dashboard of the cases held here, on `today`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Dashboard {
    /// The day the figures are for.
    pub today: NaiveDate,
    /// Every open case.
    pub open: Bar,
    /// Open cases by justice stage (every stage listed, zeros included).
    pub by_stage: Vec<Bar>,
    /// Open cases by status (every open status listed, zeros included).
    pub by_status: Vec<Bar>,
    /// Open cases by lead facilitator, most first (`key` empty for cases not allocated).
    pub by_facilitator: Vec<Bar>,
    /// Days from referral to first contact.
    pub first_contact: FirstContact,
    /// Overdue work on open cases: `first_contact` (nobody contacted and the 10-working-day
    /// target passed), `court_soon` (a court date today or within 14 days), `supervision` (no
    /// supervision note for 12 weeks, on a case referred longer ago than that).
    pub overdue: Vec<Bar>,
    /// Risk assessments and court reports waiting for a supervisor's answer.
    pub signoffs_waiting: u64,
}

fn minus(day: NaiveDate, days: u64) -> NaiveDate {
    day.checked_sub_days(Days::new(days)).unwrap_or(NaiveDate::MIN)
}

/// The dashboard of `cases` on `today`: see [`Dashboard`].
pub fn dashboard(today: NaiveDate, cases: &[DashCase], signoffs_waiting: u64) -> Dashboard {
    let mut open = Bar::new("open", "open cases");
    let mut by_stage: Vec<Bar> = JusticeStage::ALL
        .iter()
        .map(|s| Bar::new(s.as_str(), s.label()))
        .collect();
    let mut by_status: Vec<Bar> = CaseStatus::ALL
        .iter()
        .filter(|s| **s != CaseStatus::Closed)
        .map(|s| Bar::new(s.as_str(), s.label()))
        .collect();
    let mut by_facilitator: Vec<Bar> = Vec::new();
    let mut overdue = vec![
        Bar::new("first_contact", "first contact overdue"),
        Bar::new("court_soon", "court date within 14 days"),
        Bar::new("supervision", "no case supervision for 12 weeks"),
    ];
    let court_horizon = today
        .checked_add_days(Days::new(COURT_SOON_DAYS))
        .unwrap_or(NaiveDate::MAX);
    let supervision_due = minus(today, SUPERVISION_DAYS);

    for c in cases.iter().filter(|c| c.status != CaseStatus::Closed) {
        open.add(c.id);
        if let Some(b) = by_stage.iter_mut().find(|b| b.key == c.stage.as_str()) {
            b.add(c.id);
        }
        if let Some(b) = by_status.iter_mut().find(|b| b.key == c.status.as_str()) {
            b.add(c.id);
        }
        let lead = c.lead.clone().unwrap_or_default();
        match by_facilitator.iter_mut().find(|b| b.key == lead) {
            Some(b) => b.add(c.id),
            None => {
                let name = match (&c.lead_name, &c.lead) {
                    (Some(name), _) => name.clone(),
                    (None, Some(_)) => "A facilitator not yet named here".to_owned(),
                    (None, None) => "Not allocated".to_owned(),
                };
                let mut b = Bar::new(&lead, &name);
                b.add(c.id);
                by_facilitator.push(b);
            }
        }
        let target = calendar::add_working_days(c.received_on, FIRST_CONTACT_WORKING_DAYS);
        if c.first_contact.is_none() && target < today {
            overdue[0].add(c.id);
        }
        if c.court_date.is_some_and(|d| d >= today && d <= court_horizon) {
            overdue[1].add(c.id);
        }
        if c.received_on < supervision_due && c.last_supervision.is_none_or(|d| d < supervision_due) {
            overdue[2].add(c.id);
        }
    }
    by_facilitator.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));

    Dashboard {
        today,
        open,
        by_stage,
        by_status,
        by_facilitator,
        first_contact: first_contact(today, cases),
        overdue,
        signoffs_waiting,
    }
}

fn first_contact(today: NaiveDate, cases: &[DashCase]) -> FirstContact {
    let since = minus(today, FIRST_CONTACT_WINDOW_DAYS - 1);
    let mut contacted = Bar::new("contacted", "cases first contacted");
    let mut within = Bar::new("within_target", "first contacted within 10 working days");
    for c in cases {
        let Some(first) = c.first_contact.filter(|d| *d >= since && *d <= today) else {
            continue;
        };
        contacted.add(c.id);
        if first <= calendar::add_working_days(c.received_on, FIRST_CONTACT_WORKING_DAYS) {
            within.add(c.id);
        }
    }
    // The median as the quarterly figures define it, over the same window.
    let median_days = Period::new(since, today).ok().and_then(|period| {
        let facts: Vec<CaseFacts> = cases
            .iter()
            .map(|c| CaseFacts {
                team: None,
                source: c.source,
                stage: c.stage,
                received_on: c.received_on,
                first_contact: c.first_contact,
                closings: Vec::new(),
                meetings: Vec::new(),
                agreements: Vec::new(),
                victims: Vec::new(),
            })
            .collect();
        figures::figures(period, None, &facts).first_contact_median_days
    });
    let share = (contacted.count > 0).then(|| within.count as f64 / contacted.count as f64);
    FirstContact {
        since,
        contacted,
        median_days,
        within_target: within,
        share_within_target: share,
    }
}

impl Store {
    /// The dashboard of every case held here, today.
    #[tracing::instrument(skip_all)]
    pub fn dashboard(&self) -> Result<Dashboard, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.id, c.source, c.stage, c.status, c.lead, p.name, c.received_on,
                    (SELECT min(date) FROM contacts WHERE case_id = c.id),
                    c.court_date,
                    (SELECT max(date) FROM supervision_notes WHERE case_id = c.id)
             FROM cases c LEFT JOIN people p ON p.id = c.lead
             ORDER BY c.received_on, c.rid",
        )?;
        let cases = stmt
            .query_map([], |r| {
                Ok(DashCase {
                    id: parse(r, 0)?,
                    source: parse(r, 1)?,
                    stage: parse(r, 2)?,
                    status: parse(r, 3)?,
                    lead: r.get(4)?,
                    lead_name: r.get(5)?,
                    received_on: r.get(6)?,
                    first_contact: r.get(7)?,
                    court_date: r.get(8)?,
                    last_supervision: r.get(9)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let waiting = u64::try_from(self.signoffs()?.len()).unwrap_or(u64::MAX);
        tracing::debug!(cases = cases.len(), "dashboard counted");
        Ok(dashboard(crate::today(), &cases, waiting))
    }
}

#[cfg(test)]
#[path = "dashboard_tests.rs"]
mod tests;
