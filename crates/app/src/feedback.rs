//! Follow-up in the app: each party's feedback (taken only with their consent to follow-up),
//! with refusals named by the field to fix.

use casebook_domain::feedback::Satisfaction;
use casebook_domain::{CaseId, FeedbackId, PartyId, RuleError};
use casebook_store::StoreError;
use casebook_store::feedback::{FeedbackView, NewFeedback};
use serde::Deserialize;

use crate::app::App;
use crate::error::AppError;

/// A party's feedback as typed in the form.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
pub struct FeedbackInput {
    /// Whose feedback; `None` when not chosen.
    pub party: Option<PartyId>,
    /// How satisfied they were; `None` when not chosen.
    pub satisfaction: Option<Satisfaction>,
    /// Whether they would recommend it; `None` when not asked.
    pub recommend: Option<bool>,
    /// Their own words.
    pub words: String,
}

fn worded(e: StoreError) -> AppError {
    match e {
        StoreError::Rule(rule @ RuleError::NoFollowUpConsent { .. }) => {
            AppError::in_field("party", format!("{rule} Nothing was recorded."))
        }
        other => other.into(),
    }
}

impl App {
    /// The feedback given on a case, in the order it was taken.
    pub fn feedback(&self, case: CaseId) -> Result<Vec<FeedbackView>, AppError> {
        self.with_store(|store| Ok(store.feedback(case)?))
    }

    /// Records a party's feedback, dated today.
    pub fn record_feedback(&self, case: CaseId, input: FeedbackInput) -> Result<FeedbackId, AppError> {
        let party = input
            .party
            .ok_or_else(|| AppError::in_field("party", "Choose whose feedback this is."))?;
        let satisfaction = input.satisfaction.ok_or_else(|| {
            AppError::in_field("satisfaction", "Choose how satisfied they were with the process.")
        })?;
        let new = NewFeedback {
            party,
            satisfaction,
            recommend: input.recommend,
            words: input.words,
        };
        self.change(
            |a| a.record_feedback,
            |store| store.write(|w| w.record_feedback(case, new)).map_err(worded),
        )
    }
}
