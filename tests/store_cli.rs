//! Cross-process tests of the `casebook` binary against its CLI contract: nothing personal
//! reaches the disk in plaintext (even when a write is killed), locked and damaged stores
//! are refused without being touched, the passphrase can be changed, the consent and minor
//! rules refuse with exit 5, a newer schema is refused, and exit codes, `--json` and
//! `export` behave as documented.

#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::fs;
use std::thread::sleep;
use std::time::Duration;

use common::*;
use serde_json::Value;

/// Asserts no file in the store folder, nor in the child's scratch HOME/TMPDIR, holds `m`.
#[track_caller]
fn assert_no_plaintext(store: &Store, m: &str, when: &str) {
    let leaks = store.leaks(m);
    assert!(
        leaks.is_empty(),
        "{when}: the marker {m} is in plaintext in {leaks:?}"
    );
}

/// `search M --json` must find the marker in the case, the party and the contact.
#[track_caller]
fn assert_search_finds(store: &Store, m: &str, expected_ids: &[&str], when: &str) {
    let v = store.json(&["search", m]);
    let hits = v["hits"]
        .as_array()
        .unwrap_or_else(|| panic!("{when}: search --json has no \"hits\": {v}"));
    let entity_ids: Vec<&str> = hits.iter().filter_map(|h| h["entity_id"].as_str()).collect();
    for id in expected_ids {
        assert!(
            entity_ids.contains(id),
            "{when}: search {m} did not find record {id}; hits: {v:#}"
        );
    }
    for h in hits {
        for field in ["case_id", "reference", "entity", "entity_id", "snippet"] {
            assert!(!h[field].is_null(), "{when}: search hit without {field:?}: {h}");
        }
    }
}

/// Done when #1: a marker written into a case summary, a party name and a contact note is
/// in no file of the store folder nor of the child's temp folders, also after processes were
/// SIGKILLed while writing; and (positive control) `search` does find it.
#[test]
fn markers_never_reach_the_disk_in_plaintext_even_when_writes_are_killed() {
    let store = Store::new();
    let m = marker();

    let (case_id, reference) = store.new_case(&format!("Bicycle taken from a garden shed {m} on a Sunday"));
    let party_name = format!("Ann {m}");
    let party_id = store.create(&[
        "party",
        "add",
        &reference,
        "--role",
        "victim",
        "--name",
        &party_name,
    ]);
    let contact_id = store.create(&[
        "contact",
        "add",
        &case_id,
        "--party",
        &party_name,
        "--kind",
        "visit",
        "--date",
        "2026-11-02",
        "--notes",
        &format!("Home visit: {m} talked about the harm and what would help"),
    ]);
    assert_no_plaintext(&store, &m, "after writing the markers");
    assert_search_finds(
        &store,
        &m,
        &[&case_id, &party_id, &contact_id],
        "after writing the markers",
    );

    // A bulk writer killed at a random moment after it said it committed its first case.
    let (mut demo, mut said) = store.spawn_watched(&["demo", "--cases", "2000"], "warn");
    if let Err(why) = said.wait_for(Duration::from_secs(120), |l| l.starts_with("demo: ")) {
        kill(&mut demo);
        panic!("demo --cases 2000 did not report a committed case: {why}");
    }
    sleep(Duration::from_millis(random_between(0, 300)));
    assert!(
        kill(&mut demo),
        "demo --cases 2000 ended by itself before the SIGKILL: no kill mid-write"
    );
    assert_no_plaintext(&store, &m, "after demo was SIGKILLed mid-write");

    // Writers of marker notes killed at a random moment after they said they unlocked the
    // store (a contact add writes and exits a few ms later).
    for round in 0..4 {
        let note = format!("Call {round}: {m} asked about the letter");
        let (mut child, mut said) = store.spawn_watched(
            &[
                "contact",
                "add",
                &case_id,
                "--party",
                &party_id,
                "--kind",
                "call",
                "--date",
                "2026-11-03",
                "--notes",
                &note,
            ],
            "casebook_store=debug",
        );
        if let Err(why) = said.wait_for(Duration::from_secs(120), |l| l.contains("store unlocked")) {
            kill(&mut child);
            panic!("contact add round {round} never said it unlocked the store: {why}");
        }
        sleep(Duration::from_millis(random_between(0, 30)));
        kill(&mut child);
        assert_no_plaintext(
            &store,
            &m,
            &format!("after contact add round {round} was SIGKILLed"),
        );
    }

    // The store still opens and still finds the markers; searching leaves no trace either.
    assert_search_finds(
        &store,
        &m,
        &[&case_id, &party_id, &contact_id],
        "after the SIGKILLs",
    );
    assert_no_plaintext(&store, &m, "after searching");
}

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

/// The parties of `case show --json`.
fn parties(store: &Store, case: &str) -> (Vec<Value>, Vec<Value>) {
    let v = store.json(&["case", "show", case]);
    let parties = v["parties"]
        .as_array()
        .unwrap_or_else(|| panic!("case show --json: no \"parties\": {v}"))
        .clone();
    let timeline = v["timeline"]
        .as_array()
        .unwrap_or_else(|| panic!("case show --json: no \"timeline\": {v}"))
        .clone();
    (parties, timeline)
}

fn contacts_in(timeline: &[Value]) -> usize {
    timeline.iter().filter(|t| t["type"] == "contact").count()
}

/// The date of a party's latest consent for `scope` with `decision`, from `case show --json`.
fn consent_date(parties: &[Value], party_id: &str, scope: &str, decision: &str) -> String {
    let party = parties
        .iter()
        .find(|p| p["id"] == party_id)
        .unwrap_or_else(|| panic!("party {party_id} not shown"));
    let consents = party["consents"]
        .as_array()
        .unwrap_or_else(|| panic!("no \"consents\" on {party}"));
    let c = consents
        .iter()
        .rev()
        .find(|c| {
            c["scope"].as_str().is_some_and(|s| s.replace('_', "-") == scope)
                && c["decision"].as_str() == Some(decision)
        })
        .unwrap_or_else(|| panic!("no {scope} {decision} consent on {party}"));
    c["date"]
        .as_str()
        .unwrap_or_else(|| panic!("consent without a date: {c}"))
        .to_owned()
}

/// Done when #5 (consent): a contact with a party whose contact consent is withdrawn or
/// declined is refused with exit 5 naming the party, the decision and its date, and nothing is
/// recorded; a contact initiated by the party is accepted.
#[test]
fn withdrawn_or_declined_contact_consent_refuses_a_contact_unless_the_party_initiated_it() {
    let store = Store::new();
    let (case_id, reference) = store.new_case("Shop theft by a regular customer");
    let ann = "Ann Withdrawer";
    let ann_id = store.create(&["party", "add", &reference, "--role", "victim", "--name", ann]);
    let bob = "Bob Decliner";
    let bob_id = store.create(&["party", "add", &case_id, "--role", "harmer", "--name", bob]);
    let consent = |party: &str, decision: &str| {
        store.create(&[
            "consent",
            "record",
            &case_id,
            "--party",
            party,
            "--scope",
            "contact",
            "--decision",
            decision,
            "--method",
            "verbal",
        ])
    };
    let contact = |party: &str, extra: &[&str]| {
        let mut args = vec![
            "contact",
            "add",
            &case_id,
            "--party",
            party,
            "--kind",
            "call",
            "--date",
            "2026-11-05",
            "--notes",
            "Phoned about the process",
        ];
        args.extend_from_slice(extra);
        store.run(&args)
    };

    consent(ann, "given");
    // The first contact's notes come from stdin (`--notes -`).
    let stdin_note = "Phoned Ann; notes typed on standard input";
    let out = store.run_with_stdin(
        &[
            "contact",
            "add",
            &case_id,
            "--party",
            ann,
            "--kind",
            "call",
            "--date",
            "2026-11-04",
            "--notes",
            "-",
        ],
        stdin_note,
    );
    assert_code(
        &out,
        EXIT_OK,
        "contact with Ann (notes on stdin) while her contact consent is given",
    );
    consent(ann, "withdrawn");
    consent(&bob_id, "declined");
    let (shown, _) = parties(&store, &case_id);
    let withdrawn_on = consent_date(&shown, &ann_id, "contact", "withdrawn");
    let declined_on = consent_date(&shown, &bob_id, "contact", "declined");

    for (party, name, decision, date) in [
        (ann, ann, "withdrawn", &withdrawn_on),
        (&bob_id, bob, "declined", &declined_on),
    ] {
        let out = contact(party, &[]);
        let what = format!("contact add with {name} whose contact consent is {decision}");
        assert_code(&out, EXIT_REFUSED, &what);
        let err = stderr(&out);
        for needed in [name, decision, date.as_str()] {
            assert!(
                err.contains(needed),
                "{what}: stderr should name {needed:?}\n{}",
                describe(&out)
            );
        }
        assert_plain_error(&out, &what);
    }

    let out = contact(ann, &["--initiated-by-party", "--json"]);
    assert_code(
        &out,
        EXIT_OK,
        "contact add --initiated-by-party with Ann (consent withdrawn)",
    );
    let v: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e})\n{}", describe(&out)));
    assert!(
        v["id"].as_str().is_some_and(is_uuid),
        "contact add --json: no id in {v}"
    );

    let (_, timeline) = parties(&store, &reference);
    assert_eq!(
        contacts_in(&timeline),
        2,
        "refused contacts must not be recorded: {timeline:#?}"
    );
    assert!(
        Value::Array(timeline).to_string().contains(stdin_note),
        "the notes read from stdin should be on the timeline"
    );
    let consents = store.json(&["consent", "show", &reference]).to_string();
    assert!(
        consents.contains(ann) && consents.contains("withdrawn") && consents.contains("declined"),
        "consent show --json should hold the current decisions: {consents}"
    );
}

/// Done when #5 (minor): a contact with a minor is refused with exit 5 until the minor's own
/// and a guardian's participation consents are both given.
#[test]
fn a_minor_can_be_contacted_only_with_their_own_and_a_guardians_participation_consent() {
    let store = Store::new();
    let (case_id, _) = store.new_case("Graffiti on a school wall");
    let kai = "Kai Young";
    let kai_id = store.create(&[
        "party", "add", &case_id, "--role", "harmer", "--name", kai, "--minor",
    ]);
    let contact = || {
        store.run(&[
            "contact",
            "add",
            &case_id,
            "--party",
            kai,
            "--kind",
            "visit",
            "--date",
            "2026-11-06",
            "--notes",
            "Visit at home",
        ])
    };
    let participation = |party: &str| {
        store.create(&[
            "consent",
            "record",
            &case_id,
            "--party",
            party,
            "--scope",
            "participation",
            "--decision",
            "given",
            "--method",
            "signed",
        ])
    };
    let refused = |what: &str| {
        let out = contact();
        assert_code(&out, EXIT_REFUSED, what);
        assert!(
            stderr(&out).contains(kai),
            "{what}: stderr should name {kai}\n{}",
            describe(&out)
        );
        assert_plain_error(&out, what);
    };

    refused("contact with a minor without any consent");
    participation(&kai_id);
    refused("contact with a minor with only their own consent and no guardian");
    let mum = "Mary Young";
    store.create(&[
        "party",
        "add",
        &case_id,
        "--role",
        "guardian",
        "--name",
        mum,
        "--guardian-of",
        kai,
    ]);
    refused("contact with a minor whose guardian has not consented");
    participation(mum);
    assert_code(
        &contact(),
        EXIT_OK,
        "contact with a minor with both consents given",
    );

    let (shown, timeline) = parties(&store, &case_id);
    assert_eq!(
        contacts_in(&timeline),
        1,
        "only the allowed contact is recorded: {timeline:#?}"
    );
    let kai_shown = shown.iter().find(|p| p["id"] == kai_id.as_str()).unwrap();
    assert_eq!(
        kai_shown["minor"],
        Value::Bool(true),
        "Kai should be shown as a minor: {kai_shown}"
    );
}

/// Process rules on cases exit 5: a pre-sentence case needs a court date, and status moves
/// one step at a time; nothing is written by a refusal.
#[test]
fn case_process_rules_refuse_with_exit_5() {
    let store = Store::new();
    let out = store.run(&[
        "case",
        "new",
        "--kind",
        "rj",
        "--stage",
        "pre-sentence",
        "--source",
        "court",
        "--summary",
        "Burglary",
    ]);
    assert_code(&out, EXIT_REFUSED, "pre-sentence case without --court-date");
    assert!(
        mentions_any(&stderr(&out), &["court date", "--court-date"]),
        "should say a court date is needed\n{}",
        describe(&out)
    );
    assert_plain_error(&out, "pre-sentence case without --court-date");

    let (case_id, _) = store.new_case("Criminal damage to a car");
    let out = store.run(&["case", "status", &case_id, "--to", "follow-up"]);
    assert_code(&out, EXIT_REFUSED, "status referred -> follow-up (skips stages)");
    assert_plain_error(&out, "status referred -> follow-up");
    store.ok(&["case", "status", &case_id, "--to", "contacting"]);

    // Adjourned or deferred only before sentence; the court date goes once sentenced.
    let out = store.run(&["case", "edit", &case_id, "--pre-sentence", "deferred-sentence"]);
    assert_code(&out, EXIT_REFUSED, "a deferral on an out-of-court case");
    assert_plain_error(&out, "a deferral on an out-of-court case");
    store.ok(&[
        "case",
        "edit",
        &case_id,
        "--stage",
        "pre-sentence",
        "--court-date",
        "2027-03-04",
        "--pre-sentence",
        "deferred-sentence",
    ]);
    let shown = store.ok(&["case", "show", &case_id]);
    assert!(
        String::from_utf8_lossy(&shown.stdout).contains("Court date: 2027-03-04 (deferred sentence)"),
        "{}",
        describe(&shown)
    );
    let out = store.run(&["case", "edit", &case_id, "--no-court-date"]);
    assert_code(&out, EXIT_REFUSED, "removing a pre-sentence case's court date");
    store.ok(&[
        "case",
        "edit",
        &case_id,
        "--stage",
        "post-sentence",
        "--no-court-date",
    ]);
    let case = store.json(&["case", "show", &case_id]);
    assert_eq!(
        (&case["case"]["court_date"], &case["case"]["pre_sentence"]),
        (&Value::Null, &Value::Null),
        "{case}"
    );

    let cases = store.cases();
    assert_eq!(cases.len(), 1, "the refused case must not exist: {cases:?}");
    assert_eq!(
        cases[0]["status"], "contacting",
        "status after one allowed step: {}",
        cases[0]
    );
}

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

/// Done when #8 (exit codes): unknown cases exit 4, usage errors exit 2, nothing is written.
#[test]
fn unknown_records_exit_4_and_usage_errors_exit_2() {
    let store = Store::new();
    let (case_id, _) = store.new_case("Dispute over a shared driveway");
    let before = store.hash();
    let missing = "0190b2c4-0000-7000-8000-000000000000";
    for args in [
        &["case", "show", missing][..],
        &["case", "show", "P-ZZZZZZ"],
        &["party", "add", missing, "--role", "victim", "--name", "Nobody"],
        &[
            "contact",
            "add",
            &case_id,
            "--party",
            "No Such Person",
            "--kind",
            "call",
            "--date",
            "2026-11-01",
            "--notes",
            "x",
        ],
    ] {
        let out = store.run(args);
        let what = format!("casebook {}", args.join(" "));
        assert_code(&out, EXIT_NOT_FOUND, &what);
        assert_plain_error(&out, &what);
    }
    for args in [
        &["case", "list", "--no-such-flag"][..],
        &[
            "case",
            "new",
            "--kind",
            "martian",
            "--stage",
            "none",
            "--source",
            "self",
            "--summary",
            "x",
        ],
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
            "x",
            "--court-date",
            "tomorrow",
        ],
        &["no-such-command"],
    ] {
        let out = store.run(args);
        assert_code(&out, EXIT_USAGE, &format!("casebook {}", args.join(" ")));
    }
    assert_eq!(store.hash(), before, "refused commands changed files");
    let out = store.run(&["case", "show", missing, "--json"]);
    assert_code(&out, EXIT_NOT_FOUND, "case show of an unknown id with --json");
}

/// Done when #8 (export): the export file holds no plaintext and decrypts with age and the
/// passphrase to JSON holding the data; `--case` exports that case only.
#[test]
fn export_is_age_encrypted_to_the_passphrase_and_holds_the_data() {
    let store = Store::new();
    let (m1, m2) = (marker(), marker());
    let (_, ref1) = store.new_case(&format!("Theft from a parked van {m1}"));
    store.create(&[
        "party",
        "add",
        &ref1,
        "--role",
        "victim",
        "--name",
        &format!("Victor {m1}"),
    ]);
    store.new_case(&format!("Noise between flats {m2}"));

    let all = store.outside("all.age");
    let one = store.outside("one.age");
    store.ok(&["export", "--out", all.to_str().unwrap()]);
    store.ok(&["export", "--out", one.to_str().unwrap(), "--case", &ref1]);

    for (file, present, absent) in [(&all, vec![&m1, &m2], vec![]), (&one, vec![&m1], vec![&m2])] {
        let bytes = fs::read(file).unwrap_or_else(|e| panic!("export made no {}: {e}", file.display()));
        for m in present.iter().chain(&absent) {
            assert!(
                !bytes.windows(m.len()).any(|w| w == m.as_bytes()),
                "{}: marker in plaintext",
                file.display()
            );
        }
        let plain = age_decrypt(&bytes, PASSPHRASE)
            .unwrap_or_else(|e| panic!("{} should decrypt with age + the passphrase: {e}", file.display()));
        let json: Value = serde_json::from_slice(&plain)
            .unwrap_or_else(|e| panic!("{} does not decrypt to JSON: {e}", file.display()));
        let text = json.to_string();
        for m in present {
            assert!(
                text.contains(m.as_str()),
                "{}: exported JSON lacks {m}",
                file.display()
            );
        }
        for m in absent {
            assert!(
                !text.contains(m.as_str()),
                "{}: --case export holds another case ({m})",
                file.display()
            );
        }
        assert!(
            age_decrypt(&bytes, "not the passphrase").is_err(),
            "export decrypts with a wrong passphrase"
        );
    }
    assert_no_plaintext(&store, &m1, "after export");
}

/// Done when #8 (`--json`, ordering): created records carry ids, `CASEBOOK_STORE` is honoured,
/// and `case list` puts the pre-sentence case with the soonest court date first.
#[test]
fn case_list_puts_the_soonest_court_date_first() {
    let store = Store::new();
    let new_case = |stage: &str, court: Option<&str>, summary: &str| {
        let mut args = vec![
            "case",
            "new",
            "--kind",
            "rj",
            "--stage",
            stage,
            "--source",
            "court",
            "--summary",
            summary,
        ];
        if let Some(d) = court {
            args.extend(["--court-date", d]);
        }
        let v = store.json(&args);
        assert!(
            v["id"].as_str().is_some_and(is_uuid),
            "case new --json: no id in {v}"
        );
        let reference = v["reference"]
            .as_str()
            .unwrap_or_else(|| panic!("case new --json: no reference in {v}"));
        assert!(
            reference.len() == 8
                && reference.starts_with("P-")
                && reference[2..].chars().all(|c| c.is_ascii_alphanumeric()),
            "reference {reference:?} is not P-XXXXXX"
        );
        v["id"].as_str().unwrap().to_owned()
    };
    // Received today: the first-contact target is 10 days away, so a court date 3 days away
    // is the soonest deadline of all; the other cases are created first.
    let soon = date_from_today(3);
    let later = date_from_today(60);
    let post = new_case("post-sentence", None, "Robbery, post-sentence");
    let far = new_case("pre-sentence", Some(&later), "Burglary, court in two months");
    let first = new_case("pre-sentence", Some(&soon), "Burglary, court in three days");

    let out = store
        .command_via_env(&["case", "list", "--json"])
        .output()
        .unwrap();
    assert_code(
        &out,
        EXIT_OK,
        "case list --json with CASEBOOK_STORE and no --store",
    );
    let v: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e})\n{}", describe(&out)));
    let ids: Vec<&str> = v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(ids.len(), 3, "{v:#}");
    assert_eq!(
        ids[0], first,
        "the case with the court date {soon} should come first: {v:#}"
    );
    assert!(
        ids.contains(&far.as_str()) && ids.contains(&post.as_str()),
        "{v:#}"
    );
    let top = &v["cases"][0];
    assert_eq!(top["court_date"], soon.as_str(), "{top}");
    assert!(
        top["next_deadline"].to_string().contains(&soon),
        "next deadline should be the court date: {top}"
    );

    // Moving the far court date to tomorrow puts that case first.
    let tomorrow = date_from_today(1);
    store.ok(&["case", "edit", &far, "--court-date", &tomorrow]);
    let cases = store.cases();
    assert_eq!(
        cases[0]["id"],
        far.as_str(),
        "after case edit, the court date {tomorrow} should come first: {cases:#?}"
    );
}

/// The helpers themselves can see a leak, a key-like string and a change: without this, the
/// tests above could pass by looking at nothing.
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

/// After `casebook rekey` the store opens with the same passphrase and keeps every record,
/// and a copy of the old store.key (a backup) no longer opens it.
#[test]
fn rekey_makes_an_old_store_key_useless_and_keeps_the_data() {
    let store = Store::new();
    let summary = format!("Criminal damage to a bus shelter {}", marker());
    let (case_id, _) = store.new_case(&summary);
    let old_key = fs::read(store.dir.join("store.key")).unwrap();

    let doc = store.json(&["rekey"]);
    assert_eq!(doc["rekeyed"], true, "{doc}");
    assert!(doc["bytes"].as_u64().unwrap() > 0, "{doc}");
    assert_ne!(fs::read(store.dir.join("store.key")).unwrap(), old_key);
    store.ok(&["verify"]);
    assert!(
        store
            .cases()
            .iter()
            .any(|c| c["id"] == case_id.as_str() && c["summary"] == summary.as_str()),
        "the case is gone after the rekey"
    );

    // Today's store.db with the backup's store.key: the passphrase opens the key file, the key
    // in it opens nothing.
    let backup = Store::empty();
    fs::copy(store.dir.join("store.db"), backup.dir.join("store.db")).unwrap();
    fs::write(backup.dir.join("store.key"), &old_key).unwrap();
    assert!(age_decrypt(&old_key, PASSPHRASE).is_ok());
    let out = backup.run(&["case", "list"]);
    assert_code(&out, EXIT_OTHER, "case list with an old store.key after a rekey");
    assert!(
        mentions_any(&stderr(&out), &["cannot be decrypted"]),
        "{}",
        describe(&out)
    );
}

/// `casebook rekey` SIGKILLed at any moment once it has begun (evidence: `store.key.new`, written
/// just before the database is re-encrypted) leaves a store that opens with the passphrase
/// and holds every case: killed while re-encrypting (rolled back under the old key), after
/// it (the new key put in place on the next open), or after it finished.
#[test]
fn rekey_killed_at_any_moment_leaves_a_store_that_opens() {
    let store = Store::new();
    store.ok(&["demo", "--cases", "1000", "--seed", "5"]);
    let cases = store.cases().len();
    let key = store.dir.join("store.key");
    let side = store.dir.join("store.key.new");
    let (mut landed_mid_rekey, mut new_key_kept) = (0, 0);
    for delay_ms in [0, 3, 10, 30, 100, 300, 1000, 3000] {
        let key_before = fs::read(&key).unwrap();
        let mut child = store.spawn(&["rekey"]);
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while !side.exists() && child.try_wait().unwrap().is_none() {
            assert!(std::time::Instant::now() < deadline, "rekey never began");
            sleep(Duration::from_millis(1));
        }
        sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        child.wait().unwrap();
        if side.exists() {
            landed_mid_rekey += 1;
        }
        assert_eq!(
            store.cases().len(),
            cases,
            "after a kill {delay_ms} ms into the rekey"
        );
        assert!(!side.exists(), "opening settles an interrupted rekey");
        if fs::read(&key).unwrap() != key_before {
            new_key_kept += 1;
        }
    }
    eprintln!("{landed_mid_rekey} of 8 kills landed mid-rekey; {new_key_kept} ended under a new key");
    assert!(
        landed_mid_rekey >= 2,
        "only {landed_mid_rekey} kill(s) landed while the rekey was under way: the test proved little"
    );
    store.ok(&["verify"]);
}
