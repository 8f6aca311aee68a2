//! Opening the SQLCipher file: the key, the pragmas, and telling a wrong key, a foreign file and
//! a damaged one apart before anything is written.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::error::StoreError;
use crate::key::DbKey;

/// SQLCipher 4's page size; an intact file is a whole number of pages.
const PAGE_SIZE: u64 = 4096;

/// Page cache per connection, in KiB. Every miss decrypts and authenticates a page, so the cache
/// holds a facilitator's working set (the bench measures the effect).
const CACHE_KIB: i64 = 64 * 1024;

/// Checks what is in `store.db` before SQLite sees it: empty, truncated, or plaintext.
fn precheck(db: &Path) -> Result<(), StoreError> {
    let len = std::fs::metadata(db).map_err(StoreError::io("read", db))?.len();
    if len == 0 {
        return Err(StoreError::Damaged {
            detail: "store.db is empty".into(),
        });
    }
    if len % PAGE_SIZE != 0 {
        return Err(StoreError::Damaged {
            detail: format!("store.db has been cut short ({len} bytes is not a whole number of pages)"),
        });
    }
    let mut head = [0u8; 16];
    File::open(db)
        .and_then(|mut f| f.read_exact(&mut head))
        .map_err(StoreError::io("read", db))?;
    if &head == b"SQLite format 3\0" {
        return Err(StoreError::Plaintext);
    }
    Ok(())
}

/// Opens an existing store file with `key`: nothing is written until the key is proven right.
pub(crate) fn open_existing(db: &Path, key: &DbKey) -> Result<Connection, StoreError> {
    precheck(db)?;
    let conn = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    apply_key(&conn, key)?;
    // PRAGMA key never fails: the first read is what proves the key (and page 1) right.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get::<_, i64>(0))?;
    configure(&conn)?;
    Ok(conn)
}

/// Creates a new, empty store file keyed with `key`.
pub(crate) fn create_new(db: &Path, key: &DbKey) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    apply_key(&conn, key)?;
    configure(&conn)?;
    Ok(conn)
}

/// A plain in-memory database with the store's settings, for replaying the op log.
pub(crate) fn in_memory() -> Result<Connection, StoreError> {
    let conn = Connection::open_in_memory()?;
    conn.execute_batch("PRAGMA foreign_keys = OFF; PRAGMA temp_store = MEMORY;")?;
    Ok(conn)
}

fn apply_key(conn: &Connection, key: &DbKey) -> Result<(), StoreError> {
    // SQLCipher's own log could otherwise name files and errors on stderr.
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    conn.execute_batch(key.pragma().as_str())?;
    Ok(())
}

/// Prepared statements kept per connection. Applying ops builds one statement per table and
/// field set (`apply.rs`), well over rusqlite's default of 16: with that, a pulled page spent a
/// sixth of its time parsing SQL again (`perf`, a first sync of 300,000 ops).
const STATEMENT_CACHE: usize = 512;

fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Database {
            code: "JournalMode".into(),
            message: format!("journal mode is {mode}"),
        });
    }
    // temp_store=MEMORY: with FILE, sorts and temp tables would spill plaintext to disk.
    conn.execute_batch(&format!(
        "PRAGMA synchronous = FULL;
         PRAGMA temp_store = MEMORY;
         PRAGMA secure_delete = ON;
         PRAGMA foreign_keys = ON;
         PRAGMA cache_size = -{CACHE_KIB};"
    ))?;
    Ok(())
}
