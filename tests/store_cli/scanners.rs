//! A self-test of the scanners the other modules rely on (leaks, hashes, key-like strings).

use std::fs;

use crate::common::*;

/// The helpers themselves can see a leak, a key-like string and a change: without this, the
/// other modules' tests could pass by looking at nothing.
#[test]
fn the_scanners_catch_what_they_look_for() {
    let store = Store::empty();
    let m = marker();
    assert_ne!(m, marker(), "markers must differ between calls");
    let before = store.hash();
    fs::write(store.dir.join("store.db-wal"), format!("page\0{m}\0rest")).unwrap();
    fs::create_dir_all(store.scratch.join("tmp/etilqs")).unwrap();
    fs::write(store.scratch.join("tmp/etilqs/x"), m.as_bytes()).unwrap();
    assert_eq!(
        store.leaks(&m),
        vec!["store/store.db-wal".to_owned(), "scratch/tmp/etilqs/x".to_owned()]
    );
    assert_ne!(store.hash(), before, "a new file must change the folder's hashes");
    assert!(has_hex64(&"ab12".repeat(16)) && !has_hex64(&"ab12".repeat(15)));
    assert_eq!(date_from_today(0).len(), 10);
    assert!(is_uuid("0190b2c4-0000-7000-8000-000000000000") && !is_uuid("P-ABC123"));
}
