//! The end of a run: did the hub lose anything? Each laptop's pulls must have brought back every
//! op it pushed, and each team's supervisor, pulling the team's whole scope again from the
//! start, must receive every op the hub took from anyone on the team.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use anyhow::anyhow;
use casebook_domain::OpId;
use casebook_protocol::Role;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::api::Api;
use super::counts::Tally;
use super::laptop::Laptop;
use super::setup::SETUP_PARALLEL;

/// What the check found.
pub(super) struct Checked {
    /// Ops the hub took from teams that have a supervisor.
    pub ops_checked: u64,
    /// Of those, ops the supervisor's pull from the start did not bring.
    pub ops_lost: u64,
    /// Ops a laptop pushed that none of its pulls brought back.
    pub own_ops_not_pulled_back: u64,
    /// Laptops pulled once more first, because their last push was not pulled back yet: made
    /// in setup by a laptop whose schedule did not come round in the run, or by a failed sync.
    pub catch_up_pulls: u64,
}

/// Runs both checks, [`SETUP_PARALLEL`] laptops at once. A check that cannot pull is an error:
/// then nothing can be said about lost ops.
pub(super) async fn run(api: &Api, urls: &[String], laptops: Vec<Laptop>) -> anyhow::Result<Checked> {
    let gate = Arc::new(Semaphore::new(SETUP_PARALLEL));

    // A laptop that has not pulled its last push back yet (its first sync was due after the
    // clock, or its last failed midway): one more pull, as its next sync would make.
    let mut tasks = JoinSet::new();
    for (i, mut laptop) in laptops.into_iter().enumerate() {
        let (api, url, gate) = (api.clone(), urls[i % urls.len()].clone(), Arc::clone(&gate));
        tasks.spawn(async move {
            let mut caught_up = false;
            if !laptop.not_pulled_back.is_empty() {
                let _permit = gate.acquire_owned().await?;
                laptop
                    .pull(&api, &url, &mut Tally::default())
                    .await
                    .map_err(|f| anyhow!("the catch-up pull of laptop {i} failed: {}", f.0))?;
                caught_up = true;
            }
            anyhow::Ok((laptop, caught_up))
        });
    }
    let (mut laptops, mut catch_up_pulls) = (Vec::with_capacity(tasks.len()), 0u64);
    while let Some(done) = tasks.join_next().await {
        let (laptop, caught_up) = done??;
        catch_up_pulls += u64::from(caught_up);
        laptops.push(laptop);
    }
    let own_ops_not_pulled_back = laptops.iter().map(|l| l.not_pulled_back.len() as u64).sum();

    // Every op the hub took from each team, then each supervisor's pull of it all.
    let mut taken: BTreeMap<usize, HashSet<OpId>> = BTreeMap::new();
    for laptop in &laptops {
        taken.entry(laptop.team).or_default().extend(&laptop.held_by_hub);
    }
    let mut tasks = JoinSet::new();
    for (i, mut laptop) in laptops.into_iter().enumerate() {
        if laptop.role != Role::Supervisor {
            continue;
        }
        let team_ops = taken.remove(&laptop.team).unwrap_or_default();
        let (api, url, gate) = (api.clone(), urls[i % urls.len()].clone(), Arc::clone(&gate));
        tasks.spawn(async move {
            let _permit = gate.acquire_owned().await?;
            let mut seen = HashSet::new();
            laptop
                .pull_from(&api, &url, 0, &mut Tally::default(), Some(&mut seen))
                .await
                .map_err(|f| {
                    anyhow!(
                        "the check's pull by team {}'s supervisor failed: {}",
                        laptop.team,
                        f.0
                    )
                })?;
            let lost = team_ops.iter().filter(|op| !seen.contains(op)).count();
            anyhow::Ok((team_ops.len() as u64, lost as u64))
        });
    }
    let (mut ops_checked, mut ops_lost) = (0, 0);
    while let Some(done) = tasks.join_next().await {
        let (checked, lost) = done??;
        ops_checked += checked;
        ops_lost += lost;
    }
    Ok(Checked {
        ops_checked,
        ops_lost,
        own_ops_not_pulled_back,
        catch_up_pulls,
    })
}
