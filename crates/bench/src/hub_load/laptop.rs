//! One simulated laptop: its enrollment, its cases, and a sync as the app makes one (push what
//! is pending, then pull its scope from its cursor until the hub says there is no more), over
//! the bench's one shared HTTP client; and what it counts.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::time::Duration;

use casebook_domain::{CaseId, Op, OpId};
use casebook_protocol::{
    EnrollRequest, EnrollResponse, OpOutcome, PROTOCOL_HEADER, PROTOCOL_VERSION, PullRequest, PullResponse,
    PushResponse, Role,
};
use casebook_testkit::inproc::Device;
use casebook_testkit::ops;
use casebook_testkit::util::random_bytes;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// How long one request may take: longer than the hub's own limit (60 s), so a slow answer is
/// the hub's 503 rather than the bench giving up.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(90);

/// The bench's one HTTP client, shared by every laptop (its connection pool too).
#[derive(Clone)]
pub(super) struct Api {
    http: reqwest::Client,
}

/// Why a request failed, as the report counts it.
#[derive(Debug)]
pub(super) struct Failure(pub String);

impl Api {
    /// A client with no proxy from the environment and [`REQUEST_TIMEOUT`].
    pub fn new() -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(REQUEST_TIMEOUT)
            .build()?;
        Ok(Self { http })
    }

    /// `POST hub+path` as the laptop at `client` (the address the TLS proxy would name), with
    /// its token if it has one; the answer parsed, or the kind of failure.
    async fn post<T: DeserializeOwned>(
        &self,
        hub: &str,
        path: &str,
        token: Option<&str>,
        client: &str,
        body: &impl Serialize,
    ) -> Result<T, Failure> {
        let mut req = self
            .http
            .post(format!("{hub}{path}"))
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION)
            .header("x-forwarded-for", client)
            .json(body);
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        let answer = req.send().await.map_err(transport)?;
        let status = answer.status();
        let bytes = answer.bytes().await.map_err(transport)?;
        if !status.is_success() {
            // The hub's `{code, message}`: the code names the kind; the message may quote input.
            let code = serde_json::from_slice::<serde_json::Value>(&bytes)
                .ok()
                .and_then(|v| v["code"].as_str().map(str::to_owned))
                .unwrap_or_default();
            return Err(Failure(format!("HTTP {} {code}", status.as_u16())));
        }
        serde_json::from_slice(&bytes).map_err(|_| Failure(format!("unreadable answer to {path}")))
    }
}

/// The kind of a transport failure, without the URL or the details of the moment.
fn transport(e: reqwest::Error) -> Failure {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connect"
    } else if e.is_body() || e.is_decode() {
        "body"
    } else {
        "other"
    };
    Failure(format!("transport: {kind}"))
}

/// What laptops counted: merged over all of them for the report.
#[derive(Debug, Default)]
pub(super) struct Tally {
    /// Syncs finished without an error.
    pub syncs: u64,
    /// Syncs due before the end of the clock that were still waiting for a slot at its end.
    pub not_started: u64,
    /// Ops the hub took (accepted or flagged), each counted once.
    pub pushed: u64,
    /// Ops received in pulls.
    pub pulled: u64,
    /// Of `pushed`, ops the hub flagged for review.
    pub quarantined: u64,
    /// Ops the hub refused, by the refusal's code.
    pub refused: BTreeMap<String, u64>,
    /// Failed syncs, by what failed.
    pub errors: BTreeMap<String, u64>,
    /// Cases the hub said came into scope with history to fetch (not fetched by the bench).
    pub cases_added: u64,
    /// Held cases the hub said left the laptop's scope.
    pub cases_removed: u64,
    /// How long each finished sync took, from its start.
    pub latencies: Vec<Duration>,
    /// How late each sync started after its scheduled time (waiting for an in-flight slot).
    pub delays: Vec<Duration>,
}

impl Tally {
    /// Adds `other`'s counts to this one's.
    pub fn merge(&mut self, other: Tally) {
        self.syncs += other.syncs;
        self.not_started += other.not_started;
        self.pushed += other.pushed;
        self.pulled += other.pulled;
        self.quarantined += other.quarantined;
        self.cases_added += other.cases_added;
        self.cases_removed += other.cases_removed;
        for (kind, n) in other.refused {
            *self.refused.entry(kind).or_default() += n;
        }
        for (kind, n) in other.errors {
            *self.errors.entry(kind).or_default() += n;
        }
        self.latencies.extend(other.latencies);
        self.delays.extend(other.delays);
    }

    /// Counts a failed sync (or setup step).
    pub fn failed(&mut self, failure: Failure) {
        *self.errors.entry(failure.0).or_default() += 1;
    }
}

/// A small fast generator (SplitMix64) for schedules and choices; seeded from the kernel.
pub(super) struct Rng(u64);

impl Rng {
    /// A generator with a random seed.
    pub fn new() -> Self {
        Self(u64::from_le_bytes(random_bytes::<8>()))
    }

    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % (n.max(1) as u64)) as usize
    }

    /// A number in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// One laptop: the device the hub enrolled, its cases and its sync state.
pub(super) struct Laptop {
    /// Its team's index.
    pub team: usize,
    /// Facilitator (writes visit notes on its own cases) or supervisor (supervision notes on
    /// its team's).
    pub role: Role,
    /// Its address as the TLS proxy names it (`X-Forwarded-For`).
    pub client: String,
    /// The enrolled device.
    pub device: Device,
    /// The cases it writes on: its own, or for a supervisor its team's.
    pub cases: Vec<CaseId>,
    /// Every op the hub holds from it.
    pub held_by_hub: HashSet<OpId>,
    /// Of those, ops no pull has brought back yet (none should be left after a sync).
    pub not_pulled_back: HashSet<OpId>,
    cursor: u64,
    held: BTreeSet<CaseId>,
    pending: Vec<Op>,
    rng: Rng,
}

impl Laptop {
    /// Enrolls laptop number `index` with `code` on `hub`.
    pub async fn enroll(
        api: &Api,
        hub: &str,
        index: usize,
        team: usize,
        role: Role,
        code: String,
    ) -> Result<Self, Failure> {
        // 10.x.y.z: one address per laptop, so each has its own enrollment allowance.
        let client = format!(
            "10.{}.{}.{}",
            (index >> 16) & 255,
            (index >> 8) & 255,
            index & 255
        );
        let request = EnrollRequest {
            code,
            device_name: format!("bench laptop {index}"),
        };
        let answer: EnrollResponse = api.post(hub, "/v1/enroll", None, &client, &request).await?;
        Ok(Self {
            team,
            role,
            client,
            device: Device {
                token: answer.token,
                id: answer.device_id,
                user: answer.user.id,
            },
            cases: Vec::new(),
            held_by_hub: HashSet::new(),
            not_pulled_back: HashSet::new(),
            cursor: 0,
            held: BTreeSet::new(),
            pending: Vec::new(),
            rng: Rng::new(),
        })
    }

    /// Opens `count` cases, each with a party, and pushes them (setup, before the clock).
    pub async fn open_cases(
        &mut self,
        api: &Api,
        hub: &str,
        count: usize,
        tally: &mut Tally,
    ) -> Result<(), Failure> {
        for _ in 0..count {
            let case = CaseId::new();
            self.pending.extend(ops::opened_case(&self.device, case));
            self.cases.push(case);
            self.held.insert(case);
        }
        self.push(api, hub, tally).await
    }

    /// A random number for the caller's schedule.
    pub fn rng(&mut self) -> &mut Rng {
        &mut self.rng
    }

    /// One sync as the app makes it: what it wrote since the last (1 to 3 notes on one of its
    /// cases), pushed; then its scope pulled from its cursor until nothing more waits.
    pub async fn sync(&mut self, api: &Api, hub: &str, tally: &mut Tally) -> Result<(), Failure> {
        self.write();
        self.push(api, hub, tally).await?;
        self.pull(api, hub, tally).await
    }

    /// Notes written since the last sync. Ops of a failed push stay pending and go again,
    /// as the app's do.
    fn write(&mut self) {
        if self.cases.is_empty() {
            return;
        }
        let case = self.cases[self.rng.below(self.cases.len())];
        let notes = 1 + self.rng.below(3);
        for _ in 0..notes {
            self.pending.push(match self.role {
                Role::Supervisor => ops::supervision_note(&self.device, case, "Bench supervision note."),
                _ => ops::note(&self.device, case, "Bench visit note."),
            });
        }
    }

    /// Pushes what is pending; each op the hub took is remembered, each it refused counted.
    async fn push(&mut self, api: &Api, hub: &str, tally: &mut Tally) -> Result<(), Failure> {
        if self.pending.is_empty() {
            return Ok(());
        }
        #[derive(Serialize)]
        struct Push<'a> {
            ops: &'a [Op],
        }
        let body = Push { ops: &self.pending };
        let answer: PushResponse = api
            .post(hub, "/v1/push", Some(&self.device.token), &self.client, &body)
            .await?;
        let answered: Vec<OpId> = answer.results.iter().map(|r| r.op_id).collect();
        let sent: Vec<OpId> = self.pending.iter().map(|op| op.op_id).collect();
        if answered != sent {
            return Err(Failure("push answered other ops than were sent".to_owned()));
        }
        if answer.wipe {
            return Err(Failure("push answered: wipe".to_owned()));
        }
        for result in answer.results {
            match result.outcome {
                OpOutcome::Rejected { code, .. } => *tally.refused.entry(code).or_default() += 1,
                held => {
                    if self.held_by_hub.insert(result.op_id) {
                        tally.pushed += 1;
                        tally.quarantined += u64::from(matches!(held, OpOutcome::Quarantined { .. }));
                        self.not_pulled_back.insert(result.op_id);
                    }
                }
            }
        }
        self.pending.clear();
        Ok(())
    }

    /// Pulls from the cursor until the hub says no more waits.
    pub async fn pull(&mut self, api: &Api, hub: &str, tally: &mut Tally) -> Result<(), Failure> {
        self.cursor = self.pull_from(api, hub, self.cursor, tally, None).await?;
        Ok(())
    }

    /// Pulls every page from `cursor` (the own-ops hint is never sent, so the hub sends this
    /// laptop's own ops back too); `seen`, if given, collects every op id received. Returns the
    /// cursor after the last page.
    pub async fn pull_from(
        &mut self,
        api: &Api,
        hub: &str,
        mut cursor: u64,
        tally: &mut Tally,
        mut seen: Option<&mut HashSet<OpId>>,
    ) -> Result<u64, Failure> {
        loop {
            let request = PullRequest {
                cursor,
                held_cases: self.held.iter().copied().collect(),
                limit: None,
                own_ops_held: None,
                count_remaining: false,
            };
            let page: PullResponse = api
                .post(hub, "/v1/pull", Some(&self.device.token), &self.client, &request)
                .await?;
            tally.pulled += page.ops.len() as u64;
            for pulled in &page.ops {
                self.not_pulled_back.remove(&pulled.op.op_id);
                self.held.insert(pulled.op.case_id);
                if let Some(seen) = seen.as_deref_mut() {
                    seen.insert(pulled.op.op_id);
                }
            }
            tally.cases_added += page.cases_added.len() as u64;
            self.held.extend(page.cases_added);
            tally.cases_removed += page.cases_removed.len() as u64;
            for case in &page.cases_removed {
                self.held.remove(case);
            }
            if !page.more {
                return Ok(page.next_cursor);
            }
            if page.next_cursor <= cursor {
                return Err(Failure("pull said more but did not move the cursor".to_owned()));
            }
            cursor = page.next_cursor;
        }
    }
}
