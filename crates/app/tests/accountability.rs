//! A laptop's accountability in the app, without a window: a forgotten passphrase reset with a
//! personal recovery code (a mistyped or foreign code changing no byte), and handing the laptop
//! in through a real hub (in process, over HTTP on 127.0.0.1): refused while the hub has
//! refused a change from it or cannot be reached, erased only with the hub's receipt.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use casebook_app_core::dto::{AppPhase, CaseloadQuery};
use casebook_app_core::handover::HandIn;
use casebook_app_core::recovery::RecoveryWay;
use casebook_app_core::{App, CaseId, CaseStatus, ErrorCode};
use casebook_protocol::Role;
use casebook_testkit::inproc::{TestHub, now};
use tempfile::TempDir;

use common::{PASS, join, new_case, unlocked};

const NEW_PASS: &str = "copper lantern orchard sparrow";

/// Every file of the store's folder, byte for byte.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn cases(app: &App) -> Vec<CaseId> {
    app.caseload(CaseloadQuery::default())
        .unwrap()
        .cases
        .into_iter()
        .map(|c| c.id)
        .collect()
}

/// `code` with its first symbol replaced by another one: the check symbols catch it.
fn one_symbol_wrong(code: &str) -> String {
    let first = code.chars().next().unwrap();
    let other = if first == '7' { '8' } else { '7' };
    format!("{other}{}", &code[1..])
}

#[test]
fn a_personal_recovery_code_resets_the_passphrase_and_keeps_the_unsynced_case() {
    let dir = TempDir::new().unwrap();
    let app = unlocked(&dir);
    let case = new_case(
        &app,
        "Graffiti on the community centre; the youth club wants to meet.",
    );
    assert_eq!(app.recovery_way().unwrap(), RecoveryWay::None);

    let wrong = app
        .new_recovery_code("not my passphrase at all".into())
        .unwrap_err();
    assert_eq!(
        (wrong.code, wrong.field.as_deref()),
        (ErrorCode::WrongPassphrase, Some("passphrase")),
        "{}",
        wrong.message
    );
    assert_eq!(app.recovery_way().unwrap(), RecoveryWay::None, "no code made");
    let code = app.new_recovery_code(PASS.into()).unwrap().code.clone();
    assert_eq!(code.len(), 34, "seven groups of four: {}", code.len());
    assert_eq!(app.recovery_way().unwrap(), RecoveryWay::PersonalCode);
    assert!(
        !format!("{:?}", app.new_recovery_code(PASS.into()).unwrap()).contains(&code[..4]),
        "Debug shows nothing of a code"
    );
    // That second code replaced the first: make the one to keep now.
    let code = app.new_recovery_code(PASS.into()).unwrap().code.clone();
    let refused = app
        .recover(code.clone(), NEW_PASS.into(), NEW_PASS.into())
        .unwrap_err();
    assert_eq!(
        refused.code,
        ErrorCode::InvalidInput,
        "not while unlocked: {}",
        refused.message
    );

    app.lock();
    let store = app.paths().dir.clone();
    let before = files(&store);
    let other_dir = TempDir::new().unwrap();
    let foreign = unlocked(&other_dir)
        .new_recovery_code(PASS.into())
        .unwrap()
        .code
        .clone();
    for (typed, says) in [
        (one_symbol_wrong(&code), "a letter or digit in it is wrong"),
        (code[..20].to_owned(), "shorter than a code"),
        (foreign, "another store's code"),
    ] {
        let e = app.recover(typed, NEW_PASS.into(), NEW_PASS.into()).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("code"), "beside the code: {}", e.message);
        assert!(e.message.contains(says), "{}", e.message);
        assert!(e.message.contains("Nothing was changed"), "{}", e.message);
        assert_eq!(files(&store), before, "a refused code changed the store's files");
        assert_eq!(app.state().phase, AppPhase::Locked);
    }
    let weak = app.recover(code.clone(), "password1234".into(), "password1234".into());
    assert_eq!(weak.unwrap_err().code, ErrorCode::WeakPassphrase);
    let mismatch = app.recover(code.clone(), NEW_PASS.into(), "something else".into());
    assert_eq!(mismatch.unwrap_err().code, ErrorCode::PassphraseMismatch);
    assert_eq!(
        files(&store),
        before,
        "a refused passphrase changed the store's files"
    );

    // Typed from the paper: lower case, spaces for dashes.
    let typed = code.to_lowercase().replace('-', " ");
    let state = app.recover(typed, NEW_PASS.into(), NEW_PASS.into()).unwrap();
    assert_eq!(state.phase, AppPhase::Unlocked);
    assert_eq!(cases(&app), [case], "the unsynced case is kept");
    app.lock();
    assert_eq!(
        app.unlock(PASS.into()).unwrap_err().code,
        ErrorCode::WrongPassphrase,
        "the forgotten passphrase opens nothing now"
    );
    app.unlock(NEW_PASS.into()).unwrap();
    assert_eq!(cases(&app), [case]);
}

#[test]
fn without_a_recovery_file_the_app_says_only_the_hub_can_help() {
    let dir = TempDir::new().unwrap();
    let app = unlocked(&dir);
    app.lock();
    let before = files(&app.paths().dir);
    assert_eq!(app.recovery_way().unwrap(), RecoveryWay::None);
    let e = app
        .recover("7K3Q-M9XD".into(), NEW_PASS.into(), NEW_PASS.into())
        .unwrap_err();
    assert!(
        e.message.contains("safe on your service's hub") && e.message.contains("not synced"),
        "{}",
        e.message
    );
    assert_eq!(files(&app.paths().dir), before);
}

/// Closes `case` (synced), has the hub erase it, then reopens it here: a change the hub must
/// refuse (`purged`), waiting to be sent.
async fn refused_change(hub: &TestHub, app: &App, case: CaseId) {
    app.change_status(case, CaseStatus::Closed, Some("agreement kept".into()))
        .unwrap();
    app.sync_now().await.unwrap();
    hub.admin()
        .purge_case(&case.to_string(), true, chrono::Utc::now().date_naive(), now())
        .unwrap();
    app.change_status(case, CaseStatus::Referred, None).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_laptop_is_handed_in_only_once_the_hub_holds_everything_and_then_has_no_store() {
    let hub = TestHub::start().await;
    let dir = TempDir::new().unwrap();
    let app = join(&hub, &dir, "Femi", Role::Facilitator).await;
    let kept = new_case(&app, "Damage to a neighbour's fence; both want to talk.");
    let purged = new_case(&app, "A closed case the hub erases.");
    app.sync_now().await.unwrap();
    refused_change(&hub, &app, purged).await;
    let store = app.paths().dir.clone();

    let e = app.hand_in(PASS.into()).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::HubRefused, "{}", e.message);
    assert!(store.join("store.key").is_file() && store.join("store.db").is_file());
    assert_eq!(app.state().phase, AppPhase::Unlocked, "open again, as it was");
    // Reopening writes the status change and the case's new stage of work.
    let rejected = app.sync_status().unwrap().rejected;
    assert!(
        rejected > 0
            && e.message.contains(&format!("refused {rejected} change"))
            && e.message.contains("Nothing was erased"),
        "{rejected} refused: {}",
        e.message
    );
    assert_eq!(app.handover_receipt(), None);

    let wrong = app.hand_in("not my passphrase at all".into()).await.unwrap_err();
    assert_eq!(
        (wrong.code, wrong.field.as_deref()),
        (ErrorCode::WrongPassphrase, Some("passphrase"))
    );
    assert_eq!(app.state().phase, AppPhase::Unlocked);

    // The purge order erases the refused change with its case; nothing stands in the way now.
    app.sync_now().await.unwrap();
    assert_eq!(app.sync_status().unwrap().rejected, 0);
    assert_eq!(cases(&app), [kept]);
    let HandIn::HandedOver { receipt } = app.hand_in(PASS.into()).await.unwrap() else {
        panic!("not handed over")
    };
    assert!(receipt.ops >= 1, "the kept case's creation at least: {receipt:?}");
    assert_eq!(receipt.digest.len(), 64, "{receipt:?}");
    assert!(
        chrono::DateTime::parse_from_rfc3339(&receipt.at).is_ok(),
        "{receipt:?}"
    );
    for file in ["store.key", "store.db", "store.db-wal"] {
        assert!(!store.join(file).exists(), "{file} is still there");
    }
    let state = app.state();
    assert_eq!(state.phase, AppPhase::Wiped, "no store");
    assert_eq!(state.user_name, None);
    assert_eq!(
        app.handover_receipt(),
        Some(receipt),
        "the receipt waits for the screen"
    );
    assert_eq!(app.unlock(PASS.into()).unwrap_err().code, ErrorCode::NoStore);
    assert_eq!(app.acknowledge_wipe().phase, AppPhase::FirstRun);
    assert_eq!(app.handover_receipt(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_that_cannot_be_reached_erases_nothing() {
    let mut hub = TestHub::start().await;
    let dir = TempDir::new().unwrap();
    let app = join(&hub, &dir, "Femi", Role::Facilitator).await;
    let case = new_case(&app, "Written while the hub is away.");
    hub.stop().await;
    app.lock();
    let before = files(&app.paths().dir);
    app.unlock(PASS.into()).unwrap();

    let e = app.hand_in(PASS.into()).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::HubUnreachable, "{}", e.message);
    assert!(
        e.message.contains("cannot be reached") && e.message.contains("Nothing was erased"),
        "{}",
        e.message
    );
    assert_eq!(app.state().phase, AppPhase::Unlocked);
    assert_eq!(cases(&app), [case]);
    app.lock();
    assert_eq!(
        files(&app.paths().dir).keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>(),
        "no file of the store went away"
    );
    assert_eq!(
        files(&app.paths().dir)["store.key"],
        before["store.key"],
        "the key file is as it was"
    );
}
