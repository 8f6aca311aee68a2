//! Helpers for the cross-process sync tests: a real `casebook-hub` serving a scratch data dir
//! on 127.0.0.1 (killed by its own pid, restartable on the same port), its admin commands,
//! read-only access to its encrypted database with standard tools, enrolled `casebook`
//! stores, and a tiny hand-written HTTP/1.1 client for protocol-level checks.
//!
//! Declared from the sync test files with `#[path = "common/hub.rs"] mod hub;` next to
//! `mod common;` (it uses the store helpers of `common`).

#![allow(dead_code, clippy::unwrap_used, missing_docs)]

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

use crate::common::{EXIT_OK, Store, assert_code, describe};

/// The hub binary: built by another package, so it is looked up next to `casebook`.
pub fn hub_bin() -> PathBuf {
    let path = Path::new(env!("CARGO_BIN_EXE_casebook")).with_file_name("casebook-hub");
    assert!(
        path.is_file(),
        "the hub binary is missing at {}: build it: cargo build -p casebook-hub",
        path.display()
    );
    path
}

/// A `casebook-hub` with its own scratch data dir, serving on 127.0.0.1.
pub struct Hub {
    _tmp: TempDir,
    /// The data dir (`--data`).
    pub data: PathBuf,
    /// HOME/TMPDIR of the hub's processes.
    scratch: PathBuf,
    /// Where the server's stderr (its log) goes, appended across restarts.
    pub log: PathBuf,
    /// `http://127.0.0.1:PORT`
    pub url: String,
    pub port: u16,
    child: Option<Child>,
}

impl Hub {
    /// A new, empty hub listening on a free port.
    pub fn start() -> Self {
        let tmp = tempfile::Builder::new()
            .prefix("casebook-hub-test-")
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
            port: 0,
            child: None,
        };
        let (child, port) = hub
            .try_serve("127.0.0.1:0")
            .unwrap_or_else(|why| panic!("the hub did not start: {why}\n{}", hub.log_tail()));
        hub.child = Some(child);
        hub.port = port;
        hub.url = format!("http://127.0.0.1:{port}");
        hub
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new(hub_bin());
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

    /// Starts `serve --listen ADDR`; returns the child and its port once it printed its
    /// first line, or why it did not (it exited, e.g. the port is still taken).
    fn try_serve(&self, listen: &str) -> Result<(Child, u16), String> {
        let log = File::options().create(true).append(true).open(&self.log).unwrap();
        let mut child = self
            .command()
            .args(["serve", "--listen", listen])
            .stdout(Stdio::piped())
            .stderr(log)
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
        loop {
            match rx.recv_timeout(Duration::from_millis(20)) {
                Ok(line) => {
                    let port = line
                        .trim()
                        .strip_prefix("listening on http://127.0.0.1:")
                        .and_then(|p| p.parse::<u16>().ok());
                    return match port {
                        Some(port) => Ok((child, port)),
                        None => {
                            let _ = child.kill();
                            let _ = child.wait();
                            Err(format!("unexpected first line {line:?}"))
                        }
                    };
                }
                Err(mpsc::RecvTimeoutError::Disconnected) | Err(mpsc::RecvTimeoutError::Timeout)
                    if child.try_wait().unwrap().is_some() =>
                {
                    return Err(format!("it exited: {:?}", child.wait().unwrap()));
                }
                Err(_) if start.elapsed() > Duration::from_secs(20) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err("no `listening on` line within 20 s".into());
                }
                Err(_) => {}
            }
        }
    }

    /// Is the server process running (as far as this test knows)?
    pub fn is_running(&mut self) -> bool {
        match &mut self.child {
            Some(child) => child.try_wait().unwrap().is_none(),
            None => false,
        }
    }

    /// SIGKILLs the server (its own pid, via `Child::kill`) and reaps it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port and data dir, retrying the bind for a while.
    pub fn restart(&mut self) {
        self.kill();
        let listen = format!("127.0.0.1:{}", self.port);
        let start = Instant::now();
        loop {
            match self.try_serve(&listen) {
                Ok((child, port)) => {
                    assert_eq!(port, self.port, "the hub came back on another port");
                    self.child = Some(child);
                    return;
                }
                Err(why) if start.elapsed() > Duration::from_secs(8) => {
                    panic!("the hub did not restart on {listen}: {why}\n{}", self.log_tail())
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    /// The last lines of the server's log, for assertion messages.
    pub fn log_tail(&self) -> String {
        let text = fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let from = lines.len().saturating_sub(30);
        format!("--- hub log (tail) ---\n{}", lines[from..].join("\n"))
    }

    /// Runs an admin command (`casebook-hub --data DIR ARGS...`).
    pub fn admin(&self, args: &[&str]) -> Output {
        self.command()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .expect("spawn casebook-hub")
    }

    /// Runs an admin command and asserts exit 0.
    #[track_caller]
    pub fn admin_ok(&self, args: &[&str]) -> Output {
        let out = self.admin(args);
        assert_code(&out, EXIT_OK, &format!("casebook-hub {}", args.join(" ")));
        out
    }

    /// Runs an admin command with `--json`, asserts exit 0 and parses stdout.
    #[track_caller]
    pub fn admin_json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let out = self.admin_ok(&all);
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "casebook-hub {}: stdout is not JSON ({e})\n{}",
                all.join(" "),
                describe(&out)
            )
        })
    }

    /// `user add NAME --role ROLE [--team T]`; returns the enrollment code.
    #[track_caller]
    pub fn add_user(&self, name: &str, role: &str, team: Option<&str>) -> String {
        let mut args = vec!["user", "add", name, "--role", role];
        if let Some(team) = team {
            args.extend(["--team", team]);
        }
        let v = self.admin_json(&args);
        assert_eq!(v["user"], name, "user add --json: {v}");
        v["enrollment_code"]
            .as_str()
            .unwrap_or_else(|| panic!("user add --json: no enrollment_code in {v}"))
            .to_owned()
    }

    /// `user code NAME`: another one-time code (a second laptop).
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
        let v = self.admin_json(&["case", "list"]);
        v.as_array()
            .unwrap_or_else(|| panic!("casebook-hub case list --json: not an array: {v}"))
            .clone()
    }

    /// The hub's row of `case list --json` for a case id.
    #[track_caller]
    pub fn case(&self, case_id: &str) -> Value {
        let cases = self.cases();
        cases
            .iter()
            .find(|c| c["case_id"] == case_id)
            .unwrap_or_else(|| panic!("the hub does not list case {case_id}: {cases:?}"))
            .clone()
    }

    /// Opens `hub.db` read-only with standard tools: SQLCipher and the key in `hub.key`.
    pub fn open_db(&self) -> rusqlite::Connection {
        let key = fs::read_to_string(self.data.join("hub.key")).expect("read hub.key");
        let key = key.trim();
        assert!(
            key.len() == 64 && key.chars().all(|c| c.is_ascii_hexdigit()),
            "hub.key should hold 64 hex characters"
        );
        let conn = rusqlite::Connection::open_with_flags(
            self.data.join("hub.db"),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .expect("open hub.db");
        conn.execute_batch(&format!("PRAGMA key = \"x'{key}'\";"))
            .expect("PRAGMA key");
        conn.busy_timeout(Duration::from_secs(10)).unwrap();
        conn
    }

    /// op_id → how many rows of the hub's `ops` table carry it.
    pub fn op_counts(&self) -> BTreeMap<String, i64> {
        let conn = self.open_db();
        let mut stmt = conn
            .prepare("SELECT op_id, COUNT(*) FROM ops GROUP BY op_id")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    /// How many ops of the hub's log contain `needle` in their JSON.
    pub fn ops_containing(&self, needle: &str) -> i64 {
        let conn = self.open_db();
        conn.query_row(
            "SELECT COUNT(*) FROM ops WHERE instr(op_json, ?1) > 0",
            [needle],
            |r| r.get(0),
        )
        .unwrap()
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A new store (folder created by `enroll`) enrolled with `hub` using `code`.
#[track_caller]
pub fn enroll(hub: &Hub, code: &str, name: &str) -> Store {
    let store = Store::empty();
    let v = store.json(&["enroll", "--hub", &hub.url, "--code", code, "--name", name]);
    assert!(
        v["device_id"].as_str().is_some(),
        "enroll --json: no device_id in {v}"
    );
    store
}

/// A new user of `hub` with a freshly enrolled laptop named after them.
#[track_caller]
pub fn member(hub: &Hub, name: &str, role: &str, team: Option<&str>) -> Store {
    enroll(hub, &hub.add_user(name, role, team), &format!("{name}-laptop"))
}

/// `sync --json` on `store`, asserting exit 0.
#[track_caller]
pub fn sync(store: &Store, hub: &Hub) -> Value {
    let out = store.run(&["sync", "--json"]);
    if out.status.code() != Some(EXIT_OK) {
        panic!(
            "casebook sync --json: expected exit 0\n{}\n{}",
            describe(&out),
            hub.log_tail()
        );
    }
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("sync --json: stdout is not JSON ({e})\n{}", describe(&out)))
}

/// `status --json`
#[track_caller]
pub fn status(store: &Store) -> Value {
    store.json(&["status"])
}

/// A number field of a JSON object, asserted present.
#[track_caller]
pub fn num(v: &Value, field: &str) -> u64 {
    v[field]
        .as_u64()
        .unwrap_or_else(|| panic!("no number {field:?} in {v}"))
}

/// The ids of `case list --json`, sorted.
#[track_caller]
pub fn case_ids(store: &Store) -> Vec<String> {
    let mut ids: Vec<String> = store
        .cases()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

/// (id, summary) of every case of `case list --json`, sorted.
#[track_caller]
pub fn case_summaries(store: &Store) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = store
        .cases()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_owned(),
                c["summary"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    all.sort();
    all
}

/// The open conflicts of `conflicts --json`.
#[track_caller]
pub fn conflicts(store: &Store) -> Vec<Value> {
    let v = store.json(&["conflicts"]);
    v["conflicts"]
        .as_array()
        .unwrap_or_else(|| panic!("conflicts --json: no \"conflicts\" array in {v}"))
        .clone()
}

/// An HTTP answer read off the wire.
#[derive(Debug)]
pub struct HttpAnswer {
    pub status: u16,
    /// Header names lowercased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpAnswer {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_lowercase();
        self.headers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON (`Value::Null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends one hand-written HTTP/1.1 request (`Connection: close`) and reads the whole answer.
/// `body` is sent as is with its own length unless `content_length` overrides it.
pub fn http_raw(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    content_length: Option<usize>,
) -> std::io::Result<HttpAnswer> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(20)))?;
    stream.set_write_timeout(Some(Duration::from_secs(20)))?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() || content_length.is_some() || method == "POST" {
        head.push_str(&format!(
            "Content-Length: {}\r\n",
            content_length.unwrap_or(body.len())
        ));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()?;
    if content_length.is_some_and(|n| n > body.len()) {
        // The rest never comes.
        stream.shutdown(std::net::Shutdown::Write)?;
    }
    let mut raw = vec![];
    stream.read_to_end(&mut raw)?;
    parse_answer(&raw).ok_or_else(|| {
        std::io::Error::other(format!("not an HTTP answer: {:?}", String::from_utf8_lossy(&raw)))
    })
}

/// One request with a body sent exactly as given.
pub fn http(port: u16, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> HttpAnswer {
    http_raw(port, method, path, headers, body, None)
        .unwrap_or_else(|e| panic!("{method} {path}: no HTTP answer from the hub: {e}"))
}

fn parse_answer(raw: &[u8]) -> Option<HttpAnswer> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split]).ok()?;
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let status = status_line.split_whitespace().nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.to_lowercase().contains("chunked"));
    if chunked {
        body = dechunk(&body)?;
    } else if let Some(len) = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
    {
        body.truncate(len);
    }
    Some(HttpAnswer {
        status,
        headers,
        body,
    })
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = vec![];
    loop {
        let line_end = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&data[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}
