//! Cross-process tests of the `casebook` binary against its CLI contract, one module per
//! concern: nothing personal reaches the disk in plaintext (even when a write is killed),
//! damaged stores are refused without being touched, the passphrase can be changed and the key
//! replaced, the consent, minor and case process rules refuse with exit 5, a newer schema is
//! refused, exit codes, `--json` and `export` behave as documented, and the scanners the
//! other checks rely on do see what they look for.

#![allow(clippy::unwrap_used, missing_docs)]

#[path = "../common/mod.rs"]
mod common;

mod at_rest;
mod contract;
mod damaged;
mod newer_schema;
mod passphrase;
mod rekey;
mod rules;
mod scanners;

use common::*;

/// Asserts no file in the store folder, nor in the child's scratch HOME/TMPDIR, holds `m`.
#[track_caller]
fn assert_no_plaintext(store: &Store, m: &str, when: &str) {
    let leaks = store.leaks(m);
    assert!(
        leaks.is_empty(),
        "{when}: the marker {m} is in plaintext in {leaks:?}"
    );
}
