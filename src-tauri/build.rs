//! Generates the app's permission manifest: every command gets an `allow-…` permission, and the
//! capability in `capabilities/` grants exactly the ones the ui uses.

// Keep in step with `src/commands.rs` and `capabilities/main.json`.
const COMMANDS: &[&str] = &[
    "app_state",
    "passphrase_strength",
    "create_store",
    "join_hub",
    "unlock",
    "lock",
    "touch",
    "set_auto_lock",
    "acknowledge_wipe",
    "caseload",
    "case_detail",
    "create_case",
    "add_party",
    "record_consent",
    "visit_warnings",
    "start_visit",
    "save_draft",
    "finalise_visit",
    "add_supervision_note",
    "sync_status",
    "sync_now",
    "conflicts",
    "resolve_conflict",
    "sync_problems",
];

fn main() {
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attributes) {
        println!("cargo::error=tauri build step failed: {e:#}");
        std::process::exit(1);
    }
}
