//! The caseload's filters, decided on data already read: the store orders by what needs doing
//! next, and filtering keeps that order.

use std::collections::HashSet;

use casebook_domain::CaseId;
use casebook_store::model::CaseSummary;

use crate::dto::CaseloadQuery;

/// Keeps the cases that match every filter of `query`; `matching_text` is the set of cases the
/// text search found (None when there is no text to search for).
pub fn filter(
    cases: Vec<CaseSummary>,
    query: &CaseloadQuery,
    matching_text: Option<&HashSet<CaseId>>,
) -> Vec<CaseSummary> {
    cases
        .into_iter()
        .filter(|c| query.stage.is_none_or(|s| c.stage == s))
        .filter(|c| query.status.is_none_or(|s| c.status == s))
        .filter(|c| query.kind.is_none_or(|k| c.kind == k))
        .filter(|c| query.ids.as_ref().is_none_or(|ids| ids.contains(&c.id)))
        .filter(|c| matching_text.is_none_or(|ids| ids.contains(&c.id) || reference_matches(c, query)))
        .collect()
}

/// A reference typed into the search box finds its case even though references are not in the
/// full-text index.
fn reference_matches(case: &CaseSummary, query: &CaseloadQuery) -> bool {
    query
        .text
        .as_deref()
        .map(str::trim)
        .is_some_and(|t| t.len() >= 3 && case.reference.to_lowercase().contains(&t.to_lowercase()))
}
