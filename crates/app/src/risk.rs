//! A case's risk and safety assessment in the app: the facilitator drafts, submits and records
//! a change of circumstances; a supervisor approves or returns it. The store decides where an
//! assessment stands; this module checks who may act and words the refusals for a window.

use casebook_domain::risk::{RiskFactor, SignOffDecision};
use casebook_domain::{CaseId, RiskAssessmentId};
use casebook_store::risk::{NewRiskAssessment, RiskAssessment, RiskEdit};

use crate::app::{App, nonempty};
use crate::dto::RiskInput;
use crate::error::{AppError, ErrorCode};

/// Factors in words, as a sentence lists them ("violence and mental health").
fn listed(factors: &[RiskFactor]) -> String {
    let words: Vec<&str> = factors.iter().map(|f| f.label()).collect();
    match words.as_slice() {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn trimmed_notes(input: RiskInput) -> RiskInput {
    RiskInput {
        factors: input
            .factors
            .into_iter()
            .map(|(f, mut a)| {
                a.note = a.note.trim().to_owned();
                (f, a)
            })
            .collect(),
        ..input
    }
}

impl App {
    /// A case's risk assessments, newest (the one a meeting relies on) first.
    pub fn risk_assessments(&self, case: CaseId) -> Result<Vec<RiskAssessment>, AppError> {
        self.with_store(|store| Ok(store.risk_assessments(case)?))
    }

    /// Starts a case's risk assessment, as a draft (factors may be left for later).
    pub fn new_risk_assessment(&self, case: CaseId, input: RiskInput) -> Result<RiskAssessmentId, AppError> {
        let input = trimmed_notes(input);
        let rating = input
            .rating
            .ok_or_else(|| AppError::invalid("Choose the overall rating: low, medium or high."))?;
        self.change(
            |a| a.write_risk,
            |store| {
                Ok(store.write(|w| {
                    w.new_risk_assessment(
                        case,
                        NewRiskAssessment {
                            rating,
                            factors: input.factors,
                            mitigations: input.mitigations,
                        },
                    )
                })?)
            },
        )
    }

    /// Saves changes to an assessment. A submitted or approved one goes back to draft: what a
    /// supervisor approved is no longer what it says.
    pub fn edit_risk_assessment(&self, id: RiskAssessmentId, input: RiskInput) -> Result<(), AppError> {
        let input = trimmed_notes(input);
        self.change(
            |a| a.write_risk,
            |store| {
                Ok(store.write(|w| {
                    w.edit_risk_assessment(
                        id,
                        RiskEdit {
                            rating: input.rating,
                            factors: input.factors,
                            mitigations: Some(input.mitigations),
                        },
                    )
                })?)
            },
        )
    }

    /// Submits an assessment for a supervisor's sign-off; refused, naming them, while any
    /// factor is not assessed.
    pub fn submit_risk_assessment(&self, id: RiskAssessmentId) -> Result<(), AppError> {
        self.change(|a| a.write_risk, |store| {
            let missing = store.risk_assessment(id)?.missing_factors;
            if !missing.is_empty() {
                let verb = if missing.len() == 1 { "is" } else { "are" };
                return Err(AppError::new(
                    ErrorCode::Rule,
                    format!(
                        "Assess every risk factor before submitting it for sign-off: {} {verb} not assessed yet. \
                         Nothing was submitted.",
                        listed(&missing)
                    ),
                ));
            }
            Ok(store.write(|w| w.submit_risk_assessment(id))?)
        })
    }

    /// A supervisor approves or returns a submitted assessment; returning needs a comment (a
    /// refusal names the comment's field, `note`).
    pub fn sign_off_risk_assessment(
        &self,
        id: RiskAssessmentId,
        decision: SignOffDecision,
        note: Option<String>,
    ) -> Result<(), AppError> {
        let note = nonempty(note);
        if decision == SignOffDecision::Returned && note.is_none() {
            return Err(crate::signoffs::comment_needed("risk assessment"));
        }
        self.supervise(
            "Only a supervisor of the case's team signs off a risk assessment; submit it for sign-off instead.",
            |a| a.sign_off,
            |store| {
                store.write(|w| w.sign_off_risk_assessment(id, decision, note.as_deref()))?;
                Ok(())
            },
        )
    }

    /// Records that circumstances changed after an approval: the assessment stops being
    /// current until it is revised and approved again.
    pub fn change_of_circumstances(&self, id: RiskAssessmentId, what: String) -> Result<(), AppError> {
        let what = nonempty(Some(what)).ok_or_else(|| AppError::invalid("Say what changed."))?;
        self.change(
            |a| a.write_risk,
            |store| Ok(store.write(|w| w.change_of_circumstances(id, &what))?),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn factors_are_listed_as_a_sentence() {
        assert_eq!(listed(&[RiskFactor::Violence]), "history of violence");
        assert_eq!(
            listed(&[
                RiskFactor::Revictimisation,
                RiskFactor::Violence,
                RiskFactor::MentalHealth
            ]),
            "re-victimisation, history of violence and mental health"
        );
    }
}
