//! Finding a record from what a person typed: an id, a unique id prefix, a case's reference or a
//! party's name.

use std::str::FromStr;

use casebook_domain::{CaseId, PartyId};
use rusqlite::{Connection, params};

use crate::error::StoreError;

/// Finds a case by id, reference, or unique id prefix.
pub(crate) fn resolve_case(conn: &Connection, given: &str) -> Result<CaseId, StoreError> {
    let given = given.trim();
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM cases WHERE id = ?1 OR reference = ?1 COLLATE NOCASE
         UNION SELECT id FROM cases WHERE length(?1) >= 6 AND id LIKE ?1 || '%' LIMIT 5",
    )?;
    let ids: Vec<String> = stmt
        .query_map(params![given], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    one_of("case", given, ids)
}

/// Finds a party of a case by id, unique id prefix, or exact name (case-insensitive).
pub(crate) fn resolve_party(conn: &Connection, case: CaseId, given: &str) -> Result<PartyId, StoreError> {
    let given = given.trim();
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM parties WHERE case_id = ?1
           AND (id = ?2 OR name = ?2 COLLATE NOCASE OR (length(?2) >= 6 AND id LIKE ?2 || '%'))
         LIMIT 5",
    )?;
    let ids: Vec<String> = stmt
        .query_map(params![case.to_string(), given], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    one_of("party of this case", given, ids)
}

/// Finds a contact by id or unique id prefix.
pub(crate) fn resolve_contact(
    conn: &Connection,
    given: &str,
) -> Result<casebook_domain::ContactId, StoreError> {
    resolve_record(conn, casebook_domain::Entity::Contact, given)
}

/// Finds a record of `entity` by id or a unique id prefix (at least six characters).
pub(crate) fn resolve_record<T: FromStr>(
    conn: &Connection,
    entity: casebook_domain::Entity,
    given: &str,
) -> Result<T, StoreError> {
    let given = given.trim();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT id FROM {} WHERE id = ?1 OR (length(?1) >= 6 AND id LIKE ?1 || '%') LIMIT 5",
        crate::apply::table(entity)
    ))?;
    let ids: Vec<String> = stmt
        .query_map(params![given], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    one_of(entity.label(), given, ids)
}

pub(crate) fn one_of<T: FromStr>(what: &'static str, given: &str, ids: Vec<String>) -> Result<T, StoreError> {
    match ids.as_slice() {
        [] => Err(StoreError::NotFound {
            what,
            given: given.to_owned(),
        }),
        [one] => one
            .parse()
            .map_err(|_| StoreError::Corrupt(format!("bad {what} id"))),
        many => Err(StoreError::Ambiguous {
            what,
            given: given.to_owned(),
            candidates: many.join(", "),
        }),
    }
}
