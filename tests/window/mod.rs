//! The window-test harness: the real `casebook-app` under a private Xvfb display, driven
//! through tauri-driver (→ WebKitWebDriver) by the shared test kit's WebDriver client
//! (`casebook_testkit::webdriver`, over `fantoccini`), with its store and every home/XDG folder
//! in a scratch directory. Xvfb, tauri-driver and processes by pid are the kit's too.
//!
//! - [`Profile`]: a scratch "laptop": `CASEBOOK_STORE`, HOME, XDG dirs, extra env; it can run
//!   the `casebook` CLI on the same store.
//! - [`Window`]: Xvfb + tauri-driver + one session of the app for a profile; finds controls
//!   the way a person does (label text, button text, headings), waits with clear failures,
//!   saves screenshots to docs/screenshots/, runs axe-core. Dropping it stops exactly the
//!   processes it started (by pid).
//!
//! tauri-driver cannot pass environment variables to the app, so each window starts its own
//! tauri-driver with the profile's environment; WebKitWebDriver and the app inherit it.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, missing_docs)]

use casebook_testkit::hub::Hub;
use casebook_testkit::process as procs;
pub use casebook_testkit::util::marker;
pub use casebook_testkit::webdriver;
use casebook_testkit::window::{TauriDriver, Xvfb, tauri_driver_bin};

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tempfile::TempDir;

use webdriver::{Element, Session, WdError, WdResult, xpath_literal};

/// The passphrase the tests' stores are made with.
pub const PASSPHRASE: &str = "correct horse battery staple 7";

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

/// Memory of one process of the app.
#[derive(Debug, Clone)]
pub struct Memory {
    pub pid: u32,
    pub name: String,
    /// Resident set (`VmRSS`): shared libraries counted in full in every process.
    pub rss_kib: u64,
    /// Proportional set (`Pss`): shared pages divided among their sharers.
    pub pss_kib: u64,
}

/// Counts windows, so log files and failure screenshots get unique names.
static WINDOWS: AtomicUsize = AtomicUsize::new(0);

/// The app in a window of its own display, driven by WebDriver.
pub struct Window {
    pub s: Session,
    driver: TauriDriver,
    _xvfb: Xvfb,
    env: Vec<(String, String)>,
    logs: PathBuf,
    program: PathBuf,
    args: Vec<String>,
    /// For messages and file names: which window of the test this is.
    pub name: String,
}

impl Window {
    /// Starts the app for `profile` and waits for its first screen (an `h1`).
    pub fn open(profile: &Profile, name: &str) -> Self {
        let app = app_bin();
        assert!(
            app.is_file(),
            "the app binary is missing at {}: build it (cargo build -p casebook-app) or set CASEBOOK_APP_BIN",
            app.display()
        );
        let window = Self::open_program(profile, name, app, vec![]);
        window.wait_first_screen();
        window
    }

    /// Starts `program` with `args` through tauri-driver (any WebKitGTK program that
    /// supports automation: the app, or MiniBrowser for the harness self-check).
    pub fn open_program(profile: &Profile, name: &str, program: PathBuf, args: Vec<String>) -> Self {
        let n = WINDOWS.fetch_add(1, Ordering::SeqCst);
        let logs = profile.root.join("logs").join(format!("{name}-{n}"));
        fs::create_dir_all(&logs).unwrap();
        let xvfb = Xvfb::start(&logs);
        let mut env = profile.env();
        env.push(("DISPLAY".to_owned(), xvfb.display.clone()));
        let (driver, session) = Self::start_session(&env, &logs, &program, &args);
        Self {
            s: session,
            driver,
            _xvfb: xvfb,
            env,
            logs,
            program,
            args,
            name: name.to_owned(),
        }
    }

    fn start_session(
        env: &[(String, String)],
        logs: &Path,
        program: &Path,
        args: &[String],
    ) -> (TauriDriver, Session) {
        let bin = tauri_driver_bin(&repo_root());
        let log = logs.join(format!(
            "tauri-driver-{}.log",
            WINDOWS.fetch_add(1, Ordering::SeqCst)
        ));
        let mut env = env.to_vec();
        env.push(("RUST_BACKTRACE".to_owned(), "1".to_owned()));
        let driver = TauriDriver::start(&bin, log, &env);
        let caps = json!({
            "tauri:options": { "application": program, "args": args }
        });
        let session = Session::new(driver.port, caps).unwrap_or_else(|e| {
            panic!(
                "the app did not start under tauri-driver: {e}\n--- tauri-driver/WebKitWebDriver/app log ---\n{}",
                procs::tail(&driver.log, 40)
            )
        });
        let _ = session.set_script_timeout(Duration::from_secs(60));
        (driver, session)
    }

    fn wait_first_screen(&self) {
        self.wait_for("the app's first screen (an h1)", |s| {
            let found = s.css_all("h1")?;
            Ok(if found.is_empty() { None } else { Some(()) })
        });
    }

    /// Closes this window's app and starts it again on the same profile (a new driver and
    /// session; the display is kept). Used after [`Window::kill_app`].
    pub fn reopen(&mut self) {
        let _ = self.s.delete();
        self.driver.stop();
        let (driver, session) = Self::start_session(&self.env, &self.logs, &self.program, &self.args);
        self.driver = driver;
        self.s = session;
        self.wait_first_screen();
    }

    /// The pid of the app process (a descendant of this window's tauri-driver running
    /// the app binary).
    pub fn app_pid(&self) -> u32 {
        let name = self
            .program
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        procs::descendants(self.driver.pid())
            .into_iter()
            .find(|&p| {
                procs::exe(p)
                    .and_then(|e| e.file_name().map(|n| n.to_string_lossy().into_owned()))
                    .is_some_and(|n| n == name)
            })
            .unwrap_or_else(|| {
                panic!(
                    "no {name} process under tauri-driver (pid {}): {:?}",
                    self.driver.pid(),
                    procs::descendants(self.driver.pid())
                        .into_iter()
                        .map(|p| (p, procs::comm(p)))
                        .collect::<Vec<_>>()
                )
            })
    }

    /// The app process and every process it started (WebKit's web and network processes),
    /// with their memory in KiB.
    pub fn app_memory(&self) -> Vec<Memory> {
        let app = self.app_pid();
        std::iter::once(app)
            .chain(procs::descendants(app))
            .map(|pid| Memory {
                pid,
                name: procs::comm(pid),
                rss_kib: procs::rss_kib(pid).unwrap_or(0),
                pss_kib: procs::pss_kib(pid).unwrap_or(0),
            })
            .collect()
    }

    /// SIGKILLs the app process (only it, by pid) and waits until it is gone.
    pub fn kill_app(&self) {
        let pid = self.app_pid();
        procs::signal(pid, "KILL");
        assert!(
            procs::wait_gone(pid, Duration::from_secs(10)),
            "the app (pid {pid}) survived SIGKILL"
        );
    }

    // --- waiting -------------------------------------------------------------------------

    /// Polls `probe` until it returns `Some`, at most [`step_timeout`]. Retryable WebDriver
    /// errors (element gone stale, not found) are polled through; a dead session fails at
    /// once. The failure names what was awaited and shows the screen.
    #[track_caller]
    pub fn wait_for<T>(&self, what: &str, probe: impl FnMut(&Session) -> WdResult<Option<T>>) -> T {
        self.wait_for_up_to(step_timeout(), what, probe)
    }

    #[track_caller]
    pub fn wait_for_up_to<T>(
        &self,
        limit: Duration,
        what: &str,
        mut probe: impl FnMut(&Session) -> WdResult<Option<T>>,
    ) -> T {
        let start = Instant::now();
        let mut last_error: Option<WdError> = None;
        loop {
            match probe(&self.s) {
                Ok(Some(v)) => return v,
                Ok(None) => {}
                Err(e) if e.is_fatal() => {
                    panic!(
                        "[{}] lost the app while waiting for {what}: {e}\n--- driver log ---\n{}",
                        self.name,
                        procs::tail(&self.driver.log, 40)
                    )
                }
                Err(e) => last_error = Some(e),
            }
            if start.elapsed() > limit {
                let last = last_error
                    .map(|e| format!("\nlast WebDriver error: {e}"))
                    .unwrap_or_default();
                panic!(
                    "[{}] timed out after {:?} waiting for {what}{last}\n{}",
                    self.name,
                    limit,
                    self.describe_screen()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// What is on screen, for failure messages; also saves a screenshot outside the repo.
    pub fn describe_screen(&self) -> String {
        let summary = self
            .s
            .execute(
                "const t = s => Array.from(document.querySelectorAll(s)).map(e => e.innerText.trim()).filter(x => x);\
                 return {h1: t('h1'), alerts: t('[role=alert]'), body: (document.body ? document.body.innerText : '').slice(0, 1500)};",
                vec![],
            )
            .map(|v| {
                format!(
                    "--- screen ---\nh1: {}\nalerts: {}\ntext:\n{}",
                    v["h1"],
                    v["alerts"],
                    v["body"].as_str().unwrap_or_default()
                )
            })
            .unwrap_or_else(|e| format!("--- screen: unreadable ({e}) ---"));
        let shot = failure_dir().join(format!("{}-{}.png", self.name, std::process::id()));
        let saved = fs::create_dir_all(shot.parent().unwrap())
            .ok()
            .and_then(|_| self.s.screenshot().ok())
            .and_then(|png| fs::write(&shot, png).ok())
            .map(|_| format!("\nscreenshot: {}", shot.display()))
            .unwrap_or_default();
        format!("{summary}{saved}")
    }

    /// The first displayed element matching an XPath, if any.
    pub fn displayed(s: &Session, xpath: &str) -> WdResult<Option<Element>> {
        for el in s.xpath_all(xpath)? {
            if s.is_displayed(&el)? {
                return Ok(Some(el));
            }
        }
        Ok(None)
    }

    /// Waits for a displayed element matching an XPath.
    #[track_caller]
    pub fn el(&self, what: &str, xpath: &str) -> Element {
        self.wait_for(what, |s| Self::displayed(s, xpath))
    }

    /// XPath of form controls labelled `label`: `<label for>`, a control inside the label,
    /// or `aria-label`.
    pub fn label_xpath(label: &str) -> String {
        let t = xpath_literal(label);
        let control = "(self::input or self::select or self::textarea)";
        let lab = format!("//label[normalize-space(.)={t} or normalize-space(text())={t}]");
        format!(
            "//*[{control} and @id={lab}/@for] | {lab}//*[{control}] | //*[{control} and @aria-label={t}]"
        )
    }

    /// XPath of buttons (or links, tabs) whose text is `text`.
    pub fn button_xpath(text: &str) -> String {
        let t = xpath_literal(text);
        format!(
            "//button[normalize-space(.)={t} or @aria-label={t}] | //a[normalize-space(.)={t}] \
             | //*[(@role='button' or @role='tab' or @role='link')][normalize-space(.)={t}] \
             | //input[(@type='submit' or @type='button') and @value={t}]"
        )
    }

    /// The displayed form control labelled `label`.
    #[track_caller]
    pub fn field(&self, label: &str) -> Element {
        self.el(&format!("a field labelled {label:?}"), &Self::label_xpath(label))
    }

    /// The displayed button (or link) with this text.
    #[track_caller]
    pub fn button(&self, text: &str) -> Element {
        self.el(&format!("a button {text:?}"), &Self::button_xpath(text))
    }

    /// Is a button (or link) with this text displayed right now?
    pub fn has_button(&self, text: &str) -> bool {
        Self::displayed(&self.s, &Self::button_xpath(text))
            .ok()
            .flatten()
            .is_some()
    }

    /// Clicks the displayed, enabled button (or link) with this text.
    #[track_caller]
    pub fn click(&self, text: &str) {
        let xpath = Self::button_xpath(text);
        self.wait_for(&format!("an enabled button {text:?} to click"), |s| {
            let Some(el) = Self::displayed(s, &xpath)? else {
                return Ok(None);
            };
            if !s.is_enabled(&el)? {
                return Ok(None);
            }
            match s.click(&el) {
                Ok(()) => Ok(Some(())),
                Err(e) if e.is_retryable() => Ok(None),
                Err(e) => Err(e),
            }
        });
    }

    /// Clicks the first displayed link/button whose text contains `text`.
    #[track_caller]
    pub fn click_containing(&self, text: &str) {
        let t = xpath_literal(text);
        let xpath =
            format!("//a[contains(normalize-space(.), {t})] | //button[contains(normalize-space(.), {t})]");
        self.wait_for(&format!("a link containing {text:?} to click"), |s| {
            let Some(el) = Self::displayed(s, &xpath)? else {
                return Ok(None);
            };
            match s.click(&el) {
                Ok(()) => Ok(Some(())),
                Err(e) if e.is_retryable() => Ok(None),
                Err(e) => Err(e),
            }
        });
    }

    /// Replaces the text of the field labelled `label` by typing `text`.
    #[track_caller]
    pub fn fill(&self, label: &str, text: &str) {
        let el = self.field(label);
        self.s
            .clear(&el)
            .unwrap_or_else(|e| panic!("clear {label:?}: {e}"));
        self.s
            .send_keys(&el, text)
            .unwrap_or_else(|e| panic!("type into {label:?}: {e}"));
    }

    /// Types `text` at the end of the field labelled `label`.
    #[track_caller]
    pub fn type_into(&self, label: &str, text: &str) {
        let el = self.field(label);
        self.s
            .send_keys(&el, text)
            .unwrap_or_else(|e| panic!("type into {label:?}: {e}"));
    }

    /// The current value of the field labelled `label`.
    #[track_caller]
    pub fn value_of(&self, label: &str) -> String {
        let el = self.field(label);
        self.s
            .value(&el)
            .unwrap_or_else(|e| panic!("value of {label:?}: {e}"))
    }

    /// Sets a field's value as its own picker would (date fields): the value, then `input`
    /// and `change` events.
    #[track_caller]
    pub fn set_value(&self, label: &str, value: &str) {
        let el = self.field(label);
        self.s
            .execute(
                "const [el, v] = arguments;\
                 const proto = Object.getPrototypeOf(el);\
                 Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, v);\
                 el.dispatchEvent(new Event('input', {bubbles: true}));\
                 el.dispatchEvent(new Event('change', {bubbles: true}));",
                vec![Session::el_arg(&el), json!(value)],
            )
            .unwrap_or_else(|e| panic!("set {label:?} to {value:?}: {e}"));
    }

    /// Chooses an option of the select labelled `label`: by value, else by text (whole or
    /// part, ignoring case).
    #[track_caller]
    pub fn select(&self, label: &str, option: &str) {
        let el = self.field(label);
        let chosen = self.wait_for(&format!("option {option:?} in {label:?}"), |s| {
            let v = s.execute(
                "const [sel, want] = arguments; const w = want.toLowerCase();\
                 const opts = Array.from(sel.options);\
                 const o = opts.find(o => o.value === want)\
                   || opts.find(o => o.text.trim().toLowerCase() === w)\
                   || opts.find(o => o.text.toLowerCase().includes(w));\
                 if (!o) return null;\
                 sel.value = o.value;\
                 sel.dispatchEvent(new Event('input', {bubbles: true}));\
                 sel.dispatchEvent(new Event('change', {bubbles: true}));\
                 return o.text;",
                vec![Session::el_arg(&el), json!(option)],
            )?;
            Ok(v.as_str().map(str::to_owned))
        });
        assert!(!chosen.is_empty(), "chose an empty option for {label:?}");
    }

    /// Ticks the checkbox labelled `label` (no-op when ticked).
    #[track_caller]
    pub fn check(&self, label: &str) {
        self.set_checked(label, true);
    }

    /// Unticks the checkbox labelled `label` (if ticked).
    pub fn uncheck(&self, label: &str) {
        self.set_checked(label, false);
    }

    fn set_checked(&self, label: &str, want: bool) {
        let el = self.field(label);
        let checked = self
            .s
            .property(&el, "checked")
            .unwrap()
            .as_bool()
            .unwrap_or(false);
        if checked != want {
            self.s
                .click(&el)
                .unwrap_or_else(|e| panic!("tick {label:?}: {e}"));
        }
    }

    /// Waits for the `h1` to read `text`.
    #[track_caller]
    pub fn heading(&self, text: &str) {
        self.el(
            &format!("the screen {text:?} (h1)"),
            &format!("//h1[normalize-space(.)={}]", xpath_literal(text)),
        );
    }

    /// The text of the displayed `h1` (waits for one).
    #[track_caller]
    pub fn h1(&self) -> String {
        let el = self.el("an h1", "//h1");
        self.s.text(&el).unwrap_or_default().trim().to_owned()
    }

    /// Waits until the displayed element matching CSS `selector` has text satisfying `ok`;
    /// returns that text.
    #[track_caller]
    pub fn wait_text(&self, what: &str, selector: &str, ok: impl Fn(&str) -> bool) -> String {
        self.wait_for(what, |s| {
            for el in s.css_all(selector)? {
                if s.is_displayed(&el)? {
                    let text = s.text(&el)?;
                    if ok(&text) {
                        return Ok(Some(text));
                    }
                }
            }
            Ok(None)
        })
    }

    /// Clicks "Sync now" and waits for `#sync-status` to say Synced.
    #[track_caller]
    pub fn sync_now(&self) {
        self.click("Sync now");
        self.wait_text("#sync-status to say Synced", "#sync-status", |t| {
            t.contains("Synced")
        });
    }

    /// Waits for an alert (`[role=alert]`) whose text contains any of `words` (ignoring case).
    #[track_caller]
    pub fn alert_saying(&self, words: &[&str]) -> String {
        let lower: Vec<String> = words.iter().map(|w| w.to_lowercase()).collect();
        self.wait_text(
            &format!("an alert ([role=alert]) saying one of {words:?}"),
            "[role=alert]",
            |t| {
                let t = t.to_lowercase();
                lower.iter().any(|w| t.contains(w.as_str()))
            },
        )
    }

    /// The page's visible text.
    pub fn page_text(&self) -> String {
        self.s
            .execute("return document.body ? document.body.innerText : ''", vec![])
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    /// Waits until the page's visible text contains `text`.
    #[track_caller]
    pub fn wait_page_contains(&self, text: &str) {
        self.wait_for(&format!("the text {text:?} on screen"), |s| {
            let body = s.execute("return document.body ? document.body.innerText : ''", vec![])?;
            Ok(body.as_str().is_some_and(|b| b.contains(text)).then_some(()))
        });
    }

    // --- evidence --------------------------------------------------------------------------

    /// Waits until the page has no running animation or transition and has painted twice
    /// since (two animation frames), so a screenshot shows the screen at rest.
    #[track_caller]
    pub fn wait_settled(&self) {
        self.wait_for("the screen to settle (no running animations)", |s| {
            let busy = s.execute(
                "return document.getAnimations ? \
                 document.getAnimations().filter(a => a.playState === 'running' && \
                 a.effect && a.effect.getComputedTiming().endTime !== Infinity).length : 0",
                vec![],
            )?;
            Ok((busy.as_u64() == Some(0)).then_some(()))
        });
        let _ = self.s.execute_async(
            "const done = arguments[arguments.length - 1];\
             requestAnimationFrame(() => requestAnimationFrame(() => done(true)));",
            vec![],
        );
    }

    /// Saves a PNG of the window as docs/screenshots/`name`.png (overwritten).
    #[track_caller]
    pub fn save_screenshot(&self, name: &str) -> PathBuf {
        self.wait_settled();
        // WebKitWebDriver answers a screenshot after the window's next presentation update; with
        // the app's webview drawing on the CPU (no compositing) a still screen never presents
        // one, and the answer never comes. A one-pixel dot repainted around the request gives it
        // one; the dot is removed again after the last repaint.
        let _ = self.s.execute(
            "const dot = document.createElement('div');\
             dot.setAttribute('aria-hidden', 'true');\
             dot.style.cssText = 'position:fixed;left:0;top:0;width:1px;height:1px;pointer-events:none';\
             document.body.append(dot);\
             [30, 120, 300, 800, 2000, 5000].forEach((ms, i, all) => setTimeout(() => {\
               dot.style.background = i % 2 ? 'transparent' : 'rgba(0,0,0,0.02)';\
               if (i === all.length - 1) dot.remove();\
             }, ms));",
            vec![],
        );
        let png = self
            .s
            .screenshot()
            .unwrap_or_else(|e| panic!("[{}] screenshot {name}: {e}", self.name));
        assert!(png.starts_with(b"\x89PNG"), "screenshot {name}: not a PNG");
        let dir = repo_root().join("docs/screenshots");
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        fs::write(&path, png).unwrap();
        path
    }

    /// Runs axe-core (WCAG 2.0/2.1 A and AA, 2.2 AA) on the current screen and fails on every
    /// serious or critical violation, listing rule, impact, help and the elements.
    #[track_caller]
    pub fn axe_check(&self, screen: &str) {
        let path = repo_root().join("node_modules/axe-core/axe.min.js");
        let source = fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "cannot read {} ({e}): run `npm ci` (scripts/setup does)",
                path.display()
            )
        });
        let loaded = self
            .s
            .execute("return typeof window.axe === 'object'", vec![])
            .unwrap_or(Value::Bool(false));
        if loaded != Value::Bool(true) {
            self.s
                .execute(&format!("{source}\n;return typeof window.axe;"), vec![])
                .unwrap_or_else(|e| panic!("[{screen}] injecting axe-core: {e}"));
        }
        let result = self
            .s
            .execute_async(
                "const done = arguments[arguments.length - 1];\
                 window.axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']})\
                   .then(r => done(JSON.stringify(r.violations.map(v => ({\
                       id: v.id, impact: v.impact, help: v.help,\
                       targets: v.nodes.map(n => n.target.join(' '))})))))\
                   .catch(e => done(JSON.stringify({error: String(e)})));",
                vec![],
            )
            .unwrap_or_else(|e| panic!("[{screen}] running axe-core: {e}"));
        let parsed: Value = serde_json::from_str(result.as_str().unwrap_or("null"))
            .unwrap_or_else(|e| panic!("[{screen}] axe-core result is not JSON ({e}): {result}"));
        if let Some(error) = parsed.get("error") {
            panic!("[{screen}] axe-core failed: {error}");
        }
        let bad: Vec<String> = parsed
            .as_array()
            .into_iter()
            .flatten()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .map(|v| {
                format!(
                    "- {} ({}): {}\n    {}",
                    v["id"].as_str().unwrap_or("?"),
                    v["impact"].as_str().unwrap_or("?"),
                    v["help"].as_str().unwrap_or("?"),
                    v["targets"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join("\n    ")
                )
            })
            .collect();
        assert!(
            bad.is_empty(),
            "[{screen}] accessibility: {} serious or critical axe-core violation(s):\n{}",
            bad.len(),
            bad.join("\n")
        );
    }

    /// Screenshot to docs/screenshots/`name`.png, then the axe check.
    #[track_caller]
    pub fn evidence(&self, name: &str) {
        self.save_screenshot(name);
        self.axe_check(name);
    }
}

/// Where a failing test leaves its screenshot and logs (outside the repository).
pub fn failure_dir() -> PathBuf {
    std::env::temp_dir().join("casebook-window-failures")
}

impl Drop for Window {
    fn drop(&mut self) {
        // Closing the session closes the app; stopping the driver takes care of the rest.
        let failing = std::thread::panicking();
        if !failing {
            let _ = self.s.delete();
        }
        self.driver.stop();
        if failing {
            // Keep the driver's and the app's logs: the profile is deleted with the test.
            let keep = failure_dir().join(format!("{}-{}-logs", self.name, std::process::id()));
            if fs::create_dir_all(&keep).is_ok() {
                for entry in fs::read_dir(&self.logs).into_iter().flatten().flatten() {
                    let _ = fs::copy(entry.path(), keep.join(entry.file_name()));
                }
                eprintln!("[{}] logs kept in {}", self.name, keep.display());
            }
        }
    }
}

/// The text of a PDF, one entry per page, read back with poppler's `pdftotext -layout`.
pub fn pdf_pages(pdf: &Path) -> Vec<String> {
    let out = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) runs");
    assert!(out.status.success(), "pdftotext {}: {:?}", pdf.display(), out);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    // pdftotext ends every page with a form feed.
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_owned).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// Renders the first page of a PDF to `docs/screenshots/{name}.png` (poppler's `pdftoppm`), so
/// the documents the app writes are seen beside its screens.
pub fn pdf_first_page_png(pdf: &Path, name: &str) -> PathBuf {
    let stem = repo_root().join("docs/screenshots").join(name);
    let out = Command::new("pdftoppm")
        .args(["-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile"])
        .arg(pdf)
        .arg(&stem)
        .output()
        .expect("pdftoppm (poppler-utils) runs");
    assert!(out.status.success(), "pdftoppm {}: {:?}", pdf.display(), out);
    let png = stem.with_extension("png");
    assert!(
        fs::read(&png).unwrap().starts_with(b"\x89PNG"),
        "{} is not a PNG",
        png.display()
    );
    png
}
