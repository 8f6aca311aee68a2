//! What a run measured, as one JSON object or as a table like `casebook-bench sync` prints.

use std::collections::BTreeMap;

use serde::Serialize;

/// What the run measured.
#[derive(Debug, Serialize)]
pub(super) struct Results {
    pub devices: usize,
    pub teams: usize,
    pub hubs: usize,
    pub backend: &'static str,
    pub interval_s: f64,
    pub in_flight: usize,
    /// Setup before the clock, and its parts.
    pub setup_s: f64,
    pub setup_users_s: f64,
    pub setup_hubs_s: f64,
    pub setup_enroll_s: f64,
    pub setup_cases_s: f64,
    /// From the clock's start until the last sync begun before its end finished.
    pub duration_s: f64,
    pub syncs: u64,
    /// Syncs due in the run still waiting for an in-flight slot when it ended.
    pub syncs_not_started: u64,
    pub syncs_per_s: f64,
    /// What the schedule asks for: devices ÷ interval.
    pub offered_syncs_per_s: f64,
    pub ops_pushed: u64,
    pub ops_pushed_per_s: f64,
    pub ops_pulled: u64,
    pub ops_pulled_per_s: f64,
    pub sync_p50_ms: f64,
    pub sync_p99_ms: f64,
    pub sync_max_ms: f64,
    /// How late syncs started after their scheduled time (waiting for an in-flight slot).
    pub start_delay_p99_ms: f64,
    /// Failed syncs by kind (`HTTP 503 internal`, `transport: timed out`, ...).
    pub errors: BTreeMap<String, u64>,
    /// Ops the hub refused during the load, by code.
    pub refused: BTreeMap<String, u64>,
    pub ops_quarantined: u64,
    pub cases_added: u64,
    pub cases_removed: u64,
    /// Ops the hub took from the teams, checked against what each supervisor pulled at the end.
    pub ops_checked: u64,
    pub ops_lost: u64,
    /// Ops a laptop pushed that its own pulls never brought back.
    pub own_ops_not_pulled_back: u64,
    /// Laptops pulled once more before the check: their last push (in setup, or in a failed
    /// sync) was not pulled back yet.
    pub catch_up_pulls: u64,
    pub hub_cpu_s: Option<f64>,
    pub bench_cpu_s: Option<f64>,
}

pub(super) fn print_table(r: &Results) {
    println!(
        "casebook-bench hub-load ({} laptops in {} teams, {} hub{} on {}, a sync every {} s each, {} in flight at most)",
        r.devices,
        r.teams,
        r.hubs,
        if r.hubs == 1 { "" } else { "s" },
        r.backend,
        r.interval_s,
        r.in_flight
    );
    println!("{:<24} {:>12}  meaning", "metric", "value");
    // Rates and times with two decimals, counts whole.
    let count = |n: u64| n.to_string();
    let f = |x: f64| format!("{x:.2}");
    let rows: [(&str, String, &str); 16] = [
        (
            "setup_s",
            f(r.setup_s),
            "users and codes, hubs started, laptops enrolled over HTTP, cases opened",
        ),
        (
            "duration_s",
            f(r.duration_s),
            "the clock, until the last sync begun in it finished",
        ),
        ("syncs", count(r.syncs), "syncs finished without an error"),
        (
            "syncs_not_started",
            count(r.syncs_not_started),
            "due in the run, still waiting for a slot at its end: the hub fell behind",
        ),
        ("syncs_per_s", f(r.syncs_per_s), "syncs ÷ duration"),
        (
            "offered_syncs_per_s",
            f(r.offered_syncs_per_s),
            "laptops ÷ interval: what the schedule asks for",
        ),
        (
            "ops_pushed_per_s",
            f(r.ops_pushed_per_s),
            "ops the hub took ÷ duration",
        ),
        (
            "ops_pulled_per_s",
            f(r.ops_pulled_per_s),
            "ops received in pulls ÷ duration",
        ),
        (
            "sync_p50_ms",
            f(r.sync_p50_ms),
            "one sync: push, then pull until no more (median)",
        ),
        ("sync_p99_ms", f(r.sync_p99_ms), "the same, 99th percentile"),
        ("sync_max_ms", f(r.sync_max_ms), "the same, slowest"),
        (
            "start_delay_p99_ms",
            f(r.start_delay_p99_ms),
            "how late a sync started (waiting for a slot), 99th percentile",
        ),
        (
            "errors",
            count(r.errors.values().sum()),
            "failed syncs (kinds below)",
        ),
        (
            "ops_refused",
            count(r.refused.values().sum()),
            "ops the hub refused (codes below)",
        ),
        (
            "ops_lost",
            count(r.ops_lost),
            "ops the hub took that their team's supervisor did not pull",
        ),
        (
            "own_ops_not_pulled_back",
            count(r.own_ops_not_pulled_back),
            "ops a laptop pushed and never pulled back",
        ),
    ];
    for (name, value, meaning) in rows {
        println!("{name:<24} {value:>12}  {meaning}");
    }
    for (kind, n) in &r.errors {
        println!("  error {kind}: {n}");
    }
    for (code, n) in &r.refused {
        println!("  refused {code}: {n}");
    }
    let cpu = |s: Option<f64>| s.map_or_else(|| "?".to_owned(), |s| format!("{s:.1}"));
    println!(
        "(setup: users {:.1} s, hubs {:.1} s, enrollment {:.1} s, cases {:.1} s; {} syncs, {} ops pushed ({} flagged), \
         {} pulled; {} ops checked; {} catch-up pulls; cases added {}, removed {}; CPU during the load: hubs {} s, bench {} s)",
        r.setup_users_s,
        r.setup_hubs_s,
        r.setup_enroll_s,
        r.setup_cases_s,
        r.syncs,
        r.ops_pushed,
        r.ops_quarantined,
        r.ops_pulled,
        r.ops_checked,
        r.catch_up_pulls,
        r.cases_added,
        r.cases_removed,
        cpu(r.hub_cpu_s),
        cpu(r.bench_cpu_s),
    );
}
