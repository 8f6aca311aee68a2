//! Before the clock: the run's users in teams, their laptops enrolled over HTTP, and each
//! facilitator's first cases pushed.

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::bail;
use casebook_domain::CaseId;
use casebook_protocol::Role;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::api::Api;
use super::counts::Tally;
use super::hubs::Person;
use super::laptop::Laptop;

/// Laptops per team: ten facilitators and their supervisor.
pub(super) const TEAM_SIZE: usize = 11;

/// Enrollments and case pushes in flight at once during setup.
pub(super) const SETUP_PARALLEL: usize = 16;

/// The users of `devices` laptops, in teams of [`TEAM_SIZE`] whose first is the supervisor;
/// with each laptop's (team, role). Names carry a marker of the run, so runs can share a
/// PostgreSQL database.
pub(super) fn people(devices: usize) -> (Vec<Person>, Vec<(usize, Role)>) {
    let run = casebook_testkit::util::marker();
    let run = run.get(4..10).unwrap_or("run");
    (0..devices)
        .map(|i| {
            let (team, role) = (
                i / TEAM_SIZE,
                if i % TEAM_SIZE == 0 {
                    Role::Supervisor
                } else {
                    Role::Facilitator
                },
            );
            let person = Person {
                name: format!("load {run} {} {i}", role.as_str()),
                role,
                team: format!("load-{run}-{team}"),
            };
            (person, (team, role))
        })
        .unzip()
}

/// Enrolls one laptop per code over HTTP, [`SETUP_PARALLEL`] at once, spread over the hubs.
pub(super) async fn enroll_all(
    api: &Api,
    urls: &[String],
    roles: &[(usize, Role)],
    codes: Vec<String>,
) -> anyhow::Result<Vec<Laptop>> {
    let gate = Arc::new(Semaphore::new(SETUP_PARALLEL));
    let mut tasks = JoinSet::new();
    for (i, code) in codes.into_iter().enumerate() {
        let (api, url, gate) = (api.clone(), urls[i % urls.len()].clone(), Arc::clone(&gate));
        let (team, role) = roles[i];
        tasks.spawn(async move {
            let _permit = gate.acquire_owned().await?;
            Laptop::enroll(&api, &url, i, team, role, code)
                .await
                .map(|laptop| (i, laptop))
                .map_err(|f| anyhow::anyhow!("enrollment of laptop {i} failed: {}", f.0))
        });
    }
    let mut laptops = Vec::with_capacity(roles.len());
    while let Some(done) = tasks.join_next().await {
        laptops.push(done??);
    }
    laptops.sort_by_key(|(i, _)| *i);
    Ok(laptops.into_iter().map(|(_, l)| l).collect())
}

/// Each facilitator opens `cases` cases and pushes them, [`SETUP_PARALLEL`] at once. Any op
/// refused here is a fault of the bench or the hub, so it stops the run.
pub(super) async fn open_cases(
    api: &Api,
    urls: &[String],
    laptops: Vec<Laptop>,
    cases: usize,
) -> anyhow::Result<Vec<Laptop>> {
    let gate = Arc::new(Semaphore::new(SETUP_PARALLEL));
    let mut tasks = JoinSet::new();
    for (i, mut laptop) in laptops.into_iter().enumerate() {
        let (api, url, gate) = (api.clone(), urls[i % urls.len()].clone(), Arc::clone(&gate));
        tasks.spawn(async move {
            if laptop.role == Role::Facilitator {
                let _permit = gate.acquire_owned().await?;
                let mut tally = Tally::default();
                laptop
                    .open_cases(&api, &url, cases, &mut tally)
                    .await
                    .map_err(|f| anyhow::anyhow!("opening laptop {i}'s cases failed: {}", f.0))?;
                if !tally.refused.is_empty() {
                    bail!("the hub refused laptop {i}'s new cases: {:?}", tally.refused);
                }
            }
            Ok((i, laptop))
        });
    }
    let mut laptops = Vec::with_capacity(tasks.len());
    while let Some(done) = tasks.join_next().await {
        laptops.push(done??);
    }
    laptops.sort_by_key(|(i, _)| *i);
    Ok(laptops.into_iter().map(|(_, l)| l).collect())
}

/// Gives each supervisor the cases of their team, to write supervision notes on.
pub(super) fn share_team_cases(laptops: &mut [Laptop]) {
    let mut by_team: BTreeMap<usize, Vec<CaseId>> = BTreeMap::new();
    for laptop in laptops.iter().filter(|l| l.role == Role::Facilitator) {
        by_team.entry(laptop.team).or_default().extend(&laptop.cases);
    }
    for laptop in laptops.iter_mut().filter(|l| l.role == Role::Supervisor) {
        laptop.cases = by_team.remove(&laptop.team).unwrap_or_default();
    }
}
