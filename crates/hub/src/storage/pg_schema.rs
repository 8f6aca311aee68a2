//! The PostgreSQL backend's schema (migrations/hub-postgres, refinery): migrating a database
//! that several hub processes may open at the same moment, and refusing one from a newer hub.

use crate::error::HubError;

mod embedded {
    refinery::embed_migrations!("../../migrations/hub-postgres");
}

/// The session-level advisory lock that makes hub processes starting together migrate one
/// after another: the second finds the schema current and does nothing. ("casebook" as i64.)
const MIGRATION_LOCK: i64 = i64::from_be_bytes(*b"casebook");

/// Migrates the database `client` is connected to, to this hub's newest schema; a database
/// from a newer hub is refused, never "fixed".
pub fn migrate(client: &mut postgres::Client) -> Result<(), HubError> {
    client
        .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK])
        .map_err(database)?;
    let migrated = migrate_locked(client);
    // Closing the session would release it too; unlock so a long-lived connection can go on.
    let unlocked = client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK]);
    migrated?;
    unlocked.map_err(database)?;
    Ok(())
}

/// The newest migration this hub knows.
pub fn newest_known() -> i64 {
    embedded::migrations::runner()
        .get_migrations()
        .iter()
        .map(|m| i64::from(m.version()))
        .max()
        .unwrap_or(0)
}

/// The newest migration applied to the database (0 for a new one).
pub fn applied(client: &mut impl postgres::GenericClient) -> Result<i64, HubError> {
    let has_history: bool = client
        .query_one("SELECT to_regclass('refinery_schema_history') IS NOT NULL", &[])
        .map_err(database)?
        .get(0);
    if !has_history {
        return Ok(0);
    }
    let found: i32 = client
        .query_one(
            "SELECT COALESCE(MAX(version), 0) FROM refinery_schema_history",
            &[],
        )
        .map_err(database)?
        .get(0);
    Ok(i64::from(found))
}

fn migrate_locked(client: &mut postgres::Client) -> Result<(), HubError> {
    let known = newest_known();
    let found = applied(client)?;
    if found > known {
        return Err(HubError::SchemaTooNew { found, known });
    }
    embedded::migrations::runner()
        .run(client)
        .map_err(|e| HubError::Migration(e.kind().to_string()))?;
    Ok(())
}

/// A PostgreSQL error as the hub reports it: the SQLSTATE only, since the server's message may
/// quote the values of a statement.
pub(crate) fn database(e: postgres::Error) -> HubError {
    if connection_lost(&e) {
        return HubError::DatabaseConnectionLost(database_detail(&e));
    }
    match e.code() {
        Some(state) => HubError::Database(format!("PostgreSQL error {}", state.code())),
        None => HubError::Database("PostgreSQL could not be reached or answered out of turn".to_owned()),
    }
}

/// Whether `e` says the connection itself is gone, so that only a new one can go on: the
/// server ended it (57P01 administrator command, 57P02 crash, 57P03 starting or stopping), a
/// connection exception (class 08), or the socket failed or closed under the client.
fn connection_lost(e: &postgres::Error) -> bool {
    if let Some(state) = e.code() {
        let code = state.code();
        return code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03");
    }
    if e.is_closed() {
        return true;
    }
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        if inner.is::<std::io::Error>() {
            return true;
        }
        source = inner.source();
    }
    false
}

/// What went wrong with PostgreSQL, for the log: the SQLSTATE, or the kind of I/O failure,
/// never the server's message (it may quote values).
pub(crate) fn database_detail(e: &postgres::Error) -> String {
    if let Some(state) = e.code() {
        return format!("SQLSTATE {}", state.code());
    }
    if let Some(why) = super::postgres::tls_failure(e) {
        return format!("TLS: {why}");
    }
    let mut source = std::error::Error::source(e);
    while let Some(inner) = source {
        if let Some(io) = inner.downcast_ref::<std::io::Error>() {
            return format!("I/O: {}", io.kind());
        }
        source = inner.source();
    }
    if e.is_closed() {
        "connection closed".to_owned()
    } else {
        "no answer".to_owned()
    }
}
