//! Where things are: the repository, the binaries under test, the step timeout and the folder a
//! failing test leaves its evidence in. Kept apart so the profile, the window and the PDF
//! helpers share one answer to each.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// The repository's root (the folder holding `docs/app.md`).
pub fn repo_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let from_file = manifest.join(file!());
    for start in [manifest, from_file.as_path()] {
        if let Some(root) = start.ancestors().find(|d| d.join("docs/app.md").is_file()) {
            return root.to_path_buf();
        }
    }
    panic!(
        "cannot find the repository root (docs/app.md) above {}",
        manifest.display()
    );
}

/// The app under test: `$CASEBOOK_APP_BIN`, else the binary cargo built for this test.
pub fn app_bin() -> PathBuf {
    if let Some(path) = std::env::var_os("CASEBOOK_APP_BIN") {
        return PathBuf::from(path);
    }
    if let Some(path) = option_env!("CARGO_BIN_EXE_casebook-app") {
        return PathBuf::from(path);
    }
    let path = build_dir().join("casebook-app");
    assert!(
        path.is_file(),
        "casebook-app is not built at {}: build it, or set CASEBOOK_APP_BIN",
        path.display()
    );
    path
}

/// Where cargo put this test's binaries (`target/<profile>/`; the test runs from `deps/`).
pub fn build_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    exe.parent()
        .and_then(Path::parent)
        .expect("the test binary lives in target/<profile>/deps")
        .to_path_buf()
}

/// A binary of the workspace (`casebook`, `casebook-hub`): in this test's build folder
/// (where `cargo test --workspace` builds them), else next to the app.
pub fn workspace_bin(name: &str) -> PathBuf {
    let candidates = [build_dir().join(name), app_bin().with_file_name(name)];
    candidates
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .unwrap_or_else(|| {
            panic!(
                "{name} is not built (looked at {candidates:?}): cargo build --workspace \
                 (cargo test --workspace builds it)"
            )
        })
}

/// How long a step may take before a wait fails (`CASEBOOK_WINDOW_TIMEOUT_SECS`, default 30).
pub fn step_timeout() -> Duration {
    let secs = std::env::var("CASEBOOK_WINDOW_TIMEOUT_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    Duration::from_secs(secs)
}
/// Where a failing test leaves its screenshot and logs (outside the repository).
pub fn failure_dir() -> PathBuf {
    std::env::temp_dir().join("casebook-window-failures")
}
