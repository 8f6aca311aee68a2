//! Quarterly figures for commissioners: every number defined once, here, as a pure function of
//! the facts of each case that the store hands it. The doc comment of each field of [`Figures`]
//! is its definition, word for word the one in `docs/figures.md`.
//!
//! A period is a span of calendar days, both edge days included. Every date compared is a day
//! as the laptop that recorded it saw it (the service's local calendar), never a UTC instant,
//! so an event late on the last evening of a quarter counts in that quarter.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;

use crate::agreement::ActionStatus;
use crate::case::{JusticeStage, ReferralSource};
use crate::ids::PartyId;
use crate::meeting::MeetingKind;

/// The days counted: from `from` to `to`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Period {
    /// The first day counted.
    pub from: NaiveDate,
    /// The last day counted.
    pub to: NaiveDate,
}

/// A period that cannot be counted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    /// The last day is before the first.
    #[error(
        "The period ends ({}) before it starts ({}): give a --from on or before --to.",
        to.format("%-d %b %Y"),
        from.format("%-d %b %Y")
    )]
    EndsBeforeItStarts {
        /// The first day given.
        from: NaiveDate,
        /// The last day given.
        to: NaiveDate,
    },
}

impl Period {
    /// The days from `from` to `to`, both included; refused if `to` is before `from`.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Period, PeriodError> {
        if to < from {
            return Err(PeriodError::EndsBeforeItStarts { from, to });
        }
        Ok(Period { from, to })
    }

    /// Whether `day` is one of the period's days.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.to
    }
}

/// A case closed: the day of a status change to closed, and the outcome recorded with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closing {
    /// The day it was closed.
    pub date: NaiveDate,
    /// How it ended, in the facilitator's words.
    pub outcome: String,
}

/// A meeting as the figures need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldMeeting {
    /// How the parties communicated.
    pub kind: MeetingKind,
    /// The day it was recorded as held; `None` while planned or after being called off.
    pub held_on: Option<NaiveDate>,
    /// The parties listed as attending.
    pub attendees: Vec<PartyId>,
}

/// An agreement as the figures need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgreementFacts {
    /// The day it was made.
    pub made_on: NaiveDate,
    /// How far each action has got.
    pub actions: Vec<ActionStatus>,
    /// The day of its last follow-up review, which set the actions as they are.
    pub reviewed_on: Option<NaiveDate>,
}

/// Everything the figures count about one case, gathered by the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFacts {
    /// The team that holds the case, when the store knows it.
    pub team: Option<String>,
    /// The agency that referred it.
    pub source: ReferralSource,
    /// Its justice stage.
    pub stage: JusticeStage,
    /// The day the referral was received.
    pub received_on: NaiveDate,
    /// The earliest day of any contact with a party (draft or finalised).
    pub first_contact: Option<NaiveDate>,
    /// Every closing, in any order.
    pub closings: Vec<Closing>,
    /// Every meeting.
    pub meetings: Vec<HeldMeeting>,
    /// Every agreement.
    pub agreements: Vec<AgreementFacts>,
    /// The parties whose role is victim.
    pub victims: Vec<PartyId>,
}

/// The figures of a period, each field's doc comment its definition.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Figures {
    /// The first day counted.
    pub from: NaiveDate,
    /// The last day counted (included).
    pub to: NaiveDate,
    /// The team whose cases are counted; absent when every case in the store is counted.
    pub team: Option<String>,
    /// Referrals: cases whose referral was received on a day within the period.
    pub referrals: u64,
    /// Referrals by the agency that referred them (every source listed, zeros included).
    pub referrals_by_source: BTreeMap<ReferralSource, u64>,
    /// Referrals by the case's justice stage (every stage listed, zeros included).
    pub referrals_by_stage: BTreeMap<JusticeStage, u64>,
    /// Cases closed: cases with a status change to closed dated within the period, each counted
    /// once however often it was closed and reopened.
    pub cases_closed: u64,
    /// Cases closed, by the outcome recorded with the last of their closings in the period
    /// (the outcome's words as typed, spaces trimmed).
    pub closed_by_outcome: BTreeMap<String, u64>,
    /// Meetings held: meetings recorded as held on a day within the period.
    pub meetings_held: u64,
    /// Direct meetings held: the parties together, in a face-to-face conference or on a video
    /// call (the kinds that need consent to a direct meeting).
    pub meetings_held_direct: u64,
    /// Indirect meetings held: shuttle communication or letters (the kinds that need consent
    /// to indirect communication).
    pub meetings_held_indirect: u64,
    /// Meetings held, by kind (every kind listed, zeros included).
    pub meetings_held_by_kind: BTreeMap<MeetingKind, u64>,
    /// Agreements made: agreements made on a day within the period.
    pub agreements_made: u64,
    /// Agreements completed: agreements whose every action is done (none open, none not done),
    /// the review that recorded it dated within the period, whenever the agreement was made.
    pub agreements_completed: u64,
    /// Median days from referral to first contact: over the cases first contacted within the
    /// period, the calendar days from the day the referral was received to the day of the first
    /// contact with any party (a draft or finalised contact: the same fact that ends the
    /// first-contact deadline); a contact dated before the referral counts as 0 days; with an
    /// even count, the mean of the middle two; absent when no case was first contacted.
    pub first_contact_median_days: Option<f64>,
    /// The number of cases the median of days to first contact is taken over.
    pub first_contact_cases: u64,
    /// Victims who took part: distinct parties whose role is victim listed as attending a meeting
    /// (of any kind) held within the period.
    pub victims_took_part: u64,
}

/// Whether a case is counted for `team`: every case without a team filter, else the team's.
fn counted(case: &CaseFacts, team: Option<&str>) -> bool {
    team.is_none_or(|t| case.team.as_deref() == Some(t))
}

/// The median of `values` (sorted here): the middle one, or the mean of the middle two.
pub fn median(values: &mut [i64]) -> Option<f64> {
    values.sort_unstable();
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => values.get(n / 2).map(|v| *v as f64),
        _ => {
            let (a, b) = (values.get(n / 2 - 1)?, values.get(n / 2)?);
            Some((*a as f64 + *b as f64) / 2.0)
        }
    }
}

fn zeros<K: Ord + Copy>(all: &[K]) -> BTreeMap<K, u64> {
    all.iter().map(|k| (*k, 0)).collect()
}

/// The figures of `period` over `cases` (only `team`'s when given): see [`Figures`].
pub fn figures(period: Period, team: Option<&str>, cases: &[CaseFacts]) -> Figures {
    let mut f = Figures {
        from: period.from,
        to: period.to,
        team: team.map(str::to_owned),
        referrals: 0,
        referrals_by_source: zeros(ReferralSource::ALL),
        referrals_by_stage: zeros(JusticeStage::ALL),
        cases_closed: 0,
        closed_by_outcome: BTreeMap::new(),
        meetings_held: 0,
        meetings_held_direct: 0,
        meetings_held_indirect: 0,
        meetings_held_by_kind: zeros(MeetingKind::ALL),
        agreements_made: 0,
        agreements_completed: 0,
        first_contact_median_days: None,
        first_contact_cases: 0,
        victims_took_part: 0,
    };
    let mut days_to_contact = Vec::new();
    for case in cases.iter().filter(|c| counted(c, team)) {
        if period.contains(case.received_on) {
            f.referrals += 1;
            *f.referrals_by_source.entry(case.source).or_default() += 1;
            *f.referrals_by_stage.entry(case.stage).or_default() += 1;
        }
        if let Some(last) = case
            .closings
            .iter()
            .filter(|c| period.contains(c.date))
            .max_by_key(|c| c.date)
        {
            f.cases_closed += 1;
            *f.closed_by_outcome
                .entry(last.outcome.trim().to_owned())
                .or_default() += 1;
        }
        if let Some(first) = case.first_contact.filter(|d| period.contains(*d)) {
            days_to_contact.push((first - case.received_on).num_days().max(0));
        }
        let mut took_part: BTreeSet<PartyId> = BTreeSet::new();
        for m in &case.meetings {
            if !m.held_on.is_some_and(|d| period.contains(d)) {
                continue;
            }
            f.meetings_held += 1;
            *f.meetings_held_by_kind.entry(m.kind).or_default() += 1;
            if m.kind.is_direct() {
                f.meetings_held_direct += 1;
            } else {
                f.meetings_held_indirect += 1;
            }
            took_part.extend(m.attendees.iter().filter(|p| case.victims.contains(p)));
        }
        f.victims_took_part += took_part.len() as u64;
        for a in &case.agreements {
            if period.contains(a.made_on) {
                f.agreements_made += 1;
            }
            let all_done = !a.actions.is_empty() && a.actions.iter().all(|s| *s == ActionStatus::Done);
            if all_done && a.reviewed_on.is_some_and(|d| period.contains(d)) {
                f.agreements_completed += 1;
            }
        }
    }
    f.first_contact_cases = days_to_contact.len() as u64;
    f.first_contact_median_days = median(&mut days_to_contact);
    f
}

/// One line of the figures in long form: what is counted, which part of it, and the value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FigureRow {
    /// The figure's name (a field of [`Figures`]).
    pub figure: &'static str,
    /// The category within it (a stored name, or an outcome's words); empty for a total.
    pub category: String,
    /// The value; empty when there is none (a median of no cases).
    pub value: String,
}

impl Figures {
    /// Every figure as rows, in the order of [`Figures`]: what a table or CSV file prints.
    pub fn rows(&self) -> Vec<FigureRow> {
        let mut rows = Vec::new();
        let mut push = |figure: &'static str, category: &str, value: String| {
            rows.push(FigureRow {
                figure,
                category: category.to_owned(),
                value,
            });
        };
        push("referrals", "", self.referrals.to_string());
        for (k, v) in &self.referrals_by_source {
            push("referrals_by_source", k.as_str(), v.to_string());
        }
        for (k, v) in &self.referrals_by_stage {
            push("referrals_by_stage", k.as_str(), v.to_string());
        }
        push("cases_closed", "", self.cases_closed.to_string());
        for (k, v) in &self.closed_by_outcome {
            push("closed_by_outcome", k, v.to_string());
        }
        push("meetings_held", "", self.meetings_held.to_string());
        push("meetings_held_direct", "", self.meetings_held_direct.to_string());
        push(
            "meetings_held_indirect",
            "",
            self.meetings_held_indirect.to_string(),
        );
        for (k, v) in &self.meetings_held_by_kind {
            push("meetings_held_by_kind", k.as_str(), v.to_string());
        }
        push("agreements_made", "", self.agreements_made.to_string());
        push("agreements_completed", "", self.agreements_completed.to_string());
        push(
            "first_contact_median_days",
            "",
            self.first_contact_median_days
                .map(|d| d.to_string())
                .unwrap_or_default(),
        );
        push("first_contact_cases", "", self.first_contact_cases.to_string());
        push("victims_took_part", "", self.victims_took_part.to_string());
        rows
    }
}

/// A field for CSV: quoted when it holds a comma, quote or line break, and a leading `=`, `+`,
/// `-` or `@` escaped with `'` so a spreadsheet never runs an outcome's words as a formula.
pub fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

impl Figures {
    /// Long-form CSV, one figure (or one category of it) a line, dates as YYYY-MM-DD for
    /// machines: what `casebook figures --csv` prints and the dashboard saves.
    pub fn to_csv(&self) -> String {
        let team = csv_field(self.team.as_deref().unwrap_or(""));
        let mut out = String::from("from,to,team,figure,category,value\n");
        for FigureRow {
            figure,
            category,
            value,
        } in self.rows()
        {
            out.push_str(&format!(
                "{},{},{team},{figure},{},{value}\n",
                self.from,
                self.to,
                csv_field(&category)
            ));
        }
        out
    }
}

#[cfg(test)]
#[path = "figures_tests.rs"]
mod tests;
