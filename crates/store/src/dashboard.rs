//! The supervisor's dashboard, read only: the open cases held here by stage, status and lead
//! facilitator, days from referral to first contact, overdue work, sign-offs waiting, and over
//! the last 12 months the cases closed by outcome and the meetings held each month. The
//! store's scope is the dashboard's: a supervisor's laptop holds their team's cases, a
//! coordinator's the whole service. Every figure carries the cases behind it, so the app can
//! open exactly that list. The figures are a pure function of each case's facts
//! ([`dashboard`]); the median and the first-contact target reuse the domain's definitions
//! (`figures::figures`, `calendar::add_working_days`).

use std::collections::HashMap;

use casebook_domain::agreement::{self, Action};
use casebook_domain::case::FIRST_CONTACT_WORKING_DAYS;
use casebook_domain::figures::{self, CaseFacts, Period};
use casebook_domain::{CaseId, CaseStatus, JusticeStage, ReferralSource, calendar};
use chrono::{Datelike, Days, Months, NaiveDate};
use serde::Serialize;

use crate::Store;
use crate::error::StoreError;
use crate::figures::rows;
use crate::read::parse;

/// A court date this many days ahead or fewer is counted as coming soon.
pub const COURT_SOON_DAYS: u64 = 14;
/// Case supervision is due at least this often (the RJC's practitioner code: every 12 weeks).
pub const SUPERVISION_DAYS: u64 = 12 * 7;
/// First contacts are measured over this many days up to today (a quarter, 13 weeks).
pub const FIRST_CONTACT_WINDOW_DAYS: u64 = 13 * 7;
/// Outcomes and meetings are counted over this many calendar months, this one included.
pub const YEAR_MONTHS: u32 = 12;

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
    /// Every closing of the case: the day and the outcome, in any order (a reopened case has
    /// closings too).
    pub closings: Vec<(NaiveDate, String)>,
    /// The days meetings of the case were held.
    pub meetings_held: Vec<NaiveDate>,
    /// Its agreements: the actions and the next review, if one is set.
    pub agreements: Vec<(Vec<Action>, Option<NaiveDate>)>,
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
    /// The team counted alone (cases whose lead is of it), or `None` for every case held here.
    pub team: Option<String>,
    /// The teams of the directory, for choosing one (a coordinator's laptop knows them all).
    pub teams: Vec<String>,
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
    /// supervision note for 12 weeks, on a case referred longer ago than that), `actions` (an
    /// agreement's action still open after its day, `agreement::overdue`), `review` (an
    /// agreement's review day passed without a review).
    pub overdue: Vec<Bar>,
    /// Risk assessments and court reports waiting for a supervisor's answer.
    pub signoffs_waiting: u64,
    /// The first day of the last 12 months: the first of the month 11 months before this one.
    pub year_since: NaiveDate,
    /// Cases closed from `year_since` to today by outcome (`key` the outcome's words, trimmed),
    /// most first: each case once, by its latest closing in that time, as the quarterly
    /// figures count `closed_by_outcome`.
    pub closed_by_outcome: Vec<Bar>,
    /// Meetings held in each month from `year_since` to today, oldest first (`key` `2026-11`,
    /// `label` "Nov 2026"): here `count` is the meetings, and `cases` the cases they were held
    /// for, each once.
    pub meetings_by_month: Vec<Bar>,
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
        Bar::new("actions", "agreement actions overdue"),
        Bar::new("review", "agreement review overdue"),
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
        if c.agreements
            .iter()
            .any(|(actions, _)| !agreement::overdue(actions, today).is_empty())
        {
            overdue[3].add(c.id);
        }
        if c.agreements
            .iter()
            .any(|(_, review)| review.is_some_and(|d| d < today))
        {
            overdue[4].add(c.id);
        }
    }
    by_facilitator.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
    let year_since = year_since(today);

    Dashboard {
        today,
        team: None,
        teams: Vec::new(),
        open,
        by_stage,
        by_status,
        by_facilitator,
        first_contact: first_contact(today, cases),
        overdue,
        signoffs_waiting,
        year_since,
        closed_by_outcome: closed_by_outcome(year_since, today, cases),
        meetings_by_month: meetings_by_month(year_since, today, cases),
    }
}

/// The first of the month `YEAR_MONTHS - 1` months before `today`'s.
fn year_since(today: NaiveDate) -> NaiveDate {
    let first = today.with_day(1).unwrap_or(today);
    first
        .checked_sub_months(Months::new(YEAR_MONTHS - 1))
        .unwrap_or(NaiveDate::MIN)
}

fn closed_by_outcome(since: NaiveDate, today: NaiveDate, cases: &[DashCase]) -> Vec<Bar> {
    let mut bars: Vec<Bar> = Vec::new();
    for c in cases {
        let last = c
            .closings
            .iter()
            .filter(|(d, _)| *d >= since && *d <= today)
            .max_by_key(|(d, _)| *d);
        let Some((_, outcome)) = last else { continue };
        let outcome = outcome.trim();
        match bars.iter_mut().find(|b| b.key == outcome) {
            Some(b) => b.add(c.id),
            None => {
                let label = if outcome.is_empty() {
                    "no outcome recorded"
                } else {
                    outcome
                };
                let mut b = Bar::new(outcome, label);
                b.add(c.id);
                bars.push(b);
            }
        }
    }
    bars.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
    bars
}

fn meetings_by_month(since: NaiveDate, today: NaiveDate, cases: &[DashCase]) -> Vec<Bar> {
    let mut months: Vec<Bar> = (0..YEAR_MONTHS)
        .filter_map(|i| since.checked_add_months(Months::new(i)))
        .map(|m| Bar::new(&m.format("%Y-%m").to_string(), &m.format("%b %Y").to_string()))
        .collect();
    for c in cases {
        for held in c.meetings_held.iter().filter(|d| **d >= since && **d <= today) {
            let key = held.format("%Y-%m").to_string();
            if let Some(b) = months.iter_mut().find(|b| b.key == key) {
                b.count += 1;
                if !b.cases.contains(&c.id) {
                    b.cases.push(c.id);
                }
            }
        }
    }
    months
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
    /// The dashboard of every case held here today, or of one team's alone: the cases whose
    /// lead the directory places in `team`.
    #[tracing::instrument(skip_all)]
    pub fn dashboard(&self, team: Option<&str>) -> Result<Dashboard, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.id, c.source, c.stage, c.status, c.lead, p.name, c.received_on,
                    (SELECT min(date) FROM contacts WHERE case_id = c.id),
                    c.court_date,
                    (SELECT max(date) FROM supervision_notes WHERE case_id = c.id)
             FROM cases c LEFT JOIN people p ON p.id = c.lead
             WHERE ?1 IS NULL OR p.team = ?1
             ORDER BY c.received_on, c.rid",
        )?;
        let mut cases = stmt
            .query_map([team], |r| {
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
                    closings: Vec::new(),
                    meetings_held: Vec::new(),
                    agreements: Vec::new(),
                })
            })?
            .collect::<Result<Vec<DashCase>, _>>()?;
        // Records of a case not held here cannot exist (foreign keys); skipping them keeps the
        // reading total.
        let index: HashMap<CaseId, usize> = cases.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
        let of = |id: CaseId| index.get(&id).copied();
        let closings: Vec<(CaseId, NaiveDate, String)> = rows(
            &self.conn,
            "SELECT case_id, date, coalesce(outcome, '') FROM status_changes WHERE transition = 'close'",
            |r| Ok((parse(r, 0)?, r.get(1)?, r.get(2)?)),
        )?;
        for (case, date, outcome) in closings {
            if let Some(c) = of(case).and_then(|i| cases.get_mut(i)) {
                c.closings.push((date, outcome));
            }
        }
        let held: Vec<(CaseId, NaiveDate)> = rows(
            &self.conn,
            "SELECT case_id, held_on FROM meetings WHERE held_on IS NOT NULL",
            |r| Ok((parse(r, 0)?, r.get(1)?)),
        )?;
        for (case, day) in held {
            if let Some(c) = of(case).and_then(|i| cases.get_mut(i)) {
                c.meetings_held.push(day);
            }
        }
        let agreements: Vec<(CaseId, String, Option<NaiveDate>)> = rows(
            &self.conn,
            "SELECT case_id, actions, review_on FROM agreements",
            |r| Ok((parse(r, 0)?, r.get(1)?, r.get(2)?)),
        )?;
        for (case, actions, review_on) in agreements {
            let actions: Vec<Action> = serde_json::from_str(&actions)
                .map_err(|_| StoreError::Corrupt("an agreement's actions".into()))?;
            if let Some(c) = of(case).and_then(|i| cases.get_mut(i)) {
                c.agreements.push((actions, review_on));
            }
        }
        let waiting = self
            .signoffs()?
            .iter()
            .filter(|s| of(s.case_id).is_some())
            .count();
        let waiting = u64::try_from(waiting).unwrap_or(u64::MAX);
        tracing::debug!(cases = cases.len(), "dashboard counted");
        let teams = self
            .conn
            .prepare_cached("SELECT DISTINCT team FROM people WHERE team IS NOT NULL ORDER BY team")?
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Dashboard {
            team: team.map(str::to_owned),
            teams,
            ..dashboard(crate::today(), &cases, waiting)
        })
    }
}

#[cfg(test)]
#[path = "dashboard_tests.rs"]
mod tests;
