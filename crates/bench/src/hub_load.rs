//! `casebook-bench hub-load`: thousands of laptops syncing on a schedule against real
//! `casebook-hub` processes (one on SQLite, or several sharing PostgreSQL), measured by
//! throughput, latency and errors, and checked at the end for ops the hub lost.

mod api;
mod check;
mod counts;
mod hubs;
mod laptop;
mod report;
mod setup;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::measure::{cpu_seconds, percentile};
use api::Api;
use counts::Tally;
use hubs::{Backend, Hubs};
use laptop::Laptop;
use report::Results;
use setup::TEAM_SIZE;

/// Options of `casebook-bench hub-load`.
#[derive(Debug, clap::Args)]
pub struct Options {
    /// Simulated laptops, in teams of 10 facilitators and a supervisor.
    #[arg(long, default_value_t = 500)]
    devices: usize,
    /// Seconds the load runs, after setup.
    #[arg(long, default_value_t = 60)]
    duration: u64,
    /// Seconds between two syncs of one laptop, the first at a random point of the first
    /// interval. Every 4 minutes, 5,000 laptops make about 21 syncs a second.
    #[arg(long, default_value_t = 240.0)]
    interval: f64,
    /// A PostgreSQL server (e.g. postgres://casebook:PASSWORD@127.0.0.1:5432/postgres; the
    /// user needs CREATEDB): the hubs share a new database made there and dropped after.
    /// Without it one hub serves a scratch SQLite data dir.
    #[arg(long)]
    database: Option<String>,
    /// Hub processes; each sync goes to one at random. More than one needs --database.
    #[arg(long, default_value_t = 1)]
    hubs: usize,
    /// Syncs in flight at most: a backlog waits in the bench instead of opening ever more
    /// connections, so the hub is measured rather than the bench's scheduler.
    #[arg(long = "in-flight", default_value_t = 32)]
    in_flight: usize,
    /// Cases each facilitator opens (a case and a party each) before the clock starts.
    #[arg(long, default_value_t = 3)]
    cases: usize,
    /// The `casebook-hub` binary; by default the one next to this binary.
    #[arg(long = "hub-bin")]
    hub_bin: Option<PathBuf>,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    json: bool,
}

/// Sets up the users, the hubs and the laptops, runs the load, checks and reports.
pub fn run(o: &Options) -> anyhow::Result<()> {
    if o.hubs == 0 || o.devices == 0 || o.in_flight == 0 || !o.interval.is_finite() || o.interval <= 0.0 {
        bail!("--hubs, --devices, --in-flight and --interval must be above zero");
    }
    if o.hubs > 1 && o.database.is_none() {
        bail!(
            "--hubs {} needs --database postgres://...: several hub processes share one database only \
             on PostgreSQL (a SQLite data dir is served by one process)",
            o.hubs
        );
    }
    let bin = match &o.hub_bin {
        Some(bin) => bin.clone(),
        None => std::env::current_exe()?
            .parent()
            .context("the bench binary has no directory")?
            .join("casebook-hub"),
    };
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let backend = Backend::new(o.database.as_deref())?;
    let (people, roles) = setup::people(o.devices);
    let teams = o.devices.div_ceil(TEAM_SIZE);

    let setup = Instant::now();
    let codes = hubs::add_users(&backend, &people)?;
    let setup_users = setup.elapsed();
    let mut hubs = Hubs::start(&backend, &bin, o.hubs)?;
    let setup_hubs = setup.elapsed() - setup_users;
    let api = Api::new()?;
    let mut laptops = rt.block_on(setup::enroll_all(&api, &hubs.urls, &roles, codes))?;
    let setup_enroll = setup.elapsed() - setup_users - setup_hubs;
    laptops = rt.block_on(setup::open_cases(&api, &hubs.urls, laptops, o.cases))?;
    setup::share_team_cases(&mut laptops);
    let setup_all = setup.elapsed();

    let (hub_cpu, bench_cpu) = (hubs.cpu_seconds(), cpu_seconds("self"));
    let shared = Arc::new(Schedule {
        api: api.clone(),
        urls: hubs.urls.clone(),
        gate: Semaphore::new(o.in_flight),
        start: Instant::now(),
        end: Instant::now() + Duration::from_secs(o.duration),
        interval: Duration::from_secs_f64(o.interval),
    });
    let (laptops, tally) = rt.block_on(load(laptops, Arc::clone(&shared)))?;
    let duration = shared.start.elapsed();
    let cpu = |after: Option<f64>, before: Option<f64>| after.zip(before).map(|(a, b)| a - b);
    let (hub_cpu, bench_cpu) = (
        cpu(hubs.cpu_seconds(), hub_cpu),
        cpu(cpu_seconds("self"), bench_cpu),
    );
    let exited = hubs.exited();
    if !exited.is_empty() {
        bail!(
            "a hub process ended during the load, after {} syncs; failed syncs by kind: {:?}\n{}",
            tally.syncs,
            tally.errors,
            exited.join("\n")
        );
    }
    let checked = rt.block_on(check::run(&api, &hubs.urls, laptops))?;
    drop(hubs);

    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let secs = duration.as_secs_f64();
    let r = Results {
        devices: o.devices,
        teams,
        hubs: o.hubs,
        backend: backend.name(),
        interval_s: o.interval,
        in_flight: o.in_flight,
        setup_s: setup_all.as_secs_f64(),
        setup_users_s: setup_users.as_secs_f64(),
        setup_hubs_s: setup_hubs.as_secs_f64(),
        setup_enroll_s: setup_enroll.as_secs_f64(),
        setup_cases_s: (setup_all - setup_users - setup_hubs - setup_enroll).as_secs_f64(),
        duration_s: secs,
        syncs: tally.syncs,
        syncs_not_started: tally.not_started,
        syncs_per_s: tally.syncs as f64 / secs,
        offered_syncs_per_s: o.devices as f64 / o.interval,
        ops_pushed: tally.pushed,
        ops_pushed_per_s: tally.pushed as f64 / secs,
        ops_pulled: tally.pulled,
        ops_pulled_per_s: tally.pulled as f64 / secs,
        sync_p50_ms: ms(percentile(&tally.latencies, 0.5)),
        sync_p99_ms: ms(percentile(&tally.latencies, 0.99)),
        sync_max_ms: ms(percentile(&tally.latencies, 1.0)),
        start_delay_p99_ms: ms(percentile(&tally.delays, 0.99)),
        errors: tally.errors,
        refused: tally.refused,
        ops_quarantined: tally.quarantined,
        cases_added: tally.cases_added,
        cases_removed: tally.cases_removed,
        ops_checked: checked.ops_checked,
        ops_lost: checked.ops_lost,
        own_ops_not_pulled_back: checked.own_ops_not_pulled_back,
        catch_up_pulls: checked.catch_up_pulls,
        hub_cpu_s: hub_cpu,
        bench_cpu_s: bench_cpu,
    };
    if o.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        report::print_table(&r);
    }
    if r.ops_lost > 0 || r.own_ops_not_pulled_back > 0 {
        bail!(
            "the hub lost ops: {} of {} not pulled by their team's supervisor, {} never pulled back by their \
             own laptop",
            r.ops_lost,
            r.ops_checked,
            r.own_ops_not_pulled_back
        );
    }
    Ok(())
}

/// What every laptop's schedule shares.
struct Schedule {
    api: Api,
    urls: Vec<String>,
    /// One permit per sync in flight.
    gate: Semaphore,
    start: Instant,
    end: Instant,
    interval: Duration,
}

/// Runs every laptop's schedule until the end of the clock; returns them and what they counted.
async fn load(laptops: Vec<Laptop>, schedule: Arc<Schedule>) -> anyhow::Result<(Vec<Laptop>, Tally)> {
    let mut tasks = JoinSet::new();
    for laptop in laptops {
        tasks.spawn(drive(laptop, Arc::clone(&schedule)));
    }
    let (mut laptops, mut tally) = (Vec::with_capacity(tasks.len()), Tally::default());
    while let Some(done) = tasks.join_next().await {
        let (laptop, counted) = done?;
        laptops.push(laptop);
        tally.merge(counted);
    }
    Ok((laptops, tally))
}

/// One laptop's schedule: a sync every interval from a random start, each to a random hub.
async fn drive(mut laptop: Laptop, schedule: Arc<Schedule>) -> (Laptop, Tally) {
    let mut tally = Tally::default();
    let mut next = schedule.start + schedule.interval.mul_f64(laptop.rng().unit());
    while next < schedule.end {
        tokio::time::sleep_until(next.into()).await;
        let Ok(_permit) = schedule.gate.acquire().await else {
            break;
        };
        let began = Instant::now();
        tally.delays.push(began.saturating_duration_since(next));
        if began >= schedule.end {
            // Due in the run but still waiting for a slot when it ended: the hub fell behind.
            tally.not_started += 1;
            break;
        }
        let hub = &schedule.urls[laptop.rng().below(schedule.urls.len())];
        match laptop.sync(&schedule.api, hub, &mut tally).await {
            Ok(()) => {
                tally.syncs += 1;
                tally.latencies.push(began.elapsed());
            }
            Err(failure) => tally.failed(failure),
        }
        // A sync that overran its interval is followed by one at once, not by a burst.
        next = (next + schedule.interval).max(Instant::now());
    }
    (laptop, tally)
}
