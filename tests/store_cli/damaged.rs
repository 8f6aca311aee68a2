//! Damaged stores: a garbage, tampered or truncated `store.db` is reported as damaged and
//! left untouched, `init` refuses over an existing store, and `verify` catches a record
//! changed behind the op log's back.

use std::fs;

use serde_json::Value;

use crate::common::*;

/// Overwrites `len` bytes at `offset` of `path` with random bytes.
fn tamper(path: &std::path::Path, offset: usize, len: usize) {
    let mut bytes = fs::read(path).unwrap();
    assert!(
        offset + len <= bytes.len(),
        "tamper past the end of {}",
        path.display()
    );
    let noise: [u8; 64] = random_bytes();
    for (i, b) in bytes[offset..offset + len].iter_mut().enumerate() {
        // XOR with non-zero noise so every byte really changes.
        *b ^= noise[i % 64] | 1;
    }
    fs::write(path, bytes).unwrap();
}

/// Runs a command on a damaged store: it must fail with exit 1, a plain message saying the
/// store is damaged (not a raw SQL error, no key or hash), and leave every file as it was.
#[track_caller]
fn assert_refused_as_damaged(store: &Store, args: &[&str], what: &str) {
    let before = store.hash();
    let out = store.run(args);
    let what = format!("casebook {} on {what}", args.join(" "));
    assert_code(&out, EXIT_OTHER, &what);
    assert!(
        mentions_any(&stderr(&out), &["damaged", "corrupt", "not a casebook store"]),
        "{what}: the message should say the store is damaged / not a Casebook store\n{}",
        describe(&out)
    );
    assert_plain_error(&out, &what);
    assert_eq!(store.hash(), before, "{what}: files in the store folder changed");
}

/// `verify` on a damaged store must say it is not ok (exit 1) and leave the files as they were.
#[track_caller]
fn assert_verify_fails(store: &Store, what: &str) {
    let before = store.hash();
    let out = store.run(&["verify", "--json"]);
    let what = format!("casebook verify --json on {what}");
    assert_code(&out, EXIT_OTHER, &what);
    match serde_json::from_slice::<Value>(&out.stdout) {
        Ok(v) => assert_eq!(
            v["ok"],
            Value::Bool(false),
            "{what}: expected \"ok\": false\n{}",
            describe(&out)
        ),
        Err(_) => {
            assert!(
                mentions_any(&stderr(&out), &["damaged", "corrupt", "not a casebook store"]),
                "{what}: no JSON report and no message saying the store is damaged\n{}",
                describe(&out)
            );
            assert_plain_error(&out, &what);
        }
    }
    assert!(
        !has_hex64(&stdout(&out)),
        "{what}: stdout holds a 64-hex-digit string\n{}",
        describe(&out)
    );
    assert_eq!(store.hash(), before, "{what}: files in the store folder changed");
}

/// Done when #3 (garbage): a `store.db` of random bytes next to a real `store.key` is
/// reported as damaged, by reads, writes and `verify`, and left byte-for-byte untouched.
#[test]
fn a_garbage_store_db_is_reported_as_damaged_and_left_untouched() {
    let store = Store::new();
    let garbage: [u8; 4096] = random_bytes();
    fs::write(
        store.dir.join("store.db"),
        [&garbage[..], &garbage[..], &garbage[..]].concat(),
    )
    .unwrap();
    let db = "a store.db of random bytes";
    assert_refused_as_damaged(&store, &["case", "list"], db);
    assert_refused_as_damaged(
        &store,
        &[
            "case",
            "new",
            "--kind",
            "mediation",
            "--stage",
            "none",
            "--source",
            "housing",
            "--summary",
            "noise",
        ],
        db,
    );
    assert_verify_fails(&store, db);
}

/// Done when #3 (tampered, truncated): a real store with bytes overwritten in the middle or
/// cut to a size that is not a whole number of pages is reported as damaged, untouched.
#[test]
fn a_tampered_or_truncated_store_db_is_reported_as_damaged_and_left_untouched() {
    let store = Store::new();
    store.ok(&["demo", "--cases", "15"]);
    let db = store.dir.join("store.db");
    let snapshot: Vec<(std::path::PathBuf, Vec<u8>)> = walk(&store.dir)
        .into_iter()
        .filter(|(rel, _)| !rel.ends_with('/'))
        .map(|(_, path)| {
            let bytes = fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();
    let original = fs::read(&db).unwrap();
    let len = original.len();
    assert!(
        len >= 6 * 4096,
        "expected a store of several pages after demo, got {len} bytes"
    );
    let page = 4096;
    // Puts back every file exactly as it was after the demo, and removes any other.
    let restore = || {
        for (rel, path) in walk(&store.dir) {
            if !rel.ends_with('/') && !snapshot.iter().any(|(p, _)| *p == path) {
                fs::remove_file(&path).unwrap();
            }
        }
        for (path, bytes) in &snapshot {
            fs::write(path, bytes).unwrap();
        }
    };

    // One page in the middle: only an integrity check is sure to read it.
    tamper(&db, (len / 2 / page) * page + 1000, 32);
    assert_verify_fails(&store, "a store.db with 32 bytes overwritten in a middle page");

    // Every page but the first: any real read hits a damaged page.
    restore();
    for p in 1..len / page {
        tamper(&db, p * page + 2000, 16);
    }
    assert_refused_as_damaged(
        &store,
        &["case", "list"],
        "a store.db with every page after the first tampered",
    );

    // Cut short, to a size that is not a multiple of the page size.
    restore();
    fs::write(&db, &original[..len - 1000]).unwrap();
    assert_verify_fails(&store, "a store.db missing its last 1000 bytes");
    fs::write(&db, &original[..page + 1000]).unwrap();
    assert_refused_as_damaged(&store, &["case", "list"], "a store.db cut to 5096 bytes");
}

/// Done when #3 (init): `init` where a store exists, healthy or damaged, refuses and leaves
/// every file as it was.
#[test]
fn init_refuses_where_a_store_exists_even_a_damaged_one() {
    let store = Store::new();
    for state in ["a healthy store", "a store with a garbage store.db"] {
        if state.contains("garbage") {
            let garbage: [u8; 8192] = random_bytes();
            fs::write(store.dir.join("store.db"), garbage).unwrap();
        }
        let before = store.hash();
        let out = store.run(&["init"]);
        let what = format!("casebook init over {state}");
        assert!(
            out.status.code().is_some_and(|c| c != 0),
            "{what}: expected a refusal (non-zero exit)\n{}",
            describe(&out)
        );
        assert_plain_error(&out, &what);
        assert_eq!(store.hash(), before, "{what}: files in the store folder changed");
    }
}

/// `verify` can fail: a record changed behind the op log's back (with standard tools) makes
/// it exit 1 with `"ok": false`, and it changes no file. Without this, the crash test's
/// passing `verify` would prove nothing.
#[test]
fn verify_detects_a_record_that_disagrees_with_the_op_log() {
    let store = Store::new();
    let (case_id, _) = store.new_case("Bike stolen from outside a library");
    let v = store.json(&["verify"]);
    assert_eq!(v["ok"], Value::Bool(true), "verify on a healthy store: {v:#}");

    let conn = open_with_standard_tools(&store.dir, PASSPHRASE);
    let changed = conn
        .execute(
            "UPDATE cases SET summary = 'changed behind the log' WHERE id = ?1",
            [&case_id],
        )
        .unwrap();
    assert_eq!(changed, 1);
    conn.close().map_err(|(_, e)| e).unwrap();

    let before = store.hash();
    let out = store.run(&["verify", "--json"]);
    assert_code(
        &out,
        EXIT_OTHER,
        "verify after a record was changed outside the op log",
    );
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("verify --json: not JSON ({e})\n{}", describe(&out)));
    assert_eq!(v["ok"], Value::Bool(false), "{v:#}");
    assert_eq!(store.hash(), before, "verify changed files");
}
