//! The audit trail's entries and their hash chain: what happened, to which cases, by whom.
//! Pure: the SQL is in `storage::audit`, the writer that batches entries in `audit_log`.

use std::collections::BTreeMap;

use casebook_domain::{CaseId, DeviceId, UserId};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an entry records. Stored as its `as_str`; add variants, never rename them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// A pull page that delivered ops or changed the caller's scope.
    Pull,
    /// A page of one case's history.
    History,
    /// A push: ops accepted, flagged and refused.
    Push,
    /// A device enrolled with a one-time code.
    Enroll,
    /// A request answered with a refusal (4xx): bad token, revoked device, wrong case, rate limit.
    Refused,
    /// An admin added a user.
    UserAdd,
    /// An admin issued an enrollment code.
    CodeIssued,
    /// An admin (re)assigned a case.
    Assign,
    /// An admin revoked a device (`detail.wipe` says whether it must wipe).
    Revoke,
    /// The demo data was loaded.
    Demo,
    /// An admin took a backup (`casebook-hub backup`).
    Backup,
    /// The hub was restored from a backup: the first entry written after the restore.
    Restore,
    /// A laptop asked to be handed in (`detail.complete`: the hub held all it named).
    Handover,
    /// An admin made the organisation's recovery key (the hub keeps its recipient only).
    RecoveryKey,
    /// A laptop's store was opened with the recovery key and given a new passphrase.
    Recovery,
    /// A subject access request was opened, extended, answered or closed (`detail.step`).
    SubjectAccess,
    /// An admin set or removed a retention period.
    Retention,
    /// An admin put a case under a legal hold.
    Hold,
    /// An admin released a case's legal hold.
    Release,
    /// A case was erased under the retention policy: its tombstone (reference, dates, who
    /// ordered it) is this entry.
    Purge,
    /// A device confirmed that it erased purged cases (or never held them).
    Purged,
    /// An admin rotated the hub key: every sealed value sealed again under a new data key.
    KeyRotation,
}

impl AuditAction {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pull => "pull",
            Self::History => "history",
            Self::Push => "push",
            Self::Enroll => "enroll",
            Self::Refused => "refused",
            Self::UserAdd => "user_add",
            Self::CodeIssued => "code_issued",
            Self::Assign => "assign",
            Self::Revoke => "revoke",
            Self::Demo => "demo",
            Self::Backup => "backup",
            Self::Restore => "restore",
            Self::Handover => "handover",
            Self::RecoveryKey => "recovery_key",
            Self::Recovery => "recovery",
            Self::SubjectAccess => "subject_access",
            Self::Retention => "retention",
            Self::Hold => "hold",
            Self::Release => "release",
            Self::Purge => "purge",
            Self::Purged => "purged",
            Self::KeyRotation => "key_rotation",
        }
    }
}

/// Something to record, before it has a place in the chain.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    /// What happened.
    pub action: AuditAction,
    /// The user who acted (none for an admin command or an unknown caller).
    pub user: Option<UserId>,
    /// The device they acted from.
    pub device: Option<DeviceId>,
    /// The cases whose data was delivered or changed.
    pub cases: Vec<CaseId>,
    /// The rest, by action: counts, cursors, codes, the operator. Never note text or names of
    /// parties: only ids, counts and codes.
    pub detail: serde_json::Value,
}

impl AuditEvent {
    /// An event with no cases and no actor.
    pub fn new(action: AuditAction, detail: serde_json::Value) -> Self {
        Self {
            action,
            user: None,
            device: None,
            cases: Vec::new(),
            detail,
        }
    }

    /// The same event, by `user` from `device`.
    pub fn by(mut self, user: UserId, device: Option<DeviceId>) -> Self {
        self.user = Some(user);
        self.device = device;
        self
    }

    /// The same event, concerning `cases` (sorted, each once).
    pub fn about(mut self, cases: impl IntoIterator<Item = CaseId>) -> Self {
        let mut cases: Vec<CaseId> = cases.into_iter().collect();
        cases.sort();
        cases.dedup();
        self.cases = cases;
        self
    }
}

/// An entry as the chain holds it: its text is what the hash covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntryBody {
    /// Its place in the chain, from 1, without gaps.
    pub seq: u64,
    /// When it was written, ms since the Unix epoch.
    pub at_ms: i64,
    /// What happened.
    pub action: AuditAction,
    /// The user who acted.
    pub user: Option<UserId>,
    /// The device they acted from.
    pub device: Option<DeviceId>,
    /// The cases concerned.
    pub cases: Vec<CaseId>,
    /// The rest.
    pub detail: serde_json::Value,
}

impl EntryBody {
    /// The entry for `event` at `seq`.
    pub fn new(seq: u64, at_ms: i64, event: &AuditEvent) -> Self {
        Self {
            seq,
            at_ms,
            action: event.action,
            user: event.user,
            device: event.device,
            cases: event.cases.clone(),
            detail: event.detail.clone(),
        }
    }
}

/// The hash of an entry whose text is `entry_json`, following the entry whose hash is `prev`.
pub fn chain_hash(prev: &str, entry_json: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev.as_bytes());
    hasher.update(b"\n");
    hasher.update(entry_json.as_bytes());
    hex::encode(hasher.finalize())
}

/// Folds identical refusals of one batch into one entry with a count, so a flood of bad
/// requests costs the audit one entry per batch, not one per request.
pub fn coalesce(events: Vec<AuditEvent>) -> Vec<AuditEvent> {
    let mut out: Vec<AuditEvent> = Vec::with_capacity(events.len());
    let mut refusals: BTreeMap<String, usize> = BTreeMap::new();
    for event in events {
        if event.action != AuditAction::Refused {
            out.push(event);
            continue;
        }
        let key = format!(
            "{:?}|{:?}|{:?}|{}",
            event.user, event.device, event.cases, event.detail
        );
        if let Some(&at) = refusals.get(&key) {
            if let Some(count) = out[at].detail.get_mut("count") {
                *count = serde_json::json!(count.as_u64().unwrap_or(1) + 1);
            }
            continue;
        }
        let mut event = event;
        if let Some(detail) = event.detail.as_object_mut() {
            detail.insert("count".to_owned(), serde_json::json!(1));
        }
        refusals.insert(key, out.len());
        out.push(event);
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_hash_depends_on_the_previous_hash_and_every_byte_of_the_entry() {
        let entry = serde_json::to_string(&EntryBody::new(
            1,
            5,
            &AuditEvent::new(AuditAction::Demo, json!({})),
        ))
        .expect("json");
        let first = chain_hash(GENESIS, &entry);
        assert_eq!(first.len(), 64);
        assert_ne!(chain_hash(&first, &entry), first);
        assert_ne!(
            chain_hash(GENESIS, &entry.replace("\"seq\":1", "\"seq\":2")),
            first
        );
        assert_eq!(chain_hash(GENESIS, &entry), first, "deterministic");
    }

    #[test]
    fn identical_refusals_of_a_batch_become_one_entry_with_a_count() {
        let refusal =
            |code: &str| AuditEvent::new(AuditAction::Refused, json!({"code": code, "path": "/v1/pull"}));
        let pull = AuditEvent::new(AuditAction::Pull, json!({"ops": 3}));
        let events = vec![
            refusal("unauthorized"),
            pull.clone(),
            refusal("unauthorized"),
            refusal("rate_limited"),
            refusal("unauthorized"),
        ];
        let folded = coalesce(events);
        assert_eq!(folded.len(), 3);
        assert_eq!(folded[0].detail["count"], 3);
        assert_eq!(folded[1], pull, "other entries are untouched");
        assert_eq!(folded[2].detail["count"], 1);
    }

    #[test]
    fn the_cases_of_an_event_are_sorted_once_each() {
        let (a, b) = (CaseId::new(), CaseId::new());
        let event = AuditEvent::new(AuditAction::Pull, json!({})).about([b, a, b]);
        let mut expected = vec![a, b];
        expected.sort();
        assert_eq!(event.cases, expected);
    }
}
