//! What a person reads when a command fails: a plain sentence on stderr, never a raw SQLite
//! error, a Debug dump or a key.

use std::process::Output;

use casebook_testkit::util::{describe, stderr};

/// Does `text` hold a run of 64 or more hex digits (a key, a hash)?
pub fn has_hex64(text: &str) -> bool {
    let mut run = 0;
    for c in text.chars() {
        if c.is_ascii_hexdigit() {
            run += 1;
            if run >= 64 {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

/// Fragments of raw SQLite/rusqlite/Debug error output that must never reach a person.
/// (SQLite's own wording, e.g. "database disk image is malformed", is tolerated inside a
/// sentence that says what happened; the tests check that sentence separately.)
const RAW_ERROR_FRAGMENTS: &[&str] = &[
    "sqlitefailure",
    "sqlite_",
    "rusqlite",
    "extended_code",
    "error code",
    "panicked",
    "backtrace",
    "{ code:",
    "ffi::",
];

/// Asserts an error went to stderr as a plain sentence: non-empty, no raw SQL error, no
/// Debug dump, no 64-hex-digit string (a key or hash).
#[track_caller]
pub fn assert_plain_error(out: &Output, what: &str) {
    let err = stderr(out);
    assert!(
        !err.trim().is_empty(),
        "{what}: expected a message on stderr\n{}",
        describe(out)
    );
    let lower = err.to_lowercase();
    for raw in RAW_ERROR_FRAGMENTS {
        assert!(
            !lower.contains(raw),
            "{what}: stderr looks like a raw/internal error (contains {raw:?})\n{}",
            describe(out)
        );
    }
    assert!(
        !has_hex64(&err),
        "{what}: stderr contains a 64-hex-digit string\n{}",
        describe(out)
    );
}

/// Does `text` (lowercased) contain any of `words`?
pub fn mentions_any(text: &str, words: &[&str]) -> bool {
    let lower = text.to_lowercase();
    words.iter().any(|w| lower.contains(&w.to_lowercase()))
}
