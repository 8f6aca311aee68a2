//! Several hub processes on one PostgreSQL database (docs/hub.md, "Several hub processes on
//! PostgreSQL"): four processes of the real binary, forty laptops pushing and pulling through
//! whichever process they pick, one process killed with SIGKILL while pushes are in flight and
//! started again. Every op must reach every replica exactly once, in sequence order (a cursor
//! that skipped an op would leave it out for ever), and nothing written in a note may be
//! readable in a dump of the database.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use casebook_domain::{CaseId, Op, OpId};
use casebook_protocol::{EnrollResponse, OpOutcome, PROTOCOL_HEADER, PullResponse, PushResponse};
use casebook_testkit::hub::Hub;
use casebook_testkit::inproc::Device;
use casebook_testkit::ops::{note, opened_case};
use casebook_testkit::postgres::Cluster;
use casebook_testkit::util::{marker, random_between, random_bytes};
use serde_json::json;

const BIN: &str = env!("CARGO_BIN_EXE_casebook-hub");

const HUBS: usize = 4;
const TEAMS: usize = 4;
const PER_TEAM: usize = 10;
/// Sync rounds per laptop: a push of a note or two, then pulls until nothing is left.
const ROUNDS: usize = 12;
/// The coordinators whose laptops hold the whole service: the replicas checked at the end.
const REPLICAS: usize = 2;

/// One laptop: its device, and what it has been answered so far.
struct Laptop {
    device: Device,
    cases: Vec<CaseId>,
    cursor: u64,
    /// Every op pulled, in the order pulled.
    pulled: Vec<(u64, OpId)>,
    /// Every op of its own the hub holds (accepted, or already held on a retry).
    held: BTreeSet<OpId>,
}

/// The hubs' URLs; a request picks one at random, and another after a transport error.
#[derive(Clone)]
struct Hubs {
    urls: Arc<Vec<String>>,
    http: reqwest::Client,
    transport_errors: Arc<AtomicU64>,
}

impl Hubs {
    /// POSTs `body` to `path` on a random hub until one answers.
    async fn post<T: serde::de::DeserializeOwned>(
        &self,
        path: &str,
        token: Option<&str>,
        body: &serde_json::Value,
    ) -> T {
        for attempt in 0..100 {
            let url = &self.urls[usize::try_from(random_between(0, self.urls.len() as u64)).unwrap()];
            let mut req = self
                .http
                .post(format!("{url}{path}"))
                .header(PROTOCOL_HEADER, "1")
                .json(body);
            if let Some(token) = token {
                req = req.bearer_auth(token);
            }
            match req.send().await {
                Ok(answer) => {
                    let status = answer.status();
                    let text = answer.text().await.unwrap_or_default();
                    assert!(status.is_success(), "{path} on {url}: {status} {text}");
                    return serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}: {text}"));
                }
                // The process was killed, or is starting again: the same request, elsewhere.
                Err(_) => {
                    self.transport_errors.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(20 * attempt.min(10))).await;
                }
            }
        }
        panic!("{path}: no hub answered 100 times");
    }

    async fn enroll(&self, code: &str) -> Device {
        let answer: EnrollResponse = self
            .post(
                "/v1/enroll",
                None,
                &json!({"code": code, "device_name": "laptop"}),
            )
            .await;
        Device {
            token: answer.token,
            id: answer.device_id,
            user: answer.user.id,
        }
    }
}

impl Laptop {
    async fn push(&mut self, hubs: &Hubs, ops: &[Op]) {
        let answer: PushResponse = hubs
            .post("/v1/push", Some(&self.device.token), &json!({ "ops": ops }))
            .await;
        for result in answer.results {
            match result.outcome {
                OpOutcome::Accepted { .. }
                | OpOutcome::AlreadyHeld { .. }
                | OpOutcome::Quarantined { .. } => {
                    self.held.insert(result.op_id);
                }
                OpOutcome::Rejected { code, reason } => panic!("an honest op was refused: {code}: {reason}"),
            }
        }
    }

    /// Pulls until the hub says nothing more waits.
    async fn pull(&mut self, hubs: &Hubs) {
        loop {
            let body = json!({"cursor": self.cursor, "held_cases": self.cases, "limit": 50});
            let page: PullResponse = hubs.post("/v1/pull", Some(&self.device.token), &body).await;
            for op in &page.ops {
                self.pulled.push((op.seq, op.op.op_id));
            }
            for case in page.cases_added {
                if !self.cases.contains(&case) {
                    self.cases.push(case);
                }
            }
            self.cursor = page.next_cursor;
            if !page.more {
                return;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn four_hub_processes_on_one_database_lose_and_repeat_nothing() {
    // The synchronous PostgreSQL client blocks: never on a thread that drives tasks.
    let (cluster, url) = tokio::task::spawn_blocking(|| {
        let cluster = Cluster::start().expect("a scratch PostgreSQL cluster");
        let url = cluster.create_database("hubs").expect("a database");
        (cluster, url)
    })
    .await
    .unwrap();
    let key: String = random_bytes::<32>().iter().map(|b| format!("{b:02x}")).collect();
    let hubs_started = {
        let (url, key) = (url.clone(), key.clone());
        tokio::task::spawn_blocking(move || {
            (0..HUBS)
                .map(|_| Hub::start_on_database(BIN, &url, &key, &["--enroll-attempts-per-minute", "1000"]))
                .collect::<Vec<_>>()
        })
        .await
        .unwrap()
    };
    let mut processes = hubs_started;
    let hubs = Hubs {
        urls: Arc::new(processes.iter().map(|h| h.url.clone()).collect()),
        http: casebook_testkit::http::client(),
        transport_errors: Arc::new(AtomicU64::new(0)),
    };

    // Users through the admin command of different processes, as operators would.
    let (mut codes, mut replica_codes) = (Vec::new(), Vec::new());
    for team in 0..TEAMS {
        for n in 0..PER_TEAM {
            let hub = &processes[(team * PER_TEAM + n) % HUBS];
            let team_name = format!("team{team}");
            codes.push(hub.add_user(&format!("fac-{team}-{n}"), "facilitator", Some(&team_name)));
        }
    }
    for n in 0..REPLICAS {
        replica_codes.push(processes[n % HUBS].add_user(&format!("coord-{n}"), "coordinator", None));
    }

    let secret = marker();
    let stop_replicas = Arc::new(AtomicBool::new(false));
    let mut laptops = Vec::new();
    for code in codes {
        let hubs = hubs.clone();
        let secret = secret.clone();
        laptops.push(tokio::spawn(async move {
            let device = hubs.enroll(&code).await;
            let mut laptop = Laptop {
                device,
                cases: Vec::new(),
                cursor: 0,
                pulled: Vec::new(),
                held: BTreeSet::new(),
            };
            for _ in 0..2 {
                let case = CaseId::new();
                let opened = opened_case(&laptop.device, case);
                laptop.push(&hubs, &opened).await;
                laptop.cases.push(case);
            }
            for round in 0..ROUNDS {
                let case = laptop.cases[round % laptop.cases.len()];
                let notes: Vec<Op> = (0..random_between(1, 3))
                    .map(|_| note(&laptop.device, case, &format!("visit {round}: {secret}")))
                    .collect();
                laptop.push(&hubs, &notes).await;
                laptop.pull(&hubs).await;
            }
            laptop
        }));
    }
    let mut replicas = Vec::new();
    for code in replica_codes {
        let (hubs, stop) = (hubs.clone(), Arc::clone(&stop_replicas));
        replicas.push(tokio::spawn(async move {
            let device = hubs.enroll(&code).await;
            let mut replica = Laptop {
                device,
                cases: Vec::new(),
                cursor: 0,
                pulled: Vec::new(),
                held: BTreeSet::new(),
            };
            while !stop.load(Ordering::Relaxed) {
                replica.pull(&hubs).await;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            // Once more after the last push: the replica must then hold everything.
            replica.pull(&hubs).await;
            replica
        }));
    }

    // While the laptops push, one process dies without warning and comes back on its port.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut victim = processes.remove(1);
    let victim = tokio::task::spawn_blocking(move || {
        victim.kill();
        std::thread::sleep(Duration::from_millis(500));
        victim.restart();
        victim
    })
    .await
    .unwrap();
    processes.push(victim);

    let mut finished = Vec::new();
    for laptop in laptops {
        finished.push(laptop.await.expect("a laptop's syncs"));
    }
    stop_replicas.store(true, Ordering::Relaxed);
    let mut replicas_done = Vec::new();
    for replica in replicas {
        replicas_done.push(replica.await.expect("a replica's pulls"));
    }

    // What the database holds: each op once (op_id is unique), and its sequence number.
    let (db_url, dump_cluster) = (url.clone(), cluster);
    let (stored, dump, cluster) = tokio::task::spawn_blocking(move || {
        let mut client = postgres::Client::connect(&db_url, postgres::NoTls).expect("connect");
        let stored: BTreeMap<OpId, i64> = client
            .query("SELECT op_id, seq FROM ops", &[])
            .expect("read the ops")
            .iter()
            .map(|row| (OpId(row.get(0)), row.get(1)))
            .collect();
        let dump = dump_cluster.dump(&db_url);
        (stored, dump, dump_cluster)
    })
    .await
    .unwrap();

    let pushed: usize = finished.iter().map(|l| l.held.len()).sum();
    for laptop in &finished {
        for op in &laptop.held {
            assert!(
                stored.contains_key(op),
                "an op the hub answered as held is not stored"
            );
        }
        assert_once_in_order(&laptop.pulled, "a laptop");
        let pulled: BTreeSet<OpId> = laptop.pulled.iter().map(|(_, id)| *id).collect();
        let missed = laptop.held.difference(&pulled).count();
        assert_eq!(missed, 0, "a laptop's pulls left out {missed} of its own ops");
    }
    for replica in &replicas_done {
        assert_once_in_order(&replica.pulled, "a replica");
        let pulled: BTreeMap<OpId, u64> = replica.pulled.iter().map(|(seq, id)| (*id, *seq)).collect();
        let missed: Vec<_> = stored.keys().filter(|id| !pulled.contains_key(id)).collect();
        assert!(
            missed.is_empty(),
            "a replica never received {} of {} ops (a cursor skipped them)",
            missed.len(),
            stored.len()
        );
        for (id, seq) in &pulled {
            assert_eq!(
                stored.get(id).map(|s| u64::try_from(*s).unwrap()),
                Some(*seq),
                "a replica holds an op the database does not, or under another number"
            );
        }
    }
    assert!(
        !dump.windows(secret.len()).any(|w| w == secret.as_bytes()),
        "a note's text is readable in a dump of the database"
    );
    assert!(
        !dump.windows(b"fac-0-0".len()).any(|w| w == b"fac-0-0"),
        "a user's name is readable in a dump of the database"
    );
    eprintln!(
        "{HUBS} hub processes, {} laptops, {pushed} ops pushed and held, {} ops stored, {} requests retried elsewhere after the kill",
        finished.len(),
        stored.len(),
        hubs.transport_errors.load(Ordering::Relaxed)
    );
    tokio::task::spawn_blocking(move || {
        drop(processes);
        drop(cluster);
    })
    .await
    .unwrap();
}

/// Each op once, in strictly increasing sequence order.
#[track_caller]
fn assert_once_in_order(pulled: &[(u64, OpId)], who: &str) {
    let ids: BTreeSet<OpId> = pulled.iter().map(|(_, id)| *id).collect();
    assert_eq!(ids.len(), pulled.len(), "{who} received an op twice");
    assert!(
        pulled.windows(2).all(|w| w[0].0 < w[1].0),
        "{who} received ops out of sequence order"
    );
}
