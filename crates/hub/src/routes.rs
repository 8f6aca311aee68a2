//! The HTTP API: the router, the protocol-version check, the handlers and the OpenAPI document
//! generated from them.

mod enroll;
mod handover;
mod pull;
mod purged;
mod push;
mod sar;

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use casebook_protocol::{
    ErrorBody, ErrorCode, OpOutcome, OpResult, PROTOCOL_HEADER, PROTOCOL_VERSION, StatusResponse,
    VersionCheck, check_version,
};
use utoipa::OpenApi;

use crate::api::ApiError;
use crate::audit::{AuditAction, AuditEvent};
use crate::auth::{Authed, Caller};
use crate::health::OperationsDoc;
use crate::state::{AppState, now_ms};

/// The hub's API, ready to serve: bodies up to `max_body_bytes`, answers within
/// `request_timeout` (else 503).
pub fn router(state: AppState, max_body_bytes: usize, request_timeout: std::time::Duration) -> Router {
    crate::metrics::install();
    let v1 = Router::new()
        .route(
            "/v1/enroll",
            post(enroll::enroll).layer(middleware::from_fn_with_state(
                state.clone(),
                enroll::limit_enroll,
            )),
        )
        .route("/v1/push", post(push::push))
        .route("/v1/pull", post(pull::pull))
        .route("/v1/cases/{case_id}/history", get(pull::history))
        .route("/v1/status", get(status))
        .route("/v1/handover", post(handover::handover))
        .route("/v1/recovered", post(handover::recovered))
        .route("/v1/purged", post(purged::purged))
        .route("/v1/sar", get(sar::list).post(sar::open))
        .route("/v1/sar/parties", get(sar::find_parties))
        .route("/v1/sar/{reference}/export", get(sar::export))
        .route("/v1/sar/{reference}/extend", post(sar::extend))
        .route("/v1/sar/{reference}/close", post(sar::close))
        .layer(middleware::from_fn(require_version));
    Router::new()
        .merge(v1)
        .merge(crate::health::routes())
        .route("/v1/openapi.json", get(openapi))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .layer(middleware::from_fn_with_state(state.clone(), record_refusals))
        .layer(middleware::from_fn_with_state(
            request_timeout,
            crate::limits::time_limit,
        ))
        // Outermost, so the time limit's 503 is counted and timed too.
        .layer(middleware::from_fn(crate::metrics::record_requests))
        .with_state(state)
}

/// The OpenAPI document of the API: served at `/v1/openapi.json`, printed by `casebook-hub
/// openapi`, linted in CI (`npm run lint:api`). Each path lists every status it can answer.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Casebook hub",
        description = "The sync protocol between Casebook clients and the hub (docs/protocol.md). \
            Every failure answers a status and `{code, message}`; an op the hub refuses is answered \
            per op, with a stable `code`, inside a 200."
    ),
    servers((
        url = "https://{hub}",
        description = "The hub your administrator runs. Clients refuse plain http except to this computer.",
        variables(("hub" = (default = "hub.example.org", description = "The hub's host name and port")))
    )),
    paths(
        enroll::enroll, push::push, pull::pull, pull::history, status, handover::handover, handover::recovered, purged::purged, sar::find_parties, sar::open,
        sar::list, sar::export, sar::extend, sar::close, openapi
    ),
    components(schemas(ErrorBody, ErrorCode, OpOutcome, OpResult)),
    tags(
        (name = "enrollment", description = "A one-time code from an admin, traded for a device token."),
        (name = "sync", description = "Push, pull and history: the op log of the caller's cases."),
        (name = "device", description = "Who this device is, as the hub sees it."),
        (name = "subject access", description = "A person's request for their data, answered by a coordinator."),
        (name = "meta", description = "This document."),
    ),
    modifiers(&BearerAuth, &OperationsDoc)
)]
pub struct ApiDoc;

/// Declares the device token as the `bearer` security scheme the paths refer to.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

#[utoipa::path(
    get, path = "/v1/openapi.json", operation_id = "openapi", tag = "meta",
    summary = "This OpenAPI document",
    description = "Needs neither a token nor the Casebook-Protocol header.",
    responses(
        (status = 200, description = "The OpenAPI 3.1 document", body = Object),
        crate::api::answers::TimedOut,
    ),
    security()
)]
async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

async fn not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound, "no such endpoint")
}

/// Every request names its protocol version; every answer names the hub's.
async fn require_version(req: Request, next: Next) -> Response {
    let version = req
        .headers()
        .get(PROTOCOL_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().parse::<u32>());
    let refusal = match version {
        None => Some(ApiError::bad_request(format!(
            "the {PROTOCOL_HEADER} header is missing"
        ))),
        Some(Err(_)) => Some(ApiError::bad_request(format!(
            "the {PROTOCOL_HEADER} header is not a number"
        ))),
        Some(Ok(v)) => match check_version(v) {
            VersionCheck::Accepted => None,
            VersionCheck::TooOld => Some(ApiError::new(
                ErrorCode::UpdateRequired,
                "this version of Casebook is too old for the hub; update it",
            )),
            VersionCheck::TooNew => Some(ApiError::new(
                ErrorCode::HubUpdateRequired,
                "this version of Casebook is too new for the hub; ask your admin to update the hub",
            )),
        },
    };
    let mut response = match refusal {
        Some(error) => error.into_response(),
        None => next.run(req).await,
    };
    response
        .headers_mut()
        .insert(PROTOCOL_HEADER, HeaderValue::from(PROTOCOL_VERSION));
    response
}

/// Records every refused request (a 4xx answer) in the audit trail: which endpoint, the code,
/// the client's address, and the device if its token was known. A path no route matches is
/// not recorded as sent, so a scanner cannot write its own text into the trail.
async fn record_refusals(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let caller = Caller::default();
    req.extensions_mut().insert(caller.clone());
    let path = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(no such endpoint)".to_owned(), |p| p.as_str().to_owned());
    let method: String = req.method().as_str().chars().take(16).collect();
    let client = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| {
            state
                .enroll_limiter
                .client_ip(addr.ip(), req.headers())
                .to_string()
        });
    let response = next.run(req).await;
    if !response.status().is_client_error() {
        return response;
    }
    let code = response.extensions().get::<ErrorCode>().copied();
    let mut event = AuditEvent::new(
        AuditAction::Refused,
        serde_json::json!({
            "method": method,
            "path": path,
            "status": response.status().as_u16(),
            "code": code,
            "client": client,
        }),
    );
    if let Some((user, device)) = caller.get() {
        event = event.by(user, Some(device));
    }
    if let Err(e) = state.audit.record(event).await {
        // The refusal delivered nothing: it is still answered, and the operator is told.
        tracing::error!(error = %e, "a refused request could not be recorded in the audit trail");
    }
    response
}

#[utoipa::path(
    get, path = "/v1/status", operation_id = "device_status", tag = "device",
    summary = "Who this device is, as the hub sees it",
    description = "Also a cheap check of the connection and the token.",
    params(("Casebook-Protocol" = u32, Header, description = "The client's protocol version")),
    responses(
        (status = 200, description = "The device, its user and the hub's protocol version", body = StatusResponse),
        (status = 400, description = "bad_request: a missing or non-numeric Casebook-Protocol header", body = ErrorBody),
        crate::api::answers::Unauthorized,
        crate::api::answers::DeviceRefused,
        crate::api::answers::OutsideProtocol,
        crate::api::answers::Failed,
        crate::api::answers::TimedOut,
    ),
    security(("bearer" = []))
)]
async fn status(authed: Authed) -> Result<Json<StatusResponse>, ApiError> {
    let device = authed.not_wiped()?;
    Ok(Json(StatusResponse {
        protocol_version: PROTOCOL_VERSION,
        device_id: device.id,
        device_name: device.name,
        user: device.user.info(),
        hub_time_ms: hub_time(),
    }))
}

pub(super) fn hub_time() -> u64 {
    u64::try_from(now_ms()).unwrap_or(0)
}
