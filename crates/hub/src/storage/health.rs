//! What the operations endpoints ask of the database: does it answer, is its schema this
//! hub's, and how many devices reached the hub lately. Counts only, never rows.

use super::Sqlite;
use crate::error::HubError;

/// Whether the database can serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    /// It answers and its schema is the one this hub was built for.
    Ready,
    /// It answers, but its schema is not (yet) this hub's: `found` of `expected` migrations.
    SchemaBehind {
        /// The newest migration applied.
        found: i64,
        /// The newest migration this hub knows.
        expected: i64,
    },
}

impl Sqlite {
    /// Asks the database a trivial question: its newest migration, compared with this hub's.
    pub fn readiness(&self) -> Result<Readiness, HubError> {
        let expected = super::sqlite::embedded::migrations::runner()
            .get_migrations()
            .iter()
            .map(|m| i64::from(m.version()))
            .max()
            .unwrap_or(0);
        let found: i64 = self.conn.query_row(
            "SELECT COALESCE(MAX(version), 0) FROM refinery_schema_history",
            [],
            |r| r.get(0),
        )?;
        Ok(if found >= expected {
            Readiness::Ready
        } else {
            Readiness::SchemaBehind { found, expected }
        })
    }

    /// How many devices made an authenticated request since `since_ms` (their `last_seen` is
    /// kept to the minute). One count over the devices table: cheap at a scrape.
    pub fn devices_seen_since(&self, since_ms: i64) -> Result<u64, HubError> {
        let count: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM devices WHERE last_seen >= ?1",
            [since_ms],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(count).unwrap_or(0))
    }
}
