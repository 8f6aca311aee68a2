//! The [`Window`] itself: Xvfb + tauri-driver + one WebDriver session of the app for a profile,
//! started, restarted and measured here; dropping it stops exactly the processes it started.
//! How a window finds controls, waits, fills forms and keeps evidence lives in the sibling
//! modules, each an `impl Window` block of its own.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use casebook_testkit::process as procs;
use casebook_testkit::window::{TauriDriver, Xvfb, tauri_driver_bin};
use serde_json::json;

use super::paths::{app_bin, failure_dir, repo_root};
use super::profile::Profile;
use super::webdriver::Session;

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
    /// Its log is quoted by the waits (in `wait.rs`) when the app is lost.
    pub(super) driver: TauriDriver,
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
