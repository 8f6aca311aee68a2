//! A case erased under the retention policy: the hub orders it, and this laptop removes every
//! trace of it from the store, its own unsent work included.

use casebook_domain::CaseId;
use rusqlite::params;

use crate::Store;
use crate::error::StoreError;

/// The full-text indexes: external-content FTS5 tables, whose deleted entries stay in their
/// segments until a merge.
const FTS_TABLES: &[&str] = &["cases_fts", "parties_fts", "contacts_fts"];

/// Merges every segment of each search index into one, leaving out deleted entries.
pub(super) fn merge_search_indexes(tx: &rusqlite::Transaction<'_>) -> Result<(), StoreError> {
    for fts in FTS_TABLES {
        tx.execute(&format!("INSERT INTO {fts} ({fts}) VALUES ('optimize')"), [])?;
    }
    Ok(())
}

impl Store {
    /// Erases `case` from this store, whatever state it is in: its records (drafts included),
    /// every op of its log (unsent and refused ones too: the hub will never take them), its
    /// conflicts, set-aside and waiting ops, and its search index entries, in one transaction
    /// with freed pages zeroed (`secure_delete`); then the search indexes are merged so no old
    /// segment still holds its words, and the WAL is emptied into the database file. Returns
    /// whether the store held anything of it.
    pub fn erase_case(&mut self, case: CaseId) -> Result<bool, StoreError> {
        let id = case.to_string();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut erased = 0;
        // Children before parents; the case itself goes last.
        for table in crate::apply::tables().rev() {
            let key = if table == "cases" { "id" } else { "case_id" };
            tx.execute(
                &format!(
                    "DELETE FROM field_versions WHERE entity_id IN (SELECT id FROM {table} WHERE {key} = ?1)"
                ),
                params![id],
            )?;
            erased += tx.execute(&format!("DELETE FROM {table} WHERE {key} = ?1"), params![id])?;
        }
        erased += tx.execute("DELETE FROM ops WHERE case_id = ?1", params![id])?;
        erased += tx.execute("DELETE FROM conflicts WHERE case_id = ?1", params![id])?;
        erased += tx.execute("DELETE FROM set_aside_ops WHERE case_id = ?1", params![id])?;
        erased += tx.execute(
            "DELETE FROM orphan_ops WHERE json_extract(op, '$.case_id') = ?1",
            params![id],
        )?;
        // The delete triggers only record deletions in new segments: the words stay in the
        // old ones until a merge. `optimize` merges every segment into one, without them.
        merge_search_indexes(&tx)?;
        tx.commit()?;
        // Old page images wait in the WAL (encrypted, but readable with the key) until a
        // checkpoint copies the new ones over them; TRUNCATE empties it. Another connection
        // reading at this moment can delay that to a later checkpoint, which is harmless.
        let busy: i64 = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        if busy != 0 {
            tracing::warn!("the WAL could not be emptied after erasing a case; a later checkpoint will");
        }
        tracing::info!(case = %case, held = erased > 0, "case erased by a purge order");
        Ok(erased > 0)
    }
}

#[cfg(test)]
mod tests {
    use casebook_domain::{CaseId, CaseStatus, ContactKind, JusticeStage, PartyRole, ReferralSource};
    use chrono::NaiveDate;

    use crate::model::NewContact;
    use crate::test_laptops::*;

    /// A word no other text of the test shares a prefix with, so the search index stores it
    /// whole; the scan looks for its tail, past any prefix the index could share.
    const MARKER: &str = "zqxwvmarker";
    const TAIL: &[u8] = b"xwvmarker";

    /// Every table's every value, as bytes, that holds the marker's tail: the FTS5 shadow
    /// tables (`*_fts_data`) included, whose segments keep deleted words until a merge.
    fn tables_holding_marker(store: &crate::Store) -> Vec<String> {
        let names: Vec<String> = store
            .conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'")
            .expect("tables")
            .query_map([], |r| r.get(0))
            .expect("query")
            .collect::<Result<_, _>>()
            .expect("rows");
        let mut found = Vec::new();
        for name in names {
            let mut stmt = store
                .conn
                .prepare(&format!("SELECT * FROM \"{name}\""))
                .expect("select");
            let columns = stmt.column_count();
            let mut rows = stmt.query([]).expect("rows");
            while let Some(row) = rows.next().expect("row") {
                for i in 0..columns {
                    let bytes = match row.get_ref(i).expect("value") {
                        rusqlite::types::ValueRef::Text(b) | rusqlite::types::ValueRef::Blob(b) => b.to_vec(),
                        _ => continue,
                    };
                    if bytes.windows(TAIL.len()).any(|w| w == TAIL) && !found.contains(&name) {
                        found.push(name.clone());
                    }
                }
            }
        }
        found
    }

    fn rows_of(store: &crate::Store, case: CaseId) -> i64 {
        let mut total = 0;
        for table in crate::apply::tables() {
            let key = if table == "cases" { "id" } else { "case_id" };
            let n: i64 = store
                .conn
                .query_row(
                    &format!("SELECT count(*) FROM {table} WHERE {key} = ?1"),
                    [case.to_string()],
                    |r| r.get(0),
                )
                .expect("count");
            total += n;
        }
        for table in ["ops", "conflicts", "set_aside_ops"] {
            let n: i64 = store
                .conn
                .query_row(
                    &format!("SELECT count(*) FROM {table} WHERE case_id = ?1"),
                    [case.to_string()],
                    |r| r.get(0),
                )
                .expect("count");
            total += n;
        }
        total
    }

    #[test]
    fn an_erased_case_leaves_no_row_and_no_word_in_the_search_index() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 20).expect("day");
        let mut sam = laptop(Some(("Sam", "facilitator", Some("north"))));
        let (case, other) = sam.on(day, |w| {
            let mut new = referral(ReferralSource::Police, JusticeStage::OutOfCourt, day);
            new.summary = format!("Summary {MARKER}");
            let case = w.create_case(new)?.id;
            let party = w.add_party(case, party(&format!("Ann {MARKER}"), PartyRole::Victim))?;
            let contact = w.add_contact(
                case,
                NewContact {
                    party_ids: vec![party],
                    kind: ContactKind::Visit,
                    date: day,
                    notes: format!("first draft {MARKER}"),
                    initiated_by_party: false,
                    draft: true,
                    amends: None,
                    shareable: None,
                },
            )?;
            // Autosaves: each leaves the old words behind in the index's segments.
            w.save_draft(contact, &format!("second draft {MARKER} more"))?;
            w.save_draft(contact, "third draft, the marker gone")?;
            w.change_status(case, CaseStatus::Closed, Some("agreement kept"))?;
            let other = w
                .create_case(referral(ReferralSource::Police, JusticeStage::OutOfCourt, day))?
                .id;
            Ok((case, other))
        });
        let before = tables_holding_marker(&sam.store);
        assert!(
            before.iter().any(|t| t == "contacts_fts_data") && before.iter().any(|t| t == "ops"),
            "the scan must see the marker where it is before the purge: {before:?}"
        );

        assert!(sam.store.erase_case(case).expect("erase"), "it held the case");
        assert_eq!(tables_holding_marker(&sam.store), Vec::<String>::new());
        assert_eq!(rows_of(&sam.store, case), 0);
        assert!(rows_of(&sam.store, other) > 0, "another case is untouched");
        assert_eq!(sam.store.held_cases().expect("held"), vec![other]);
        assert!(
            !sam.store.erase_case(case).expect("again"),
            "nothing is left to erase"
        );
        // Search still works for what remains.
        let hits: i64 = sam
            .store
            .conn
            .query_row(
                "SELECT count(*) FROM cases_fts WHERE cases_fts MATCH 'referral'",
                [],
                |r| r.get(0),
            )
            .expect("search");
        assert_eq!(hits, 1);
    }
}
