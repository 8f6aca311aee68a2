//! The agreement reached at a held meeting, in the app: its actions (what, by whom, by when),
//! how each party agreed and the review date; then follow-up reviews that set how far each
//! action has got. The store keeps and checks it; this module shapes the form's input and
//! names the field at fault.

use casebook_domain::agreement::{Action, ActionStatus};
use casebook_domain::{AgreementId, CaseId, MeetingId};
use casebook_store::report::AgreementView;
use chrono::NaiveDate;
use serde::Deserialize;

use crate::app::App;
use crate::error::AppError;

/// One action as typed: what, by whom (a party's name, or the service) and by when.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
pub struct ActionInput {
    /// What will be done.
    pub what: String,
    /// Who does it.
    pub by: String,
    /// By when.
    pub due: Option<NaiveDate>,
}

/// An agreement as typed in the form.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
pub struct AgreementInput {
    /// The held meeting it was reached at.
    pub meeting: Option<MeetingId>,
    /// The actions, in order.
    pub actions: Vec<ActionInput>,
    /// How each party agreed ("read back and agreed aloud; both signed").
    pub how_agreed: String,
    /// When it will first be reviewed.
    pub review_on: Option<NaiveDate>,
}

/// A follow-up review: every action's status, in order, and the next review date.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
pub struct ReviewInput {
    /// Each action's status now, in the agreement's order.
    pub statuses: Vec<ActionStatus>,
    /// The next review, if one is planned.
    pub next_review: Option<NaiveDate>,
}

/// The typed actions as the domain's, or the first one at fault named by its field
/// (`action-1-what`, `action-2-due`…), so the form puts the message beside it.
fn actions(input: &[ActionInput]) -> Result<Vec<Action>, AppError> {
    if input.is_empty() {
        return Err(AppError::in_field(
            "action-1-what",
            "Write at least one action: an agreement agrees something.",
        ));
    }
    input
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let n = i + 1;
            let what = a.what.trim();
            if what.is_empty() {
                return Err(AppError::in_field(
                    &format!("action-{n}-what"),
                    format!("Action {n}: say what will be done."),
                ));
            }
            let by = a.by.trim();
            if by.is_empty() {
                return Err(AppError::in_field(
                    &format!("action-{n}-by"),
                    format!("Action {n}: choose who does it."),
                ));
            }
            let due = a.due.ok_or_else(|| {
                AppError::in_field(&format!("action-{n}-due"), format!("Action {n}: enter by when."))
            })?;
            Ok(Action {
                what: what.to_owned(),
                by: by.to_owned(),
                due,
                status: ActionStatus::Open,
            })
        })
        .collect()
}

impl App {
    /// The agreements of a case, newest first, with how their actions stand today.
    pub fn agreements(&self, case: CaseId) -> Result<Vec<AgreementView>, AppError> {
        self.with_store(|store| Ok(store.agreements(case)?))
    }

    /// Records the agreement reached at a held meeting.
    pub fn record_agreement(&self, case: CaseId, input: AgreementInput) -> Result<AgreementId, AppError> {
        let actions = actions(&input.actions)?;
        self.change(
            |a| a.write_agreements,
            |store| {
                Ok(store.write(|w| {
                    w.record_agreement(case, input.meeting, actions, &input.how_agreed, input.review_on)
                })?)
            },
        )
    }

    /// A follow-up review: how far each action has got, and the next review date.
    pub fn review_agreement(&self, id: AgreementId, input: ReviewInput) -> Result<(), AppError> {
        let statuses: Vec<(usize, ActionStatus)> = input
            .statuses
            .into_iter()
            .enumerate()
            .map(|(i, s)| (i + 1, s))
            .collect();
        self.change(
            |a| a.write_agreements,
            |store| Ok(store.write(|w| w.review_agreement(id, &statuses, input.next_review))?),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(what: &str, by: &str, due: Option<NaiveDate>) -> ActionInput {
        ActionInput {
            what: what.into(),
            by: by.into(),
            due,
        }
    }

    #[test]
    fn the_first_action_at_fault_is_named_by_its_field() {
        let day = NaiveDate::from_ymd_opt(2027, 1, 15);
        assert_eq!(actions(&[]).unwrap_err().field.as_deref(), Some("action-1-what"));
        let e = actions(&[typed("Fence", "Bob", day), typed("Letter", " ", day)]).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("action-2-by"));
        let e = actions(&[typed("Fence", "Bob", None)]).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("action-1-due"));
        let ok = actions(&[typed("  Repair the fence ", "Bob", day)]).unwrap();
        assert_eq!(
            (ok[0].what.as_str(), ok[0].status),
            ("Repair the fence", ActionStatus::Open)
        );
    }
}
