//! Rotating the embedded hub's key (`casebook-hub rotate-key` on a data dir): the SQLCipher
//! file is re-encrypted under a new key that replaces `hub.key`, the old key opens nothing, a
//! serving hub is never rekeyed under it, and a rotation stopped at any point leaves a hub that
//! opens with the key in its data dir.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use casebook_domain::CaseId;
use casebook_hub::storage::{HubKey, KEY_FILE, NEW_KEY_FILE};
use casebook_protocol::Role;
use casebook_testkit::hub::Hub;
use casebook_testkit::inproc::{enrolled_in, note, now, opened_case};
use casebook_testkit::util::random_between;
use common::{BIN, HubStore, command, hub_cli, ok, ok_json};

fn key_in(dir: &Path) -> String {
    fs::read_to_string(dir.join(KEY_FILE)).unwrap().trim().to_owned()
}

/// A data dir holding the demo's users and cases, its hub stopped.
fn data_dir() -> (tempfile::TempDir, HubStore) {
    let tmp = tempfile::tempdir().unwrap();
    let store = HubStore::Dir(tmp.path().join("hub"));
    ok_json(&store, &["demo", "--json"]);
    (tmp, store)
}

fn dir(store: &HubStore) -> &Path {
    store.dir().unwrap()
}

/// The cases and devices the hub lists, opened with whatever key its data dir holds.
fn holdings(store: &HubStore) -> String {
    let cases = ok(store, &["case", "list", "--json"]);
    assert!(cases.contains("RH-"), "{cases}");
    cases + &ok(store, &["device", "list", "--json"])
}

#[test]
fn a_data_dir_rotates_its_key_in_place_and_the_old_key_opens_nothing() {
    let (_tmp, store) = data_dir();
    let before = holdings(&store);
    let old = key_in(dir(&store));

    let rotated = ok_json(&store, &["rotate-key", "--json"]);
    assert!(rotated["bytes"].as_u64().unwrap() > 0, "{rotated}");
    let new = key_in(dir(&store));
    assert_ne!(new, old, "hub.key holds a new key");
    assert!(HubKey::from_hex(&new).is_ok());
    assert!(!dir(&store).join(NEW_KEY_FILE).exists(), "no key left beside it");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(dir(&store).join(KEY_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert_eq!(holdings(&store), before, "the same hub under the new key");
    let verified = ok(&store, &["audit", "verify"]);
    assert!(!verified.is_empty());
    let trail = ok_json(&store, &["audit", "show", "--json"]).to_string();
    assert!(
        trail.contains("key_rotation"),
        "the rotation is in the audit trail"
    );

    let with_old = command(&store)
        .args(["case", "list"])
        .env("CASEBOOK_HUB_KEY", &old)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&with_old.stderr);
    assert!(!with_old.status.success() && err.contains("wrong key"), "{err}");
    assert!(
        !err.contains(&old) && !err.contains(&new),
        "no key is printed: {err}"
    );

    // --new-key-file is PostgreSQL's; a key from the environment has no file to replace.
    let out = hub_cli(&store, &["rotate-key", "--new-key-file", "/tmp/unused.key"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("Nothing was changed"),
        "{err}"
    );
    let out = command(&store)
        .args(["rotate-key"])
        .env("CASEBOOK_HUB_KEY", &new)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("CASEBOOK_HUB_KEY"), "{err}");
    assert_eq!(key_in(dir(&store)), new, "neither refusal changed the key");
    assert_eq!(holdings(&store), before);
}

#[tokio::test]
async fn a_serving_hub_is_not_rekeyed_under_it() {
    let server = Hub::start_with(BIN, HubStore::Dir, &[]);
    let store = server.store().clone();
    ok_json(&store, &["demo", "--json"]);
    let old = key_in(dir(&store));

    let out = hub_cli(&store, &["rotate-key"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("stop the hub"), "{err}");
    assert_eq!(key_in(dir(&store)), old);
    assert!(!dir(&store).join(NEW_KEY_FILE).exists());
    let ready = reqwest::get(format!("{}/readyz", server.url)).await.unwrap();
    assert_eq!(ready.status(), reqwest::StatusCode::OK, "the hub serves on");
    drop(server);

    ok(&store, &["rotate-key"]);
    assert_ne!(key_in(dir(&store)), old, "once stopped, it rotates");
}

/// Adds 2,000 notes (about 20 MB) to the hub in `store`: enough for a rekey to take a while.
fn with_notes(store: &HubStore) {
    let mut storage = store.open();
    let (femi, laptop) = enrolled_in(&mut storage, "Femi", Role::Facilitator, Some("north"));
    let case = CaseId::new();
    storage
        .push(&femi, Some(laptop.id), &opened_case(&laptop, case), now())
        .unwrap();
    let words = "a visit note of some length ".repeat(400);
    for _ in 0..20 {
        let notes: Vec<_> = (0..100).map(|_| note(&laptop, case, &words)).collect();
        storage.push(&femi, Some(laptop.id), &notes, now()).unwrap();
    }
}

#[test]
fn commands_started_during_a_rotation_wait_for_it_and_lose_nothing() {
    let (_tmp, store) = data_dir();
    with_notes(&store);
    let before = holdings(&store);
    let old = key_in(dir(&store));
    // Admin commands from the moment the rotation holds the file (hub.key.new is written) until
    // it ends: each waits for it, then works with the new key; none may settle the new key away
    // or open the file under the rekey.
    let mut rotation = command(&store)
        .args(["rotate-key", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let side = dir(&store).join(NEW_KEY_FILE);
    while !side.exists() && rotation.try_wait().unwrap().is_none() {
        std::thread::sleep(Duration::from_millis(1));
    }
    let (mut worked, mut turned_away) = (0, 0);
    while rotation.try_wait().unwrap().is_none() {
        if hub_cli(&store, &["case", "list", "--json"]).status.success() {
            worked += 1;
        } else {
            turned_away += 1;
        }
    }
    let out = rotation.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    eprintln!("during the rotation {worked} commands worked and {turned_away} were turned away");
    assert_eq!(turned_away, 0, "a command waits for the rotation");
    assert!(worked >= 1, "a command ran during the rotation");
    assert_ne!(key_in(dir(&store)), old);
    assert!(!dir(&store).join(NEW_KEY_FILE).exists());
    assert_eq!(holdings(&store), before);
    ok(&store, &["audit", "verify"]);
}

#[test]
fn an_interrupted_rotation_settles_on_the_key_that_opens_the_file() {
    // Stopped after hub.key.new was written, before the database changed: the old key stays.
    let (_tmp, store) = data_dir();
    let before = holdings(&store);
    let old = key_in(dir(&store));
    // Any other 64 hex characters: a key that does not open the file.
    fs::write(dir(&store).join(NEW_KEY_FILE), "a7".repeat(32)).unwrap();
    assert_eq!(holdings(&store), before);
    assert_eq!(key_in(dir(&store)), old);
    assert!(!dir(&store).join(NEW_KEY_FILE).exists());

    // Stopped after the rekey committed, before hub.key.new replaced hub.key: the new one is kept.
    let new = "5e".repeat(32);
    {
        let conn = rusqlite::Connection::open(dir(&store).join("hub.db")).unwrap();
        conn.execute_batch(&format!("PRAGMA key = \"x'{old}'\";"))
            .unwrap();
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "delete");
        conn.execute_batch(&format!("PRAGMA rekey = \"x'{new}'\";"))
            .unwrap();
    }
    fs::write(dir(&store).join(NEW_KEY_FILE), &new).unwrap();
    assert_eq!(holdings(&store), before);
    assert_eq!(key_in(dir(&store)), new);
    assert!(!dir(&store).join(NEW_KEY_FILE).exists());

    // Killed at random moments: whatever it had done, the hub opens with its data dir's key.
    with_notes(&store);
    let before = holdings(&store);
    let (mut midway, mut finished) = (0, 0);
    for round in 0..8 {
        let key_before = key_in(dir(&store));
        let mut child = command(&store)
            .arg("rotate-key")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(random_between(0, 1000)));
        let _ = child.kill();
        let _ = child.wait();
        midway += usize::from(dir(&store).join(NEW_KEY_FILE).exists());
        assert_eq!(holdings(&store), before, "round {round}");
        finished += usize::from(key_in(dir(&store)) != key_before);
        assert!(!dir(&store).join(NEW_KEY_FILE).exists(), "round {round}");
        ok(&store, &["audit", "verify"]);
    }
    eprintln!("of 8 rotations killed: {midway} left hub.key.new, {finished} had rotated the key");

    // And after all that, one left to finish.
    let started = Instant::now();
    let rotated = ok_json(&store, &["rotate-key", "--json"]);
    eprintln!(
        "a rotation of {} bytes took {} ms",
        rotated["bytes"],
        started.elapsed().as_millis()
    );
    assert_eq!(holdings(&store), before);
    ok(&store, &["audit", "verify"]);

    // The check a rotation makes before it moves the key into place finds a page that does
    // not open: it is SQLCipher's, not an unknown pragma SQLite would ignore.
    let copy = dir(&store).join("copy.db");
    let mut bytes = fs::read(dir(&store).join("hub.db")).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x5a;
    fs::write(&copy, bytes).unwrap();
    let conn = rusqlite::Connection::open(&copy).unwrap();
    let key = key_in(dir(&store));
    conn.execute_batch(&format!("PRAGMA key = \"x'{key}'\";"))
        .unwrap();
    let mut check = conn.prepare("PRAGMA cipher_integrity_check").unwrap();
    let found = check.query_map([], |r| r.get::<_, String>(0)).unwrap().count();
    assert!(found >= 1, "the flipped byte is found");
}
