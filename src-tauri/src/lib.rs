//! The desktop app's window: wires the ui's commands and events to `casebook-app-core`.
#![forbid(unsafe_code)]

mod accountability_commands;
mod after_commands;
#[cfg(test)]
mod command_list;
mod commands;

use std::sync::Arc;

use anyhow::Context;
use casebook_app_core::{App, AppEvent, AppOptions, StorePaths};
use tauri::{Emitter, Manager};

/// Event the ui hears when the app's phase changes by itself (auto-lock, wipe).
pub const STATE_EVENT: &str = "casebook://state";
/// Event the ui hears when the sync indicator changes.
pub const SYNC_EVENT: &str = "casebook://sync";

/// Where the store is: `$CASEBOOK_STORE`, else the platform's data directory.
fn store_paths() -> anyhow::Result<StorePaths> {
    match std::env::var_os("CASEBOOK_STORE").filter(|v| !v.is_empty()) {
        Some(dir) => Ok(StorePaths::new(dir)),
        None => StorePaths::platform_default()
            .context("No home directory to keep the store in: set CASEBOOK_STORE to a directory"),
    }
}

/// Runs the app until its window closes.
pub fn run() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CASEBOOK_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let paths = store_paths()?;
    tauri::Builder::default()
        .setup(move |tauri_app| {
            let handle = tauri_app.handle().clone();
            let emitter = Arc::new(move |event: AppEvent| {
                let sent = match event {
                    AppEvent::State(state) => handle.emit(STATE_EVENT, state),
                    AppEvent::Sync(view) => handle.emit(SYNC_EVENT, view),
                };
                if let Err(e) = sent {
                    tracing::warn!(error = %e, "could not send an event to the window");
                }
            });
            let app = App::new(paths.clone(), AppOptions::from_env(), emitter);
            date_fields_in(tauri_app.handle(), app.state().dates.locale);
            light_webview(tauri_app.handle());
            tauri::async_runtime::spawn(Arc::clone(&app).run_background());
            tauri_app.manage(app);
            Ok(())
        })
        .invoke_handler(commands::handler())
        .run(tauri::generate_context!())
        .context("The Casebook window could not start")
}

/// Tunes WebKitGTK for a window of forms and lists rather than a browser: drawn by the CPU
/// (GPU compositing, which without a GPU is Mesa's software GL, held ~40 MiB more in the page
/// process with the caseload shown; see docs/benchmarks.md), and caching as a document viewer
/// does, since every page comes from the app itself and nothing is fetched twice.
fn light_webview<R: tauri::Runtime>(app: &tauri::AppHandle<R>) {
    #[cfg(target_os = "linux")]
    if let Some(window) = app.get_webview_window("main") {
        let told = window.with_webview(|webview| {
            use webkit2gtk::{
                CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt,
            };
            let view = webview.inner();
            if let Some(settings) = view.settings() {
                settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            }
            if let Some(context) = view.context() {
                context.set_cache_model(CacheModel::DocumentViewer);
            }
        });
        if let Err(e) = told {
            tracing::warn!(error = %e, "could not tune the webview");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = app;
}

/// Tells the webview the language its date fields are written in (`AppState.dates.locale`):
/// WebKitGTK lays out `<input type=date>` by its preferred languages, not the page's `lang`,
/// and with no locale (`C`) that is American (12/02/2026 for 2 December). Formatted dates are
/// the ui's; these fields are the webview's own.
pub(crate) fn date_fields_in<R: tauri::Runtime>(app: &tauri::AppHandle<R>, tag: String) {
    #[cfg(target_os = "linux")]
    if let Some(window) = app.get_webview_window("main") {
        let told = window.with_webview(move |webview| {
            use webkit2gtk::{WebContextExt, WebViewExt};
            if let Some(context) = webview.inner().context() {
                context.set_preferred_languages(&[tag.as_str()]);
            }
        });
        if let Err(e) = told {
            tracing::warn!(error = %e, "could not tell the webview the date language");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = (app, tag);
}
