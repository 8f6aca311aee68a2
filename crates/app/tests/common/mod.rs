//! What the app core's tests share: an `App` on a scratch store that never syncs by itself,
//! and one joined to a real hub (`casebook_testkit::inproc::TestHub`) as a new user.
#![allow(clippy::unwrap_used, dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use casebook_app_core::{App, AppEvent, AppOptions, StorePaths};
use casebook_protocol::Role;
use casebook_testkit::inproc::TestHub;
use tempfile::TempDir;

/// A passphrase strong enough for the store's rule.
pub const PASS: &str = "kettle orbit lantern meadow";

/// Options for a test: background syncs an hour away, so tests sync by hand; a computer with
/// no locale set.
pub fn options() -> AppOptions {
    AppOptions {
        auto_lock_override: None,
        sync_interval: Duration::from_secs(3600),
        sync_after_change: Duration::from_secs(3600),
        device_name: "test laptop".into(),
        system_locale: None,
    }
}

/// An app whose store lives in `dir`, with [`options`].
pub fn app(dir: &TempDir) -> Arc<App> {
    App::new(
        StorePaths::new(dir.path().join("store")),
        options(),
        Arc::new(|_| {}),
    )
}

/// An app whose store lives in `dir`, with [`options`], and every event it sends, kept in
/// order for the test to read.
pub fn app_with_events(dir: &TempDir) -> (Arc<App>, Arc<Mutex<Vec<AppEvent>>>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let app = App::new(
        StorePaths::new(dir.path().join("store")),
        options(),
        Arc::new(move |e| sink.lock().unwrap().push(e)),
    );
    (app, events)
}

/// A new user of `hub` with `role` in team north, joined from a new app in `dir`.
pub async fn join(hub: &TestHub, dir: &TempDir, name: &str, role: Role) -> Arc<App> {
    let app = app(dir);
    let code = hub.add_user(name, role, Some("north"));
    app.join_hub(hub.url.clone(), code, PASS.into(), PASS.into())
        .await
        .unwrap();
    app
}

/// An app on a new store of its own (no hub: its user is a facilitator).
pub fn unlocked(dir: &TempDir) -> Arc<App> {
    let app = app(dir);
    app.create_store(PASS.into(), PASS.into()).unwrap();
    app
}

/// A new out-of-court referral from the police.
pub fn new_case(app: &App, summary: &str) -> casebook_app_core::CaseId {
    app.create_case(casebook_app_core::model::NewCase {
        kind: casebook_domain::CaseKind::RestorativeJustice,
        stage: casebook_domain::JusticeStage::OutOfCourt,
        source: casebook_domain::ReferralSource::Police,
        referrer: Some("PC Okafor".into()),
        summary: summary.into(),
        court_date: None,
        pre_sentence: None,
        received_on: None,
    })
    .unwrap()
    .id
}

/// A new adult party of `case`.
pub fn party(
    app: &App,
    case: casebook_app_core::CaseId,
    name: &str,
    role: casebook_domain::PartyRole,
) -> casebook_app_core::PartyId {
    app.add_party(
        case,
        casebook_app_core::model::NewParty {
            role,
            name: name.into(),
            phone: None,
            minor: false,
            guardian_of: None,
        },
    )
    .unwrap()
}
