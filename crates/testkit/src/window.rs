//! The window tests' tools, handled by pid: a private Xvfb display and a tauri-driver (which
//! starts WebKitWebDriver, which starts the app) on free ports with the environment the app
//! inherits.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::process::{descendants, exe, free_port, kill_all, signal, tail};

/// How long Xvfb and tauri-driver may take to come up on a loaded machine.
const START_LIMIT: Duration = Duration::from_secs(30);

/// A private X display: `Xvfb -displayfd` picks a free display number itself (no race with
/// other tests or a developer's own display) and writes it once it accepts connections.
pub struct Xvfb {
    child: Child,
    /// `:N`, for `DISPLAY`.
    pub display: String,
}

impl Xvfb {
    /// Starts Xvfb (1280×800, 24 bit) with its log and display number in `dir`.
    pub fn start(dir: &Path) -> Self {
        let number_file = dir.join("xvfb.display");
        let log = dir.join("xvfb.log");
        // `exec` keeps the pid: the child *is* Xvfb. fd 3 is where it writes the number.
        let mut child = Command::new("sh")
            .args([
                "-c",
                "exec Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp -noreset 3>\"$1\"",
                "sh",
            ])
            .arg(&number_file)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(File::create(&log).expect("create xvfb.log"))
            .spawn()
            .unwrap_or_else(|e| panic!("could not start Xvfb ({e}); run scripts/setup to install xvfb"));
        let start = Instant::now();
        loop {
            let text = fs::read_to_string(&number_file).unwrap_or_default();
            if text.ends_with('\n') {
                let number = text.trim().to_owned();
                return Self {
                    child,
                    display: format!(":{number}"),
                };
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "Xvfb exited ({status}) before opening a display:\n{}",
                    tail(&log, 20)
                );
            }
            if start.elapsed() > START_LIMIT {
                crate::process::kill(&mut child);
                panic!(
                    "Xvfb opened no display within {START_LIMIT:?}:\n{}",
                    tail(&log, 20)
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        crate::process::kill(&mut self.child);
    }
}

/// Where tauri-driver is: `$TAURI_DRIVER`, else on PATH, else where scripts/setup installs it,
/// else under the repository's `target/tools/bin`.
pub fn tauri_driver_bin(repo: &Path) -> PathBuf {
    if let Some(path) = std::env::var_os("TAURI_DRIVER") {
        return PathBuf::from(path);
    }
    let mut candidates: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("tauri-driver"))
                .collect()
        })
        .unwrap_or_default();
    candidates.push(PathBuf::from("/var/cache/casebook/tools/bin/tauri-driver"));
    candidates.push(repo.join("target/tools/bin/tauri-driver"));
    candidates.into_iter().find(|p| p.is_file()).unwrap_or_else(|| {
        panic!(
            "tauri-driver is not installed: run scripts/setup (it runs \
             `cargo install tauri-driver --locked --version ^2`), or set TAURI_DRIVER"
        )
    })
}

/// A tauri-driver (and the WebKitWebDriver it starts) on free ports.
pub struct TauriDriver {
    child: Option<Child>,
    /// The WebDriver port tauri-driver listens on.
    pub port: u16,
    /// Its log, with WebKitWebDriver's and the app's stderr.
    pub log: PathBuf,
}

impl TauriDriver {
    /// Starts `bin` with exactly the caller's environment minus every `CASEBOOK_*` variable,
    /// plus `env`; returns once it answers `GET /status`.
    pub fn start(bin: &Path, log: PathBuf, env: &[(String, String)]) -> Self {
        let mut last_error = String::new();
        for _attempt in 0..3 {
            let port = free_port();
            let native_port = free_port();
            let mut cmd = Command::new(bin);
            cmd.args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ]);
            // Nothing of the developer's own Casebook setup reaches the app. The WebKit
            // switches are common desktop workarounds, but with them WebKit's screenshots
            // wait forever for a frame under Xvfb.
            for (key, _) in std::env::vars_os() {
                if key.to_string_lossy().starts_with("CASEBOOK_") {
                    cmd.env_remove(key);
                }
            }
            cmd.env_remove("WEBKIT_DISABLE_DMABUF_RENDERER")
                .env_remove("WEBKIT_DISABLE_COMPOSITING_MODE");
            for (k, v) in env {
                cmd.env(k, v);
            }
            let out = File::options()
                .create(true)
                .append(true)
                .open(&log)
                .expect("open tauri-driver log");
            let mut child = cmd
                .stdin(Stdio::null())
                .stdout(out.try_clone().expect("dup log"))
                .stderr(out)
                .spawn()
                .unwrap_or_else(|e| panic!("could not start {}: {e}", bin.display()));
            let start = Instant::now();
            loop {
                if crate::webdriver::is_up(port) {
                    return Self {
                        child: Some(child),
                        port,
                        log,
                    };
                }
                if let Ok(Some(status)) = child.try_wait() {
                    last_error = format!("tauri-driver exited ({status})");
                    break;
                }
                if start.elapsed() > START_LIMIT {
                    last_error = format!("tauri-driver did not answer /status within {START_LIMIT:?}");
                    Self::stop_child(&mut child);
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        panic!("{last_error}\n--- tauri-driver log ---\n{}", tail(&log, 30));
    }

    /// The tauri-driver's pid (0 once stopped).
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// Stops tauri-driver: SIGTERM (it then kills its WebKitWebDriver), and SIGKILL for
    /// whatever of the tree it started (WebKitWebDriver, the app, WebKit's helpers) is left.
    fn stop_child(child: &mut Child) {
        let pid = child.id();
        let tree: Vec<(u32, Option<PathBuf>)> = descendants(pid).into_iter().map(|p| (p, exe(p))).collect();
        if child.try_wait().ok().flatten().is_none() {
            signal(pid, "TERM");
            let start = Instant::now();
            while child.try_wait().ok().flatten().is_none() {
                if start.elapsed() > Duration::from_secs(5) {
                    let _ = child.kill();
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let _ = child.wait();
        kill_all(&tree);
    }

    /// Stops the driver and everything it started (idempotent).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            Self::stop_child(&mut child);
        }
    }
}

impl Drop for TauriDriver {
    fn drop(&mut self) {
        self.stop();
    }
}
