//! Queries: a case with its parties and timeline, the records the rules check before a change,
//! finding a record from what a person typed, and full-text search. (The caseload is
//! `crate::caseload`'s.)
//!
//! Here: reading a stored column back into its type, which every query of the store uses.

mod case;
mod records;
mod resolve;
mod search;

use std::str::FromStr;

use rusqlite::Row;

use crate::error::StoreError;

pub(crate) use case::case_detail;
pub(crate) use records::{
    case_record, case_status, consent_events, contact_state, enrolled_role, party_case_and_phone, party_facts,
};
pub(crate) use resolve::{resolve_case, resolve_contact, resolve_party, resolve_record};
pub(crate) use search::search;

/// Reads column `i` as text and parses it, naming the column if the stored text is bad.
pub(crate) fn parse<T: FromStr>(row: &Row<'_>, i: usize) -> rusqlite::Result<T>
where
    T::Err: std::fmt::Display,
{
    let s: String = row.get(i)?;
    s.parse().map_err(|e: T::Err| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.to_string().into())
    })
}

/// Like [`parse`], for a nullable column.
pub(crate) fn parse_opt<T: FromStr>(row: &Row<'_>, i: usize) -> rusqlite::Result<Option<T>>
where
    T::Err: std::fmt::Display,
{
    let s: Option<String> = row.get(i)?;
    s.map(|s| {
        s.parse().map_err(|e: T::Err| {
            rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.to_string().into())
        })
    })
    .transpose()
}

/// A list of ids in its stored form (a JSON list of strings, kept as text): the inverse of
/// [`parse_ids`].
pub(crate) fn ids_text<T: serde::Serialize>(ids: &[T]) -> Result<String, StoreError> {
    serde_json::to_string(ids).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub(crate) fn parse_ids<T: FromStr>(json: &str) -> Result<Vec<T>, StoreError> {
    let texts: Vec<String> = serde_json::from_str(json).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    texts
        .iter()
        .map(|t| {
            t.parse()
                .map_err(|_| StoreError::Corrupt(format!("bad id {t:?}")))
        })
        .collect()
}
