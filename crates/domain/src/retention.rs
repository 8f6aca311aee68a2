//! How long a closed case is kept, and when it is due to be erased: pure functions of its ops,
//! the retention periods set on the hub and its legal hold. The hub gathers the facts, these
//! decide; the hub then erases what is due and orders every laptop to do the same.

use std::collections::BTreeMap;

use chrono::{Months, NaiveDate};

use crate::case::CaseStatus;
use crate::hlc::Hlc;
use crate::op::{Entity, Op};

/// Years a closed case is kept when no period is set for its outcome (UK practice for case
/// records of adults: six years after the case ends).
pub const DEFAULT_YEARS: u32 = 6;

/// The longest period that can be set: a typo of 600 must not keep a case for ever.
pub const MAX_YEARS: u32 = 100;

/// The refusal code of an op for a case that was erased under the retention policy. It is the
/// hub's to give (only the hub knows which cases were erased); a laptop that wrote the op
/// drops it with the case when the purge order reaches it.
pub const PURGED: &str = "purged";

/// Why an op for an erased case is refused, in words a person can act on.
pub const PURGED_REASON: &str = "this case was erased under the service's retention policy; \
    nothing more can be added to it, and it is being removed from this laptop too";

/// The retention periods: one for all closed cases, and others for particular outcomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Years after closure for an outcome with no period of its own.
    pub default_years: u32,
    /// Years after closure by outcome, keyed by [`outcome_key`].
    pub by_outcome: BTreeMap<String, u32>,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            default_years: DEFAULT_YEARS,
            by_outcome: BTreeMap::new(),
        }
    }
}

impl Policy {
    /// The years a case closed with `outcome` is kept.
    pub fn years_for(&self, outcome: Option<&str>) -> u32 {
        outcome
            .map(outcome_key)
            .and_then(|key| self.by_outcome.get(&key).copied())
            .unwrap_or(self.default_years)
    }
}

/// How an outcome is matched: outcomes are typed by people, so case and surrounding spaces do
/// not count ("Agreement kept " is "agreement kept").
pub fn outcome_key(outcome: &str) -> String {
    outcome.trim().to_lowercase()
}

/// The day a case closed on `closed_on` and kept `years` is due to be erased. A case closed on
/// 29 February is due on 28 February of a year that has none.
pub fn due_on(closed_on: NaiveDate, years: u32) -> NaiveDate {
    closed_on
        .checked_add_months(Months::new(years.saturating_mul(12)))
        .unwrap_or(NaiveDate::MAX)
}

/// What the ops of one case say about its life: whether it is closed, since when, how.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Life {
    /// Its current status (`None` if no op set one).
    pub status: Option<CaseStatus>,
    /// Its outcome, as recorded when it was closed.
    pub outcome: Option<String>,
    /// When the referral was received.
    pub received_on: Option<NaiveDate>,
    /// The day of its latest closing (the status change's date).
    pub closed_on: Option<NaiveDate>,
}

/// Reads a case's life from its ops, in any order: every field last-writer-wins by HLC, as
/// every replica does; the closing date is that of the latest status change to closed. Two ops
/// with the same HLC (which one device never writes) are taken in the order given.
pub fn life<'a>(ops: impl IntoIterator<Item = &'a Op>) -> Life {
    let mut latest: BTreeMap<&str, (Hlc, &serde_json::Value)> = BTreeMap::new();
    let mut closing: Option<(Hlc, &serde_json::Value)> = None;
    for op in ops {
        match op.entity {
            Entity::Case => {
                for field in ["status", "outcome", "received_on"] {
                    if let Some(value) = op.fields.get(field)
                        && latest.get(field).is_none_or(|(hlc, _)| *hlc <= op.hlc)
                    {
                        latest.insert(field, (op.hlc, value));
                    }
                }
            }
            Entity::StatusChange
                if op.fields.get("to_status").and_then(|v| v.as_str())
                    == Some(CaseStatus::Closed.as_str()) =>
            {
                if let Some(date) = op.fields.get("date")
                    && closing.is_none_or(|(hlc, _)| hlc <= op.hlc)
                {
                    closing = Some((op.hlc, date));
                }
            }
            _ => {}
        }
    }
    let text = |field: &str| latest.get(field).and_then(|(_, v)| v.as_str());
    let date = |v: Option<&serde_json::Value>| v.and_then(|v| v.as_str()).and_then(|s| s.parse().ok());
    Life {
        status: text("status").and_then(|s| s.parse().ok()),
        outcome: text("outcome").map(str::to_owned),
        received_on: date(latest.get("received_on").map(|(_, v)| *v)),
        closed_on: date(closing.map(|(_, v)| v)),
    }
}

/// What the retention policy says of one case today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retention {
    /// Not closed: kept, and no clock runs.
    Open,
    /// Closed, kept until `due_on`.
    Kept {
        /// The day it becomes due.
        due_on: NaiveDate,
    },
    /// Closed and past its period: to be erased.
    Due {
        /// The day it became due.
        due_on: NaiveDate,
    },
    /// Under a legal hold: kept whatever its period says, until the hold is released.
    Held {
        /// The day it would be due without the hold (`None` if it is not closed).
        due_on: Option<NaiveDate>,
    },
}

/// Decides what to do with a case whose life is `life`, under `policy`, on `today`. A closed
/// case with no recorded closing date (none of its status changes names one) is kept: it
/// cannot be shown to be past its period.
pub fn decide(life: &Life, policy: &Policy, held: bool, today: NaiveDate) -> Retention {
    let due = match (life.status, life.closed_on) {
        (Some(CaseStatus::Closed), Some(closed_on)) => {
            Some(due_on(closed_on, policy.years_for(life.outcome.as_deref())))
        }
        _ => None,
    };
    match due {
        _ if held => Retention::Held { due_on: due },
        None => Retention::Open,
        Some(due_on) if due_on <= today => Retention::Due { due_on },
        Some(due_on) => Retention::Kept { due_on },
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use rstest::rstest;
    use serde_json::json;

    use super::*;
    use crate::ids::{CaseId, DeviceId, OpId, UserId};
    use crate::op::{OpKind, SCHEMA_VERSION};

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    fn op(case_id: CaseId, entity: Entity, wall_ms: u64, fields: serde_json::Value) -> Op {
        let device = DeviceId::new();
        Op {
            op_id: OpId::new(),
            case_id,
            entity,
            entity_id: case_id.as_uuid(),
            kind: OpKind::Update,
            fields: serde_json::from_value(fields).expect("fields"),
            replaces: BTreeMap::new(),
            hlc: Hlc {
                wall_ms,
                counter: 0,
                device,
            },
            author: UserId::new(),
            device,
            schema_version: SCHEMA_VERSION,
        }
    }

    #[rstest]
    #[case("2026-11-27", 6, "2032-11-27")]
    #[case("2028-02-29", 1, "2029-02-28")]
    #[case("2028-02-29", 4, "2032-02-29")]
    #[case("2026-01-31", 0, "2026-01-31")]
    fn a_case_is_due_its_period_after_it_closed(#[case] closed: &str, #[case] years: u32, #[case] due: &str) {
        assert_eq!(due_on(day(closed), years), day(due));
    }

    #[test]
    fn a_period_set_for_an_outcome_wins_whatever_its_case_and_spaces() {
        let mut policy = Policy::default();
        policy.by_outcome.insert(outcome_key(" Agreement Kept"), 2);
        assert_eq!(policy.years_for(Some("agreement kept  ")), 2);
        assert_eq!(policy.years_for(Some("withdrew")), DEFAULT_YEARS);
        assert_eq!(policy.years_for(None), DEFAULT_YEARS);
    }

    #[rstest]
    #[case::open(None, false, "2040-01-01", Retention::Open)]
    #[case::kept(Some("2026-11-27"), false, "2032-11-26", Retention::Kept { due_on: day("2032-11-27") })]
    #[case::due_on_the_day(Some("2026-11-27"), false, "2032-11-27", Retention::Due { due_on: day("2032-11-27") })]
    #[case::held_when_due(Some("2026-11-27"), true, "2040-01-01", Retention::Held { due_on: Some(day("2032-11-27")) })]
    #[case::held_while_open(None, true, "2040-01-01", Retention::Held { due_on: None })]
    fn decisions(
        #[case] closed_on: Option<&str>,
        #[case] held: bool,
        #[case] today: &str,
        #[case] expected: Retention,
    ) {
        let life = Life {
            status: Some(if closed_on.is_some() {
                CaseStatus::Closed
            } else {
                CaseStatus::Preparing
            }),
            outcome: Some("agreement kept".into()),
            received_on: None,
            closed_on: closed_on.map(day),
        };
        assert_eq!(decide(&life, &Policy::default(), held, day(today)), expected);
    }

    #[test]
    fn a_closed_case_without_a_closing_date_is_kept() {
        let life = Life {
            status: Some(CaseStatus::Closed),
            ..Life::default()
        };
        assert_eq!(
            decide(&life, &Policy::default(), false, day("2099-01-01")),
            Retention::Open
        );
    }

    #[test]
    fn the_life_of_a_case_follows_the_latest_op_of_each_field_in_any_order() {
        let case = CaseId::new();
        let ops = vec![
            op(
                case,
                Entity::Case,
                1,
                json!({"status": "referred", "received_on": "2026-01-05"}),
            ),
            op(
                case,
                Entity::StatusChange,
                2,
                json!({"to_status": "closed", "date": "2026-03-01"}),
            ),
            op(
                case,
                Entity::Case,
                2,
                json!({"status": "closed", "outcome": "withdrew"}),
            ),
            op(
                case,
                Entity::StatusChange,
                3,
                json!({"to_status": "contacting", "date": "2026-04-01"}),
            ),
            op(
                case,
                Entity::Case,
                3,
                json!({"status": "contacting", "outcome": null}),
            ),
            op(
                case,
                Entity::StatusChange,
                4,
                json!({"to_status": "closed", "date": "2026-05-02"}),
            ),
            op(
                case,
                Entity::Case,
                4,
                json!({"status": "closed", "outcome": "agreement kept"}),
            ),
        ];
        let expected = Life {
            status: Some(CaseStatus::Closed),
            outcome: Some("agreement kept".into()),
            received_on: Some(day("2026-01-05")),
            closed_on: Some(day("2026-05-02")),
        };
        assert_eq!(life(&ops), expected);
        assert_eq!(life(ops.iter().rev()), expected, "order does not matter");
        // Reopened: no clock runs.
        let reopened = life(&ops[..5]);
        assert_eq!(reopened.status, Some(CaseStatus::Contacting));
        assert_eq!(
            decide(&reopened, &Policy::default(), false, day("2099-01-01")),
            Retention::Open
        );
    }
}
