//! `POST /v1/enroll`: a one-time code traded for a device token, with attempts counted per
//! client before the body is read.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use casebook_protocol::{EnrollRequest, EnrollResponse, ErrorBody, ErrorCode};

use crate::api::{ApiError, ApiJson};
use crate::auth::{new_token, token_hash};
use crate::enroll::code_hash;
use crate::state::{AppState, now_ms};

use super::hub_time;

/// Counts enrollment attempts before the body is even read, so garbage counts too.
pub(super) async fn limit_enroll(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    req: Request,
    next: Next,
) -> Response {
    let ip = state.enroll_limiter.client_ip(addr.ip(), req.headers());
    let allowed = match state.allow_enroll(ip).await {
        Ok(allowed) => allowed,
        Err(e) => return ApiError::from(e).into_response(),
    };
    if !allowed {
        tracing::warn!(%ip, "enrollment rate limit hit");
        return ApiError::new(
            ErrorCode::RateLimited,
            "too many enrollment attempts; wait a minute and retry",
        )
        .into_response();
    }
    next.run(req).await
}

#[utoipa::path(
    post, path = "/v1/enroll", request_body = EnrollRequest, operation_id = "enroll", tag = "enrollment",
    summary = "Trade a one-time enrollment code for a device token",
    description = "Needs no token. The token is shown once; `user.id` is the `author` of every op the device writes.",
    params(("Casebook-Protocol" = u32, Header, description = "The client's protocol version")),
    responses(
        (status = 200, description = "Enrolled: the device's id and token, and who it acts for", body = EnrollResponse),
        (status = 400, description = "bad_request: malformed JSON, device_name not 1 to 100 characters, a missing or non-numeric Casebook-Protocol header", body = ErrorBody),
        (status = 401, description = "invalid_enrollment_code: unknown, used or expired (72 h); ask the admin for a new one", body = ErrorBody),
        crate::api::answers::TooLarge,
        crate::api::answers::OutsideProtocol,
        (status = 429, description = "rate_limited: too many enrollment attempts from this address (10 a minute by default)", body = ErrorBody),
        crate::api::answers::Failed,
        crate::api::answers::TimedOut,
    ),
    security()
)]
pub(super) async fn enroll(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    ApiJson(req): ApiJson<EnrollRequest>,
) -> Result<Json<EnrollResponse>, ApiError> {
    let device_name = req.device_name.trim().to_owned();
    if device_name.is_empty() || device_name.chars().count() > 100 {
        return Err(ApiError::bad_request("device_name must be 1 to 100 characters"));
    }
    if req.code.len() > 64 {
        return Err(invalid_code());
    }
    let token = new_token()?;
    let (hash, token_hash) = (code_hash(&req.code), token_hash(&token));
    let client = state.enroll_limiter.client_ip(addr.ip(), &headers).to_string();
    let (enrolled, recovery_recipient) = state
        .db(move |s| {
            let enrolled = s.enroll_from(&hash, &device_name, &token_hash, now_ms(), Some(&client))?;
            Ok((enrolled, s.recovery_recipient()?))
        })
        .await?;
    let Some(enrolled) = enrolled else {
        return Err(invalid_code());
    };
    tracing::info!(device = %enrolled.device.id, user = %enrolled.device.user.id, "device enrolled");
    Ok(Json(EnrollResponse {
        device_id: enrolled.device.id,
        token,
        user: enrolled.device.user.info(),
        hub_time_ms: hub_time(),
        recovery_recipient,
    }))
}

fn invalid_code() -> ApiError {
    ApiError::new(
        ErrorCode::InvalidEnrollmentCode,
        "the enrollment code is unknown, already used or expired; ask your admin for a new one",
    )
}
