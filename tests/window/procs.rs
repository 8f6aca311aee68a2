//! Processes of the window tests, handled by pid only: the process tree from /proc, signals
//! through the shell's `kill` builtin (no `pkill`/`killall`, nothing matched by name), a
//! private Xvfb display, a tauri-driver on free ports, memory readings.

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Fields of `/proc/PID/stat` after the command name: (state, ppid).
fn stat(pid: u32) -> Option<(char, u32)> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &text[text.rfind(')')? + 2..];
    let mut fields = rest.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    Some((state, ppid))
}

/// Is `pid` a running process (a zombie counts as gone)?
pub fn alive(pid: u32) -> bool {
    matches!(stat(pid), Some((state, _)) if state != 'Z' && state != 'X')
}

/// The live children of `pid`.
pub fn children(pid: u32) -> Vec<u32> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return vec![];
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&p| matches!(stat(p), Some((state, ppid)) if ppid == pid && state != 'Z'))
        .collect()
}

/// Every live descendant of `pid`, parents before children.
pub fn descendants(pid: u32) -> Vec<u32> {
    let mut out = vec![];
    let mut todo = vec![pid];
    while let Some(p) = todo.pop() {
        for c in children(p) {
            out.push(c);
            todo.push(c);
        }
    }
    out
}

/// The executable of `pid` (`/proc/PID/exe`; " (deleted)" stripped).
pub fn exe(pid: u32) -> Option<PathBuf> {
    let link = fs::read_link(format!("/proc/{pid}/exe")).ok()?;
    let text = link.to_string_lossy();
    Some(PathBuf::from(text.trim_end_matches(" (deleted)")))
}

/// The program name of `pid` (its executable's file name; `comm` is cut at 15 characters).
pub fn comm(pid: u32) -> String {
    exe(pid)
        .and_then(|e| e.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| {
            fs::read_to_string(format!("/proc/{pid}/comm"))
                .unwrap_or_default()
                .trim()
                .to_owned()
        })
}

/// Resident memory of `pid` in KiB (`VmRSS`).
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Proportional memory of `pid` in KiB (`Pss` of smaps_rollup: shared pages divided among
/// the processes sharing them, so WebKit's libraries are not counted once per process).
pub fn pss_kib(pid: u32) -> Option<u64> {
    let rollup = fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    rollup
        .lines()
        .find_map(|l| l.strip_prefix("Pss:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Sends `signal` (e.g. "KILL", "TERM") to exactly this pid.
pub fn signal(pid: u32, signal: &str) {
    let _ = Command::new("sh")
        .args([
            "-c",
            "kill -s \"$1\" \"$2\" 2>/dev/null",
            "sh",
            signal,
            &pid.to_string(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Waits until `pid` is gone, at most `limit`; true when it is.
pub fn wait_gone(pid: u32, limit: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if !alive(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    !alive(pid)
}

/// SIGKILLs each of `pids` that is still alive and is still the program it was (same exe),
/// so a recycled pid is never hit.
pub fn kill_all(pids: &[(u32, Option<PathBuf>)]) {
    for (pid, was) in pids {
        if alive(*pid) && exe(*pid) == *was {
            signal(*pid, "KILL");
        }
    }
}

/// Ports handed out in this test process, so parallel tests never get the same one.
static PORTS: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());

/// A TCP port on 127.0.0.1 that was free a moment ago and not handed out before here.
pub fn free_port() -> u16 {
    loop {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("bind 127.0.0.1:0");
        let port = listener.local_addr().expect("local_addr").port();
        if PORTS.lock().unwrap_or_else(|e| e.into_inner()).insert(port) {
            return port;
        }
    }
}

/// The last `n` lines of a log file, for failure messages.
pub fn tail(path: &Path, n: usize) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// A private X display: `Xvfb -displayfd` picks a free display number itself (no race with
/// other tests or a developer's own display) and writes it once it accepts connections.
pub struct Xvfb {
    child: Child,
    pub display: String,
}

impl Xvfb {
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
            if start.elapsed() > Duration::from_secs(20) {
                let _ = child.kill();
                let _ = child.wait();
                panic!("Xvfb opened no display within 20 s:\n{}", tail(&log, 20));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where tauri-driver is: `$TAURI_DRIVER`, else on PATH, else where scripts/setup installs it.
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

/// A tauri-driver (and the WebKitWebDriver it starts) on free ports, with the environment the
/// app will inherit.
pub struct TauriDriver {
    child: Option<Child>,
    pub port: u16,
    pub log: PathBuf,
}

impl TauriDriver {
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
                if super::webdriver::is_up(port) {
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
                if start.elapsed() > Duration::from_secs(20) {
                    last_error = "tauri-driver did not answer /status within 20 s".into();
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
