//! The sync benchmark: real encrypted stores syncing with the real hub over loopback HTTP.

pub(crate) mod database;
mod first;
mod status;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use casebook_domain::{Op, OpId};
use casebook_hub::storage::UserRow;
use casebook_hub::{ServeConfig, Server, Storage};
use casebook_protocol::Role;
use casebook_store::{Store, StorePaths};
use casebook_sync::SyncReport;
use serde::Serialize;
use serde_json::Value;

use crate::store::{fill, median, passphrase};

/// Options of `casebook-bench sync`.
#[derive(Debug, clap::Args)]
pub struct Options {
    /// Print one JSON object instead of the table.
    #[arg(long)]
    json: bool,
    /// Ops the facilitator pushes and the supervisor pulls.
    #[arg(long, default_value_t = 20_000)]
    ops: usize,
    /// Ops on the big hub for the no-op sync.
    #[arg(long = "big-ops", default_value_t = 300_000)]
    big_ops: usize,
    /// Measure only the first sync of the big hub (for profiling it).
    #[arg(long = "first-sync-only")]
    first_sync_only: bool,
    /// Run every hub on a new database of this PostgreSQL server instead of a data dir
    /// (e.g. postgres://casebook:PASSWORD@127.0.0.1:5432/postgres; the user needs CREATEDB).
    #[arg(long)]
    database: Option<String>,
}

#[derive(Debug, Serialize)]
struct Results {
    push_ops_per_s: f64,
    pull_ops_per_s: f64,
    noop_sync_ms_small: f64,
    noop_sync_ms_big: f64,
    noop_ratio: f64,
    ops_pushed: usize,
    push_sync_s: f64,
    ops_pulled: usize,
    pull_sync_s: f64,
    push_cpu_s: Option<f64>,
    pull_cpu_s: Option<f64>,
    caseload_ops: usize,
    hub_ops_small: u64,
    hub_ops_big: u64,
    big_fill_ops_per_s: f64,
    catch_up_ms: f64,
    first_sync: first::FirstSync,
    status_under_pulls: status::StatusLatency,
}

/// What `fill` writes per case (a create, 2 parties, 4 consents, a status change, 20 contacts,
/// an edit, a risk assessment created and submitted, a meeting, an agreement), to turn an op
/// count into a case count.
const OPS_PER_CASE: usize = 34;

/// The no-op syncer's caseload: a busy facilitator's 100 cases, about 3,000 ops.
const CASELOAD_CASES: usize = 100;

/// Runs of each no-op sync, small and big taken in turn so that a change in the machine's load
/// hits both alike; the median of each is reported.
const NOOP_RUNS: usize = 15;

/// The hub, served from its own thread and runtime, as a laptop would reach it.
struct Hub {
    dir: tempfile::TempDir,
    /// Its PostgreSQL database, with `--database`; dropped after the server stops.
    database: Option<database::ScratchDatabase>,
    url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<anyhow::Result<()>>>,
}

impl Hub {
    fn start() -> anyhow::Result<Self> {
        let dir = tempfile::tempdir().context("hub data dir")?;
        let database = database::ScratchDatabase::create()?;
        let storage = match &database {
            Some(db) => db.open()?,
            None => Storage::open(dir.path(), None)?,
        };
        let (url_tx, url_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread =
            std::thread::Builder::new()
                .name("hub".into())
                .spawn(move || -> anyhow::Result<()> {
                    let rt = tokio::runtime::Builder::new_multi_thread()
                        .worker_threads(2)
                        .enable_all()
                        .build()?;
                    rt.block_on(async move {
                        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
                        // Enrollment is rate limited per address; every bench device comes from 127.0.0.1.
                        let config = ServeConfig {
                            enroll_attempts_per_minute: 1_000,
                            ..ServeConfig::default()
                        };
                        let server = Server::new(listener, storage, config)?;
                        url_tx.send(server.url())?;
                        server
                            .run(async {
                                let _ = stopped.await;
                            })
                            .await?;
                        Ok(())
                    })
                })?;
        let mut hub = Self {
            dir,
            database,
            url: String::new(),
            stop: Some(stop),
            thread: Some(thread),
        };
        match url_rx.recv() {
            Ok(url) => hub.url = url,
            Err(_) => {
                // The thread ended before serving: its result says why.
                return Err(hub
                    .stop()
                    .err()
                    .unwrap_or_else(|| anyhow::anyhow!("the hub did not start")));
            }
        }
        Ok(hub)
    }

    /// A second connection to the hub's database, as its admin commands open.
    fn admin(&self) -> anyhow::Result<Storage> {
        match &self.database {
            Some(db) => db.open(),
            None => Ok(Storage::open(self.dir.path(), None)?),
        }
    }

    /// Ops the hub holds.
    fn ops(&self) -> anyhow::Result<u64> {
        Ok(self.admin()?.cases()?.iter().map(|c| c.ops).sum())
    }

    fn stop(&mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.thread.take().map(|t| t.join()) {
            Some(Ok(result)) => result,
            Some(Err(_)) => bail!("the hub thread panicked"),
            None => Ok(()),
        }
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

/// The laptops' side: one runtime on this thread for every `sync_once`.
struct Laptops {
    rt: tokio::runtime::Runtime,
    scratch: tempfile::TempDir,
}

impl Laptops {
    fn new() -> anyhow::Result<Self> {
        Ok(Self {
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?,
            scratch: tempfile::tempdir().context("scratch directory")?,
        })
    }

    /// A new store enrolled on `hub` as a new user.
    fn enrolled(&self, hub: &Hub, name: &str, role: Role, team: &str) -> anyhow::Result<(Store, UserRow)> {
        let mut admin = hub.admin()?;
        let now = chrono::Utc::now().timestamp_millis();
        let user = admin.add_user(name, role, Some(team), now)?;
        let code = casebook_hub::enroll::issue_code(&mut admin, &user, now)?;
        let mut store = Store::create(&StorePaths::new(self.scratch.path().join(name)), &passphrase())?;
        self.rt
            .block_on(casebook_sync::enroll(&mut store, &hub.url, &code, "bench laptop"))?;
        Ok((store, user))
    }

    /// One `sync_once`, timed.
    fn sync(&self, store: &mut Store) -> anyhow::Result<(SyncReport, Duration)> {
        let (report, took, _) = self.sync_cpu(store)?;
        Ok((report, took))
    }

    /// One `sync_once`, timed, with the CPU time the process (hub and laptop) spent on it.
    fn sync_cpu(&self, store: &mut Store) -> anyhow::Result<(SyncReport, Duration, Option<f64>)> {
        let cpu = cpu_seconds();
        let start = Instant::now();
        let report = self.rt.block_on(casebook_sync::sync_once(store))?;
        let took = start.elapsed();
        Ok((report, took, cpu.zip(cpu_seconds()).map(|(a, b)| b - a)))
    }

    /// One sync that must find nothing to do, timed.
    fn noop(&self, store: &mut Store) -> anyhow::Result<Duration> {
        let (report, took) = self.sync(store)?;
        if report.pushed + report.pulled + report.duplicates + report.cases_added + report.cases_removed > 0 {
            bail!("a sync with nothing new did something: {report:?}");
        }
        Ok(took)
    }
}

/// CPU seconds this process has used, all threads (see [`crate::measure::cpu_seconds`]).
fn cpu_seconds() -> Option<f64> {
    crate::measure::cpu_seconds("self")
}

/// A hub holding one facilitator's caseload (whose store is returned, synced) grown with copies
/// of it to `ops` ops; with the caseload's op count and the rate the copies were stored at.
fn big_hub(laptops: &Laptops, ops: usize) -> anyhow::Result<(Hub, Store, usize, f64)> {
    let hub = Hub::start()?;
    let (mut among, _) = laptops.enrolled(&hub, "Fola", Role::Facilitator, "north")?;
    fill(&mut among, CASELOAD_CASES)?;
    let template = among.pending_batch(usize::MAX)?;
    laptops.sync(&mut among)?;
    let fill_rate = grow_hub(&hub, &template, ops as u64)?;
    Ok((hub, among, template.len(), fill_rate))
}

/// Copies `template` (one facilitator's ops) as other facilitators' caseloads and stores them
/// straight into the hub's storage, in push-sized transactions, until it holds `target` ops.
/// Every id (op, case, record, author) is replaced, so the copies are new cases on the hub.
fn grow_hub(hub: &Hub, template: &[Op], target: u64) -> anyhow::Result<f64> {
    let mut admin = hub.admin()?;
    let template: Vec<Value> = template
        .iter()
        .map(serde_json::to_value)
        .collect::<Result<_, _>>()?;
    let mut ids: Vec<String> = Vec::new();
    for op in &template {
        for key in ["op_id", "case_id", "entity_id"] {
            if let Some(Value::String(id)) = op.get(key) {
                ids.push(id.clone());
            }
        }
    }
    let author = template
        .first()
        .and_then(|op| op.get("author"))
        .and_then(Value::as_str)
        .context("an empty caseload")?
        .to_owned();

    let mut held = hub.ops()?;
    let start = Instant::now();
    let mut written = 0usize;
    let mut copy = 0usize;
    'fill: while held < target {
        copy += 1;
        let now = chrono::Utc::now().timestamp_millis();
        let team = ["north", "south", "east", "west"][copy % 4];
        let user = admin.add_user(&format!("Facilitator {copy}"), Role::Facilitator, Some(team), now)?;
        let mut map: HashMap<String, String> = ids
            .iter()
            .map(|id| (id.clone(), OpId::new().to_string()))
            .collect();
        map.insert(author.clone(), user.id.to_string());
        for chunk in template.chunks(casebook_protocol::MAX_PUSH_OPS) {
            let ops = chunk
                .iter()
                .map(|op| {
                    let mut op = op.clone();
                    remap(&mut op, &map);
                    serde_json::from_value::<Op>(op).map(with_own_reference)
                })
                .collect::<Result<Vec<_>, _>>()?;
            let results = admin.push(&user, None, &ops, now)?;
            let mut refused = results.iter().filter(|r| !r.outcome.is_held());
            if let Some(first) = refused.next() {
                bail!(
                    "the hub refused {} copied ops, the first: {:?}",
                    refused.count() + 1,
                    first.outcome
                );
            }
            written += ops.len();
            // Each new case also gets the hub's reference op; the last seq counts both.
            held = results
                .iter()
                .filter_map(|r| match r.outcome {
                    casebook_protocol::OpOutcome::Accepted { seq } => Some(seq),
                    _ => None,
                })
                .max()
                .unwrap_or(held);
            if held >= target {
                break 'fill;
            }
        }
    }
    Ok(written as f64 / start.elapsed().as_secs_f64())
}

/// A copied case create carries the provisional reference of its new id, as the hub requires.
fn with_own_reference(mut op: Op) -> Op {
    if op.entity == casebook_domain::Entity::Case && op.kind == casebook_domain::OpKind::Create {
        op.fields.insert(
            "reference".to_owned(),
            Value::String(casebook_domain::case::provisional_reference(op.case_id)),
        );
    }
    op
}

/// Replaces every string in `value` that `map` knows.
fn remap(value: &mut Value, map: &HashMap<String, String>) {
    match value {
        Value::String(s) => {
            if let Some(new) = map.get(s.as_str()) {
                s.clone_from(new);
            } else if let Ok(mut list) = serde_json::from_str::<Vec<String>>(s) {
                // A contact's parties are a list of ids kept as text.
                for id in &mut list {
                    if let Some(new) = map.get(id.as_str()) {
                        id.clone_from(new);
                    }
                }
                *s = serde_json::to_string(&list).unwrap_or_default();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| remap(v, map)),
        Value::Object(fields) => fields.values_mut().for_each(|v| remap(v, map)),
        _ => {}
    }
}

/// Pushes `--ops` ops from a facilitator, pulls them on a supervisor's laptop, then times a
/// no-op sync of a facilitator's caseload against a small hub and the same hub grown big.
pub fn run(o: &Options) -> anyhow::Result<()> {
    if let Some(server) = &o.database {
        database::SERVER
            .set(server.clone())
            .map_err(|_| anyhow::anyhow!("the database server was already set"))?;
    }
    let laptops = Laptops::new()?;
    if o.first_sync_only {
        let hub = big_hub(&laptops, o.big_ops)?.0;
        let first = first::measure(&laptops, &hub)?;
        println!("{}", serde_json::to_string_pretty(&first)?);
        return Ok(());
    }

    // Push and pull: one facilitator's work, then their supervisor's first sync.
    let mut hub = Hub::start()?;
    let (mut facilitator, _) = laptops.enrolled(&hub, "Femi", Role::Facilitator, "north")?;
    fill(&mut facilitator, o.ops.div_ceil(OPS_PER_CASE).max(1))?;
    let pending = usize::try_from(facilitator.pending_ops()?)?;
    let (pushed, push_time, push_cpu) = laptops.sync_cpu(&mut facilitator)?;
    if pushed.pushed != pending {
        bail!("pushed {} of {pending} ops: {pushed:?}", pushed.pushed);
    }
    let (mut supervisor, _) = laptops.enrolled(&hub, "Sunita", Role::Supervisor, "north")?;
    let (pulled, pull_time, pull_cpu) = laptops.sync_cpu(&mut supervisor)?;
    let on_hub = hub.ops()?;
    if pulled.pulled as u64 != on_hub {
        bail!("pulled {} of the hub's {on_hub} ops: {pulled:?}", pulled.pulled);
    }
    drop((facilitator, supervisor));
    hub.stop()?;

    // No-op sync: the same caseload alone on one hub, and among ~100 colleagues' on another.
    let small_hub = Hub::start()?;
    let (mut alone, _) = laptops.enrolled(&small_hub, "Farah", Role::Facilitator, "north")?;
    fill(&mut alone, CASELOAD_CASES)?;
    laptops.sync(&mut alone)?;
    let hub_ops_small = small_hub.ops()?;
    let (big_hub, mut among, caseload_ops, fill_rate) = big_hub(&laptops, o.big_ops)?;
    let hub_ops_big = big_hub.ops()?;
    // The first sync after the others' work moves the cursor past it: not a no-op.
    let (_, catch_up) = laptops.sync(&mut among)?;
    let (mut smalls, mut bigs) = (Vec::new(), Vec::new());
    for _ in 0..NOOP_RUNS {
        smalls.push(laptops.noop(&mut alone)?);
        bigs.push(laptops.noop(&mut among)?);
    }
    let (small, big) = (median(smalls), median(bigs));
    drop((alone, among, small_hub));
    let first_sync = first::measure(&laptops, &big_hub)?;
    drop(big_hub);

    // A cheap read while two expensive ones run.
    let status = status::measure(&laptops)?;

    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let r = Results {
        push_ops_per_s: pending as f64 / push_time.as_secs_f64(),
        pull_ops_per_s: pulled.pulled as f64 / pull_time.as_secs_f64(),
        noop_sync_ms_small: ms(small),
        noop_sync_ms_big: ms(big),
        noop_ratio: big.as_secs_f64() / small.as_secs_f64(),
        ops_pushed: pending,
        push_sync_s: push_time.as_secs_f64(),
        ops_pulled: pulled.pulled,
        pull_sync_s: pull_time.as_secs_f64(),
        push_cpu_s: push_cpu,
        pull_cpu_s: pull_cpu,
        caseload_ops,
        hub_ops_small,
        hub_ops_big,
        big_fill_ops_per_s: fill_rate,
        catch_up_ms: ms(catch_up),
        first_sync,
        status_under_pulls: status,
    };
    if o.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
        return Ok(());
    }
    println!(
        "casebook-bench sync ({} ops pushed, {} pulled; no-op with a {}-op caseload on hubs of {} and {} ops)",
        r.ops_pushed, r.ops_pulled, r.caseload_ops, r.hub_ops_small, r.hub_ops_big
    );
    println!("{:<20} {:>12}  {:<10} meaning", "metric", "value", "goal");
    let rows: [(&str, f64, &str, &str); 9] = [
        (
            "push_ops_per_s",
            r.push_ops_per_s,
            ">= 20000",
            "pending ops ÷ time of the sync that pushes them to an empty hub",
        ),
        (
            "pull_ops_per_s",
            r.pull_ops_per_s,
            ">= 20000",
            "ops ÷ time of a supervisor's first sync, pulling them all",
        ),
        (
            "noop_sync_ms_small",
            r.noop_sync_ms_small,
            "report",
            "sync with nothing new, hub holding ~3,000 ops (median)",
        ),
        (
            "noop_sync_ms_big",
            r.noop_sync_ms_big,
            "report",
            "the same sync, hub holding --big-ops ops (median)",
        ),
        (
            "noop_ratio",
            r.noop_ratio,
            "< 2",
            "noop_sync_ms_big ÷ noop_sync_ms_small",
        ),
        (
            "first_sync_s_300k",
            r.first_sync.seconds,
            "< 15",
            "a coordinator's first sync of the big hub (every op), seconds",
        ),
        (
            "first_sync_ops_per_s",
            r.first_sync.ops as f64 / r.first_sync.seconds,
            "report",
            "ops ÷ seconds of that sync",
        ),
        (
            "status_p50_ms",
            r.status_under_pulls.p50_ms,
            "report",
            "GET /v1/status while 2 clients pull 40 notes of 1 MB in a loop (median)",
        ),
        (
            "status_p99_ms",
            r.status_under_pulls.p99_ms,
            "report",
            "the same, 99th percentile",
        ),
    ];
    for (name, value, goal, meaning) in rows {
        println!("{name:<20} {value:>12.2}  {goal:<10} {meaning}");
    }
    let cpu = |s: Option<f64>| s.map_or_else(|| "?".to_owned(), |s| format!("{s:.2}"));
    println!(
        "(push sync {:.2} s wall, {} s CPU; pull sync {:.2} s wall, {} s CPU; big hub filled at {:.0} ops/s; \
         catch-up sync past the others' ops {:.0} ms; first sync of {} ops {:.2} s wall, {} s CPU; status {:.1} ms idle, slowest {:.0} ms under {} whole \
         pulls of {} ops, one alone taking {:.0} ms)",
        r.push_sync_s,
        cpu(r.push_cpu_s),
        r.pull_sync_s,
        cpu(r.pull_cpu_s),
        r.big_fill_ops_per_s,
        r.catch_up_ms,
        r.first_sync.ops,
        r.first_sync.seconds,
        cpu(r.first_sync.cpu_s),
        r.status_under_pulls.idle_p50_ms,
        r.status_under_pulls.max_ms,
        r.status_under_pulls.big_pulls,
        r.status_under_pulls.ops_per_pull,
        r.status_under_pulls.whole_pull_ms,
    );
    Ok(())
}
