//! The passphrase: a wrong or missing one exits 3 touching nothing, `passphrase change` locks
//! out the old one and says when a rekey is worth doing, and an easily guessed new one is
//! refused with advice.

use std::fs;

use serde_json::Value;

use crate::common::*;

/// Done when #2: a wrong passphrase exits 3 with a plain message about the passphrase, for
/// a read, a write and `passphrase change`, and touches no file; a missing one exits 3 too.
#[test]
fn a_wrong_or_missing_passphrase_exits_3_and_touches_nothing() {
    let store = Store::new();
    let (case_id, _) = store.new_case(&format!("Window broken at a community centre {}", marker()));
    let before = store.hash();

    let attempts: [&[&str]; 3] = [
        &["case", "list"],
        &[
            "case",
            "new",
            "--kind",
            "rj",
            "--stage",
            "none",
            "--source",
            "self",
            "--summary",
            "locked out",
        ],
        &["passphrase", "change"],
    ];
    for args in attempts {
        let what = format!("casebook {} with a wrong passphrase", args.join(" "));
        let out = store
            .command(args)
            .env("CASEBOOK_PASSPHRASE", "not the passphrase")
            .env("CASEBOOK_NEW_PASSPHRASE", "an attacker's passphrase")
            .output()
            .unwrap();
        assert_code(&out, EXIT_LOCKED, &what);
        assert!(
            mentions_any(&stderr(&out), &["passphrase"]),
            "{what}: message should mention the passphrase\n{}",
            describe(&out)
        );
        assert_plain_error(&out, &what);
        assert_eq!(store.hash(), before, "{what}: files in the store folder changed");
    }

    let out = store.run_with_passphrase(None, &["case", "list"]);
    let what = "casebook case list with no CASEBOOK_PASSPHRASE and stdin null";
    assert_code(&out, EXIT_LOCKED, what);
    assert!(
        mentions_any(&stderr(&out), &["passphrase"]),
        "{what}: message should mention the passphrase\n{}",
        describe(&out)
    );
    assert_plain_error(&out, what);
    assert_eq!(store.hash(), before, "{what}: files in the store folder changed");

    // Control: the right passphrase still opens it, and the refused `case new` wrote nothing.
    let cases = store.cases();
    assert_eq!(cases.len(), 1, "exactly the one case expected: {cases:?}");
    assert_eq!(cases[0]["id"], case_id);
}

/// Done when #4: after `passphrase change` the new passphrase opens the store with its
/// data, the old one exits 3 (touching nothing), and `store.key` decrypts with the new one only.
#[test]
fn passphrase_change_opens_with_the_new_one_and_locks_out_the_old_one() {
    let mut store = Store::new();
    let summary = format!("Harassment between neighbours {}", marker());
    let (case_id, _) = store.new_case(&summary);
    let new_passphrase = "a brand new passphrase 42";

    // No new passphrase (stdin null), or an empty one: refused, nothing touched.
    let before = store.hash();
    for new in [None, Some("")] {
        let mut cmd = store.command(&["passphrase", "change"]);
        if let Some(n) = new {
            cmd.env("CASEBOOK_NEW_PASSPHRASE", n);
        }
        let out = cmd.output().unwrap();
        let what = format!("passphrase change with CASEBOOK_NEW_PASSPHRASE={new:?}");
        assert!(
            out.status.code().is_some_and(|c| c != 0),
            "{what}: expected a refusal\n{}",
            describe(&out)
        );
        assert_plain_error(&out, &what);
        assert_eq!(store.hash(), before, "{what}: files in the store folder changed");
    }

    let out = store
        .command(&["passphrase", "change"])
        .env("CASEBOOK_NEW_PASSPHRASE", new_passphrase)
        .output()
        .unwrap();
    assert_code(&out, EXIT_OK, "casebook passphrase change");

    let before = store.hash();
    let out = store.run(&["case", "list"]);
    assert_code(
        &out,
        EXIT_LOCKED,
        "case list with the old passphrase after the change",
    );
    assert_eq!(store.hash(), before, "the refused old passphrase changed files");

    let key_file = fs::read(store.dir.join("store.key")).unwrap();
    assert!(
        age_decrypt(&key_file, PASSPHRASE).is_err(),
        "store.key still decrypts with the old passphrase"
    );
    let key =
        age_decrypt(&key_file, new_passphrase).expect("store.key should decrypt with the new passphrase");
    assert_eq!(key.len(), 32, "store.key should hold the 32-byte database key");

    store.passphrase = new_passphrase.to_owned();
    let cases = store.cases();
    assert!(
        cases
            .iter()
            .any(|c| c["id"] == case_id.as_str() && c["summary"] == summary.as_str()),
        "the case is gone after the passphrase change: {cases:?}"
    );
}

/// A new passphrase zxcvbn scores below 3 is refused by `init` and `passphrase change` with
/// exit 2 and zxcvbn's advice, and nothing is written.
#[test]
fn an_easily_guessed_new_passphrase_is_refused_with_advice() {
    let mut fresh = Store::empty();
    fresh.passphrase = "password1234".to_owned();
    let out = fresh.run(&["init"]);
    assert_code(&out, EXIT_USAGE, "init with a common passphrase");
    let said = stderr(&out);
    assert!(
        said.contains("too easy to guess") && mentions_any(&said, &["common", "word"]),
        "the refusal should carry zxcvbn's advice\n{}",
        describe(&out)
    );
    assert!(
        !fresh.dir.join("store.key").exists(),
        "a store was created\n{}",
        describe(&out)
    );

    let store = Store::new();
    let before = store.hash();
    let out = store
        .command(&["passphrase", "change"])
        .env("CASEBOOK_NEW_PASSPHRASE", "casebook2026")
        .output()
        .unwrap();
    assert_code(&out, EXIT_USAGE, "passphrase change to a weak one");
    assert!(stderr(&out).contains("too easy to guess"), "{}", describe(&out));
    assert_eq!(store.hash(), before, "a refused change touched the store");
}

/// `passphrase change` says when `casebook rekey` is worth running too, as text and as JSON.
#[test]
fn passphrase_change_says_when_a_rekey_is_worth_doing() {
    let mut store = Store::new();
    let next = "seven amber kites over the harbour";
    let out = store
        .command(&["passphrase", "change"])
        .env("CASEBOOK_NEW_PASSPHRASE", next)
        .output()
        .unwrap();
    assert_code(&out, EXIT_OK, "passphrase change");
    assert!(
        stdout(&out).contains("casebook rekey") && stdout(&out).contains("store.key"),
        "{}",
        describe(&out)
    );
    store.passphrase = next.to_owned();
    let out = store
        .command(&["--json", "passphrase", "change"])
        .env("CASEBOOK_NEW_PASSPHRASE", PASSPHRASE)
        .output()
        .unwrap();
    assert_code(&out, EXIT_OK, "passphrase change --json");
    let doc: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["changed"], true);
    assert!(
        doc["advice"].as_str().unwrap().contains("casebook rekey"),
        "{doc}"
    );
}
