//! The `casebook-app` binary.
// No console window next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    if let Err(e) = casebook_app::run() {
        eprintln!("casebook-app: {e:#}");
        std::process::exit(1);
    }
}
