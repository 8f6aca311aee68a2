//! Generates the app's permission manifest: every command gets an `allow-…` permission, and the
//! capability in `capabilities/` grants exactly the ones the ui uses.

// The command names come from the one list of them, `generate_handler![…]` in src/commands.rs
// (read as text: a build script cannot see the crate's items). The capability, the ui's api.ts
// and devMock.ts and docs/app.md are checked against it by src/command_list.rs's test.
#[path = "src/command_list.rs"]
mod command_list;

fn main() {
    let names = command_list::handler_names(include_str!("src/commands.rs"));
    if names.is_empty() {
        println!("cargo::error=no generate_handler![…] list found in src-tauri/src/commands.rs");
        std::process::exit(1);
    }
    // tauri-build keeps the names for the whole build; a build script runs once, so leaking
    // them is the plain way to give it `&'static` ones.
    let names: Vec<&'static str> = names.into_iter().map(|n| &*n.leak()).collect();
    let commands: &'static [&'static str] = names.leak();
    println!("cargo::rerun-if-changed=src-tauri/src/commands.rs");
    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("./src-tauri/capabilities/**/*")
        .app_manifest(tauri_build::AppManifest::new().commands(commands));
    if let Err(e) = tauri_build::try_build(attributes) {
        println!("cargo::error=tauri build step failed: {e:#}");
        std::process::exit(1);
    }
}
