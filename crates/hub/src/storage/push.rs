//! What a push does with each op, written once for both backends: the checks of who pushed it,
//! the facts the domain's judgement needs, the judgement itself (`casebook_domain::judgement`),
//! and what an accepted op changes on the hub (a new case and its reference, an allocation).
//! Each backend gives this its open write transaction through [`PushTx`]: the SQL is there,
//! every rule is here or in the domain.

use std::collections::BTreeMap;

use casebook_domain::judgement::{
    ALLOCATION_FIELDS, Authority, Facts, Known, Named, Standing, Verdict, judge, named, references,
};
use casebook_domain::{CaseId, DeviceId, Entity, Hlc, Op, OpId, OpKind, SCHEMA_VERSION, UserId};
use casebook_protocol::{OpOutcome, OpResult};
use uuid::Uuid;

use super::{HubIdentity, UserRow, parse};
use crate::audit::{AuditAction, AuditEvent};
use crate::error::HubError;
use crate::scope::{self, Assignment};

/// Why the ops of a wiped device's last push are flagged: the laptop may be in other hands.
const DRAINED: &str =
    "pushed by a device revoked with a wipe, in its last sync; a supervisor should review it";

/// What pushing asks of a backend's write transaction. Every method reads or writes inside
/// it, so a push is all or nothing and sees its own writes.
pub(super) trait PushTx {
    /// Reads ahead what judging `ops` will ask, where a round trip per question is costly (a
    /// database over the network); the embedded database answers in-process and skips it.
    fn prefetch(&mut self, _ops: &[Op]) -> Result<(), HubError> {
        Ok(())
    }
    /// The sequence number of the op `op`, if the hub holds it.
    fn held_seq(&mut self, op: OpId) -> Result<Option<u64>, HubError>;
    /// Whether `case` was erased.
    fn is_purged(&mut self, case: CaseId) -> Result<bool, HubError>;
    /// Who holds `case`, if the hub knows it.
    fn assignment(&mut self, case: CaseId) -> Result<Option<Assignment>, HubError>;
    /// Until when `author` last held `case` (as lead or co, or as a supervisor of its team),
    /// if a reassignment took it from them.
    fn held_until(&mut self, case: CaseId, author: &UserRow) -> Result<Option<u64>, HubError>;
    /// What the record `id` is, as the hub registered it.
    fn known(&mut self, id: Uuid) -> Result<Option<Known>, HubError>;
    /// The user `id`, if the hub has one.
    fn user(&mut self, id: UserId) -> Result<Option<UserRow>, HubError>;
    /// Stores a new case held by `lead` (and `co`) in the lead's team; returns its reference.
    fn create_case(
        &mut self,
        case: CaseId,
        lead: &UserRow,
        co: Option<UserId>,
        now_ms: i64,
    ) -> Result<String, HubError>;
    /// Every held op of `case` that sets `field` of the case record.
    fn settings_of(&mut self, case: CaseId, field: &str) -> Result<Vec<Op>, HubError>;
    /// Stores who holds a case now.
    fn set_assignment(&mut self, after: &Assignment) -> Result<(), HubError>;
    /// Records that a reassignment at `until_ms` took the case from `user` or from `team`.
    fn add_former_holder(
        &mut self,
        case: CaseId,
        user: Option<UserId>,
        team: Option<&str>,
        until_ms: i64,
    ) -> Result<(), HubError>;
    /// Appends an op to the log, flagged with `flag` if any; returns its sequence number.
    fn insert_op(
        &mut self,
        op: &Op,
        from_device: Option<DeviceId>,
        flag: Option<&str>,
        now_ms: i64,
    ) -> Result<u64, HubError>;
    /// Registers a record an op creates.
    fn add_record(&mut self, id: Uuid, case: CaseId, entity: Entity) -> Result<(), HubError>;
    /// Marks a contact as finalised.
    fn finalise(&mut self, id: Uuid) -> Result<(), HubError>;
    /// The wall time of the hub's previous op.
    fn hub_clock(&mut self) -> Result<Option<u64>, HubError>;
    /// Stores the wall time of the hub's newest op.
    fn set_hub_clock(&mut self, wall_ms: u64) -> Result<(), HubError>;
}

fn refused(code: &str, reason: impl Into<String>) -> OpOutcome {
    OpOutcome::Rejected {
        reason: reason.into(),
        code: code.to_owned(),
    }
}

/// Judges `ops` pushed by `author` from `from_device` and stores each one accepted; the
/// results in order, and how many were stored (accepted or flagged).
pub(super) fn push_all(
    tx: &mut impl PushTx,
    hub: HubIdentity,
    author: &UserRow,
    from_device: Option<DeviceId>,
    ops: &[Op],
    now_ms: i64,
    drain: bool,
) -> Result<(Vec<OpResult>, u64), HubError> {
    tx.prefetch(ops)?;
    let mut results = Vec::with_capacity(ops.len());
    for op in ops {
        let outcome = push_one(tx, hub, author, from_device, op, now_ms, drain)?;
        if let OpOutcome::Rejected { code, .. } = &outcome {
            tracing::warn!(op = %op.op_id, case = %op.case_id, user = %author.id, code, "op refused");
        }
        results.push(OpResult {
            op_id: op.op_id,
            outcome,
        });
    }
    let stored = results
        .iter()
        .filter(|r| {
            matches!(
                r.outcome,
                OpOutcome::Accepted { .. } | OpOutcome::Quarantined { .. }
            )
        })
        .count();
    Ok((results, u64::try_from(stored).unwrap_or(u64::MAX)))
}

/// What a push's audit entry says: how many ops were taken, flagged and refused, and why.
pub(super) fn push_event(results: &[OpResult], unreadable: usize, drain: bool) -> AuditEvent {
    let (mut accepted, mut held, mut flagged) = (0u64, 0u64, 0u64);
    let mut refused: BTreeMap<&str, u64> = BTreeMap::new();
    for result in results {
        match &result.outcome {
            OpOutcome::Accepted { .. } => accepted += 1,
            OpOutcome::AlreadyHeld { .. } => held += 1,
            OpOutcome::Quarantined { .. } => flagged += 1,
            OpOutcome::Rejected { code, .. } => *refused.entry(code.as_str()).or_default() += 1,
        }
    }
    AuditEvent::new(
        AuditAction::Push,
        serde_json::json!({
            "accepted": accepted,
            "already_held": held,
            "flagged": flagged,
            "refused": refused,
            "unreadable": unreadable,
            "last_push_before_wipe": drain,
        }),
    )
}

fn push_one(
    tx: &mut impl PushTx,
    hub: HubIdentity,
    author: &UserRow,
    from_device: Option<DeviceId>,
    op: &Op,
    now_ms: i64,
    drain: bool,
) -> Result<OpOutcome, HubError> {
    if let Some(seq) = tx.held_seq(op.op_id)? {
        return Ok(OpOutcome::AlreadyHeld { seq });
    }
    // An erased case never comes back, whoever writes to it and however late.
    if tx.is_purged(op.case_id)? {
        use casebook_domain::retention::{PURGED, PURGED_REASON};
        return Ok(refused(PURGED, PURGED_REASON));
    }
    if op.author != author.id {
        return Ok(refused(
            "author_mismatch",
            "the op's author is not the user this device is enrolled for",
        ));
    }
    if from_device.is_some_and(|d| op.device != d || op.hlc.device != d) {
        return Ok(refused(
            "device_mismatch",
            "the op's device is not the device that pushed it",
        ));
    }
    let (facts, case) = gather(tx, author, op, now_ms)?;
    let mut flag = match judge(op, &facts) {
        Verdict::Refuse(refusal) => return Ok(refused(refusal.code(), refusal.to_string())),
        Verdict::Accept => None,
        Verdict::Flag(reason) => Some(reason),
    };
    if drain {
        flag = Some(flag.unwrap_or(DRAINED));
    }
    let mut reference = None;
    if case.is_none() {
        // A case created offline: it belongs to its author, or to the facilitators a
        // coordinator allocated it to as they entered it, and to the lead's team.
        let mut named = |field: &str| -> Result<Option<UserRow>, HubError> {
            match op.fields.get(field).and_then(|v| v.as_str()) {
                Some(id) => tx.user(parse(id)?),
                None => Ok(None),
            }
        };
        let lead = named("lead")?.unwrap_or_else(|| author.clone());
        let co = named("co")?.map(|c| c.id);
        reference = Some(tx.create_case(op.case_id, &lead, co, now_ms)?);
    } else if op.entity == Entity::Case && ALLOCATION_FIELDS.iter().any(|f| op.fields.contains_key(*f)) {
        // Judged before it is stored, so that a later allocation already held is seen as such.
        apply_allocation(tx, op, to_u64(now_ms).max(op.hlc.wall_ms))?;
    }
    let seq = tx.insert_op(op, from_device, flag, now_ms)?;
    register(tx, op)?;
    if let Some(reference) = reference {
        let replaces = BTreeMap::from([("reference".to_owned(), op.op_id)]);
        let fields = BTreeMap::from([("reference".to_owned(), serde_json::Value::String(reference))]);
        let hub_op = hub_op(tx, hub, op.case_id, fields, replaces, Some(op.hlc), now_ms)?;
        tx.insert_op(&hub_op, None, None, now_ms)?;
    }
    Ok(match flag {
        Some(reason) => OpOutcome::Quarantined {
            seq,
            reason: reason.to_owned(),
        },
        None => OpOutcome::Accepted { seq },
    })
}

/// The facts the judgement needs for `op`, pushed by `author`, and the case's assignment.
fn gather(
    tx: &mut impl PushTx,
    author: &UserRow,
    op: &Op,
    now_ms: i64,
) -> Result<(Facts, Option<Assignment>), HubError> {
    let case = tx.assignment(op.case_id)?;
    let standing = match &case {
        None => Standing::UnknownCase,
        Some(c) if scope::in_scope(&author.viewer(), c) => Standing::Holds,
        Some(_) => match tx.held_until(op.case_id, author)? {
            Some(until) => Standing::HeldUntil(until),
            None => Standing::Outsider,
        },
    };
    let target = tx.known(op.entity_id)?;
    let mut refs = Vec::new();
    for reference in references(op) {
        refs.push((reference, tx.known(reference.id)?));
    }
    let mut named_users = Vec::new();
    for id in named(op) {
        let known = tx.user(id)?.map(|user| Named {
            role: user.role,
            in_authors_team: author.team.is_some() && user.team == author.team,
        });
        named_users.push((id, known));
    }
    let facts = Facts {
        authority: Authority::User {
            id: author.id,
            role: author.role,
        },
        standing,
        target,
        references: refs,
        now_ms: Some(u64::try_from(now_ms).unwrap_or(0)),
        named: named_users,
    };
    Ok((facts, case))
}

/// Registers what an accepted op creates or settles: a new record and its case, or a contact
/// that is now finalised.
fn register(tx: &mut impl PushTx, op: &Op) -> Result<(), HubError> {
    if op.kind == OpKind::Create {
        tx.add_record(op.entity_id, op.case_id, op.entity)?;
    }
    if op.entity == Entity::Contact && op.fields.get("state").and_then(|s| s.as_str()) == Some("finalised") {
        tx.finalise(op.entity_id)?;
    }
    Ok(())
}

/// Applies an accepted allocation op (a coordinator's or supervisor's `lead` / `co`) to the
/// case, field by field unless a later allocation of that field is already held: the hub
/// follows the same last-writer-wins by HLC as every laptop, so both end with one answer.
fn apply_allocation(tx: &mut impl PushTx, op: &Op, until_ms: u64) -> Result<(), HubError> {
    let Some(before) = tx.assignment(op.case_id)? else {
        return Ok(());
    };
    let (mut lead, mut co) = (before.lead, before.co);
    for field in ALLOCATION_FIELDS {
        let Some(value) = op.fields.get(*field) else {
            continue;
        };
        if latest_setting(tx, op.case_id, field)?.is_some_and(|held| held.hlc > op.hlc) {
            continue;
        }
        let user = value.as_str().map(parse).transpose()?;
        if *field == "lead" {
            lead = user;
        } else {
            co = user;
        }
    }
    // The judgement refuses an allocation without a lead; a case never loses its lead here.
    let Some(lead) = lead.map(|id| tx.user(id)).transpose()?.flatten() else {
        return Ok(());
    };
    allocate(tx, op.case_id, &lead, co, until_ms)?;
    Ok(())
}

/// Reassigns a case (the admin's `case assign`) to `lead` and `co`: the hub records the new
/// lead as an op of its own, so clients learn of it, then moves the case. Returns the
/// assignment after.
pub(super) fn assign(
    tx: &mut impl PushTx,
    hub: HubIdentity,
    case_id: CaseId,
    lead: &UserRow,
    co: Option<UserId>,
    now_ms: i64,
) -> Result<Assignment, HubError> {
    let before = tx
        .assignment(case_id)?
        .ok_or_else(|| HubError::NoSuchCase(case_id.to_string()))?;
    // The hub's op succeeds the values clients hold now (the latest by HLC), so it wins
    // cleanly instead of showing up as a conflict. It names the co only when that changes,
    // so that an assignment of the lead alone stays readable by laptops from before `co`.
    let mut fields = BTreeMap::from([("lead".to_owned(), serde_json::json!(lead.id))]);
    if co != before.co {
        fields.insert("co".to_owned(), serde_json::json!(co));
    }
    let mut replaces = BTreeMap::new();
    let mut after_hlc = None;
    for field in fields.keys() {
        if let Some(held) = latest_setting(tx, case_id, field)? {
            replaces.insert(field.clone(), held.op_id);
            after_hlc = after_hlc.max(Some(held.hlc));
        }
    }
    let op = hub_op(tx, hub, case_id, fields, replaces, after_hlc, now_ms)?;
    tx.insert_op(&op, None, None, now_ms)?;
    let (_, after) = allocate(tx, case_id, lead, co, op.hlc.wall_ms)?;
    Ok(after)
}

/// Moves a case to `lead` (and `co`, or none), into the lead's team, and records whom it was
/// taken from at `until_ms`: a note they wrote before then is still theirs to push, flagged
/// (the late-note rule). The one path for the admin's `case assign` and for an allocation op.
/// Returns the assignment before and after.
fn allocate(
    tx: &mut impl PushTx,
    case_id: CaseId,
    lead: &UserRow,
    co: Option<UserId>,
    until_ms: u64,
) -> Result<(Assignment, Assignment), HubError> {
    let before = tx
        .assignment(case_id)?
        .ok_or_else(|| HubError::NoSuchCase(case_id.to_string()))?;
    let after = Assignment {
        case_id,
        lead: Some(lead.id),
        co,
        team: lead.team.clone(),
    };
    tx.set_assignment(&after)?;
    let until = i64::try_from(until_ms).unwrap_or(i64::MAX);
    let now_holding = [after.lead, after.co];
    for user in [before.lead, before.co].into_iter().flatten() {
        if !now_holding.contains(&Some(user)) {
            tx.add_former_holder(case_id, Some(user), None, until)?;
        }
    }
    if before.team.is_some() && before.team != after.team {
        tx.add_former_holder(case_id, None, before.team.as_deref(), until)?;
    }
    Ok((before, after))
}

/// The held op of the case with the latest HLC that sets `field` of the case record.
fn latest_setting(tx: &mut impl PushTx, case_id: CaseId, field: &str) -> Result<Option<Op>, HubError> {
    Ok(tx
        .settings_of(case_id, field)?
        .into_iter()
        .max_by_key(|op| op.hlc))
}

/// An op written by the hub itself, so its decisions reach clients like any change.
fn hub_op(
    tx: &mut impl PushTx,
    hub: HubIdentity,
    case_id: CaseId,
    fields: BTreeMap<String, serde_json::Value>,
    replaces: BTreeMap<String, OpId>,
    after: Option<Hlc>,
    now_ms: i64,
) -> Result<Op, HubError> {
    // Later than the op it answers, even if that laptop's clock runs ahead of ours, and later
    // than the hub's previous op, so that no two hub ops share a timestamp.
    let floor = after
        .map_or(0, |h| h.wall_ms.saturating_add(1))
        .max(to_u64(now_ms));
    let wall_ms = next_hub_wall(tx.hub_clock()?, floor);
    tx.set_hub_clock(wall_ms)?;
    Ok(Op {
        op_id: OpId::new(),
        case_id,
        entity: Entity::Case,
        entity_id: case_id.as_uuid(),
        kind: OpKind::Update,
        fields,
        replaces,
        hlc: Hlc {
            wall_ms,
            counter: 0,
            device: hub.device,
        },
        author: hub.user,
        device: hub.device,
        schema_version: SCHEMA_VERSION,
    })
}

/// The largest wall time the hub stamps: HLCs are stored as fixed-width text of 15 digits,
/// and time order must stay text order. Year 33658; reached only from a poisoned clock.
const MAX_HUB_WALL_MS: u64 = 999_999_999_999_999;

/// The hub's next wall time: after its previous one and at least `floor`, saturating instead of
/// overflowing, so that a clock once pushed to the far future cannot wrap round to 1970.
fn next_hub_wall(previous: Option<u64>, floor: u64) -> u64 {
    previous
        .map_or(floor, |p| p.saturating_add(1).max(floor))
        .min(MAX_HUB_WALL_MS)
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hub_clock_saturates_at_the_extremes() {
        assert_eq!(next_hub_wall(None, 5), 5);
        assert_eq!(next_hub_wall(Some(5), 3), 6);
        assert_eq!(next_hub_wall(Some(5), 9), 9);
        for (previous, floor) in [(Some(u64::MAX), 0), (Some(1 << 63), u64::MAX), (None, u64::MAX)] {
            assert_eq!(next_hub_wall(previous, floor), MAX_HUB_WALL_MS);
        }
        assert_eq!(
            next_hub_wall(Some(MAX_HUB_WALL_MS), 0),
            MAX_HUB_WALL_MS,
            "never wraps"
        );
    }
}
