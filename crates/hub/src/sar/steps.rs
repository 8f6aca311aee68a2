//! The steps of a request that the command line (`casebook-hub sar`) and the API (`/v1/sar`)
//! both take, written once so that they find the same records and give the same bytes.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::report::{CaseInput, PartyCandidate, RequestFacts, answer, candidates};
use crate::error::HubError;
use crate::storage::{SarRequest, Storage};

/// The answer to a request as files: what `sar.json` and `sar.pdf` hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerFiles {
    /// `sar.json`: the `SubjectAccess` value, pretty-printed.
    pub json: Vec<u8>,
    /// `sar.pdf`, made from the same value.
    pub pdf: Vec<u8>,
    /// How many cases the answer covers.
    pub cases: usize,
}

/// Every party record of `cases` whose name contains `name`, ignoring letter case and extra
/// spaces, in case order.
pub fn find(cases: &[CaseInput], name: &str) -> Vec<PartyCandidate> {
    let wanted = fold(name);
    candidates(cases)
        .into_iter()
        .filter(|c| fold(&c.name).contains(&wanted))
        .collect()
}

/// The answer to `request` prepared on `today`, rebuilt from the ops the hub holds. A closed
/// request is not answered again.
pub fn answer_files(
    storage: &Storage,
    request: &SarRequest,
    today: NaiveDate,
) -> Result<AnswerFiles, HubError> {
    if request.closed_at_ms.is_some() {
        return Err(HubError::SubjectAccess(format!(
            "{} is closed; open a new request",
            request.reference
        )));
    }
    let cases = storage.case_ops(&request.cases)?;
    let staff: HashMap<_, _> = storage.users()?.into_iter().map(|u| (u.id, u.name)).collect();
    let facts = RequestFacts {
        reference: request.reference.clone(),
        parties: request.parties.iter().copied().collect(),
        received_on: request.received_on,
        due_on: request.due_on,
    };
    let answer = answer(&facts, &cases, &staff, today);
    let json = serde_json::to_vec_pretty(&answer)?;
    let pdf = casebook_documents::subject_access(&answer).map_err(|e| HubError::Document(e.to_string()))?;
    Ok(AnswerFiles {
        json,
        pdf,
        cases: answer.cases.len(),
    })
}

fn fold(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_found_in_any_letter_case_and_spacing() {
        assert_eq!(fold("  Ann   SMITH "), "ann smith");
        assert!(fold("Ann  Smith-Jones").contains(&fold("ann smith")));
    }
}
