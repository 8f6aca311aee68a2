//! `GET /v1/status` latency while two clients pull a case of big visit notes in a loop: does a
//! cheap read wait behind the expensive ones?

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use casebook_domain::ContactKind;
use casebook_protocol::{OpOutcome, PullRequest, Role};
use casebook_store::Store;
use casebook_store::model::NewContact;
use casebook_sync::HubClient;
use chrono::NaiveDate;
use serde::Serialize;

use super::{Hub, Laptops};
use crate::measure::percentile;
use crate::store::seed_case;

/// Visit notes in the big case.
const BIG_NOTES: usize = 40;

/// Bytes of text in each note: just under the 1 MiB a field may hold.
const BIG_NOTE_BYTES: usize = 1_000_000;

/// Notes per push: 8 MB, well inside the hub's 16 MiB body limit.
const NOTES_PER_PUSH: usize = 8;

/// Status requests timed on an idle hub.
const IDLE_SAMPLES: usize = 50;

/// Status requests timed while the pulls run.
const LOADED_SAMPLES: usize = 200;

/// Pause between two status requests, so the prober itself is no load.
const PROBE_GAP: Duration = Duration::from_millis(10);

/// How long one request may take (a 40 MB page on the hub of before this row existed).
const TIMEOUT: Duration = Duration::from_secs(120);

/// What the row reports.
#[derive(Debug, Serialize)]
pub(super) struct StatusLatency {
    /// Median status latency on an idle hub, ms.
    pub idle_p50_ms: f64,
    /// Median while two clients pull the big case in a loop, ms.
    pub p50_ms: f64,
    /// 99th percentile while they do, ms.
    pub p99_ms: f64,
    /// Slowest status answer while they do, ms.
    pub max_ms: f64,
    /// Whole pulls of the big case the two clients finished during the measurement.
    pub big_pulls: usize,
    /// Ops in one whole pull of the big case.
    pub ops_per_pull: usize,
    /// One whole pull of the big case with nothing else running, ms.
    pub whole_pull_ms: f64,
}

/// Fills a hub with one case of [`BIG_NOTES`] notes of [`BIG_NOTE_BYTES`], starts two
/// supervisors pulling it from the start in a loop, and times `GET /v1/status` meanwhile.
pub(super) fn measure(laptops: &Laptops) -> anyhow::Result<StatusLatency> {
    let hub = Hub::start()?;
    let (mut fiona, _) = laptops.enrolled(&hub, "Fiona", Role::Facilitator, "north")?;
    let fiona_client = client_of(&fiona)?;
    write_big_case(&mut fiona)?;
    let ops = fiona.pending_batch(usize::MAX)?;
    for batch in ops.chunks(NOTES_PER_PUSH) {
        let answer = laptops.rt.block_on(fiona_client.push(batch.to_vec()))?;
        let refused: Vec<_> = answer
            .results
            .iter()
            .filter(|r| !matches!(r.outcome, OpOutcome::Accepted { .. }))
            .collect();
        if !refused.is_empty() {
            bail!("the hub did not take the big notes: {refused:?}");
        }
    }

    let idle = probe(laptops, &fiona_client, IDLE_SAMPLES)?;

    let stop = Arc::new(AtomicBool::new(false));
    let whole_pulls = Arc::new(AtomicUsize::new(0));
    let mut pullers = Vec::new();
    let (mut ops_per_pull, mut whole_pull) = (0, Duration::ZERO);
    for name in ["Saskia", "Selma"] {
        let (store, _) = laptops.enrolled(&hub, name, Role::Supervisor, "north")?;
        let client = client_of(&store)?;
        // One whole pull first: it proves the case is in scope and counts its ops. The first
        // supervisor's runs alone and is timed.
        let start = Instant::now();
        ops_per_pull = laptops.rt.block_on(pull_all(&client))?;
        if pullers.is_empty() {
            whole_pull = start.elapsed();
        }
        let (stop, whole_pulls) = (Arc::clone(&stop), Arc::clone(&whole_pulls));
        pullers.push(std::thread::spawn(move || -> anyhow::Result<()> {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            while !stop.load(Ordering::Relaxed) {
                rt.block_on(pull_all(&client))?;
                whole_pulls.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        }));
    }
    if ops_per_pull < BIG_NOTES {
        bail!("a whole pull brought {ops_per_pull} ops, fewer than the {BIG_NOTES} notes");
    }
    // Let both pulls get going before the first sample.
    std::thread::sleep(Duration::from_millis(300));
    let loaded = probe(laptops, &fiona_client, LOADED_SAMPLES);
    stop.store(true, Ordering::Relaxed);
    for puller in pullers {
        match puller.join() {
            Ok(result) => result?,
            Err(_) => bail!("a pulling thread panicked"),
        }
    }
    let loaded = loaded?;
    let big_pulls = whole_pulls.load(Ordering::Relaxed);
    if big_pulls < 2 {
        bail!("only {big_pulls} whole pulls ran while status was timed: not a measurement under load");
    }
    drop(hub);

    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    Ok(StatusLatency {
        idle_p50_ms: ms(percentile(&idle, 0.5)),
        p50_ms: ms(percentile(&loaded, 0.5)),
        p99_ms: ms(percentile(&loaded, 0.99)),
        max_ms: ms(loaded.iter().max().copied().unwrap_or_default()),
        big_pulls,
        ops_per_pull,
        whole_pull_ms: ms(whole_pull),
    })
}

/// A client with the store's device token.
fn client_of(store: &Store) -> anyhow::Result<HubClient> {
    let link = store.hub_link()?.context("the store is not enrolled")?;
    Ok(HubClient::new(&link.url, Some(link.token), TIMEOUT)?)
}

/// One case with [`BIG_NOTES`] finalised visits of [`BIG_NOTE_BYTES`] of text each.
fn write_big_case(store: &mut Store) -> anyhow::Result<()> {
    let (case, parties) = seed_case(store)?;
    let mut text = String::with_capacity(BIG_NOTE_BYTES + 1024);
    for note in casebook_store::demo::NOTES.iter().cycle() {
        if text.len() + note.len() + 1 > BIG_NOTE_BYTES {
            break;
        }
        text.push_str(note);
        text.push(' ');
    }
    let day = NaiveDate::from_ymd_opt(2026, 11, 3).unwrap_or_default();
    store.write(|w| {
        for i in 0..BIG_NOTES {
            w.add_contact(
                case,
                NewContact {
                    shareable: None,
                    party_ids: vec![parties[i % 2]],
                    kind: ContactKind::Visit,
                    date: day,
                    notes: format!("Visit {i}. {text}"),
                    initiated_by_party: false,
                    draft: false,
                    amends: None,
                },
            )?;
        }
        Ok(())
    })?;
    Ok(())
}

/// Pulls every page from the start, as a new laptop would; returns the ops received.
async fn pull_all(client: &HubClient) -> anyhow::Result<usize> {
    let (mut cursor, mut ops) = (0, 0);
    loop {
        let page = client
            .pull(&PullRequest {
                cursor,
                held_cases: Vec::new(),
                limit: None,
                own_ops_held: None,
                count_remaining: false,
            })
            .await?;
        ops += page.ops.len();
        if !page.more {
            return Ok(ops);
        }
        cursor = page.next_cursor;
    }
}

/// Times `samples` status requests, one after another.
fn probe(laptops: &Laptops, client: &HubClient, samples: usize) -> anyhow::Result<Vec<Duration>> {
    let mut took = Vec::with_capacity(samples);
    for _ in 0..samples {
        let start = Instant::now();
        laptops.rt.block_on(client.status())?;
        took.push(start.elapsed());
        std::thread::sleep(PROBE_GAP);
    }
    Ok(took)
}
