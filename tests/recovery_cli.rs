//! Passphrase recovery across processes: the hub's recovery key, a laptop enrolled after it
//! (so its key is sealed to it), a forgotten passphrase reset with the key without losing an
//! unsynced draft, and the recovery recorded in the hub's audit at the next sync.

#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::*;

const NEW: &str = "a brand new passphrase for Femi 42";

/// `casebook-hub recovery-key new [--replace]`: the AGE-SECRET-KEY line it prints, in a file.
fn recovery_key(hub: &Hub, dir: &std::path::Path, name: &str, replace: bool) -> std::path::PathBuf {
    let mut args = vec!["recovery-key", "new"];
    if replace {
        args.push("--replace");
    }
    let out = hub.admin_ok(&args);
    let text = String::from_utf8(out.stdout).unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .unwrap_or_else(|| panic!("no secret key printed: {text}"));
    let file = dir.join(name);
    std::fs::write(&file, format!("{line}\n")).unwrap();
    file
}

fn recover(store: &Store, identity: &std::path::Path) -> std::process::Output {
    store
        .command(&["recover", "--identity", identity.to_str().unwrap()])
        .env_remove("CASEBOOK_PASSPHRASE")
        .env("CASEBOOK_NEW_PASSPHRASE", NEW)
        .output()
        .unwrap()
}

#[test]
fn a_forgotten_passphrase_is_reset_with_the_recovery_key_and_nothing_is_lost() {
    let hub = start_hub();
    let keys = tempfile::tempdir().unwrap();
    let identity = recovery_key(&hub, keys.path(), "recovery.key", false);
    assert!(
        !hub.admin(&["recovery-key", "new"]).status.success(),
        "a second key needs --replace"
    );
    let femi = member(&hub, "Femi", "facilitator", Some("north"));
    assert!(femi.dir.join("store.recovery").exists(), "sealed at enrollment");
    let (case, _) = femi.new_case("Recovery case");
    femi.create(&["party", "add", &case, "--role", "victim", "--name", "Ann"]);
    sync(&femi, &hub);
    femi.create(&[
        "contact",
        "add",
        &case,
        "--party",
        "Ann",
        "--kind",
        "visit",
        "--date",
        "2026-11-30",
        "--notes",
        "RECOVERY-MARKER written offline, not yet sent",
        "--draft",
    ]);

    // Another key does not open it, and changes nothing.
    let other = recovery_key(&hub, keys.path(), "other.key", true);
    let before = femi.hash();
    let out = recover(&femi, &other);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("does not open this store"),
        "{}",
        describe(&out)
    );
    assert_eq!(femi.hash(), before, "a refused recovery writes nothing");

    let out = recover(&femi, &identity);
    assert_code(&out, EXIT_OK, "casebook recover");
    let old = femi.run(&["status"]);
    assert_code(&old, EXIT_LOCKED, "the old passphrase after a recovery");
    let shown = femi.run_with_passphrase(Some(NEW), &["case", "show", &case, "--json"]);
    assert_code(&shown, EXIT_OK, "case show with the new passphrase");
    assert!(String::from_utf8_lossy(&shown.stdout).contains("RECOVERY-MARKER"));

    let synced = femi.run_with_passphrase(Some(NEW), &["sync", "--json"]);
    assert_code(&synced, EXIT_OK, "sync after the recovery");
    let audit = hub.admin_json(&["audit", "show", "--user", "Femi"]);
    let recoveries = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "recovery")
        .count();
    assert_eq!(recoveries, 1, "{audit:#}");
    femi.run_with_passphrase(Some(NEW), &["sync", "--json"]);
    let audit = hub.admin_json(&["audit", "show", "--user", "Femi"]);
    let again = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "recovery")
        .count();
    assert_eq!(again, 1, "reported once");

    // A new database key (rekey) is sealed to the recovery recipient too.
    let rekeyed = femi.run_with_passphrase(Some(NEW), &["rekey"]);
    assert_code(&rekeyed, EXIT_OK, "casebook rekey");
    assert_code(
        &recover(&femi, &identity),
        EXIT_OK,
        "casebook recover after a rekey",
    );
}
