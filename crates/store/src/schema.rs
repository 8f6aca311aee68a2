//! The store's schema: the refinery migrations in `migrations/`, listed here so that the
//! hub's own migrations (in `migrations/hub/`) are never applied to a client store.

use refinery::{Migration, Runner};
use rusqlite::Connection;

use crate::error::StoreError;

/// The migrations of the local store, oldest first. Append, never edit.
const MIGRATIONS: &[(&str, &str)] = &[
    ("V1__initial", include_str!("../../../migrations/V1__initial.sql")),
    ("V2__sync", include_str!("../../../migrations/V2__sync.sql")),
    (
        "V3__people_and_supervision",
        include_str!("../../../migrations/V3__people_and_supervision.sql"),
    ),
    (
        "V4__set_aside",
        include_str!("../../../migrations/V4__set_aside.sql"),
    ),
    ("V5__risk", include_str!("../../../migrations/V5__risk.sql")),
    (
        "V6__meetings",
        include_str!("../../../migrations/V6__meetings.sql"),
    ),
    (
        "V7__agreements_and_reports",
        include_str!("../../../migrations/V7__agreements_and_reports.sql"),
    ),
    (
        "V8__meeting_override",
        include_str!("../../../migrations/V8__meeting_override.sql"),
    ),
    (
        "V9__co_facilitator",
        include_str!("../../../migrations/V9__co_facilitator.sql"),
    ),
    (
        "V10__fts_after_page",
        include_str!("../../../migrations/V10__fts_after_page.sql"),
    ),
    (
        "V11__pre_sentence",
        include_str!("../../../migrations/V11__pre_sentence.sql"),
    ),
    (
        "V12__caseload_rows",
        include_str!("../../../migrations/V12__caseload_rows.sql"),
    ),
    (
        "V13__feedback_and_attendance",
        include_str!("../../../migrations/V13__feedback_and_attendance.sql"),
    ),
    (
        "V14__people_teams",
        include_str!("../../../migrations/V14__people_teams.sql"),
    ),
    (
        "V15__ops_refused_index",
        include_str!("../../../migrations/V15__ops_refused_index.sql"),
    ),
];

/// The newest schema version this build knows.
pub fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

fn runner() -> Result<Runner, StoreError> {
    let migrations = MIGRATIONS
        .iter()
        .map(|(name, sql)| Migration::unapplied(name, sql))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Runner::new(&migrations))
}

/// The schema version recorded in the file (0 for a new file).
pub(crate) fn current_version(conn: &Connection) -> Result<i64, StoreError> {
    let has_history: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'refinery_schema_history')",
        [],
        |r| r.get(0),
    )?;
    if !has_history {
        return Ok(0);
    }
    Ok(conn.query_row(
        "SELECT coalesce(max(version), 0) FROM refinery_schema_history",
        [],
        |r| r.get(0),
    )?)
}

/// Brings the schema up to date; refuses (without touching anything) a file from a newer build.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let found = current_version(conn)?;
    if found > latest_version() {
        return Err(StoreError::NewerSchema {
            found,
            known: latest_version(),
        });
    }
    if found < latest_version() {
        runner()?.run(conn)?;
        tracing::info!(from = found, to = latest_version(), "store schema migrated");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_migration_file_is_listed_in_order() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .expect("migrations dir")
            .filter_map(|e| e.ok())
            .filter(|e| e.path().extension().is_some_and(|x| x == "sql"))
            .map(|e| {
                e.file_name()
                    .to_string_lossy()
                    .trim_end_matches(".sql")
                    .to_owned()
            })
            .collect();
        files.sort_by_key(|f| {
            f.trim_start_matches('V')
                .split("__")
                .next()
                .and_then(|v| v.parse::<u32>().ok())
        });
        let listed: Vec<String> = MIGRATIONS.iter().map(|(n, _)| (*n).to_owned()).collect();
        assert_eq!(files, listed);
    }
}
