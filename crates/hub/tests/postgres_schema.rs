//! The PostgreSQL schema (migrations/hub-postgres) on a real scratch PostgreSQL: it applies,
//! applies again as a no-op, applies once when two hub processes start together, is refused when
//! newer than the hub, and keeps nothing but ids, numbers, times, kinds and hashes in text.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

use casebook_hub::HubError;
use casebook_hub::storage::pg_schema::{applied, migrate, newest_known};
use casebook_hub::storage::postgres::{SEALED, TABLES};
use casebook_testkit::postgres::Cluster;

/// The only text columns: keys, kinds, roles, teams, references, days and hex hashes. A new
/// text column must be added here on purpose; anything a person wrote goes in a sealed bytea.
const CLEAR_TEXT: &[&str] = &[
    "audit.action",
    "audit.hash",
    "audit.prev_hash",
    "audit_head.hash",
    "cases.reference",
    "cases.team",
    "devices.token_hash",
    "enrollment_codes.code_hash",
    "former_holders.team",
    "hub_meta.key",
    "hub_meta.value",
    "purged_cases.closed_on",
    "purged_cases.received_on",
    "purged_cases.reference",
    "rate_limits.bucket",
    "records.entity",
    "refinery_schema_history.applied_on",
    "refinery_schema_history.checksum",
    "refinery_schema_history.name",
    "retention_periods.outcome",
    "subject_access_requests.due_on",
    "subject_access_requests.received_on",
    "users.role",
    "users.team",
];

/// Payloads, names and free text: sealed.
/// The bytea columns that are not sealed values: keyed hashes (recomputed by a key rotation)
/// and the key probe (replaced by one).
const KEYED: &[&str] = &["rate_limits.client", "seal_keys.probe", "users.name_index"];

fn columns_of_type(client: &mut postgres::Client, types: &[&str]) -> BTreeSet<String> {
    let types: Vec<String> = types.iter().map(|t| (*t).to_owned()).collect();
    client
        .query(
            "SELECT (table_name || '.' || column_name)::text FROM information_schema.columns
             WHERE table_schema = 'public' AND data_type::text = ANY($1::text[])",
            &[&types],
        )
        .expect("columns")
        .iter()
        .map(|r| r.get(0))
        .collect()
}

#[test]
fn the_schema_applies_with_every_table_and_only_sealed_text() {
    let cluster = Cluster::start().expect("scratch PostgreSQL");
    let mut client = cluster.connect().expect("connect");
    assert_eq!(applied(&mut client).expect("applied"), 0);
    migrate(&mut client).expect("migrate");
    assert_eq!(applied(&mut client).expect("applied"), newest_known());

    let tables: BTreeSet<String> = client
        .query(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'",
            &[],
        )
        .expect("tables")
        .iter()
        .map(|r| r.get(0))
        .collect();
    // Every table is in the backup's list (and so in every backup), and nothing else is there.
    let wanted: BTreeSet<String> = TABLES
        .iter()
        .chain(&["refinery_schema_history"])
        .map(|t| (*t).to_owned())
        .collect();
    assert_eq!(tables, wanted, "a table missing from storage::postgres::TABLES");

    let text = columns_of_type(&mut client, &["text", "character varying", "json", "jsonb"]);
    let clear: BTreeSet<String> = CLEAR_TEXT.iter().map(|c| (*c).to_owned()).collect();
    assert_eq!(text, clear, "text columns other than the allowed ones");
    // Every bytea column is a sealed value that a key rotation seals again, or a keyed hash.
    let bytea = columns_of_type(&mut client, &["bytea"]);
    let sealed: BTreeSet<String> = SEALED
        .iter()
        .flat_map(|t| t.columns.iter().map(|c| format!("{}.{c}", t.table)))
        .chain(KEYED.iter().map(|c| (*c).to_owned()))
        .collect();
    assert_eq!(
        bytea, sealed,
        "a bytea column missing from storage::postgres::SEALED"
    );

    // The one-row tables start where the hub expects them.
    let last: i64 = client
        .query_one("SELECT last FROM op_seq", &[])
        .expect("op_seq")
        .get(0);
    assert_eq!(last, 0);
    let (seq, hash): (i64, String) = client
        .query_one("SELECT seq, hash FROM audit_head", &[])
        .map(|r| (r.get(0), r.get(1)))
        .expect("audit_head");
    assert_eq!((seq, hash.as_str()), (0, casebook_hub::audit::GENESIS));
    assert!(
        client
            .execute("INSERT INTO op_seq (id, last) VALUES (false, 0)", &[])
            .is_err()
    );

    // Again: nothing to do.
    migrate(&mut client).expect("migrate again");
    assert_eq!(applied(&mut client).expect("applied"), newest_known());
}

#[test]
fn hub_processes_starting_together_migrate_once() {
    let cluster = Cluster::start().expect("scratch PostgreSQL");
    let url = cluster.url().to_owned();
    let starts: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut client = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
                migrate(&mut client)
            })
        })
        .collect();
    for start in starts {
        start
            .join()
            .expect("thread")
            .expect("every start migrates or finds it done");
    }
    let mut client = cluster.connect().expect("connect");
    let runs: i64 = client
        .query_one("SELECT count(*) FROM refinery_schema_history", &[])
        .expect("history")
        .get(0);
    assert_eq!(runs, newest_known());
}

#[test]
fn a_database_from_a_newer_hub_is_refused() {
    let cluster = Cluster::start().expect("scratch PostgreSQL");
    let mut client = cluster.connect().expect("connect");
    migrate(&mut client).expect("migrate");
    client
        .execute(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum)
             VALUES (999, 'future', '2030-01-01T00:00:00Z', '0')",
            &[],
        )
        .expect("a future migration");
    assert!(matches!(
        migrate(&mut client),
        Err(HubError::SchemaTooNew { found: 999, .. })
    ));
}
