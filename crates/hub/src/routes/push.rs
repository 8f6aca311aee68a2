//! `POST /v1/push`: a device's ops, each parsed on its own and judged by the hub.

use axum::Json;
use axum::extract::State;
use casebook_domain::{Op, OpId};
use casebook_protocol::{ErrorBody, MAX_PUSH_OPS, OpOutcome, OpResult, PushRequest, PushResponse};
use serde::Deserialize;

use crate::api::{ApiError, ApiJson};
use crate::auth::Authed;
use crate::state::{AppState, now_ms};

use super::hub_time;

/// The push body as the hub reads it: each op is parsed on its own, so one op this hub cannot
/// read is rejected without failing the ops around it.
#[derive(Deserialize)]
pub(super) struct RawPush {
    // Raw text, not `Value`: building a map of every op only to convert it again cost a twentieth
    // of a push's CPU time.
    ops: Vec<Box<serde_json::value::RawValue>>,
}

/// The one field of an op that the hub cannot read, needed to say which op it refuses.
#[derive(Deserialize)]
struct OpIdOnly {
    op_id: OpId,
}

#[utoipa::path(
    post, path = "/v1/push", request_body = PushRequest, operation_id = "push", tag = "sync",
    summary = "Send ops; each is stored once, flagged, or refused with a code",
    description = "One result per op, in order: `accepted`, `already_held`, `quarantined` (stored and flagged: \
        a late note, or a wiped device's last push) or `rejected` with a stable `code` and a reason \
        (docs/protocol.md lists every code). A refused op never holds back the ops after it. \
        A device revoked with a wipe gets one last push through, answered with `wipe: true`.",
    params(("Casebook-Protocol" = u32, Header, description = "The client's protocol version")),
    responses(
        (status = 200, description = "One result per op, in order; `wipe` orders the device to erase its store", body = PushResponse),
        (status = 400, description = "bad_request: malformed JSON, more than 1000 ops, an op without a valid op_id, a missing or non-numeric Casebook-Protocol header", body = ErrorBody),
        crate::api::answers::Unauthorized,
        (status = 403, description = "device_revoked; or device_wiped: revoked with a wipe and its one last push already made", body = ErrorBody),
        crate::api::answers::TooLarge,
        crate::api::answers::OutsideProtocol,
        crate::api::answers::Failed,
        crate::api::answers::TimedOut,
    ),
    security(("bearer" = []))
)]
pub(super) async fn push(
    State(state): State<AppState>,
    Authed(device): Authed,
    ApiJson(req): ApiJson<RawPush>,
) -> Result<Json<PushResponse>, ApiError> {
    if req.ops.len() > MAX_PUSH_OPS {
        return Err(ApiError::bad_request(format!(
            "at most {MAX_PUSH_OPS} ops per push; send several batches"
        )));
    }
    // Parse each op on its own; keep each result at its op's position in the batch.
    let mut results: Vec<Option<OpResult>> = Vec::with_capacity(req.ops.len());
    let mut readable = Vec::with_capacity(req.ops.len());
    for (i, raw) in req.ops.iter().enumerate() {
        let parsed = serde_json::from_str::<Op>(raw.get());
        let op_id = || serde_json::from_str::<OpIdOnly>(raw.get()).map(|o| o.op_id);
        match parsed {
            Ok(op) => {
                readable.push(op);
                results.push(None);
            }
            Err(e) => {
                let Ok(op_id) = op_id() else {
                    return Err(ApiError::bad_request(format!("op {i} has no valid op_id")));
                };
                let reason = format!("this hub cannot read the op: {}", unreadable_reason(&e));
                results.push(Some(OpResult {
                    op_id,
                    outcome: OpOutcome::Rejected {
                        reason,
                        code: "unreadable".to_owned(),
                    },
                }));
            }
        }
    }
    let (wipe, device_id, count) = (device.wipe, device.id, readable.len());
    let unreadable = results.iter().filter(|r| r.is_some()).count();
    // A device told to wipe may push once more, so nothing written in good faith is lost;
    // after that it only hears the order to wipe.
    let drain = wipe && state.db(move |s| s.begin_drain(device_id, now_ms())).await?;
    if wipe && !drain {
        return Err(crate::auth::wiped());
    }
    let stored = state
        .db(move |s| {
            s.push_as(
                &device.user,
                Some(device.id),
                &readable,
                now_ms(),
                drain,
                unreadable,
            )
        })
        .await?;
    let mut stored = stored.into_iter();
    let results: Vec<OpResult> = results
        .into_iter()
        .filter_map(|slot| slot.or_else(|| stored.next()))
        .collect();
    crate::metrics::pushed(&results);
    tracing::info!(device = %device_id, ops = count, wipe, "push");
    Ok(Json(PushResponse {
        results,
        wipe,
        hub_time_ms: hub_time(),
    }))
}

/// Why an op could not be parsed, without quoting its contents.
fn unreadable_reason(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Data => "a field is missing or has a value this hub does not know",
        _ => "it is not a valid op",
    }
}
