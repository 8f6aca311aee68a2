//! Cases that left this user's scope: removed once nothing of theirs waits to be pushed.

use casebook_domain::CaseId;
use rusqlite::params;

use crate::Store;
use crate::error::StoreError;

impl Store {
    /// Ops of `case` not yet pushed.
    pub fn pending_for_case(&self, case: CaseId) -> Result<u64, StoreError> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM ops WHERE case_id = ?1 AND push_state = 0",
            params![case.to_string()],
            |r| r.get(0),
        )?;
        Ok(n.unsigned_abs())
    }

    /// Removes a case that left this user's scope, with its whole history. Refused (false)
    /// while it has ops not yet pushed: nothing written here is dropped before the hub has it.
    pub fn purge_case(&mut self, case: CaseId) -> Result<bool, StoreError> {
        if self.pending_for_case(case)? > 0 {
            return Ok(false);
        }
        let id = case.to_string();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM field_versions WHERE entity_id = ?1", params![id])?;
        // Children before parents; the case itself goes last, below.
        for table in crate::apply::tables().rev().filter(|t| *t != "cases") {
            tx.execute(
                &format!("DELETE FROM field_versions WHERE entity_id IN (SELECT id FROM {table} WHERE case_id = ?1)"),
                params![id],
            )?;
            tx.execute(&format!("DELETE FROM {table} WHERE case_id = ?1"), params![id])?;
        }
        tx.execute("DELETE FROM conflicts WHERE case_id = ?1", params![id])?;
        // Ops the hub refused stay, with their reasons: they are this laptop's own work, which
        // exists nowhere else (`verify` replays them only while their case is here).
        tx.execute(
            "DELETE FROM ops WHERE case_id = ?1 AND push_state IS NOT 2",
            params![id],
        )?;
        tx.execute("DELETE FROM set_aside_ops WHERE case_id = ?1", params![id])?;
        tx.execute(
            "DELETE FROM orphan_ops WHERE json_extract(op, '$.case_id') = ?1",
            params![id],
        )?;
        tx.execute("DELETE FROM cases WHERE id = ?1", params![id])?;
        // Its words would otherwise stay in the search index's old segments.
        super::erase::merge_search_indexes(&tx)?;
        tx.commit()?;
        tracing::info!(case = %case, "case left this user's scope and was removed");
        Ok(true)
    }
}
