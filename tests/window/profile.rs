//! A scratch laptop ([`Profile`]): its store, HOME and XDG folders and environment, and the
//! `casebook` CLI run on that store; with the hub it syncs with (`start_hub`, `reference_of`).
//! Tests prepare most of their data here, without a window.

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use casebook_testkit::hub::Hub;
use serde_json::Value;
use tempfile::TempDir;

use super::paths::workspace_bin;

/// The passphrase the tests' stores are made with.
pub const PASSPHRASE: &str = "correct horse battery staple 7";
/// A real `casebook-hub` on a free port (the kit's), from this build.
pub fn start_hub() -> Hub {
    Hub::start(workspace_bin("casebook-hub"))
}

/// The hub's reference (`RH-...`) for a case it holds, by the case's id.
#[track_caller]
pub fn reference_of(hub: &Hub, case: &str) -> String {
    hub.case(case)["reference"]
        .as_str()
        .unwrap_or_else(|| panic!("the hub lists case {case} without a reference"))
        .to_owned()
}
/// The nine factors' names on the command line (`casebook risk new --factor NAME=LEVEL`).
pub const CLI_RISK_FACTORS: [&str; 9] = [
    "re-victimisation",
    "power-imbalance",
    "intimidation",
    "violence",
    "substance-use",
    "mental-health",
    "safeguarding",
    "abuse-context",
    "responsibility",
];
/// A scratch laptop: a store folder (`CASEBOOK_STORE`, not created: the app or the CLI makes
/// it), HOME and XDG folders, and any extra environment for the app.
pub struct Profile {
    _tmp: TempDir,
    pub root: PathBuf,
    pub store: PathBuf,
    pub passphrase: String,
    extra_env: Vec<(String, String)>,
}

impl Profile {
    pub fn new() -> Self {
        let tmp = tempfile::Builder::new()
            .prefix("casebook-window-")
            .tempdir()
            .unwrap();
        let root = tmp.path().to_path_buf();
        for sub in [
            "home", "tmp", "config", "data", "cache", "state", "runtime", "logs",
        ] {
            fs::create_dir_all(root.join(sub)).unwrap();
        }
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(root.join("runtime"), fs::Permissions::from_mode(0o700)).unwrap();
        Self {
            store: root.join("store"),
            root,
            _tmp: tmp,
            passphrase: PASSPHRASE.to_owned(),
            extra_env: vec![],
        }
    }

    /// One more environment variable for the app (e.g. `CASEBOOK_AUTO_LOCK_SECS`).
    pub fn with_env(mut self, key: &str, value: &str) -> Self {
        self.extra_env.push((key.to_owned(), value.to_owned()));
        self
    }

    /// The environment of the app (and of the CLI run on this profile).
    pub fn env(&self) -> Vec<(String, String)> {
        let r = &self.root;
        let path = |sub: &str| r.join(sub).to_string_lossy().into_owned();
        let mut env = vec![
            (
                "CASEBOOK_STORE".to_owned(),
                self.store.to_string_lossy().into_owned(),
            ),
            ("HOME".to_owned(), path("home")),
            ("TMPDIR".to_owned(), path("tmp")),
            ("SQLITE_TMPDIR".to_owned(), path("tmp")),
            ("XDG_CONFIG_HOME".to_owned(), path("config")),
            ("XDG_DATA_HOME".to_owned(), path("data")),
            ("XDG_CACHE_HOME".to_owned(), path("cache")),
            ("XDG_STATE_HOME".to_owned(), path("state")),
            ("XDG_RUNTIME_DIR".to_owned(), path("runtime")),
            // No accessibility bus in CI: without this GTK waits for it at start.
            ("NO_AT_BRIDGE".to_owned(), "1".to_owned()),
            // The app's log (ids only, never notes) goes to the driver's log file, which a
            // failing test keeps.
            ("CASEBOOK_LOG".to_owned(), "info".to_owned()),
            // A computer that names no language, whatever the machine running the tests says:
            // dates are British (the dates test names one with `with_env`, which comes later).
            ("LC_ALL".to_owned(), "C.UTF-8".to_owned()),
        ];
        env.extend(self.extra_env.iter().cloned());
        env
    }

    /// `casebook --store STORE ARGS...` with the passphrase in the environment.
    pub fn cli(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(workspace_bin("casebook"));
        clear_casebook_env(&mut cmd);
        for (k, v) in self.env() {
            cmd.env(k, v);
        }
        cmd.env("CASEBOOK_PASSPHRASE", &self.passphrase)
            .arg("--store")
            .arg(&self.store)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("spawn casebook")
    }

    /// Runs the CLI with `--json`, asserts exit 0, parses stdout.
    #[track_caller]
    pub fn cli_json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let out = self.cli(&all);
        assert!(
            out.status.success(),
            "casebook {}: {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            all.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "casebook {}: stdout is not JSON ({e}): {}",
                all.join(" "),
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }

    /// A store made with `casebook init` (so the app opens on its unlock screen).
    #[track_caller]
    pub fn init_store(&self) {
        fs::create_dir_all(&self.store).unwrap();
        self.cli_json(&["init"]);
        assert!(
            self.store.join("store.key").is_file(),
            "casebook init made no store.key"
        );
    }

    /// Enrolls this laptop with the hub from the command line (`casebook enroll`).
    pub fn enroll(&self, hub_url: &str, code: &str, name: &str) {
        fs::create_dir_all(&self.store).unwrap();
        self.cli_json(&["enroll", "--hub", hub_url, "--code", code, "--name", name]);
    }

    /// A new out-of-court RJ case referred by the police, from the command line; its id.
    pub fn new_case(&self, summary: &str) -> String {
        let created = self.cli_json(&[
            "case",
            "new",
            "--kind",
            "rj",
            "--stage",
            "out-of-court",
            "--source",
            "police",
            "--summary",
            summary,
        ]);
        created["id"].as_str().unwrap().to_owned()
    }

    /// A low-risk assessment of `case`, every factor low, submitted for sign-off from the
    /// command line; its id.
    pub fn submitted_risk(&self, case: &str) -> String {
        let factors: Vec<String> = CLI_RISK_FACTORS.iter().map(|f| format!("{f}=low")).collect();
        let mut args = vec![
            "risk",
            "new",
            case,
            "--rating",
            "low",
            "--mitigations",
            "Separate arrivals.",
        ];
        for f in &factors {
            args.extend(["--factor", f]);
        }
        let risk = self.cli_json(&args)["id"].as_str().unwrap().to_owned();
        self.cli_json(&["risk", "submit", &risk]);
        risk
    }
}

impl Default for Profile {
    fn default() -> Self {
        Self::new()
    }
}

/// Removes the caller's `CASEBOOK_*` variables so a developer's shell cannot leak into a test.
fn clear_casebook_env(cmd: &mut Command) {
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("CASEBOOK_") {
            cmd.env_remove(key);
        }
    }
}
