//! The caseload as the app reads it: a page of it, one case whole, and the filters, decided on
//! data already read: the store orders by what needs doing next, and filtering keeps that order.

use std::collections::HashSet;

use casebook_domain::CaseId;
use casebook_store::model::{CaseDetail, CaseSummary};
use casebook_store::{CaseFilter, Window};

use crate::app::App;
use crate::dto::{CaseloadPage, CaseloadQuery};
use crate::error::AppError;

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

impl App {
    /// The caseload, what needs doing next first, filtered, and at most `query.limit` of it.
    /// Unfiltered (the screen as it opens), the store reads only that window.
    pub fn caseload(&self, query: CaseloadQuery) -> Result<CaseloadPage, AppError> {
        self.with_store(|store| {
            let filter = CaseFilter {
                // A figure's cases may include closed ones (first contacts over a quarter).
                include_closed: query.include_closed
                    || query.ids.is_some()
                    || query.status == Some(casebook_domain::CaseStatus::Closed),
            };
            let text = query.text.as_deref().map(str::trim).filter(|t| !t.is_empty());
            let unfiltered = text.is_none()
                && query.stage.is_none()
                && query.status.is_none()
                && query.kind.is_none()
                && query.ids.is_none();
            if let (true, Some(limit)) = (unfiltered, query.limit) {
                let (cases, total) = store.caseload_window(filter, Window { offset: 0, limit })?;
                return Ok(CaseloadPage { cases, total });
            }
            let found: Option<HashSet<CaseId>> = match text {
                Some(t) => Some(store.search(t, 1000)?.into_iter().map(|h| h.case_id).collect()),
                None => None,
            };
            let mut cases = crate::caseload::filter(store.list_cases(filter)?, &query, found.as_ref());
            let total = u32::try_from(cases.len()).unwrap_or(u32::MAX);
            if let Some(limit) = query.limit {
                cases.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            }
            Ok(CaseloadPage { cases, total })
        })
    }

    /// One case with its parties, consents and timeline.
    pub fn case_detail(&self, case: CaseId) -> Result<CaseDetail, AppError> {
        self.with_store(|store| Ok(store.case_detail(case)?))
    }
}
