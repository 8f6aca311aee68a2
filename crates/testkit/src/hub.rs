//! The real `casebook-hub` binary for cross-process tests: a scratch data dir (or a PostgreSQL
//! database, [`HubStore`]), `serve --listen 127.0.0.1:0` with the port read from its first
//! line, restartable on the same port, killed by its own pid; its admin commands (users,
//! enrollment codes, cases); and read-only access to a data dir's encrypted database with
//! standard tools.
//!
//! The binary's path is a parameter: only the package that builds it knows it
//! (`CARGO_BIN_EXE_casebook-hub`), the others find it next to their own binaries.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use tempfile::TempDir;

use crate::http::{Blocking, HttpAnswer};
use crate::process::{Lines, tail};
use crate::store::HubStore;
use crate::util::{assert_code, describe};

/// How long the hub may take to say it listens (a loaded 2-core machine is slow to start it).
const START_LIMIT: Duration = Duration::from_secs(60);

/// A `casebook-hub` serving a scratch data dir (or a PostgreSQL database) on 127.0.0.1.
pub struct Hub {
    _tmp: TempDir,
    bin: PathBuf,
    /// The data dir (`--data`); unused (never made) when it stores on PostgreSQL.
    pub data: PathBuf,
    /// HOME/TMPDIR of the hub's processes.
    scratch: PathBuf,
    /// Where the server's stderr (its log) goes, appended across restarts.
    pub log: PathBuf,
    /// `http://127.0.0.1:PORT`
    pub url: String,
    /// The port it listens on (kept across restarts).
    pub port: u16,
    /// Where it stores: `data`, or a PostgreSQL database and hub key.
    store: HubStore,
    /// More arguments of `serve`.
    serve_args: Vec<String>,
    child: Option<Child>,
}

impl Hub {
    /// A new, empty hub of the binary at `bin` on a data dir, listening on a free port.
    pub fn start(bin: impl Into<PathBuf>) -> Self {
        Self::start_with(bin, HubStore::Dir, &[])
    }

    /// A hub process of the binary at `bin` storing in the PostgreSQL database at `url` under
    /// the hub key `key_hex`, with more `serve_args`: several of them may share one database.
    pub fn start_on_database(bin: impl Into<PathBuf>, url: &str, key_hex: &str, serve_args: &[&str]) -> Self {
        let store = HubStore::Database {
            url: url.to_owned(),
            key: key_hex.to_owned(),
        };
        Self::start_with(bin, |_| store, serve_args)
    }

    /// A hub process of the binary at `bin` with more `serve_args`, storing where `store` says
    /// given the data dir `hub` of the hub's temp dir: `HubStore::Dir` (that dir),
    /// `HubStore::scratch` (a new database when `CASEBOOK_TEST_DATABASE` is set, else that
    /// dir), or a store made elsewhere (a restored one).
    pub fn start_with(
        bin: impl Into<PathBuf>,
        store: impl FnOnce(PathBuf) -> HubStore,
        serve_args: &[&str],
    ) -> Self {
        let bin = bin.into();
        assert!(
            bin.is_file(),
            "the hub binary is missing at {}: build it (cargo build --profile ci -p casebook-hub)",
            bin.display()
        );
        let tmp = tempfile::Builder::new()
            .prefix("casebook-hub-test-")
            .tempdir()
            .expect("make a temp dir for the hub");
        let data = tmp.path().join("hub");
        let scratch = tmp.path().join("scratch");
        fs::create_dir_all(scratch.join("home")).expect("make the hub's HOME");
        fs::create_dir_all(scratch.join("tmp")).expect("make the hub's TMPDIR");
        let log = tmp.path().join("hub.log");
        let store = store(data.clone());
        let mut hub = Self {
            _tmp: tmp,
            bin,
            data,
            scratch,
            log,
            url: String::new(),
            port: 0,
            store,
            serve_args: serve_args.iter().map(|a| (*a).to_owned()).collect(),
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

    /// `casebook-hub --data DIR` (or `--database URL` with its key in CASEBOOK_HUB_KEY),
    /// hermetic: no CASEBOOK_HUB_* or RUST_LOG of the caller, HOME and TMPDIR in the scratch
    /// folder, stdin null.
    pub fn command(&self) -> Command {
        let mut cmd = Command::new(&self.bin);
        without_hub_env(&mut cmd);
        cmd.env("HOME", self.scratch.join("home"))
            .env("TMPDIR", self.scratch.join("tmp"))
            .stdin(Stdio::null());
        self.store.add_to(&mut cmd);
        cmd
    }

    /// Starts `serve --listen ADDR`; returns the child and its port once it printed its first
    /// line, or why it did not (it exited, e.g. the port is still taken).
    fn try_serve(&self, listen: &str) -> Result<(Child, u16), String> {
        let log = File::options()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("open the hub's log");
        let mut child = self
            .command()
            .args(["serve", "--listen", listen])
            .args(&self.serve_args)
            .stdout(Stdio::piped())
            .stderr(log)
            .spawn()
            .expect("spawn casebook-hub serve");
        let mut lines = Lines::read(child.stdout.take().expect("piped stdout"));
        match lines.wait_for(START_LIMIT, |_| true) {
            Ok(line) => {
                let port = line
                    .trim()
                    .strip_prefix("listening on http://127.0.0.1:")
                    .and_then(|p| p.parse::<u16>().ok());
                match port {
                    Some(port) => Ok((child, port)),
                    None => {
                        crate::process::kill(&mut child);
                        Err(format!("unexpected first line {line:?}"))
                    }
                }
            }
            Err(why) => {
                crate::process::kill(&mut child);
                Err(format!("no `listening on` line: {why}"))
            }
        }
    }

    /// Where it stores: a data dir (`data`), or a PostgreSQL database and hub key.
    pub fn store(&self) -> &HubStore {
        &self.store
    }

    /// Whether it stores in a PostgreSQL database (its values sealed) rather than a data dir.
    pub fn is_on_database(&self) -> bool {
        self.store.url().is_some()
    }

    /// Is the server process running (as far as this test knows)?
    pub fn is_running(&mut self) -> bool {
        match &mut self.child {
            Some(child) => child.try_wait().expect("try_wait").is_none(),
            None => false,
        }
    }

    /// The server's pid, while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// SIGKILLs the server (its own pid, via `Child::kill`) and reaps it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            crate::process::kill(&mut child);
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
                Err(why) if start.elapsed() > Duration::from_secs(30) => {
                    panic!("the hub did not restart on {listen}: {why}\n{}", self.log_tail())
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    /// The last lines of the server's log, for assertion messages.
    pub fn log_tail(&self) -> String {
        format!("--- hub log (tail) ---\n{}", tail(&self.log, 30))
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
        assert_code(&out, 0, &format!("casebook-hub {}", args.join(" ")));
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

    /// A blocking HTTP client for this hub's URL.
    pub fn http(&self) -> Blocking {
        Blocking::new(&self.url)
    }

    /// One request to the hub with `body` and the headers exactly as given.
    #[track_caller]
    pub fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> HttpAnswer {
        self.http().request(method, path, headers, body)
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
        conn.busy_timeout(Duration::from_secs(10))
            .expect("set a busy timeout");
        conn
    }

    /// op_id → how many rows of the hub's `ops` table carry it.
    pub fn op_counts(&self) -> BTreeMap<String, i64> {
        let conn = self.open_db();
        let mut stmt = conn
            .prepare("SELECT op_id, COUNT(*) FROM ops GROUP BY op_id")
            .expect("prepare the op count");
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("count the hub's ops")
            .collect::<Result<_, _>>()
            .expect("read the hub's op counts")
    }

    /// How many ops of the hub's log contain `needle` in their JSON.
    pub fn ops_containing(&self, needle: &str) -> i64 {
        let conn = self.open_db();
        conn.query_row(
            "SELECT COUNT(*) FROM ops WHERE instr(op_json, ?1) > 0",
            [needle],
            |r| r.get(0),
        )
        .expect("search the hub's ops")
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Takes every `CASEBOOK_HUB_*` variable and `RUST_LOG` of the caller's environment out of
/// `cmd`'s, so that a hub a test starts obeys only what the test gives it (a developer's shell
/// may hold a key, a database or a metrics token of its own).
pub fn without_hub_env(cmd: &mut Command) {
    for (var, _) in std::env::vars_os() {
        if var.to_str().is_some_and(|v| v.starts_with("CASEBOOK_HUB_")) {
            cmd.env_remove(var);
        }
    }
    cmd.env_remove("RUST_LOG");
}
