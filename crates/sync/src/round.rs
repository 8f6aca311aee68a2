//! One sync round: push everything pending, then pull every page, then fetch the history of
//! cases newly in scope, then drop the cases that left it. The store is only touched between
//! network calls, never inside a transaction held across one.

use std::collections::BTreeSet;
use std::time::Duration;

use casebook_domain::{CaseId, Entity, OpKind};
use casebook_protocol::{MAX_PAGE_LIMIT, MAX_PUSH_OPS, OpOutcome, PullRequest, PulledOp};
use casebook_store::{ApplyCounts, HubLink, PushResult, RemoteOp, SecretString, Store};
use serde::Serialize;

use crate::access::{StoreAccess, SyncProgress};
use crate::client::HubClient;
use crate::error::SyncError;

/// The most pulled ops applied in one turn with the store (one transaction): a hub page holds
/// up to [`MAX_PAGE_LIMIT`], and the app's ui waits for a turn to end before it saves.
const APPLY_TURN: usize = 1000;

/// How long one request may take before the hub counts as unreachable.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(30);

/// What a sync did.
#[derive(Debug, Default, Clone, Serialize)]
pub struct SyncReport {
    /// Ops the hub took from us this time (new to it).
    pub pushed: usize,
    /// Ops the hub already had (a retry after a lost answer).
    pub already_held: usize,
    /// Ops the hub took but flagged for a supervisor (the case was reassigned meanwhile).
    pub quarantined: usize,
    /// Ops the hub refused; kept here and shown.
    pub rejected: usize,
    /// Ops received and applied.
    pub pulled: usize,
    /// Ops received that were already here.
    pub duplicates: usize,
    /// New conflicts to resolve.
    pub conflicts: usize,
    /// Ops received that this laptop set aside (refused by the judgement or unappliable).
    pub set_aside: usize,
    /// Cases that came into this user's scope.
    pub cases_added: usize,
    /// Cases that left it and were removed from this laptop.
    pub cases_removed: usize,
    /// Cases erased from this laptop by the hub's purge orders (retention).
    pub cases_erased: usize,
    /// The hub ordered this device wiped: the store must be erased now.
    pub wipe: bool,
}

impl SyncReport {
    fn add(&mut self, counts: ApplyCounts) {
        self.pulled += counts.applied;
        self.duplicates += counts.duplicates;
        self.conflicts += counts.conflicts;
        self.set_aside += counts.set_aside;
    }
}

/// Enrolls this store with a hub using a one-time code; the token is kept inside the store.
pub async fn enroll(
    store: &mut Store,
    hub: &str,
    code: &str,
    device_name: &str,
) -> Result<HubLink, SyncError> {
    let client = HubClient::new(hub, None, TIMEOUT)?;
    let answer = client.enroll(code, device_name).await?;
    let link = HubLink {
        url: client.url().to_owned(),
        token: SecretString::from(answer.token),
        device_id: answer.device_id,
        user_id: answer.user.id,
        user_name: answer.user.name,
        role: answer.user.role,
        team: answer.user.team,
        recovery_recipient: answer.recovery_recipient,
    };
    store.link_hub(&link)?;
    store.record_sync(answer.hub_time_ms)?;
    Ok(link)
}

/// Pushes until nothing is pending. Returns whether the hub ordered a wipe.
pub(crate) async fn push_all(
    store: &impl StoreAccess,
    client: &HubClient,
    report: &mut SyncReport,
) -> Result<bool, SyncError> {
    let mut wipe = false;
    loop {
        let mut batch = store.with(|s| s.pending_batch(MAX_PUSH_OPS))?;
        if batch.is_empty() {
            return Ok(wipe);
        }
        batch.truncate(fits_in_a_push(&batch));
        let sent: Vec<_> = batch.iter().map(|op| op.op_id).collect();
        let answer = match client.push(batch).await {
            // Its last push was taken already (or its answer lost): only the wipe order remains.
            Err(SyncError::Hub { code, .. }) if code == "device_wiped" => return Ok(true),
            other => other?,
        };
        let answered: Vec<_> = answer.results.iter().map(|r| r.op_id).collect();
        if answered != sent {
            return Err(SyncError::BadAnswer {
                url: client.url().to_owned(),
                detail: format!(
                    "it answered for {} ops, not the {} sent",
                    answered.len(),
                    sent.len()
                ),
            });
        }
        let results: Vec<_> = answer
            .results
            .into_iter()
            .map(|r| {
                let result = match r.outcome {
                    OpOutcome::Accepted { seq } => {
                        report.pushed += 1;
                        PushResult::Held { seq }
                    }
                    OpOutcome::AlreadyHeld { seq } => {
                        report.already_held += 1;
                        PushResult::Held { seq }
                    }
                    OpOutcome::Quarantined { seq, .. } => {
                        report.quarantined += 1;
                        PushResult::Held { seq }
                    }
                    OpOutcome::Rejected { reason, .. } => {
                        report.rejected += 1;
                        PushResult::Rejected { reason }
                    }
                };
                (r.op_id, result)
            })
            .collect();
        store.with(|s| s.record_push(&results))?;
        store.progress(SyncProgress::Pushing {
            sent: report.pushed + report.already_held + report.quarantined + report.rejected,
        });
        wipe |= answer.wipe;
        tracing::debug!(ops = results.len(), "pushed a batch");
    }
}

/// A push body the hub takes whatever the notes hold: at most this many bytes of ops.
const MAX_PUSH_BYTES: usize = 8 * 1024 * 1024;

/// How many of `batch`'s ops fit in one push body (at least one: a single op's fields are
/// bounded well below the hub's body limit).
fn fits_in_a_push(batch: &[casebook_domain::Op]) -> usize {
    let mut bytes = 0;
    for (i, op) in batch.iter().enumerate() {
        bytes += serde_json::to_vec(op).map_or(0, |v| v.len()) + 1;
        if bytes > MAX_PUSH_BYTES {
            return i.max(1);
        }
    }
    batch.len()
}

/// The hub's pulled ops as the store takes them, flag included (one transaction for both).
fn remote(ops: Vec<PulledOp>) -> Vec<RemoteOp> {
    ops.into_iter()
        .map(|p| RemoteOp {
            seq: p.seq,
            op: p.op,
            flag: p.quarantined,
        })
        .collect()
}

/// How far the pull of one round has got, beyond the report's counts.
#[derive(Debug, Default)]
struct PullTally {
    /// Ops the round receives in all, as the hub counted on its first page.
    total: Option<usize>,
    /// Cases whose record arrived in this round (see [`SyncProgress::Pulling`]).
    cases_ready: usize,
}

impl PullTally {
    fn progress(&self, report: &SyncReport) -> SyncProgress {
        let received = report.pulled + report.duplicates;
        SyncProgress::Pulling {
            received,
            total: self.total.map(|t| t.max(received)),
            cases_ready: self.cases_ready,
        }
    }
}

/// Applies pulled `ops` a turn of at most [`APPLY_TURN`] at a time, so the ui's writes never
/// wait long for the store; `cursor` moves with the last turn only (an interruption in between
/// fetches the page again, its applied ops then counted as duplicates).
fn apply_in_turns(
    store: &impl StoreAccess,
    ops: &[RemoteOp],
    cursor: Option<u64>,
    report: &mut SyncReport,
    tally: &mut PullTally,
    count_cases: bool,
) -> Result<(), SyncError> {
    let turns = ops.len().div_ceil(APPLY_TURN).max(1);
    let mut chunks = ops.chunks(APPLY_TURN);
    for i in 0..turns {
        let turn = chunks.next().unwrap_or_default();
        let last = i + 1 == turns;
        report.add(store.with(|s| s.apply_remote(turn, cursor.filter(|_| last)))?);
        if count_cases {
            tally.cases_ready += turn
                .iter()
                .filter(|r| r.op.entity == Entity::Case && r.op.kind == OpKind::Create)
                .count();
        }
        store.progress(tally.progress(report));
    }
    Ok(())
}

/// Fetches and applies every page of one case's history.
async fn fetch_history(
    store: &impl StoreAccess,
    client: &HubClient,
    case: CaseId,
    report: &mut SyncReport,
    tally: &mut PullTally,
) -> Result<(), SyncError> {
    let mut after = 0;
    loop {
        let page = client.history(case, after, MAX_PAGE_LIMIT).await?;
        let ops = remote(page.ops);
        apply_in_turns(store, &ops, None, report, tally, false)?;
        after = page.next_after;
        if !page.more {
            tally.cases_ready += 1;
            return Ok(());
        }
    }
}

/// One full sync round with the hub this store is enrolled with, holding the store throughout.
pub async fn sync_once(store: &mut Store) -> Result<SyncReport, SyncError> {
    sync_shared(&std::sync::Mutex::new(store)).await
}

/// One full sync round, taking the store only for the steps between network calls (the app's
/// ui keeps saving meanwhile). If the report says `wipe`, the caller must erase the store.
#[tracing::instrument(skip_all)]
pub async fn sync_shared(store: &impl StoreAccess) -> Result<SyncReport, SyncError> {
    let link = store.with(|s| s.hub_link())?.ok_or(SyncError::NotEnrolled)?;
    let client = HubClient::new(&link.url, Some(link.token.clone()), TIMEOUT)?;
    let mut report = SyncReport::default();

    if push_all(store, &client, &mut report).await? {
        report.wipe = true;
        return Ok(report);
    }

    let mut removed: BTreeSet<CaseId> = BTreeSet::new();
    let mut purges: BTreeSet<CaseId> = BTreeSet::new();
    // Everything this device pushed is in its log already: the hub need not send it back.
    let own_ops_held = store.with(|s| s.own_ops_held())?;
    let mut tally = PullTally::default();
    let mut first = true;
    let hub_time = loop {
        let (cursor, held_cases) = store.with(|s| Ok((s.pull_cursor()?, s.held_cases()?)))?;
        let request = PullRequest {
            cursor,
            held_cases,
            limit: Some(MAX_PAGE_LIMIT),
            own_ops_held,
            // Counted once, for the progress total: it costs the hub a read of its index.
            count_remaining: first,
        };
        let page = match client.pull(&request).await {
            Err(SyncError::Hub { code, .. }) if code == "device_wiped" => {
                // Revoked with a wipe: hand over anything written since, then erase.
                push_all(store, &client, &mut report).await?;
                report.wipe = true;
                return Ok(report);
            }
            other => other?,
        };
        // A case newly in scope gets its whole history first, so the page's later ops for it
        // find their records.
        for case in &page.cases_added {
            fetch_history(store, &client, *case, &mut report, &mut tally).await?;
            report.cases_added += 1;
        }
        if first {
            first = false;
            let so_far = report.pulled + report.duplicates + page.ops.len();
            tally.total = page
                .remaining
                .map(|r| so_far.saturating_add(usize::try_from(r).unwrap_or(usize::MAX)));
        }
        if !page.people.is_empty() {
            let people: Vec<_> = page
                .people
                .iter()
                .map(|p| casebook_store::model::Person {
                    id: p.id,
                    name: p.name.clone(),
                    role: p.role.clone(),
                    team: p.team.clone(),
                })
                .collect();
            store.with(|s| s.record_people(&people))?;
        }
        let ops = remote(page.ops);
        apply_in_turns(store, &ops, Some(page.next_cursor), &mut report, &mut tally, true)?;
        removed.extend(page.cases_removed);
        purges.extend(page.purges.iter().map(|p| p.case_id));
        if !page.more {
            break page.hub_time_ms;
        }
    };

    // Erased on the hub under the retention policy: erased here too, unsent work included
    // (the hub refuses it, `purged`).
    crate::purge::carry_out(store, &client, &purges, &mut report).await?;

    for case in &removed {
        if store.with(|s| s.pending_for_case(*case))? > 0 {
            // Written while this sync ran: the hub takes it (flagged) before the case goes.
            push_all(store, &client, &mut report).await?;
        }
        if store.with(|s| s.purge_case(*case))? {
            report.cases_removed += 1;
        }
    }

    // A passphrase reset with the recovery key is the hub's to record, once.
    if let Some(at) = store.with(|s| s.unreported_recovery())? {
        client.recovered(u64::try_from(at).unwrap_or(0)).await?;
        store.with(|s| s.recovery_reported())?;
    }
    store.with(|s| s.record_sync(hub_time))?;
    tracing::info!(
        pushed = report.pushed,
        pulled = report.pulled,
        conflicts = report.conflicts,
        "sync finished"
    );
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(bytes: usize) -> casebook_domain::Op {
        let device = casebook_domain::DeviceId::new();
        casebook_domain::Op {
            op_id: casebook_domain::OpId::new(),
            case_id: CaseId::new(),
            entity: casebook_domain::Entity::Contact,
            entity_id: uuid::Uuid::now_v7(),
            kind: casebook_domain::OpKind::Update,
            fields: [("notes".to_owned(), serde_json::json!("n".repeat(bytes)))].into(),
            replaces: Default::default(),
            hlc: casebook_domain::Hlc {
                wall_ms: 1,
                counter: 0,
                device,
            },
            author: casebook_domain::UserId::new(),
            device,
            schema_version: casebook_domain::SCHEMA_VERSION,
        }
    }

    #[test]
    fn forty_big_notes_go_in_pushes_the_hub_takes() {
        let batch: Vec<_> = (0..40).map(|_| note(1_000_000)).collect();
        let first = fits_in_a_push(&batch);
        assert!((1..40).contains(&first), "{first}");
        let bytes: usize = batch[..first]
            .iter()
            .map(|o| serde_json::to_vec(o).unwrap().len())
            .sum();
        assert!(bytes <= MAX_PUSH_BYTES);
        assert_eq!(fits_in_a_push(&batch[..1]), 1);
        assert_eq!(fits_in_a_push(&[note(10), note(10)]), 2);
        assert_eq!(fits_in_a_push(&[note(9_000_000)]), 1, "one op always goes");
    }
}
