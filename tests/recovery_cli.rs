//! Passphrase recovery across processes: the hub's recovery key, a laptop enrolled after it
//! (so its key is sealed to it), a forgotten passphrase reset with the key without losing an
//! unsynced draft, and the recovery recorded in the hub's audit at the next sync. A laptop not
//! enrolled uses a personal recovery code instead, which the organisation's key replaces when
//! it enrolls.

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

/// `casebook recover --code`, the code given as scripts give it.
fn recover_with_code(store: &Store, code: &str) -> std::process::Output {
    store
        .command(&["recover", "--code"])
        .env_remove("CASEBOOK_PASSPHRASE")
        .env("CASEBOOK_RECOVERY_CODE", code)
        .env("CASEBOOK_NEW_PASSPHRASE", NEW)
        .output()
        .unwrap()
}

/// `casebook recovery-code new --json`: the code it shows.
fn new_code(store: &Store) -> String {
    let v = store.json(&["recovery-code", "new"]);
    let code = v["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no code in {v}"))
        .to_owned();
    assert_eq!(code.len(), 34, "{code}");
    assert!(v["advice"].as_str().unwrap().contains("paper"), "{v}");
    code
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
    add_draft(&femi, &case, "RECOVERY-MARKER written offline, not yet sent");

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

#[test]
fn a_store_not_enrolled_is_recovered_with_its_personal_code_and_nothing_is_lost() {
    let ann = Store::new();
    let (case, _) = ann.new_case("Personal code case");
    ann.create(&["party", "add", &case, "--role", "victim", "--name", "Ann"]);
    add_draft(&ann, &case, "CODE-MARKER written on a laptop with no hub");
    let refused = recover_with_code(&ann, "0000-0000-0000-0000-0000-0000-0000");
    assert!(
        stderr(&refused).contains("No personal recovery code"),
        "{}",
        describe(&refused)
    );

    let shown = ann.ok(&["recovery-code", "new"]);
    let text = stdout(&shown);
    let first = text
        .split_whitespace()
        .find(|w| w.len() == 34 && w.matches('-').count() == 6)
        .unwrap_or_else(|| panic!("no code shown: {text}"))
        .to_owned();
    assert!(text.contains("apart from this laptop"), "{text}");
    let second = new_code(&ann);
    assert_ne!(first, second);
    for code in [&first, &second] {
        assert!(
            ann.leaks(code).is_empty(),
            "the code is kept: {:?}",
            ann.leaks(code)
        );
        assert!(ann.leaks(&code.replace('-', "")).is_empty());
    }

    // The first code was replaced; a mistyped one is caught; neither changes anything.
    let before = ann.hash();
    let out = recover_with_code(&ann, &first);
    assert_code(&out, EXIT_LOCKED, "recover --code with a replaced code");
    assert!(
        stderr(&out).contains("does not open this store"),
        "{}",
        describe(&out)
    );
    let mut mistyped: Vec<char> = second.chars().collect();
    mistyped[2] = if mistyped[2] == 'Z' { 'Y' } else { 'Z' };
    let out = recover_with_code(&ann, &mistyped.into_iter().collect::<String>());
    assert_code(&out, EXIT_LOCKED, "recover --code with a mistyped code");
    assert!(stderr(&out).contains("not a recovery code"), "{}", describe(&out));
    let out = ann
        .command(&["recover", "--code"])
        .env_remove("CASEBOOK_PASSPHRASE")
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains("CASEBOOK_RECOVERY_CODE"),
        "{}",
        describe(&out)
    );
    assert_eq!(ann.hash(), before, "a refused recovery writes nothing");

    // Typed the way people type: lower case, spaces, O for 0 and l for 1.
    let typed = second
        .to_lowercase()
        .replace('-', " ")
        .replace('0', "O")
        .replace('1', "l");
    let out = recover_with_code(&ann, &typed);
    assert_code(&out, EXIT_OK, "casebook recover --code");
    assert!(stdout(&out).contains("nothing was lost"), "{}", describe(&out));
    assert_code(
        &ann.run(&["status"]),
        EXIT_LOCKED,
        "the old passphrase after a recovery",
    );
    let shown = ann.run_with_passphrase(Some(NEW), &["case", "show", &case, "--json"]);
    assert_code(&shown, EXIT_OK, "case show with the new passphrase");
    assert!(stdout(&shown).contains("CODE-MARKER"));
}

#[test]
fn at_enrollment_the_organisation_key_takes_over_from_a_personal_code() {
    let hub = start_hub();
    let keys = tempfile::tempdir().unwrap();
    let identity = recovery_key(&hub, keys.path(), "recovery.key", false);
    let bo = Store::new();
    let (case, _) = bo.new_case("Enrolled later");
    let code = new_code(&bo);

    let invite = hub.add_user("Bo", "facilitator", Some("north"));
    let out = bo.run(&[
        "enroll",
        "--hub",
        &hub.url,
        "--code",
        &invite,
        "--name",
        "bo-laptop",
        "--json",
    ]);
    assert_code(&out, EXIT_OK, "casebook enroll with a personal code");
    assert!(stderr(&out).contains("no longer works"), "{}", describe(&out));

    let before = bo.hash();
    let out = recover_with_code(&bo, &code);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("organisation recovery key"),
        "{}",
        describe(&out)
    );
    assert_eq!(bo.hash(), before, "a refused recovery writes nothing");
    let sealed = std::fs::read(bo.dir.join("store.recovery")).unwrap();
    let out = bo.run(&["recovery-code", "new"]);
    assert!(!out.status.success(), "{}", describe(&out));
    assert!(
        stderr(&out).contains("organisation recovery key"),
        "{}",
        describe(&out)
    );
    assert_eq!(
        std::fs::read(bo.dir.join("store.recovery")).unwrap(),
        sealed,
        "still the organisation's"
    );

    assert_code(
        &recover(&bo, &identity),
        EXIT_OK,
        "recover --identity after enrollment",
    );
    let shown = bo.run_with_passphrase(Some(NEW), &["case", "show", &case]);
    assert_code(&shown, EXIT_OK, "case show with the new passphrase");
}
