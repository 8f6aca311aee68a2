//! The store's passphrase in the window: the store made on first run (and the saved notes
//! surviving the app killed while typing), a wrong passphrase refused, and the app locking
//! itself after the time set in Settings.
//! Declared from tests/app_window.rs, whose steps it uses.

use std::time::Duration;

use casebook_testkit::util::random_between;

use crate::window::{PASSPHRASE, Profile, Window, marker, step_timeout};
use crate::{add_party, create_case, record_consent, start_visit, unlock, wait_saved};

/// First run: a store is created (a weak passphrase shows the hint, a mismatch is said), a
/// case with two parties and consent, a visit typed; the app is SIGKILLed while typing and the
/// saved part of the notes is there after unlocking again.
#[test]
fn first_run_then_a_crash_while_typing_keeps_the_saved_notes() {
    let profile = Profile::new();
    let mut w = Window::open(&profile, "first-run");

    w.heading("Welcome to Casebook");
    w.evidence("welcome");
    w.click("Create a new store");
    w.fill("Passphrase", "abc");
    w.wait_text(
        "a strength hint (#strength) refusing a weak passphrase, with advice",
        "#strength",
        |t| t.contains("will not accept") && t.contains("word"),
    );
    w.fill("Passphrase", PASSPHRASE);
    w.wait_text(
        "the strength hint to accept a passphrase of several words",
        "#strength",
        |t| t.contains("Strength:") && !t.contains("will not accept"),
    );
    w.fill("Repeat passphrase", "another long passphrase 8");
    w.click("Create store");
    w.alert_saying(&["different", "match", "not the same"]);
    assert!(
        !profile.store.join("store.key").exists(),
        "a store was created although the passphrases differ"
    );
    w.fill("Repeat passphrase", PASSPHRASE);
    w.click("Create store");
    w.heading("Caseload");
    assert!(
        profile.store.join("store.key").is_file(),
        "no store.key after Create store"
    );

    let summary = format!("Window test case {}", marker());
    let reference = create_case(&w, &summary);
    add_party(&w, "Ann Example", "victim");
    add_party(&w, "Ben Example", "harmer");
    record_consent(&w, "Ann Example");
    w.evidence("case");

    start_visit(&w, "Ann Example");
    let saved_part = format!("Met Ann at the kitchen table {} ", marker());
    w.type_into("Notes", &saved_part);
    wait_saved(&w);
    w.evidence("visit");

    // Keep typing from another thread, in pieces, and SIGKILL the app while the keys arrive:
    // once the first piece is typed (evidence that keys reach the page, however slow the
    // machine), at a random short delay.
    let more = "and she said she wants to hear from him directly before the meeting. ".repeat(4);
    let notes = w.field("Notes");
    let typist = w.s.clone();
    let pieces: Vec<String> = more
        .chars()
        .collect::<Vec<_>>()
        .chunks(24)
        .map(|c| c.iter().collect())
        .collect();
    let (typed_tx, typed_rx) = std::sync::mpsc::channel();
    let typing = std::thread::spawn(move || {
        for piece in pieces {
            if typist.send_keys(&notes, &piece).is_err() {
                break;
            }
            let _ = typed_tx.send(());
        }
    });
    typed_rx
        .recv_timeout(step_timeout())
        .unwrap_or_else(|e| panic!("the first keys of the notes were never typed ({e})"));
    std::thread::sleep(Duration::from_millis(random_between(0, 150)));
    w.kill_app();
    let _ = typing.join();

    w.reopen();
    unlock(&w);
    w.wait_page_contains(&reference);
    w.evidence("caseload");
    w.click_containing(&reference);
    w.heading(&reference);
    w.click("Continue draft");
    w.heading("Record a visit");
    let after = w.value_of("Notes");
    assert!(
        after.starts_with(&saved_part),
        "the notes saved before the crash are lost.\nsaved: {saved_part:?}\nafter: {after:?}"
    );
    let typed_all = format!("{saved_part}{more}");
    assert!(
        typed_all.starts_with(&after),
        "the notes after the crash are not a part of what was typed.\ntyped: {typed_all:?}\nafter: {after:?}"
    );
}

/// A wrong passphrase is refused with a plain sentence; the right one opens the caseload.
/// (The empty caseload and the settings screen are looked at here too.)
#[test]
fn a_wrong_passphrase_says_so() {
    let profile = Profile::new();
    profile.init_store();
    let w = Window::open(&profile, "unlock");
    w.heading("Unlock Casebook");
    w.evidence("unlock");
    w.fill("Passphrase", "not the passphrase at all 3");
    w.click("Unlock");
    let said = w.alert_saying(&["wrong"]);
    assert!(
        said.contains("The passphrase is wrong"),
        "the alert should say the passphrase is wrong: {said:?}"
    );
    w.heading("Unlock Casebook");
    w.fill("Passphrase", PASSPHRASE);
    w.click("Unlock");
    w.heading("Caseload");
    w.click("Settings");
    w.heading("Settings");
    w.evidence("settings");
}

/// Settings → "Lock after (minutes)"; with no activity the unlock screen comes back, saying
/// why. `CASEBOOK_AUTO_LOCK_SECS` makes the app count that many seconds instead of the
/// minutes set, so the test need not wait a minute.
#[test]
fn the_app_locks_itself_after_the_set_time() {
    let profile = Profile::new().with_env("CASEBOOK_AUTO_LOCK_SECS", "15");
    profile.init_store();
    let w = Window::open(&profile, "auto-lock");
    unlock(&w);
    w.click("Settings");
    w.heading("Settings");
    w.fill("Lock after (minutes)", "1");
    w.click("Save settings");
    w.wait_for_up_to(
        Duration::from_secs(90),
        "the app to lock itself (h1 \"Unlock Casebook\")",
        |s| {
            let h1 = Window::displayed(s, "//h1")?;
            Ok(match h1 {
                Some(el) => (s.text(&el)?.trim() == "Unlock Casebook").then_some(()),
                None => None,
            })
        },
    );
    w.wait_page_contains("locked itself");
    // Unlocking carries on where the person was.
    w.fill("Passphrase", PASSPHRASE);
    w.click("Unlock");
    w.heading("Settings");
}
