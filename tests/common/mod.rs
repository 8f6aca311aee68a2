//! Helpers shared by the cross-process tests of the `casebook` binary: a scratch store,
//! running the binary hermetically, hashing and scanning the files a store leaves behind, and
//! enrolled stores syncing with a real `casebook-hub` (started by the shared test kit,
//! `casebook_testkit::hub`). What every kind of test needs (markers, random delays, killing by
//! pid, describing a command) comes from the kit and is re-exported here.
//!
//! Every child process gets its store through `--store`, its passphrase through
//! `CASEBOOK_PASSPHRASE`, a null stdin, and HOME/XDG/TMPDIR/SQLITE_TMPDIR pointed into a
//! per-store scratch folder, so tests are independent and can run in parallel.

#![allow(dead_code, unused_imports, clippy::unwrap_used, missing_docs)]

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

pub use casebook_testkit::http::HttpAnswer;
pub use casebook_testkit::hub::Hub;
pub use casebook_testkit::process::{Lines, kill};
pub use casebook_testkit::util::{
    assert_code, date_from_today, describe, marker, random_between, random_bytes, stderr, stdout,
};
use serde_json::Value;
use sha2::{Digest, Sha256};
use tempfile::TempDir;

/// The passphrase every test store is created with.
pub const PASSPHRASE: &str = "correct horse battery staple 7";

/// Exit codes of the CLI contract.
pub const EXIT_OK: i32 = 0;
pub const EXIT_OTHER: i32 = 1;
pub const EXIT_USAGE: i32 = 2;
pub const EXIT_LOCKED: i32 = 3;
pub const EXIT_NOT_FOUND: i32 = 4;
pub const EXIT_REFUSED: i32 = 5;

/// The binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_casebook")
}

/// Today as the store dates records (the local calendar day), YYYY-MM-DD.
pub fn today() -> String {
    chrono::Local::now().date_naive().to_string()
}

/// Does `text` hold a run of 64 or more hex digits (a key, a hash)?
pub fn has_hex64(text: &str) -> bool {
    let mut run = 0;
    for c in text.chars() {
        if c.is_ascii_hexdigit() {
            run += 1;
            if run >= 64 {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

/// Fragments of raw SQLite/rusqlite/Debug error output that must never reach a person.
/// (SQLite's own wording, e.g. "database disk image is malformed", is tolerated inside a
/// sentence that says what happened; the tests check that sentence separately.)
const RAW_ERROR_FRAGMENTS: &[&str] = &[
    "sqlitefailure",
    "sqlite_",
    "rusqlite",
    "extended_code",
    "error code",
    "panicked",
    "backtrace",
    "{ code:",
    "ffi::",
];

/// Asserts an error went to stderr as a plain sentence: non-empty, no raw SQL error, no
/// Debug dump, no 64-hex-digit string (a key or hash).
#[track_caller]
pub fn assert_plain_error(out: &Output, what: &str) {
    let err = stderr(out);
    assert!(
        !err.trim().is_empty(),
        "{what}: expected a message on stderr\n{}",
        describe(out)
    );
    let lower = err.to_lowercase();
    for raw in RAW_ERROR_FRAGMENTS {
        assert!(
            !lower.contains(raw),
            "{what}: stderr looks like a raw/internal error (contains {raw:?})\n{}",
            describe(out)
        );
    }
    assert!(
        !has_hex64(&err),
        "{what}: stderr contains a 64-hex-digit string\n{}",
        describe(out)
    );
}

/// Does `text` (lowercased) contain any of `words`?
pub fn mentions_any(text: &str, words: &[&str]) -> bool {
    let lower = text.to_lowercase();
    words.iter().any(|w| lower.contains(&w.to_lowercase()))
}

/// Every file under `dir` (recursively), with its relative path. Directories are listed
/// too (with a trailing `/`), so a new empty folder also shows up as a change.
pub fn walk(dir: &Path) -> Vec<(String, PathBuf)> {
    fn go(root: &Path, dir: &Path, acc: &mut Vec<(String, PathBuf)>) {
        let Ok(entries) = fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            let rel = path.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            match entry.file_type() {
                Ok(t) if t.is_dir() => {
                    acc.push((format!("{rel}/"), path.clone()));
                    go(root, &path, acc);
                }
                _ => acc.push((rel, path)),
            }
        }
    }
    let mut acc = vec![];
    go(dir, dir, &mut acc);
    acc.sort();
    acc
}

/// sha256 of every file under `dir` (directories map to `"dir"`).
pub fn hash_dir(dir: &Path) -> BTreeMap<String, String> {
    walk(dir)
        .into_iter()
        .map(|(rel, path)| {
            if rel.ends_with('/') {
                (rel, "dir".to_owned())
            } else {
                let bytes = fs::read(&path).unwrap_or_default();
                (rel, hex::encode(Sha256::digest(&bytes)))
            }
        })
        .collect()
}

/// Files under `dir` whose raw bytes contain `needle`.
pub fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    let needle = needle.as_bytes();
    walk(dir)
        .into_iter()
        .filter(|(rel, _)| !rel.ends_with('/'))
        .filter(|(_, path)| {
            fs::read(path).is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle))
        })
        .map(|(rel, _)| rel)
        .collect()
}

/// Decrypts an age file encrypted to a passphrase, with the `age` crate.
pub fn age_decrypt(ciphertext: &[u8], passphrase: &str) -> Result<Vec<u8>, String> {
    let mut identity = age::scrypt::Identity::new(age::secrecy::SecretString::from(passphrase.to_owned()));
    identity.set_max_work_factor(24);
    let decryptor = age::Decryptor::new(ciphertext).map_err(|e| format!("not an age file: {e}"))?;
    let mut reader = decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .map_err(|e| format!("age refused to decrypt: {e}"))?;
    let mut plain = vec![];
    reader
        .read_to_end(&mut plain)
        .map_err(|e| format!("age stream: {e}"))?;
    Ok(plain)
}

/// Opens `store.db` the way anyone with the passphrase could, with standard tools only:
/// `age` decrypts `store.key` to the 32 raw key bytes, SQLCipher opens the file with them.
pub fn open_with_standard_tools(dir: &Path, passphrase: &str) -> rusqlite::Connection {
    let key_file = fs::read(dir.join("store.key")).expect("read store.key");
    let key =
        age_decrypt(&key_file, passphrase).expect("store.key should decrypt with age and the passphrase");
    assert_eq!(
        key.len(),
        32,
        "store.key should hold 32 raw key bytes, got {} bytes",
        key.len()
    );
    let conn = rusqlite::Connection::open(dir.join("store.db")).expect("open store.db");
    conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", hex::encode(&key)))
        .expect("PRAGMA key");
    conn
}

/// A scratch Casebook store: `dir` is the store folder (given with `--store`), `scratch`
/// is the child's HOME/TMPDIR/SQLITE_TMPDIR (kept apart so it can be scanned too).
pub struct Store {
    _tmp: TempDir,
    pub dir: PathBuf,
    pub scratch: PathBuf,
    pub passphrase: String,
}

impl Store {
    /// An empty store folder (not initialised).
    pub fn empty() -> Self {
        let tmp = tempfile::Builder::new()
            .prefix("casebook-test-")
            .tempdir()
            .unwrap();
        let dir = tmp.path().join("store");
        let scratch = tmp.path().join("scratch");
        fs::create_dir_all(&dir).unwrap();
        for sub in ["home", "tmp", "config", "data", "cache", "state", "runtime"] {
            fs::create_dir_all(scratch.join(sub)).unwrap();
        }
        Self {
            _tmp: tmp,
            dir,
            scratch,
            passphrase: PASSPHRASE.to_owned(),
        }
    }

    /// A fresh store made with `casebook init`.
    pub fn new() -> Self {
        let store = Self::empty();
        let out = store.run(&["init"]);
        assert_code(&out, EXIT_OK, "casebook init on an empty folder");
        assert!(
            store.dir.join("store.db").is_file(),
            "init made no store.db\n{}",
            describe(&out)
        );
        assert!(
            store.dir.join("store.key").is_file(),
            "init made no store.key\n{}",
            describe(&out)
        );
        store
    }

    /// A folder next to the store (outside it), for export files and the like.
    pub fn outside(&self, name: &str) -> PathBuf {
        self.dir.parent().unwrap().join(name)
    }

    /// The command, hermetic: `casebook --store DIR ARGS...`, passphrase in the env,
    /// stdin null, every temp/home folder inside `scratch`.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = self.hermetic();
        cmd.arg("--store").arg(&self.dir).args(args);
        cmd
    }

    /// Like [`Store::command`] but the store folder is given by `CASEBOOK_STORE` only.
    pub fn command_via_env(&self, args: &[&str]) -> Command {
        let mut cmd = self.hermetic();
        cmd.args(args).env("CASEBOOK_STORE", &self.dir);
        cmd
    }

    fn hermetic(&self) -> Command {
        let mut cmd = Command::new(bin());
        for var in [
            "CASEBOOK_STORE",
            "CASEBOOK_PASSPHRASE",
            "CASEBOOK_NEW_PASSPHRASE",
            "CASEBOOK_RECOVERY_CODE",
            "RUST_LOG",
            "RUST_BACKTRACE",
        ] {
            cmd.env_remove(var);
        }
        let s = &self.scratch;
        cmd.env("CASEBOOK_PASSPHRASE", &self.passphrase)
            .env("HOME", s.join("home"))
            .env("TMPDIR", s.join("tmp"))
            .env("SQLITE_TMPDIR", s.join("tmp"))
            .env("XDG_CONFIG_HOME", s.join("config"))
            .env("XDG_DATA_HOME", s.join("data"))
            .env("XDG_CACHE_HOME", s.join("cache"))
            .env("XDG_STATE_HOME", s.join("state"))
            .env("XDG_RUNTIME_DIR", s.join("runtime"))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    /// Runs `casebook ARGS...` to completion.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("spawn casebook")
    }

    /// Runs with another passphrase (`None`: no passphrase in the environment at all).
    pub fn run_with_passphrase(&self, passphrase: Option<&str>, args: &[&str]) -> Output {
        let mut cmd = self.command(args);
        match passphrase {
            Some(p) => cmd.env("CASEBOOK_PASSPHRASE", p),
            None => cmd.env_remove("CASEBOOK_PASSPHRASE"),
        };
        cmd.output().expect("spawn casebook")
    }

    /// Runs with `input` on stdin (for `--notes -`).
    pub fn run_with_stdin(&self, args: &[&str], input: &str) -> Output {
        use std::io::Write;
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .spawn()
            .expect("spawn casebook");
        let mut stdin = child.stdin.take().expect("piped stdin");
        stdin.write_all(input.as_bytes()).expect("write stdin");
        drop(stdin);
        child.wait_with_output().expect("wait for casebook")
    }

    /// Runs and asserts exit 0.
    #[track_caller]
    pub fn ok(&self, args: &[&str]) -> Output {
        let out = self.run(args);
        assert_code(&out, EXIT_OK, &format!("casebook {}", args.join(" ")));
        out
    }

    /// Runs with `--json`, asserts exit 0 and that stdout is one JSON document.
    #[track_caller]
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.push("--json");
        let out = self.run(&all);
        assert_code(&out, EXIT_OK, &format!("casebook {}", all.join(" ")));
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "casebook {}: stdout is not one JSON document ({e})\n{}",
                all.join(" "),
                describe(&out)
            )
        })
    }

    /// Runs with `--json` and returns the `"id"` of the created record (asserted present).
    #[track_caller]
    pub fn create(&self, args: &[&str]) -> String {
        let v = self.json(args);
        let id = v["id"]
            .as_str()
            .unwrap_or_else(|| panic!("casebook {} --json: no string \"id\" in {v}", args.join(" ")));
        assert!(
            is_uuid(id),
            "casebook {} --json: id {id:?} is not a UUID",
            args.join(" ")
        );
        id.to_owned()
    }

    /// A new out-of-court RJ case with this summary; returns (id, reference).
    #[track_caller]
    pub fn new_case(&self, summary: &str) -> (String, String) {
        let v = self.json(&[
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
        let id = v["id"]
            .as_str()
            .unwrap_or_else(|| panic!("case new --json: no \"id\" in {v}"))
            .to_owned();
        let reference = v["reference"]
            .as_str()
            .unwrap_or_else(|| panic!("case new --json: no \"reference\" in {v}"))
            .to_owned();
        (id, reference)
    }

    /// The cases of `case list --json`.
    #[track_caller]
    pub fn cases(&self) -> Vec<Value> {
        let v = self.json(&["case", "list"]);
        v["cases"]
            .as_array()
            .unwrap_or_else(|| panic!("case list --json: no \"cases\" array in {v}"))
            .clone()
    }

    /// sha256 of every file in the store folder.
    pub fn hash(&self) -> BTreeMap<String, String> {
        hash_dir(&self.dir)
    }

    /// Spawns `casebook ARGS...` without waiting (stdout/stderr discarded).
    pub fn spawn(&self, args: &[&str]) -> Child {
        let mut cmd = self.command(args);
        cmd.stdout(Stdio::null()).stderr(Stdio::null());
        cmd.spawn().expect("spawn casebook")
    }

    /// Spawns `casebook ARGS...` with `CASEBOOK_LOG` set to `log` (the tracing filter) and its
    /// stderr read line by line, so a test can wait for evidence of what the child is doing;
    /// stdout is discarded.
    pub fn spawn_watched(&self, args: &[&str], log: &str) -> (Child, Lines) {
        let mut cmd = self.command(args);
        cmd.env("CASEBOOK_LOG", log)
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("spawn casebook");
        let lines = Lines::read(child.stderr.take().expect("piped stderr"));
        (child, lines)
    }

    /// Files in the store folder and in the child's scratch folders holding `needle`.
    pub fn leaks(&self, needle: &str) -> Vec<String> {
        let mut found: Vec<String> = files_containing(&self.dir, needle)
            .into_iter()
            .map(|f| format!("store/{f}"))
            .collect();
        found.extend(
            files_containing(&self.scratch, needle)
                .into_iter()
                .map(|f| format!("scratch/{f}")),
        );
        found
    }
}

/// Is `s` a UUID in its hyphenated text form?
pub fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

// --- enrolled stores and a real hub -------------------------------------------------------

/// The hub binary: built by another package, so it is looked up next to `casebook`.
pub fn hub_bin() -> PathBuf {
    Path::new(bin()).with_file_name("casebook-hub")
}

/// A new, empty `casebook-hub` on a free port of 127.0.0.1 (see `casebook_testkit::hub`).
pub fn start_hub() -> Hub {
    Hub::start(hub_bin())
}

/// Hub processes of the real binary sharing one database of a scratch PostgreSQL cluster
/// (issue 11). The processes stop before the cluster does.
pub struct ScratchHubs {
    hubs: Vec<Hub>,
    _cluster: casebook_testkit::postgres::Cluster,
}

impl ScratchHubs {
    /// `n` hub processes on a new cluster's database, under one random key.
    pub fn start(n: usize) -> Self {
        let cluster = casebook_testkit::postgres::Cluster::start().expect("a scratch PostgreSQL cluster");
        let url = cluster.create_database("hub").expect("a database for the hub");
        let key: String = casebook_testkit::util::random_bytes::<32>()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let hubs = (0..n)
            .map(|_| Hub::start_on_database(hub_bin(), &url, &key, &[]))
            .collect();
        Self {
            hubs,
            _cluster: cluster,
        }
    }

    /// The processes.
    pub fn hubs(&self) -> Vec<&Hub> {
        self.hubs.iter().collect()
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

/// A finalised visit note on `case` with the party `Ann` (who must exist on `store`), dated
/// 20 Nov 2026; returns its id.
#[track_caller]
pub fn add_note(store: &Store, case: &str, notes: &str) -> String {
    add_visit(store, case, notes, &[])
}

/// A draft visit note (still editable, never sent until finalised and synced), otherwise as
/// [`add_note`]; returns its id.
#[track_caller]
pub fn add_draft(store: &Store, case: &str, notes: &str) -> String {
    add_visit(store, case, notes, &["--draft"])
}

#[track_caller]
fn add_visit(store: &Store, case: &str, notes: &str, more: &[&str]) -> String {
    let mut args = vec![
        "contact",
        "add",
        case,
        "--party",
        "Ann",
        "--kind",
        "visit",
        "--date",
        "2026-11-20",
        "--notes",
        notes,
    ];
    args.extend_from_slice(more);
    store.create(&args)
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
