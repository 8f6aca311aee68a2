//! The request and response bodies of each endpoint: enroll, push, pull, history, status,
//! handover.

use casebook_domain::{CaseId, DeviceId, Op, OpId, UserId};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// How many ops a pull or history page holds when the client does not say.
pub const DEFAULT_PAGE_LIMIT: u32 = 500;

/// The most ops a pull or history page holds, whatever the client asks for. Each page costs the
/// hub a fixed share (scope, audit entry, and a read connection whose cache the audit's commit
/// emptied): 5,000 ops (about 3 MB of JSON, under [`MAX_PAGE_BYTES`]) make a first sync of
/// 300,000 ops 60 pages. An older hub caps a request at its own maximum (1,000 before).
pub const MAX_PAGE_LIMIT: u32 = 5000;

/// The op JSON a pull or history page holds at most: a page ends at this many bytes or at its op
/// count, whichever comes first, but always holds at least one op, so a large op cannot stall the
/// stream.
pub const MAX_PAGE_BYTES: usize = 4 * 1024 * 1024;

/// The largest answer a client reads from a hub: a page of [`MAX_PAGE_BYTES`], or one op that is
/// larger on its own (at most a request body), fits with room to spare.
pub const MAX_ANSWER_BYTES: usize = 32 * 1024 * 1024;

/// The most ops one push may carry; a client with more sends several batches.
pub const MAX_PUSH_OPS: usize = 1000;

/// What a user may see and do on the hub: the domain's one typed role.
pub use casebook_domain::Role;

/// A role name that is not one of the four roles.
pub type UnknownRole = casebook_domain::labels::UnknownValue;

/// Who a device acts for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UserInfo {
    /// The user's id; the `author` of every op the device writes.
    #[schema(value_type = String)]
    pub id: UserId,
    /// The user's name.
    pub name: String,
    /// What the user may see.
    #[schema(value_type = String, example = "facilitator")]
    pub role: Role,
    /// The user's team, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
}

/// `POST /v1/enroll`: trade a one-time code for a device token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EnrollRequest {
    /// The one-time code an admin issued (dashes and case do not matter).
    pub code: String,
    /// A name for the device, shown to admins (e.g. "Sam's laptop").
    pub device_name: String,
}

/// The answer to an enrollment: who the device is and the token it authenticates with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EnrollResponse {
    /// The id the hub gave the device.
    #[schema(value_type = String)]
    pub device_id: DeviceId,
    /// The bearer token; shown once, the hub keeps only its hash.
    pub token: String,
    /// The user the device acts for.
    pub user: UserInfo,
    /// The hub's clock, in ms since the Unix epoch.
    pub hub_time_ms: u64,
    /// The organisation's recovery recipient (`age1…`), if it has one: the laptop seals its
    /// database key to it as `store.recovery`, so a forgotten passphrase loses nothing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery_recipient: Option<String>,
}

/// `POST /v1/recovered`: this laptop's store was opened with the organisation's recovery key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RecoveredRequest {
    /// When, ms since the Unix epoch (the laptop's clock).
    pub recovered_at_ms: u64,
}

/// The answer to `POST /v1/recovered`: recorded in the hub's audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RecoveredResponse {
    /// The hub's clock, in ms since the Unix epoch.
    pub hub_time_ms: u64,
}

/// `POST /v1/push`: ops the client has not yet seen acknowledged, in log order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PushRequest {
    /// At most [`MAX_PUSH_OPS`] ops.
    #[schema(value_type = Vec<Object>)]
    pub ops: Vec<Op>,
}

/// What the hub did with one pushed op.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum OpOutcome {
    /// Stored now, under this sequence number.
    Accepted {
        /// The hub's sequence number.
        seq: u64,
    },
    /// Stored by an earlier push, under this sequence number.
    AlreadyHeld {
        /// The hub's sequence number.
        seq: u64,
    },
    /// Stored, but flagged for a supervisor (e.g. the author no longer holds the case).
    Quarantined {
        /// The hub's sequence number.
        seq: u64,
        /// Why it was flagged.
        reason: String,
    },
    /// Not stored: the op is invalid or not the author's to write. Retrying it will not help.
    Rejected {
        /// Why, in words a person can act on.
        reason: String,
        /// The refusal's stable name (docs/protocol.md lists them); empty from older hubs.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        code: String,
    },
}

impl OpOutcome {
    /// Whether the hub holds the op, so the client may mark it sent.
    pub fn is_held(&self) -> bool {
        !matches!(self, OpOutcome::Rejected { .. })
    }
}

/// The outcome for one op of a push.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OpResult {
    /// The op.
    #[schema(value_type = String)]
    pub op_id: OpId,
    /// What happened to it.
    pub outcome: OpOutcome,
}

/// The answer to a push: one result per op, in the order they were sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PushResponse {
    /// One per pushed op, same order.
    pub results: Vec<OpResult>,
    /// The device was revoked with a wipe: after marking these ops sent, erase the store.
    #[serde(default)]
    pub wipe: bool,
    /// The hub's clock, in ms since the Unix epoch.
    pub hub_time_ms: u64,
}

/// `POST /v1/pull`: ops in the caller's scope after the cursor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PullRequest {
    /// The `next_cursor` of the previous pull; 0 at first.
    pub cursor: u64,
    /// Every case the client holds locally.
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub held_cases: Vec<CaseId>,
    /// The most ops wanted (default [`DEFAULT_PAGE_LIMIT`], capped at [`MAX_PAGE_LIMIT`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// How many of its own ops the device holds as held by the hub: when the hub holds exactly
    /// as many from it, the page leaves them out (the device wrote them). Absent: all are sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub own_ops_held: Option<u64>,
    /// Ask the hub to count the ops still to come after this page (`remaining`). A client asks
    /// on the first page of a round only: the count costs the hub a read of its op index over
    /// the caller's cases. Absent: false, and an older hub ignores it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub count_remaining: bool,
}

/// One op as the hub stores it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PulledOp {
    /// The hub's sequence number.
    pub seq: u64,
    /// The op.
    #[schema(value_type = Object)]
    pub op: Op,
    /// Why it is flagged for review; everyone in the case's scope receives flagged ops.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quarantined: Option<String>,
}

/// Someone of the caller's team directory: who a user id on a case (its lead, an op's author)
/// is, so the client can show names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Person {
    /// The user's id.
    #[schema(value_type = String)]
    pub id: UserId,
    /// The user's name.
    pub name: String,
    /// Their role's stored name (`facilitator`, `supervisor`, ...). Text, not [`Role`], so a
    /// client older than a new role still reads the answer.
    pub role: String,
    /// Their team, if they have one: a coordinator's dashboard counts a team's cases by their
    /// leads'. Optional, so older peers still read the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
}

/// The answer to a pull.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PullResponse {
    /// In-scope ops after the cursor, in sequence order (the client's own included).
    pub ops: Vec<PulledOp>,
    /// The cursor for the next pull.
    pub next_cursor: u64,
    /// More ops are waiting: pull again at once.
    pub more: bool,
    /// Cases now in scope that the client does not hold and that have ops at or before the
    /// cursor: fetch each one's history.
    #[schema(value_type = Vec<String>)]
    pub cases_added: Vec<CaseId>,
    /// Held cases that left the caller's scope: purge once their pending ops are pushed.
    #[schema(value_type = Vec<String>)]
    pub cases_removed: Vec<CaseId>,
    /// The caller's team directory (just the caller when they have no team). Absent when
    /// empty, and optional, so older clients and hubs still read the answer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub people: Vec<Person>,
    /// Cases erased on the hub under the retention policy that this device has not confirmed
    /// erasing: erase each, then confirm with `POST /v1/purged`. Absent when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub purges: Vec<crate::purge::PurgeOrder>,
    /// When the request asked (`count_remaining`): how many ops in the caller's scope follow
    /// this page, for a progress indicator. An upper bound: it counts the device's own ops,
    /// which a page may leave out, and not the history of cases newly in scope. Absent from
    /// older hubs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining: Option<u64>,
    /// The hub's clock, in ms since the Unix epoch.
    pub hub_time_ms: u64,
}

/// The query of `GET /v1/cases/{case_id}/history`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// The `next_after` of the previous page; 0 at first.
    #[serde(default)]
    pub after: u64,
    /// The most ops wanted (default [`DEFAULT_PAGE_LIMIT`], capped at [`MAX_PAGE_LIMIT`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// How many of its own ops the device holds as held by the hub: when the hub holds exactly
    /// as many from it, the page leaves them out (the device wrote them). Absent: all are sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub own_ops_held: Option<u64>,
}

/// One page of a case's whole history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct HistoryResponse {
    /// The case.
    #[schema(value_type = String)]
    pub case_id: CaseId,
    /// Its ops after `after`, in sequence order.
    pub ops: Vec<PulledOp>,
    /// The `after` of the next page.
    pub next_after: u64,
    /// More pages follow.
    pub more: bool,
    /// The hub's clock, in ms since the Unix epoch.
    pub hub_time_ms: u64,
}

/// `GET /v1/status`: who the device is, as the hub sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StatusResponse {
    /// The hub's protocol version.
    pub protocol_version: u32,
    /// The device.
    #[schema(value_type = String)]
    pub device_id: DeviceId,
    /// The device's name.
    pub device_name: String,
    /// The user the device acts for.
    pub user: UserInfo,
    /// The hub's clock, in ms since the Unix epoch.
    pub hub_time_ms: u64,
}

/// `POST /v1/handover`: every op this laptop wrote that the hub has said it holds, before the
/// laptop is erased and handed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HandoverRequest {
    /// The ids, in any order.
    #[schema(value_type = Vec<String>)]
    pub op_ids: Vec<OpId>,
}

/// The hub's answer to a handover: a receipt if it holds every op named, else which it lacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HandoverResponse {
    /// Present when the hub holds every op named, from this device; the device is then
    /// retired on the hub, and the laptop may erase its store.
    pub receipt: Option<HandoverReceipt>,
    /// The ops named that the hub does not hold from this device (a hub restored from an older
    /// backup): push them again, then ask again.
    #[schema(value_type = Vec<String>)]
    pub missing: Vec<OpId>,
    /// The hub's clock, in ms since the Unix epoch.
    pub hub_time_ms: u64,
}

/// What the hub certifies when a laptop is handed in: it holds these ops from this device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HandoverReceipt {
    /// The device handed in.
    #[schema(value_type = String)]
    pub device_id: DeviceId,
    /// How many ops it named, all held.
    pub ops: u64,
    /// [`handover_digest`] of the ops named: the laptop checks it against its own log.
    pub digest: String,
    /// When the hub issued it, ms since the Unix epoch.
    pub at_ms: u64,
}

/// The digest a handover receipt carries: SHA-256 over the op ids in ascending order, each
/// followed by a newline, hex. Both sides compute it, so neither has to trust the other's count.
pub fn handover_digest(ids: &[OpId]) -> String {
    use sha2::{Digest, Sha256};
    let mut sorted: Vec<&OpId> = ids.iter().collect();
    sorted.sort();
    sorted.dedup();
    let mut hasher = Sha256::new();
    for id in sorted {
        hasher.update(id.to_string().as_bytes());
        hasher.update(b"\n");
    }
    hex::encode(hasher.finalize())
}

/// Caps a requested page size to the accepted range.
pub fn page_limit(requested: Option<u32>) -> u32 {
    requested.unwrap_or(DEFAULT_PAGE_LIMIT).clamp(1, MAX_PAGE_LIMIT)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use casebook_domain::{Entity, Hlc, OpKind, SCHEMA_VERSION};
    use serde_json::json;

    use super::*;

    fn op() -> Op {
        let device = DeviceId::new();
        let case_id = CaseId::new();
        Op {
            op_id: OpId::new(),
            case_id,
            entity: Entity::Case,
            entity_id: case_id.as_uuid(),
            kind: OpKind::Create,
            fields: BTreeMap::from([("summary".to_owned(), json!("x"))]),
            replaces: BTreeMap::new(),
            hlc: Hlc {
                wall_ms: 1,
                counter: 0,
                device,
            },
            author: UserId::new(),
            device,
            schema_version: SCHEMA_VERSION,
        }
    }

    fn round_trip<T: Serialize + for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug>(value: &T) {
        let text = serde_json::to_string(value).expect("json");
        assert_eq!(&serde_json::from_str::<T>(&text).expect("parse"), value);
    }

    fn keys(value: &serde_json::Value) -> Vec<&str> {
        let mut keys: Vec<&str> = value
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        keys
    }

    #[test]
    fn outcomes_have_frozen_tags_and_fields() {
        let op_id = OpId::new();
        let cases = [
            (
                OpOutcome::Accepted { seq: 3 },
                json!({"status": "accepted", "seq": 3}),
            ),
            (
                OpOutcome::AlreadyHeld { seq: 3 },
                json!({"status": "already_held", "seq": 3}),
            ),
            (
                OpOutcome::Quarantined {
                    seq: 3,
                    reason: "r".into(),
                },
                json!({"status": "quarantined", "seq": 3, "reason": "r"}),
            ),
            (
                OpOutcome::Rejected {
                    reason: "r".into(),
                    code: "malformed".into(),
                },
                json!({"status": "rejected", "reason": "r", "code": "malformed"}),
            ),
        ];
        for (outcome, expected) in cases {
            assert_eq!(outcome.is_held(), !matches!(outcome, OpOutcome::Rejected { .. }));
            let result = OpResult { op_id, outcome };
            assert_eq!(
                serde_json::to_value(&result).expect("json"),
                json!({"op_id": op_id.to_string(), "outcome": expected})
            );
            round_trip(&result);
        }
    }

    #[test]
    fn requests_and_responses_keep_their_field_names() {
        let user = UserInfo {
            id: UserId::new(),
            name: "Sam".into(),
            role: Role::Facilitator,
            team: None,
        };
        let enroll = EnrollResponse {
            device_id: DeviceId::new(),
            token: "t".into(),
            user,
            hub_time_ms: 9,
            recovery_recipient: None,
        };
        let json = serde_json::to_value(&enroll).expect("json");
        assert_eq!(keys(&json), ["device_id", "hub_time_ms", "token", "user"]);
        assert_eq!(json["user"]["role"], "facilitator");
        round_trip(&enroll);
        round_trip(&EnrollRequest {
            code: "ABCD".into(),
            device_name: "laptop".into(),
        });

        let pull = PullRequest {
            cursor: 4,
            held_cases: vec![CaseId::new()],
            limit: Some(10),
            own_ops_held: Some(7),
            count_remaining: true,
        };
        assert_eq!(
            keys(&serde_json::to_value(&pull).expect("json")),
            ["count_remaining", "cursor", "held_cases", "limit", "own_ops_held"]
        );
        round_trip(&pull);
        let minimal: PullRequest = serde_json::from_value(json!({"cursor": 0})).expect("parse");
        assert_eq!(
            minimal,
            PullRequest {
                cursor: 0,
                held_cases: vec![],
                limit: None,
                own_ops_held: None,
                count_remaining: false,
            }
        );

        let pulled = PulledOp {
            seq: 1,
            op: op(),
            quarantined: None,
        };
        let response = PullResponse {
            ops: vec![pulled.clone()],
            next_cursor: 1,
            more: false,
            cases_added: vec![],
            cases_removed: vec![CaseId::new()],
            people: vec![],
            purges: vec![],
            remaining: None,
            hub_time_ms: 2,
        };
        let json = serde_json::to_value(&response).expect("json");
        assert_eq!(
            keys(&json),
            [
                "cases_added",
                "cases_removed",
                "hub_time_ms",
                "more",
                "next_cursor",
                "ops"
            ]
        );
        assert_eq!(keys(&json["ops"][0]), ["op", "seq"]);
        round_trip(&response);
        let with_people = PullResponse {
            people: vec![Person {
                id: UserId::new(),
                name: "Sunita".into(),
                role: "supervisor".into(),
                team: None,
            }],
            ..response.clone()
        };
        let json = serde_json::to_value(&with_people).expect("json");
        assert_eq!(keys(&json["people"][0]), ["id", "name", "role"]);
        round_trip(&with_people);
        // An answer from a hub that does not send the directory still parses.
        let mut old = serde_json::to_value(&response).expect("json");
        old.as_object_mut().expect("object").remove("people");
        let parsed: PullResponse = serde_json::from_value(old).expect("parse");
        assert!(parsed.people.is_empty());
        assert_eq!(parsed.remaining, None, "an older hub does not count");
        let counted = PullResponse {
            remaining: Some(299_000),
            ..response.clone()
        };
        let json = serde_json::to_value(&counted).expect("json");
        assert_eq!(json["remaining"], 299_000);
        round_trip(&counted);

        let push = PushRequest { ops: vec![op()] };
        round_trip(&push);
        let answer: PushResponse =
            serde_json::from_value(json!({"results": [], "hub_time_ms": 1})).expect("wipe defaults to false");
        assert!(!answer.wipe);

        let history = HistoryResponse {
            case_id: CaseId::new(),
            ops: vec![pulled],
            next_after: 1,
            more: true,
            hub_time_ms: 3,
        };
        assert_eq!(
            keys(&serde_json::to_value(&history).expect("json")),
            ["case_id", "hub_time_ms", "more", "next_after", "ops"]
        );
        round_trip(&history);
    }

    #[test]
    fn roles_parse_from_their_stored_names() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(*role));
            assert_eq!(serde_json::to_value(role).expect("json"), json!(role.as_str()));
        }
        assert!("boss".parse::<Role>().is_err());
    }

    #[test]
    fn page_limits_are_capped() {
        assert_eq!(page_limit(None), DEFAULT_PAGE_LIMIT);
        assert_eq!(page_limit(Some(0)), 1);
        assert_eq!(page_limit(Some(1_000_000)), MAX_PAGE_LIMIT);
    }
}
