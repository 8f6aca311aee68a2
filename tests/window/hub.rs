//! A real `casebook-hub` for the window tests, started the way tests/common/hub.rs does it:
//! a scratch data dir, `serve --listen 127.0.0.1:0`, the port read from its first line, its
//! admin commands for users and enrollment codes, killed by its own pid on drop.

use std::fs::{self, File};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

use super::workspace_bin;

pub struct Hub {
    _tmp: TempDir,
    pub data: PathBuf,
    scratch: PathBuf,
    pub log: PathBuf,
    /// `http://127.0.0.1:PORT`
    pub url: String,
    child: Option<Child>,
}

impl Hub {
    pub fn start() -> Self {
        let tmp = tempfile::Builder::new()
            .prefix("casebook-window-hub-")
            .tempdir()
            .unwrap();
        let data = tmp.path().join("hub");
        let scratch = tmp.path().join("scratch");
        fs::create_dir_all(scratch.join("home")).unwrap();
        fs::create_dir_all(scratch.join("tmp")).unwrap();
        let log = tmp.path().join("hub.log");
        let mut hub = Self {
            _tmp: tmp,
            data,
            scratch,
            log,
            url: String::new(),
            child: None,
        };
        let mut child = hub
            .command()
            .args(["serve", "--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(File::create(&hub.log).unwrap())
            .spawn()
            .expect("spawn casebook-hub serve");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        // Reads the first line, then keeps draining stdout so the hub never blocks on it.
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(first)) = lines.next() {
                let _ = tx.send(first);
            }
            for _ in lines {}
        });
        let start = Instant::now();
        let line = loop {
            if let Ok(line) = rx.recv_timeout(Duration::from_millis(50)) {
                break line;
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "the hub exited ({status}) at start:\n{}",
                    super::procs::tail(&hub.log, 30)
                );
            }
            if start.elapsed() > Duration::from_secs(20) {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the hub printed no `listening on` line within 20 s");
            }
        };
        let port: u16 = line
            .trim()
            .strip_prefix("listening on http://127.0.0.1:")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line of the hub: {line:?}"));
        hub.url = format!("http://127.0.0.1:{port}");
        hub.child = Some(child);
        hub
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new(workspace_bin("casebook-hub"));
        for var in [
            "CASEBOOK_HUB_DATA",
            "CASEBOOK_HUB_KEY",
            "CASEBOOK_HUB_LOG",
            "RUST_LOG",
        ] {
            cmd.env_remove(var);
        }
        cmd.env("HOME", self.scratch.join("home"))
            .env("TMPDIR", self.scratch.join("tmp"))
            .arg("--data")
            .arg(&self.data)
            .stdin(Stdio::null());
        cmd
    }

    /// Runs an admin command with `--json`, asserts success, parses stdout.
    #[track_caller]
    pub fn admin_json(&self, args: &[&str]) -> Value {
        let out: Output = self
            .command()
            .args(args)
            .arg("--json")
            .output()
            .expect("spawn casebook-hub");
        assert!(
            out.status.success(),
            "casebook-hub {} --json: {:?}\n{}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("casebook-hub {}: stdout is not JSON ({e})", args.join(" ")))
    }

    /// `user add NAME --role ROLE [--team T]`: the one-time enrollment code.
    #[track_caller]
    pub fn add_user(&self, name: &str, role: &str, team: Option<&str>) -> String {
        let mut args = vec!["user", "add", name, "--role", role];
        if let Some(team) = team {
            args.extend(["--team", team]);
        }
        let v = self.admin_json(&args);
        v["enrollment_code"]
            .as_str()
            .unwrap_or_else(|| panic!("user add --json: no enrollment_code in {v}"))
            .to_owned()
    }

    /// `user code NAME`: another code for the same user (a second laptop).
    #[track_caller]
    pub fn user_code(&self, name: &str) -> String {
        let v = self.admin_json(&["user", "code", name]);
        v["enrollment_code"]
            .as_str()
            .unwrap_or_else(|| panic!("user code --json: no enrollment_code in {v}"))
            .to_owned()
    }

    /// `case list --json`
    #[track_caller]
    pub fn cases(&self) -> Vec<Value> {
        self.admin_json(&["case", "list"])
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    pub fn log_tail(&self) -> String {
        format!("--- hub log ---\n{}", super::procs::tail(&self.log, 30))
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
