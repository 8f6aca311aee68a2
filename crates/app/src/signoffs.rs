//! The sign-off queue in the app: what waits for a supervisor's answer, read from the store's
//! one derivation of it (`Store::signoffs`), and the court report's answer (a risk
//! assessment's is in `risk.rs`). Answers are written offline and reach the facilitator with
//! the next sync.

use casebook_domain::risk::SignOffDecision;
use casebook_domain::{CaseId, RuleError};
use casebook_store::StoreError;
use casebook_store::signoffs::WaitingSignOff;

use crate::app::{App, nonempty};
use crate::error::AppError;

/// The form field a sign-off's comment is typed in, named in a refusal.
pub(crate) const COMMENT_FIELD: &str = "note";

/// A return with nothing said, refused beside the comment field.
pub(crate) fn comment_needed(what: &str) -> AppError {
    AppError::in_field(
        COMMENT_FIELD,
        format!("Say what should change before returning the {what}. Nothing was sent back."),
    )
}

impl App {
    /// Everything held on this laptop waiting for a supervisor's answer, oldest first: a
    /// supervisor's team's and a coordinator's whole service's submissions (a facilitator's
    /// own, still waiting).
    pub fn signoffs(&self) -> Result<Vec<WaitingSignOff>, AppError> {
        self.with_store(|store| Ok(store.signoffs()?))
    }

    /// A supervisor approves or returns a case's submitted court report; returning needs a
    /// comment saying what should change.
    pub fn sign_off_court_report(
        &self,
        case: CaseId,
        decision: SignOffDecision,
        note: Option<String>,
    ) -> Result<(), AppError> {
        let note = nonempty(note);
        if decision == SignOffDecision::Returned && note.is_none() {
            return Err(comment_needed("court report"));
        }
        self.supervise(
            "Only a supervisor of the case's team signs off a court report; submit it for sign-off instead.",
            |a| a.sign_off,
            |store| {
                store
                    .write(|w| w.sign_off_court_report(case, decision, note.as_deref()))
                    .map_err(|e| match e {
                        // Answered on another laptop, or revised since: the queue was stale.
                        StoreError::Rule(RuleError::NotSubmitted { .. }) => AppError::new(
                            crate::ErrorCode::Rule,
                            "This court report is no longer waiting for a sign-off: it was answered or \
                             revised since. Nothing was changed.",
                        ),
                        other => other.into(),
                    })?;
                Ok(())
            },
        )
    }
}
