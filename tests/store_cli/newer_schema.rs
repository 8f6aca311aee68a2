//! A store written by a newer Casebook (a schema version from the future) is refused and
//! touched by nothing, and the store is readable with standard tools (age and SQLCipher).

use crate::common::*;

/// Done when #7: a store whose schema history has a version from the future is refused with
/// "written by a newer Casebook" (exit 1), touching nothing. Opening it with age + rusqlite
/// also shows the store is readable with standard tools.
#[test]
fn a_store_from_a_newer_schema_is_refused_and_is_readable_with_standard_tools() {
    let store = Store::new();
    let summary = format!("Assault outside a takeaway {}", marker());
    store.new_case(&summary);

    let conn = open_with_standard_tools(&store.dir, PASSPHRASE);
    let summaries: Vec<String> = conn
        .prepare("SELECT summary FROM cases")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .expect("the cases table should be readable with SQLCipher and the raw key");
    assert!(
        summaries.contains(&summary),
        "the cases table should hold the summary: {summaries:?}"
    );

    let schema: String = conn
        .query_row(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'refinery_schema_history'",
            [],
            |r| r.get(0),
        )
        .expect("a refinery_schema_history table");
    let columns: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('refinery_schema_history')")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .unwrap();
    for c in ["version", "name", "applied_on", "checksum"] {
        assert!(columns.iter().any(|x| x == c), "no column {c} in {schema}");
    }
    // Copy the format of the latest real row, so only the version is from the future.
    let (latest, applied_on, checksum): (i64, String, String) = conn
        .query_row(
            "SELECT version, applied_on, CAST(checksum AS TEXT) FROM refinery_schema_history \
             ORDER BY version DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .expect("at least one applied migration");
    assert!(latest < 9999, "latest migration {latest}");
    conn.execute(
        "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) VALUES (9999, ?1, ?2, ?3)",
        ("from_a_newer_casebook", applied_on, checksum),
    )
    .unwrap();
    conn.close().map_err(|(_, e)| e).unwrap();

    let before = store.hash();
    let out = store.run(&["case", "list"]);
    let what = "case list on a store with schema version 9999";
    assert_code(&out, EXIT_OTHER, what);
    assert!(
        mentions_any(&stderr(&out), &["newer"]),
        "{what}: should say a newer Casebook wrote it\n{}",
        describe(&out)
    );
    assert_plain_error(&out, what);
    assert_eq!(store.hash(), before, "{what}: files in the store folder changed");
}
