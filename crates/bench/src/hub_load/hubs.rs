//! The hub processes under load: the real `casebook-hub` binary, one scratch data dir (SQLite)
//! or a PostgreSQL database shared by several processes, each serving on 127.0.0.1:0 and
//! stopped by its own pid; and the users of the run, made before the clock starts.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};
use casebook_hub::Storage;
use casebook_protocol::Role;
use casebook_testkit::process::{Lines, signal, tail, wait_gone};

use crate::sync::database::ScratchDatabase;

/// How long a hub may take to say it listens (a loaded 2-core machine is slow to start one).
const START_LIMIT: Duration = Duration::from_secs(60);

/// How long a hub may take to finish its open requests after SIGTERM before it is killed.
const STOP_LIMIT: Duration = Duration::from_secs(15);

/// Where the hubs keep their data.
pub(super) enum Backend {
    /// One scratch data dir (`--data DIR`), which only one process may serve.
    Sqlite {
        /// The data dir, removed at the end.
        dir: tempfile::TempDir,
    },
    /// A new database of the PostgreSQL server of `--database`, shared by every process,
    /// sealed under a random key, and dropped at the end (after the hubs stop).
    Postgres {
        /// The database, with its URL (never printed: it may hold a password) and key.
        db: ScratchDatabase,
    },
}

impl Backend {
    /// A new database on the server of `--database`, or a scratch SQLite data dir without it.
    pub fn new(database: Option<&str>) -> anyhow::Result<Self> {
        Ok(match database {
            None => Self::Sqlite {
                dir: tempfile::Builder::new()
                    .prefix("casebook-hub-load-")
                    .tempdir()
                    .context("make the hub's scratch data dir")?,
            },
            Some(server) => Self::Postgres {
                db: ScratchDatabase::create_on(server)?,
            },
        })
    }

    /// `sqlite` or `postgres`, for the report.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Sqlite { .. } => "sqlite",
            Self::Postgres { .. } => "postgres",
        }
    }

    /// `casebook-hub` with this backend's data arguments and environment, hermetic: none of
    /// the caller's CASEBOOK_HUB_* or RUST_LOG, stdin null.
    fn command(&self, bin: &Path) -> Command {
        let mut cmd = Command::new(bin);
        for var in [
            "CASEBOOK_HUB_DATA",
            "CASEBOOK_HUB_DATABASE",
            "CASEBOOK_HUB_KEY",
            "CASEBOOK_HUB_KEY_FILE",
            "CASEBOOK_HUB_LOG",
            "RUST_LOG",
        ] {
            cmd.env_remove(var);
        }
        match self {
            Self::Sqlite { dir } => cmd.arg("--data").arg(dir.path()),
            Self::Postgres { db } => cmd
                .env("CASEBOOK_HUB_KEY", db.key_hex())
                .arg("--database")
                .arg(db.url()),
        };
        cmd.stdin(Stdio::null());
        cmd
    }
}

/// A user of the run: who they are and which team they are on.
pub(super) struct Person {
    /// Unique on the hub (the run's marker is part of it).
    pub name: String,
    /// Facilitator or supervisor.
    pub role: Role,
    /// The team's name on the hub.
    pub team: String,
}

/// Makes every user and one enrollment code each (in `people`'s order), through the hub's
/// library on one connection, as its admin commands do: a process per user would take minutes.
/// Blocking: call it outside the runtime.
pub(super) fn add_users(backend: &Backend, people: &[Person]) -> anyhow::Result<Vec<String>> {
    let admin = match backend {
        Backend::Sqlite { dir } => {
            Storage::open(dir.path(), None).context("open the hub's scratch data dir")?
        }
        Backend::Postgres { db } => db.open()?,
    };
    add_users_to(admin, people)
}

/// The users, each with a code, on `admin`.
fn add_users_to(mut admin: Storage, people: &[Person]) -> anyhow::Result<Vec<String>> {
    let now = chrono::Utc::now().timestamp_millis();
    people
        .iter()
        .map(|p| {
            let user = admin.add_user(&p.name, p.role, Some(&p.team), now)?;
            Ok(casebook_hub::enroll::issue_code(&mut admin, &user, now)?)
        })
        .collect()
}

/// `casebook-hub` processes serving the backend, stopped (SIGTERM, then SIGKILL) when dropped.
pub(super) struct Hubs {
    children: Vec<Child>,
    /// `http://127.0.0.1:PORT` of each.
    pub urls: Vec<String>,
    /// Each one's stderr (its log).
    logs: Vec<PathBuf>,
    /// Holds the logs; removed at the end.
    scratch: tempfile::TempDir,
}

impl Hubs {
    /// Starts `count` processes of the binary at `bin` and waits until each listens.
    ///
    /// They run behind a TLS proxy as far as they know, the proxy being 127.0.0.1 (the bench):
    /// enrollment is limited per client address, and the bench enrolls thousands of laptops
    /// from one address, so each laptop names its own in `X-Forwarded-For` as a proxy would.
    pub fn start(backend: &Backend, bin: &Path, count: usize) -> anyhow::Result<Self> {
        if !bin.is_file() {
            bail!(
                "the hub binary is missing at {}: build it next to the bench \
                 (cargo build --profile ci -p casebook-bench -p casebook-hub) or give --hub-bin",
                bin.display()
            );
        }
        let scratch = tempfile::Builder::new()
            .prefix("casebook-hub-load-logs-")
            .tempdir()
            .context("make a scratch dir for the hubs' logs")?;
        let mut hubs = Self {
            children: Vec::new(),
            urls: Vec::new(),
            logs: Vec::new(),
            scratch,
        };
        // Started one after another: on PostgreSQL the first migrates, the others wait on its lock.
        for i in 0..count {
            let log = hubs.scratch.path().join(format!("hub-{i}.log"));
            let stderr = std::fs::File::create(&log).context("create a hub's log")?;
            let mut child = backend
                .command(bin)
                .args(["serve", "--listen", "127.0.0.1:0"])
                .args(["--behind-tls-proxy", "--proxy-address", "127.0.0.1"])
                .stdout(Stdio::piped())
                .stderr(stderr)
                .spawn()
                .with_context(|| format!("start {}", bin.display()))?;
            let stdout = child.stdout.take().context("the hub's stdout")?;
            hubs.children.push(child);
            hubs.logs.push(log.clone());
            let line = Lines::read(stdout)
                .wait_for(START_LIMIT, |_| true)
                .map_err(|why| anyhow::anyhow!("hub {i} did not start: {why}\n{}", tail(&log, 20)))?;
            let url = line
                .trim()
                .strip_prefix("listening on ")
                .with_context(|| format!("hub {i} said {line:?}, not `listening on URL`"))?;
            hubs.urls.push(url.to_owned());
        }
        Ok(hubs)
    }

    /// The pids of the processes, for their CPU time.
    pub fn pids(&self) -> Vec<u32> {
        self.children.iter().map(Child::id).collect()
    }

    /// CPU seconds the hub processes have used so far, together.
    pub fn cpu_seconds(&self) -> Option<f64> {
        self.pids()
            .iter()
            .map(|pid| crate::measure::cpu_seconds(&pid.to_string()))
            .sum()
    }

    /// Whether each process still runs (a hub that died mid-run explains a wall of errors).
    pub fn exited(&mut self) -> Vec<String> {
        let mut gone = Vec::new();
        for (i, child) in self.children.iter_mut().enumerate() {
            if let Ok(Some(status)) = child.try_wait() {
                gone.push(format!("hub {i} exited ({status}):\n{}", tail(&self.logs[i], 20)));
            }
        }
        gone
    }
}

impl Drop for Hubs {
    fn drop(&mut self) {
        // SIGTERM each by its own pid, so it finishes what it serves; SIGKILL what lingers.
        for child in &self.children {
            signal(child.id(), "TERM");
        }
        for child in &mut self.children {
            if !wait_gone(child.id(), STOP_LIMIT) {
                let _ = child.kill();
            }
            let _ = child.wait();
        }
    }
}
