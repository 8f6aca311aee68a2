//! Looking inside a decrypted database for words that must be gone: every value of every
//! table, the search indexes' shadow tables included.

/// The tables of `conn` (opened with its key) holding `needle` in any text or blob value.
/// Virtual tables are skipped: their shadow tables, scanned as plain tables, hold their data.
pub fn tables_containing(conn: &rusqlite::Connection, needle: &[u8]) -> Vec<String> {
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'")
        .expect("list the tables")
        .query_map([], |r| r.get(0))
        .expect("list the tables")
        .collect::<Result<_, _>>()
        .expect("list the tables");
    let mut found = Vec::new();
    for name in names {
        let mut stmt = conn
            .prepare(&format!("SELECT * FROM \"{name}\""))
            .expect("select a table");
        let columns = stmt.column_count();
        let mut rows = stmt.query([]).expect("read a table");
        'rows: while let Some(row) = rows.next().expect("read a row") {
            for i in 0..columns {
                let bytes = match row.get_ref(i).expect("read a value") {
                    rusqlite::types::ValueRef::Text(b) | rusqlite::types::ValueRef::Blob(b) => b,
                    _ => continue,
                };
                if bytes.windows(needle.len()).any(|w| w == needle) {
                    found.push(name.clone());
                    break 'rows;
                }
            }
        }
    }
    found
}
