//! The HTTP API: the router, the protocol-version check, the handlers and the OpenAPI document
//! generated from them.

mod handover;
mod purged;
mod sar;

use std::net::SocketAddr;

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{ConnectInfo, DefaultBodyLimit, MatchedPath, Path, Query, Request, State};
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use casebook_domain::{CaseId, Op, OpId};
use casebook_protocol::messages::page_limit;
use casebook_protocol::{
    EnrollRequest, EnrollResponse, ErrorBody, ErrorCode, HistoryQuery, HistoryResponse, MAX_PUSH_OPS,
    OpOutcome, OpResult, PROTOCOL_HEADER, PROTOCOL_VERSION, PullRequest, PullResponse, PushRequest,
    PushResponse, StatusResponse, VersionCheck, check_version,
};
use serde::Deserialize;
use utoipa::OpenApi;

use crate::api::{ApiError, ApiJson};
use crate::audit::{AuditAction, AuditEvent};
use crate::auth::{Authed, Caller, new_token, token_hash};
use crate::enroll::code_hash;
use crate::health::OperationsDoc;
use crate::state::{AppState, now_ms};
use crate::storage::OwnOps;

/// The hub's API, ready to serve: bodies up to `max_body_bytes`, answers within
/// `request_timeout` (else 503).
pub fn router(state: AppState, max_body_bytes: usize, request_timeout: std::time::Duration) -> Router {
    crate::metrics::install();
    let v1 = Router::new()
        .route(
            "/v1/enroll",
            post(enroll).layer(middleware::from_fn_with_state(state.clone(), limit_enroll)),
        )
        .route("/v1/push", post(push))
        .route("/v1/pull", post(pull))
        .route("/v1/cases/{case_id}/history", get(history))
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
        enroll, push, pull, history, status, handover::handover, handover::recovered, purged::purged, sar::find_parties, sar::open,
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

/// Counts enrollment attempts before the body is even read, so garbage counts too.
async fn limit_enroll(
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
async fn enroll(
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

/// The push body as the hub reads it: each op is parsed on its own, so one op this hub cannot
/// read is rejected without failing the ops around it.
#[derive(Deserialize)]
struct RawPush {
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
async fn push(
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

#[utoipa::path(
    post, path = "/v1/pull", request_body = PullRequest, operation_id = "pull", tag = "sync",
    summary = "Receive the ops of the caller's cases after a cursor",
    description = "A page ends at `limit` ops (at most 5000) or at 4 MiB of op JSON, whichever comes first, \
        and holds at least one op; `more` says another page waits. Also says which held cases left \
        the caller's scope and which new ones need their history fetched, and, when asked \
        (`count_remaining`), how many ops follow the page.",
    params(("Casebook-Protocol" = u32, Header, description = "The client's protocol version")),
    responses(
        (status = 200, description = "One page of ops, the scope changes and the caller's team directory", body = PullResponse),
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
async fn pull(
    State(state): State<AppState>,
    authed: Authed,
    ApiJson(req): ApiJson<PullRequest>,
) -> Result<Json<PullResponse>, ApiError> {
    let device = authed.not_wiped()?;
    let (device_id, viewer, limit) = (device.id, device.user.viewer(), page_limit(req.limit));
    let (user_id, cursor) = (device.user.id, req.cursor);
    let own = req.own_ops_held.map(|held| OwnOps {
        device: device_id,
        held,
    });
    let (page, purges, remaining) = state
        .read(move |r| {
            let page = r.pull(&viewer, req.cursor, &req.held_cases, limit, own)?;
            // Asked on a round's first page only (a read of the op index over the caller's
            // cases); nothing follows a last page.
            let remaining = match (req.count_remaining, page.more) {
                (false, _) => None,
                (true, false) => Some(0),
                (true, true) => Some(r.remaining(&viewer, page.next_cursor)?),
            };
            Ok((page, r.pending_purges(device_id)?, remaining))
        })
        .await?;
    // A pull that delivers nothing and changes no scope tells nobody anything: not recorded.
    if !(page.ops.is_empty() && page.cases_added.is_empty() && page.cases_removed.is_empty()) {
        let event = AuditEvent::new(
            AuditAction::Pull,
            serde_json::json!({
                "cursor": cursor,
                "next_cursor": page.next_cursor,
                "ops": page.ops.len(),
                "cases_added": page.cases_added,
                "cases_removed": page.cases_removed,
            }),
        )
        .by(user_id, Some(device_id))
        .about(page.ops.iter().map(|o| o.op.case_id));
        state.audit.record(event).await?;
    }
    crate::metrics::pulled("pull", page.ops.len());
    tracing::info!(device = %device_id, ops = page.ops.len(), next_cursor = page.next_cursor, "pull");
    Ok(Json(PullResponse {
        ops: page.ops,
        next_cursor: page.next_cursor,
        more: page.more,
        cases_added: page.cases_added,
        cases_removed: page.cases_removed,
        people: page.people,
        purges,
        remaining,
        hub_time_ms: hub_time(),
    }))
}

#[utoipa::path(
    get, path = "/v1/cases/{case_id}/history", operation_id = "case_history", tag = "sync",
    summary = "One case's whole history, page by page",
    description = "For a case newly in the caller's scope (`cases_added` of a pull). Pages end as pull pages do.",
    params(
        ("case_id" = String, Path, description = "The case"),
        HistoryQuery,
        ("Casebook-Protocol" = u32, Header, description = "The client's protocol version"),
    ),
    responses(
        (status = 200, description = "One page of the case's ops", body = HistoryResponse),
        (status = 400, description = "bad_request: the case id is not a UUID, after or limit is not a number, a missing or non-numeric Casebook-Protocol header", body = ErrorBody),
        crate::api::answers::Unauthorized,
        crate::api::answers::DeviceRefused,
        (status = 404, description = "not_found: no such case in the caller's scope (out of scope and missing look the same)", body = ErrorBody),
        crate::api::answers::OutsideProtocol,
        crate::api::answers::Failed,
        crate::api::answers::TimedOut,
    ),
    security(("bearer" = []))
)]
async fn history(
    State(state): State<AppState>,
    authed: Authed,
    path: Result<Path<CaseId>, PathRejection>,
    query: Result<Query<HistoryQuery>, QueryRejection>,
) -> Result<Json<HistoryResponse>, ApiError> {
    let device = authed.not_wiped()?;
    let Path(case_id) = path.map_err(|_| ApiError::bad_request("the case id is not a UUID"))?;
    let Query(query) = query.map_err(|_| ApiError::bad_request("after and limit must be numbers"))?;
    let (viewer, limit, after) = (device.user.viewer(), page_limit(query.limit), query.after);
    let page = state
        .read(move |r| r.history(&viewer, case_id, after, limit))
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, "no such case in your scope"))?;
    let event = AuditEvent::new(
        AuditAction::History,
        serde_json::json!({"after": after, "next_after": page.next_after, "ops": page.ops.len()}),
    )
    .by(device.user.id, Some(device.id))
    .about([case_id]);
    state.audit.record(event).await?;
    crate::metrics::pulled("history", page.ops.len());
    Ok(Json(HistoryResponse {
        case_id,
        ops: page.ops,
        next_after: page.next_after,
        more: page.more,
        hub_time_ms: hub_time(),
    }))
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
