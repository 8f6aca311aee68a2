//! `casebook rekey`: a copy of the old `store.key` no longer opens the store, and a rekey
//! SIGKILLed at any moment leaves a store that opens with every case.

use std::fs;
use std::thread::sleep;
use std::time::Duration;

use crate::common::*;

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
