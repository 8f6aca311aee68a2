//! `POST /v1/purged`: a device confirms that it erased the cases of its purge orders.

use axum::Json;
use axum::extract::State;
use casebook_protocol::{PurgedRequest, PurgedResponse};

use crate::api::{ApiError, ApiJson};
use crate::auth::Authed;
use crate::state::{AppState, now_ms};

/// The most confirmations one request may carry: far more than a day's purges.
const MAX_CONFIRMATIONS: usize = 10_000;

#[utoipa::path(
    post, path = "/v1/purged", request_body = PurgedRequest, operation_id = "purged", tag = "sync",
    summary = "Confirm that this device erased the cases of its purge orders",
    description = "A pull answer's `purges` lists cases erased on the hub under the retention policy. The device \
        erases each (records, op log, search index, drafts, unsent changes) and confirms here, saying whether it \
        held anything of it. Orders not given to this device, or confirmed already, are ignored. Recorded in the \
        hub's audit trail; `casebook-hub retention status` shows which devices have not confirmed.",
    params(("Casebook-Protocol" = u32, Header, description = "The client's protocol version")),
    responses(
        (status = 200, description = "Recorded: how many orders this confirmed", body = PurgedResponse),
        (status = 400, description = "bad_request: malformed JSON, more than 10000 confirmations, a missing or non-numeric Casebook-Protocol header", body = casebook_protocol::ErrorBody),
        crate::api::answers::Unauthorized,
        crate::api::answers::DeviceRefused,
        crate::api::answers::TooLarge,
        crate::api::answers::OutsideProtocol,
        crate::api::answers::Failed,
        crate::api::answers::TimedOut,
    ),
    security(("bearer" = []))
)]
pub(super) async fn purged(
    State(state): State<AppState>,
    authed: Authed,
    ApiJson(req): ApiJson<PurgedRequest>,
) -> Result<Json<PurgedResponse>, ApiError> {
    let device = authed.not_wiped()?;
    if req.purged.len() > MAX_CONFIRMATIONS {
        return Err(ApiError::bad_request(format!(
            "at most {MAX_CONFIRMATIONS} confirmations per request"
        )));
    }
    let device_id = device.id;
    let confirmed = state
        .db(move |s| s.confirm_purges(&device, &req.purged, now_ms()))
        .await?;
    tracing::info!(device = %device_id, confirmed, "purge orders confirmed");
    Ok(Json(PurgedResponse {
        confirmed: u64::try_from(confirmed).unwrap_or(u64::MAX),
        hub_time_ms: u64::try_from(now_ms()).unwrap_or(0),
    }))
}
