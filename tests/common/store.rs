//! A scratch Casebook store and the hermetic `casebook` commands run on it.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};

use casebook_testkit::process::Lines;
use casebook_testkit::util::{assert_code, describe};
use serde_json::Value;
use tempfile::TempDir;

use super::{EXIT_OK, PASSPHRASE, bin, files_containing, hash_dir};

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
        self.new_case_with(summary, &[])
    }

    /// A new out-of-court RJ case referred by the police, with this summary and `more`
    /// arguments of `case new` (`--lead`, `--co`, ...); returns (id, reference).
    #[track_caller]
    pub fn new_case_with(&self, summary: &str, more: &[&str]) -> (String, String) {
        let mut args = vec![
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
        ];
        args.extend(more);
        let v = self.json(&args);
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
