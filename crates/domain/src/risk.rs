//! The risk and safety assessment that precedes any meeting, and the supervisor's sign-off.
//!
//! A facilitator drafts an assessment (a level and a note per factor, an overall rating, a
//! safety plan) and submits it; a supervisor of the case's team approves or returns it on their
//! own laptop, offline, as a sign-off record of its own. Nothing here is a stored state: where
//! an assessment stands is derived from its latest submission and the sign-offs that answer it,
//! so a facilitator's edit and a supervisor's approval made on two laptops at once never
//! conflict, and an approval of a version that has since changed does not count.

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::RuleError;

labelled_enum!(
    /// How serious a risk is judged to be.
    RiskLevel {
        /// Low.
        Low = "low" / "low",
        /// Medium.
        Medium = "medium" / "medium",
        /// High.
        High = "high" / "high",
    }
);

labelled_enum!(
    /// What a facilitator weighs before people meet (Restorative Justice Council practice).
    RiskFactor {
        /// The harmed person could be harmed again by taking part.
        Revictimisation = "re-victimisation" / "re-victimisation",
        /// One party holds power over another.
        PowerImbalance = "power-imbalance" / "power imbalance",
        /// Intimidation or threats between the parties.
        Intimidation = "intimidation" / "intimidation or threats",
        /// A history of violence.
        Violence = "violence" / "history of violence",
        /// Alcohol or drug use.
        SubstanceUse = "substance-use" / "substance use",
        /// Mental health.
        MentalHealth = "mental-health" / "mental health",
        /// A child or an adult at risk needs safeguarding.
        Safeguarding = "safeguarding" / "safeguarding of a child or adult at risk",
        /// The harm happened in a context of domestic or sexual abuse.
        AbuseContext = "abuse-context" / "domestic or sexual abuse context",
        /// How ready the person responsible is to take responsibility.
        Responsibility = "responsibility" / "readiness to take responsibility",
    }
);

labelled_enum!(
    /// A supervisor's answer to a submission.
    SignOffDecision {
        /// Approved: the work may go ahead.
        Approved = "approved" / "approved",
        /// Returned to the facilitator with a comment.
        Returned = "returned" / "returned",
    }
);

/// How long an approved assessment stays current without a change of circumstances.
pub const CURRENT_FOR_DAYS: u64 = 90;

/// One factor's assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FactorAssessment {
    /// How serious.
    pub level: RiskLevel,
    /// Why, in the facilitator's words.
    #[serde(default)]
    pub note: String,
}

/// Every factor assessed, by stored name: the stored form of the `factors` field.
pub type Factors = BTreeMap<RiskFactor, FactorAssessment>;

/// Reads the stored `factors` text; `None` when it is not a map of known factors.
pub fn parse_factors(text: &str) -> Option<Factors> {
    serde_json::from_str(text).ok()
}

/// Whether `text` is a stored `factors` value (used by the field table).
pub fn is_factors(text: &str) -> bool {
    parse_factors(text).is_some()
}

/// The stored text of `factors`.
pub fn factors_text(factors: &Factors) -> String {
    // A map of enums and strings always serialises.
    serde_json::to_string(factors).unwrap_or_else(|_| "{}".to_owned())
}

/// Reads `NAME=LEVEL` (as typed on the command line) into a factor and its level.
pub fn parse_factor_level(given: &str) -> Result<(RiskFactor, RiskLevel), RuleError> {
    let bad = || RuleError::BadFactor {
        given: given.chars().take(60).collect(),
    };
    let (name, level) = given.split_once('=').ok_or_else(bad)?;
    Ok((
        name.trim().parse().map_err(|_| bad())?,
        level.trim().parse().map_err(|_| bad())?,
    ))
}

/// A supervisor's sign-off, as the derivation needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignOffFacts {
    /// The submission it answers.
    pub submission: Uuid,
    /// Approved or returned.
    pub decision: SignOffDecision,
    /// When, in the supervisor's words.
    pub date: NaiveDate,
    /// The supervisor's comment.
    pub note: Option<String>,
}

/// Where an assessment stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RiskState {
    /// Being written; not yet submitted (or changed since it was).
    Draft,
    /// Waiting for a supervisor.
    Submitted {
        /// When it was submitted.
        on: NaiveDate,
    },
    /// Approved by a supervisor.
    Approved {
        /// When.
        on: NaiveDate,
        /// The supervisor's comment.
        note: Option<String>,
    },
    /// Returned to the facilitator.
    Returned {
        /// When.
        on: NaiveDate,
        /// What to change.
        note: Option<String>,
    },
}

impl RiskState {
    /// The state's stored name.
    pub fn name(&self) -> &'static str {
        match self {
            RiskState::Draft => "draft",
            RiskState::Submitted { .. } => "submitted",
            RiskState::Approved { .. } => "approved",
            RiskState::Returned { .. } => "returned",
        }
    }
}

/// Where an assessment stands, from its current submission (`None`: draft) and the sign-offs
/// recorded for it. Only a sign-off of the current submission counts; of several (two
/// supervisors answering offline), a return wins over an approval, so that a concern raised is
/// never hidden by a colleague's approval.
pub fn state(submission: Option<(Uuid, NaiveDate)>, sign_offs: &[SignOffFacts]) -> RiskState {
    let Some((submission, submitted_on)) = submission else {
        return RiskState::Draft;
    };
    let answers = sign_offs.iter().filter(|s| s.submission == submission);
    let returned = answers
        .clone()
        .filter(|s| s.decision == SignOffDecision::Returned)
        .max_by_key(|s| s.date);
    if let Some(r) = returned {
        return RiskState::Returned {
            on: r.date,
            note: r.note.clone(),
        };
    }
    match answers.max_by_key(|s| s.date) {
        Some(a) => RiskState::Approved {
            on: a.date,
            note: a.note.clone(),
        },
        None => RiskState::Submitted { on: submitted_on },
    }
}

/// Why an assessment is not current, if it is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum NotCurrent {
    /// No supervisor has approved it.
    NotApproved,
    /// The facilitator recorded a change of circumstances after the approval.
    CircumstancesChanged,
    /// Approved more than [`CURRENT_FOR_DAYS`] days ago.
    Expired,
}

impl std::fmt::Display for NotCurrent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NotCurrent::NotApproved => "the risk assessment has not been approved by a supervisor",
            NotCurrent::CircumstancesChanged => {
                "circumstances changed after the risk assessment was approved: revise it and submit it again"
            }
            NotCurrent::Expired => {
                "the risk assessment was approved more than 90 days ago: review it and submit it again"
            }
        })
    }
}

/// Whether an assessment is current on `today`: approved, no change of circumstances recorded
/// since it was submitted, and approved no more than [`CURRENT_FOR_DAYS`] days ago.
pub fn currency(
    state: &RiskState,
    circumstances_changed_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(), NotCurrent> {
    let RiskState::Approved { on, .. } = state else {
        return Err(NotCurrent::NotApproved);
    };
    if circumstances_changed_on.is_some() {
        return Err(NotCurrent::CircumstancesChanged);
    }
    let until = on
        .checked_add_days(Days::new(CURRENT_FOR_DAYS))
        .unwrap_or(NaiveDate::MAX);
    if today > until {
        return Err(NotCurrent::Expired);
    }
    Ok(())
}

/// Checks that an assessment may be submitted: every factor assessed.
pub fn check_complete(factors: &Factors) -> Result<(), RuleError> {
    let missing: Vec<&str> = RiskFactor::ALL
        .iter()
        .filter(|f| !factors.contains_key(f))
        .map(|f| f.label())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(RuleError::FactorsMissing {
            missing: missing.join(", "),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).expect("date")
    }

    fn sign(submission: Uuid, decision: SignOffDecision, on: NaiveDate) -> SignOffFacts {
        SignOffFacts {
            submission,
            decision,
            date: on,
            note: None,
        }
    }

    #[test]
    fn a_draft_is_never_current() {
        assert_eq!(state(None, &[]), RiskState::Draft);
        assert_eq!(
            currency(&RiskState::Draft, None, d(11, 1)),
            Err(NotCurrent::NotApproved)
        );
    }

    #[test]
    fn only_a_sign_off_of_the_current_submission_counts() {
        let (old, new) = (Uuid::now_v7(), Uuid::now_v7());
        let offs = [sign(old, SignOffDecision::Approved, d(11, 2))];
        assert_eq!(
            state(Some((new, d(11, 3))), &offs),
            RiskState::Submitted { on: d(11, 3) },
            "an approval of an earlier version does not approve this one"
        );
        assert!(matches!(
            state(Some((old, d(11, 1))), &offs),
            RiskState::Approved { .. }
        ));
    }

    #[test]
    fn a_return_is_never_hidden_by_a_colleagues_approval() {
        let s = Uuid::now_v7();
        let offs = [
            sign(s, SignOffDecision::Returned, d(11, 2)),
            sign(s, SignOffDecision::Approved, d(11, 4)),
        ];
        assert!(matches!(
            state(Some((s, d(11, 1))), &offs),
            RiskState::Returned { .. }
        ));
    }

    #[test]
    fn an_approval_lasts_ninety_days_unless_circumstances_change() {
        let approved = RiskState::Approved {
            on: d(9, 1),
            note: None,
        };
        assert_eq!(currency(&approved, None, d(9, 1)), Ok(()));
        // 1 Sep + 90 days = 30 Nov.
        assert_eq!(currency(&approved, None, d(11, 30)), Ok(()));
        assert_eq!(currency(&approved, None, d(12, 1)), Err(NotCurrent::Expired));
        assert_eq!(
            currency(&approved, Some(d(9, 2)), d(9, 3)),
            Err(NotCurrent::CircumstancesChanged)
        );
        let returned = RiskState::Returned {
            on: d(9, 1),
            note: Some("Say more about the threats.".into()),
        };
        assert_eq!(currency(&returned, None, d(9, 1)), Err(NotCurrent::NotApproved));
    }

    #[test]
    fn factors_round_trip_and_reject_unknown_names() {
        let mut factors = Factors::new();
        factors.insert(
            RiskFactor::Intimidation,
            FactorAssessment {
                level: RiskLevel::High,
                note: "Messages sent after the incident.".into(),
            },
        );
        let text = factors_text(&factors);
        assert_eq!(parse_factors(&text), Some(factors));
        assert!(is_factors("{}"));
        assert!(!is_factors(r#"{"weather": {"level": "low"}}"#));
        assert!(!is_factors(r#"{"violence": {"level": "extreme"}}"#));
        assert!(!is_factors("[]"));
    }

    #[test]
    fn factor_levels_are_read_as_typed() {
        assert_eq!(
            parse_factor_level("power-imbalance=medium"),
            Ok((RiskFactor::PowerImbalance, RiskLevel::Medium))
        );
        for bad in ["violence", "violence=", "weather=low", "violence=extreme"] {
            assert!(parse_factor_level(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_submission_assesses_every_factor() {
        let mut factors = Factors::new();
        for f in RiskFactor::ALL.iter().skip(1) {
            factors.insert(
                *f,
                FactorAssessment {
                    level: RiskLevel::Low,
                    note: String::new(),
                },
            );
        }
        let err = check_complete(&factors).expect_err("one missing");
        assert!(err.to_string().contains("re-victimisation"), "{err}");
        factors.insert(
            RiskFactor::Revictimisation,
            FactorAssessment {
                level: RiskLevel::Medium,
                note: String::new(),
            },
        );
        assert_eq!(check_complete(&factors), Ok(()));
    }
}
