//! What the app core's tests share: an `App` on a scratch store that never syncs by itself,
//! and one joined to a real hub (`casebook_testkit::inproc::TestHub`) as a new user.
#![allow(clippy::unwrap_used, dead_code)]

use std::sync::Arc;
use std::time::Duration;

use casebook_app_core::{App, AppOptions, StorePaths};
use casebook_protocol::Role;
use casebook_testkit::inproc::TestHub;
use tempfile::TempDir;

/// A passphrase strong enough for the store's rule.
pub const PASS: &str = "kettle orbit lantern meadow";

/// An app whose store lives in `dir`; background syncs are an hour away, so tests sync by hand.
pub fn app(dir: &TempDir) -> Arc<App> {
    let options = AppOptions {
        auto_lock_override: None,
        sync_interval: Duration::from_secs(3600),
        sync_after_change: Duration::from_secs(3600),
        device_name: "test laptop".into(),
    };
    App::new(
        StorePaths::new(dir.path().join("store")),
        options,
        Arc::new(|_| {}),
    )
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
