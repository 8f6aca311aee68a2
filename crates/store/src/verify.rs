//! `verify`: the cipher's page authentication, SQLite's own integrity check, foreign keys, and
//! proof that replaying the op log rebuilds exactly the tables.

use rusqlite::Connection;
use rusqlite::types::Value;
use serde::Serialize;

use crate::error::StoreError;

/// The tables the op log must rebuild: every record table and the field versions.
pub(crate) fn rebuilt() -> impl Iterator<Item = &'static str> {
    crate::apply::tables().chain(["field_versions"])
}

/// What `verify` found. `ok` only if every list is empty.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct VerifyReport {
    /// True when nothing is wrong.
    pub ok: bool,
    /// Pages whose authentication failed.
    pub cipher_errors: Vec<String>,
    /// SQLite integrity problems.
    pub integrity_errors: Vec<String>,
    /// Rows pointing at missing records.
    pub foreign_key_errors: usize,
    /// Ops in the log.
    pub ops: usize,
    /// Records that differ between the tables and a replay of the op log.
    pub replay_mismatches: Vec<String>,
    /// Ops from the hub set aside (not applied, kept with their reason): reported, not a fault
    /// of this store.
    pub set_aside_ops: usize,
}

fn strings(conn: &Connection, sql: &str) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([], |r| r.get::<_, Value>(0))?;
    let mut out = Vec::new();
    for row in rows {
        out.push(match row? {
            Value::Text(s) => s,
            other => format!("{other:?}"),
        });
    }
    Ok(out)
}

pub(crate) fn rows(conn: &Connection, table: &str) -> Result<Vec<Vec<Value>>, StoreError> {
    let cols: Vec<String> = strings(
        conn,
        &format!("SELECT name FROM pragma_table_info('{table}') WHERE name <> 'rid'"),
    )?;
    let order = if table == "field_versions" {
        "entity_id, field"
    } else {
        "id"
    };
    let mut stmt = conn.prepare(&format!(
        "SELECT {} FROM {table} ORDER BY {order}",
        cols.join(", ")
    ))?;
    let n = cols.len();
    let rows = stmt.query_map([], |r| {
        (0..n)
            .map(|i| r.get::<_, Value>(i))
            .collect::<Result<Vec<_>, _>>()
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn verify(conn: &Connection) -> Result<VerifyReport, StoreError> {
    let cipher_errors = strings(conn, "PRAGMA cipher_integrity_check")?;
    let damaged = |detail: String| VerifyReport {
        ok: false,
        cipher_errors: cipher_errors.clone(),
        integrity_errors: vec![detail],
        foreign_key_errors: 0,
        ops: 0,
        replay_mismatches: Vec::new(),
        set_aside_ops: 0,
    };
    if !cipher_errors.is_empty() {
        // Damaged pages make every later check fail on them: report what the cipher found.
        return Ok(damaged("not checked: pages failed authentication".into()));
    }
    match checks(conn, cipher_errors.clone()) {
        Err(StoreError::Damaged { detail }) => Ok(damaged(detail)),
        other => other,
    }
}

fn checks(conn: &Connection, cipher_errors: Vec<String>) -> Result<VerifyReport, StoreError> {
    let mut integrity_errors: Vec<String> = strings(conn, "PRAGMA integrity_check")?
        .into_iter()
        .filter(|s| s != "ok")
        .collect();
    // The full-text indexes must match the rows they index (rank 1: compare with the content).
    for fts in ["cases_fts", "parties_fts", "contacts_fts"] {
        if let Err(e) = conn.execute(
            &format!("INSERT INTO {fts} ({fts}, rank) VALUES ('integrity-check', 1)"),
            [],
        ) {
            integrity_errors.push(format!("the search index {fts} does not match its records ({e})"));
        }
    }
    let foreign_key_errors = strings(conn, "SELECT \"table\" FROM pragma_foreign_key_check")?.len();

    // Refused ops of a case that left this laptop are kept for their author, not replayed.
    let ops = crate::apply::read_ops_where(
        conn,
        "push_state IS NOT 2 OR case_id IN (SELECT id FROM cases)",
        usize::MAX,
    )?;
    let mut replay = crate::conn::in_memory()?;
    crate::schema::migrate(&mut replay)?;
    let mut replay_mismatches = Vec::new();
    {
        let tx = replay.transaction()?;
        for op in &ops {
            // The same function, in the same order, that built the store: a faithful rebuild.
            if let Err(e) = crate::apply::apply(&tx, op).and_then(|_| crate::apply::log(&tx, op, None, None))
            {
                replay_mismatches.push(format!("op {} cannot be replayed: {e}", op.op_id));
            }
        }
        tx.commit()?;
    }
    for table in rebuilt() {
        let (stored, rebuilt) = (rows(conn, table)?, rows(&replay, table)?);
        if stored.len() != rebuilt.len() {
            replay_mismatches.push(format!(
                "{table}: {} rows stored, {} rebuilt from the op log",
                stored.len(),
                rebuilt.len()
            ));
            continue;
        }
        for (a, b) in stored.iter().zip(&rebuilt) {
            if a != b {
                let id = match a.first() {
                    Some(Value::Text(id)) => id.clone(),
                    _ => "?".into(),
                };
                replay_mismatches.push(format!("{table}: record {id} differs from its op log"));
            }
        }
    }
    let ok = cipher_errors.is_empty()
        && integrity_errors.is_empty()
        && foreign_key_errors == 0
        && replay_mismatches.is_empty();
    let set_aside_ops: i64 = conn.query_row("SELECT count(*) FROM set_aside_ops", [], |r| r.get(0))?;
    Ok(VerifyReport {
        ok,
        cipher_errors,
        integrity_errors,
        foreign_key_errors,
        ops: ops.len(),
        replay_mismatches,
        set_aside_ops: usize::try_from(set_aside_ops).unwrap_or(0),
    })
}
