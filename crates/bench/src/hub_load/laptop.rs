//! One simulated laptop: its enrollment, its cases, and a sync as the app makes one (push what
//! is pending, then pull its scope from its cursor until the hub says there is no more).

use std::collections::{BTreeSet, HashSet};

use casebook_domain::{CaseId, Op, OpId};
use casebook_protocol::{
    EnrollRequest, EnrollResponse, OpOutcome, PullRequest, PullResponse, PushResponse, Role,
};
use casebook_testkit::inproc::Device;
use casebook_testkit::ops;
use serde::Serialize;

use super::api::{Api, Failure};
use super::counts::{Rng, Tally};

/// One laptop: the device the hub enrolled, its cases and its sync state.
pub(super) struct Laptop {
    /// Its team's index.
    pub team: usize,
    /// Facilitator (writes visit notes on its own cases) or supervisor (supervision notes on
    /// its team's).
    pub role: Role,
    /// Its address as the TLS proxy names it (`X-Forwarded-For`).
    client: String,
    /// The enrolled device.
    device: Device,
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
