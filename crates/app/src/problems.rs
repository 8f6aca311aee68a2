//! Changes that did not sync, and why: ops written here that the hub refused, and ops from the
//! hub this store set aside, each named by its case's reference and its kind of record.

use std::collections::HashMap;

use casebook_domain::Entity;
use casebook_store::{CaseFilter, RejectedOp, SetAsideOp};
use chrono::{DateTime, NaiveDate, TimeZone};
use serde::Serialize;

use crate::app::App;
use crate::error::AppError;

/// A change written on this laptop that the hub refused: it stays here, and is not on the hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
pub struct RefusedChange {
    /// The op (a stable key for a list).
    pub op_id: String,
    /// Its case's id.
    pub case_id: String,
    /// Its case's reference, when the case is on this laptop.
    pub reference: Option<String>,
    /// The kind of record it changed, in people's words ("consent event").
    pub record: String,
    /// Why the hub refused it.
    pub reason: String,
}

/// A change from the hub this laptop could not apply: set aside with its reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
pub struct SetAsideChange {
    /// The op (a stable key for a list).
    pub op_id: String,
    /// Its case's id.
    pub case_id: String,
    /// Its case's reference, when the case is on this laptop.
    pub reference: Option<String>,
    /// The kind of record it would have changed, in people's words.
    pub record: String,
    /// The refusal's stable name (docs/protocol.md).
    pub code: String,
    /// Why it was not applied.
    pub reason: String,
    /// When it was set aside (RFC 3339).
    pub set_aside_at: String,
    /// The day it was set aside on this laptop's calendar (none if the moment is unreadable).
    pub set_aside_on: Option<NaiveDate>,
}

/// Every change that did not sync, as the Conflicts screen lists them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
pub struct SyncProblems {
    /// Written here, refused by the hub; oldest first.
    pub refused: Vec<RefusedChange>,
    /// Received from the hub, not applied here; newest first.
    pub set_aside: Vec<SetAsideChange>,
}

/// Names the store's lists for people: `references` maps case ids to the references of the
/// cases held here, and `zone` is the calendar the set-aside dates are told in.
pub fn describe<Tz: TimeZone>(
    refused: Vec<RejectedOp>,
    set_aside: Vec<SetAsideOp>,
    references: &HashMap<String, String>,
    zone: &Tz,
) -> SyncProblems {
    let reference = |case_id: &str| references.get(case_id).cloned();
    SyncProblems {
        refused: refused
            .into_iter()
            .map(|op| RefusedChange {
                reference: reference(&op.case_id),
                record: record_label(&op.entity),
                op_id: op.op_id,
                case_id: op.case_id,
                reason: op.reason,
            })
            .collect(),
        set_aside: set_aside
            .into_iter()
            .map(|op| SetAsideChange {
                reference: reference(&op.case_id),
                record: record_label(&op.entity),
                set_aside_on: DateTime::parse_from_rfc3339(&op.set_aside_at)
                    .ok()
                    .map(|at| at.with_timezone(zone).date_naive()),
                op_id: op.op_id,
                case_id: op.case_id,
                code: op.code,
                reason: op.reason,
                set_aside_at: op.set_aside_at,
            })
            .collect(),
    }
}

/// The domain's label of a stored entity name; a name this version does not know (an op from a
/// newer Casebook) is shown as it is.
fn record_label(stored: &str) -> String {
    stored
        .parse::<Entity>()
        .map_or_else(|_| stored.to_owned(), |entity| entity.label().to_owned())
}

impl App {
    /// The changes that did not sync, with their reasons, for the Conflicts screen.
    pub fn sync_problems(&self) -> Result<SyncProblems, AppError> {
        self.with_store(|store| {
            let refused = store.rejected_ops()?;
            let set_aside = store.set_aside_ops()?;
            // The caseload is read only when there is something to name.
            let references: HashMap<String, String> = if refused.is_empty() && set_aside.is_empty() {
                HashMap::new()
            } else {
                store
                    .list_cases(CaseFilter { include_closed: true })?
                    .into_iter()
                    .map(|case| (case.id.to_string(), case.reference))
                    .collect()
            };
            Ok(describe(refused, set_aside, &references, &chrono::Local))
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::{FixedOffset, Utc};

    use super::*;

    fn refused(case_id: &str, entity: &str) -> RejectedOp {
        RejectedOp {
            op_id: "op-1".into(),
            case_id: case_id.into(),
            entity: entity.into(),
            reason: "the contact was finalised and never changes; record an amendment instead".into(),
        }
    }

    fn set_aside(case_id: &str, entity: &str, at: &str) -> SetAsideOp {
        SetAsideOp {
            op_id: "op-2".into(),
            case_id: case_id.into(),
            entity: entity.into(),
            code: "malformed".into(),
            reason: "a case's \"reference\" has a value it cannot have".into(),
            set_aside_at: at.into(),
        }
    }

    #[test]
    fn each_change_is_named_by_its_case_reference_and_record_label() {
        let references = HashMap::from([("case-a".to_owned(), "RJ-2026-0042".to_owned())]);
        let problems = describe(
            vec![refused("case-a", "contact"), refused("case-gone", "consent")],
            vec![set_aside("case-a", "status_change", "2026-11-27T09:00:00Z")],
            &references,
            &Utc,
        );
        let named: Vec<_> = problems
            .refused
            .iter()
            .map(|c| (c.reference.as_deref(), c.record.as_str()))
            .collect();
        assert_eq!(
            named,
            [(Some("RJ-2026-0042"), "contact"), (None, "consent event")],
            "a case not held here has no reference"
        );
        assert!(problems.refused[0].reason.contains("finalised"));
        let aside = &problems.set_aside[0];
        assert_eq!(
            (
                aside.reference.as_deref(),
                aside.record.as_str(),
                aside.code.as_str()
            ),
            (Some("RJ-2026-0042"), "status change", "malformed")
        );
        assert_eq!(aside.set_aside_on, NaiveDate::from_ymd_opt(2026, 11, 27));
    }

    #[test]
    fn a_set_aside_date_is_the_day_on_this_laptops_calendar() {
        let late = vec![set_aside("c", "case", "2026-11-26T23:30:00Z")];
        let none = HashMap::new();
        let utc = describe(Vec::new(), late.clone(), &none, &Utc);
        assert_eq!(
            utc.set_aside[0].set_aside_on,
            NaiveDate::from_ymd_opt(2026, 11, 26)
        );
        let east = FixedOffset::east_opt(3600).unwrap();
        let ahead = describe(Vec::new(), late, &none, &east);
        assert_eq!(
            ahead.set_aside[0].set_aside_on,
            NaiveDate::from_ymd_opt(2026, 11, 27)
        );
    }

    #[test]
    fn a_record_kind_or_moment_this_version_cannot_read_is_shown_as_it_is() {
        let odd = describe(
            Vec::new(),
            vec![set_aside("c", "meeting", "yesterday")],
            &HashMap::new(),
            &Utc,
        );
        assert_eq!(odd.set_aside[0].record, "meeting");
        assert_eq!(odd.set_aside[0].set_aside_on, None);
        assert_eq!(odd.set_aside[0].set_aside_at, "yesterday");
    }
}
