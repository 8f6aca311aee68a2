//! `POST /v1/handover` and `POST /v1/recovered`: a laptop handed in with the hub's receipt, and
//! a laptop's store opened with the organisation's recovery key.

use axum::Json;
use axum::extract::State;
use casebook_protocol::{ErrorBody, HandoverRequest, HandoverResponse, RecoveredRequest, RecoveredResponse};

use super::hub_time;
use crate::api::{ApiError, ApiJson};
use crate::auth::Authed;
use crate::state::{AppState, now_ms};

#[utoipa::path(
    post, path = "/v1/handover", request_body = HandoverRequest, operation_id = "handover", tag = "device",
    summary = "Hand a laptop in: a receipt if the hub holds every op it wrote",
    description = "The laptop names every op it wrote that the hub said it holds. If the hub holds each of them \
        from this device, it answers a `receipt` (count and digest of the ops named, see docs/protocol.md), retires \
        the device, and records both in its audit trail; the laptop checks the receipt against its own log and only \
        then erases its store. Otherwise `missing` names the ops to push again; nothing else changes.",
    params(("Casebook-Protocol" = u32, Header, description = "The client's protocol version")),
    responses(
        (status = 200, description = "A receipt, or the ops the hub lacks", body = HandoverResponse),
        (status = 400, description = "bad_request: malformed JSON, a missing or non-numeric Casebook-Protocol header", body = ErrorBody),
        crate::api::answers::Unauthorized,
        (status = 403, description = "device_revoked (also once handed in); or device_wiped: revoked with a wipe, push once then erase the store", body = ErrorBody),
        crate::api::answers::TooLarge,
        crate::api::answers::OutsideProtocol,
        crate::api::answers::Failed,
        crate::api::answers::TimedOut,
    ),
    security(("bearer" = []))
)]
pub(super) async fn handover(
    State(state): State<AppState>,
    authed: Authed,
    ApiJson(req): ApiJson<HandoverRequest>,
) -> Result<Json<HandoverResponse>, ApiError> {
    let device = authed.not_wiped()?;
    let device_id = device.id;
    let answer = state
        .db(move |s| s.handover(&device, &req.op_ids, now_ms()))
        .await?;
    let (receipt, missing) = match answer {
        crate::storage::Handover::Complete(receipt) => (Some(receipt), Vec::new()),
        crate::storage::Handover::Missing(missing) => (None, missing),
    };
    tracing::info!(device = %device_id, complete = receipt.is_some(), missing = missing.len(), "handover");
    Ok(Json(HandoverResponse {
        receipt,
        missing,
        hub_time_ms: hub_time(),
    }))
}

#[utoipa::path(
    post, path = "/v1/recovered", request_body = RecoveredRequest, operation_id = "recovered", tag = "device",
    summary = "Report that this laptop's store was opened with the recovery key",
    description = "Sent at the first sync after `casebook recover`; recorded in the hub's audit trail.",
    params(("Casebook-Protocol" = u32, Header, description = "The client's protocol version")),
    responses(
        (status = 200, description = "Recorded", body = RecoveredResponse),
        (status = 400, description = "bad_request: malformed JSON, a missing or non-numeric Casebook-Protocol header", body = ErrorBody),
        crate::api::answers::Unauthorized,
        crate::api::answers::DeviceRefused,
        crate::api::answers::TooLarge,
        crate::api::answers::OutsideProtocol,
        crate::api::answers::Failed,
        crate::api::answers::TimedOut,
    ),
    security(("bearer" = []))
)]
pub(super) async fn recovered(
    State(state): State<AppState>,
    authed: Authed,
    ApiJson(req): ApiJson<RecoveredRequest>,
) -> Result<Json<RecoveredResponse>, ApiError> {
    let device = authed.not_wiped()?;
    let at = i64::try_from(req.recovered_at_ms).unwrap_or(i64::MAX);
    state
        .db(move |s| s.record_recovery(&device, at, now_ms()))
        .await?;
    Ok(Json(RecoveredResponse {
        hub_time_ms: hub_time(),
    }))
}
