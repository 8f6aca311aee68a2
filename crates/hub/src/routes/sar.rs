//! `/v1/sar`: subject access requests answered from a coordinator's app. The same steps as
//! `casebook-hub sar` (`crate::sar::steps`), so the answer is the same bytes; each call is an
//! audit entry `subject_access` by the coordinator and their device. Any other role is refused.

use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use base64::Engine;
use casebook_protocol::{
    ErrorBody, ErrorCode, Role, SarExportResponse, SarFindQuery, SarListResponse, SarOpenRequest,
    SarPartiesResponse, SarParty, SarRequestInfo,
};
use chrono::{Local, NaiveDate};

use super::hub_time;
use crate::api::{ApiError, ApiJson};
use crate::audit::{AuditAction, AuditEvent};
use crate::auth::Authed;
use crate::error::HubError;
use crate::sar::{self, days_left};
use crate::state::{AppState, now_ms};
use crate::storage::{DeviceRow, SarRequest};

/// The most party records one request may name: one person is a party in a handful of cases.
const MAX_PARTIES: usize = 100;

/// The longest name searched for, and the longest requester kept.
const MAX_TEXT: usize = 200;

/// The device, if its user is a coordinator: subject access reads every case's records.
fn coordinator(authed: Authed) -> Result<DeviceRow, ApiError> {
    let device = authed.not_wiped()?;
    if device.user.role != Role::Coordinator {
        return Err(ApiError::new(
            ErrorCode::NotCoordinator,
            "only a coordinator can answer a subject access request; ask your service's coordinator",
        ));
    }
    Ok(device)
}

/// The hub's today, as the command line takes it: deadlines are counted in its calendar.
fn today() -> NaiveDate {
    Local::now().date_naive()
}

/// A request as the wire shows it, with the days left from `today`.
fn info(r: &SarRequest, today: NaiveDate) -> SarRequestInfo {
    SarRequestInfo {
        reference: r.reference.clone(),
        parties: r.parties.clone(),
        cases: r.cases.clone(),
        received_on: r.received_on,
        due_on: r.due_on,
        days_left: days_left(today, r.due_on),
        extended: r.extended,
        requester: r.requester.clone(),
        opened_at_ms: r.opened_at_ms,
        exported_at_ms: r.exported_at_ms,
        closed_at_ms: r.closed_at_ms,
    }
}

/// Storage's refusals of a step in the app's terms: `unknown` for a request or party the hub
/// does not hold (its own words name the command line), a closed request a bad request;
/// anything else is the hub's failure.
fn step_refused(e: HubError, unknown: impl FnOnce() -> ApiError) -> ApiError {
    match e {
        HubError::NotHeldForSubjectAccess(_) => unknown(),
        HubError::SubjectAccess(message) => ApiError::bad_request(message),
        other => other.into(),
    }
}

fn no_request(given: &str) -> impl FnOnce() -> ApiError + '_ {
    move || {
        ApiError::new(
            ErrorCode::NotFound,
            format!(
                "no subject access request {:?} on this hub",
                given.chars().take(20).collect::<String>()
            ),
        )
    }
}

fn bad_reference(rejection: PathRejection) -> ApiError {
    ApiError::bad_request(format!(
        "the request reference is not readable: {}",
        rejection.body_text()
    ))
}

#[utoipa::path(
    get, path = "/v1/sar/parties", operation_id = "sar_find_parties", tag = "subject access",
    summary = "Find the party records that may be the person asking for their data",
    description = "Every party record, in any case, whose name contains `name` (letter case and extra spaces do not \
        matter), with its case's reference, role and phone, so the coordinator tells one person in several cases \
        from two people of one name. Coordinators only. Recorded in the audit trail (how many were found, never \
        the name asked for).",
    params(SarFindQuery, ("Casebook-Protocol" = u32, Header, description = "The client's protocol version")),
    responses(
        (status = 200, description = "The party records found", body = SarPartiesResponse),
        (status = 400, description = "bad_request: name missing, empty or longer than 200 characters, a missing or non-numeric Casebook-Protocol header", body = ErrorBody),
        crate::api::answers::Unauthorized,
        (status = 403, description = "not_coordinator: the user is not a coordinator; or device_revoked, device_wiped", body = ErrorBody),
        crate::api::answers::OutsideProtocol,
        crate::api::answers::Failed,
        crate::api::answers::TimedOut,
    ),
    security(("bearer" = []))
)]
pub(super) async fn find_parties(
    State(state): State<AppState>,
    authed: Authed,
    query: Result<Query<SarFindQuery>, QueryRejection>,
) -> Result<Json<SarPartiesResponse>, ApiError> {
    let device = coordinator(authed)?;
    let Query(query) = query.map_err(|_| ApiError::bad_request("give the name to look for: ?name=..."))?;
    let name = query.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > MAX_TEXT {
        return Err(ApiError::bad_request(format!(
            "the name must be 1 to {MAX_TEXT} characters"
        )));
    }
    let found = state.db(move |s| Ok(sar::find(&s.party_ops()?, &name))).await?;
    let event = AuditEvent::new(
        AuditAction::SubjectAccess,
        serde_json::json!({"step": "find", "found": found.len()}),
    )
    .by(device.user.id, Some(device.id))
    .about(found.iter().map(|c| c.case_id));
    state.audit.record(event).await?;
    tracing::info!(device = %device.id, found = found.len(), "subject access: parties found");
    let parties = found
        .into_iter()
        .map(|c| SarParty {
            party_id: c.party_id,
            case_id: c.case_id,
            reference: c.reference,
            name: c.name,
            role: c.role,
            phone: c.phone,
            minor: c.minor,
        })
        .collect();
    Ok(Json(SarPartiesResponse {
        parties,
        hub_time_ms: hub_time(),
    }))
}

#[utoipa::path(
    post, path = "/v1/sar", request_body = SarOpenRequest, operation_id = "sar_open", tag = "subject access",
    summary = "Open a subject access request for these party records",
    description = "Due one calendar month after the day received (the next working day if that is not one), as \
        `casebook-hub sar new`. The requester is kept in the register only. Coordinators only; recorded in the \
        audit trail with the party ids and dates.",
    params(("Casebook-Protocol" = u32, Header, description = "The client's protocol version")),
    responses(
        (status = 200, description = "The request opened (`SAR-n`) with its deadline", body = SarRequestInfo),
        (status = 400, description = "bad_request: malformed JSON, no party or more than 100, a party record the hub does not hold, a received date after today, a requester longer than 200 characters", body = ErrorBody),
        crate::api::answers::Unauthorized,
        (status = 403, description = "not_coordinator: the user is not a coordinator; or device_revoked, device_wiped", body = ErrorBody),
        crate::api::answers::TooLarge,
        crate::api::answers::OutsideProtocol,
        crate::api::answers::Failed,
        crate::api::answers::TimedOut,
    ),
    security(("bearer" = []))
)]
pub(super) async fn open(
    State(state): State<AppState>,
    authed: Authed,
    ApiJson(req): ApiJson<SarOpenRequest>,
) -> Result<Json<SarRequestInfo>, ApiError> {
    let device = coordinator(authed)?;
    let today = today();
    if req.parties.is_empty() || req.parties.len() > MAX_PARTIES {
        return Err(ApiError::bad_request(format!(
            "name 1 to {MAX_PARTIES} party records"
        )));
    }
    if req.received_on > today {
        return Err(ApiError::bad_request(
            "the request cannot be received after today",
        ));
    }
    let requester = req
        .requester
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    if requester.as_ref().is_some_and(|r| r.chars().count() > MAX_TEXT) {
        return Err(ApiError::bad_request(format!(
            "the requester must be at most {MAX_TEXT} characters"
        )));
    }
    let by = Some((device.user.id, device.id));
    let opened = state
        .db(move |s| s.open_sar(&req.parties, req.received_on, requester.as_deref(), by, now_ms()))
        .await
        .map_err(|e| {
            step_refused(e, || {
                ApiError::bad_request(
                    "a party record asked for is not on this hub (its case may have been erased); find the person again",
                )
            })
        })?;
    tracing::info!(device = %device.id, request = opened.id, "subject access request opened");
    Ok(Json(info(&opened, today)))
}

#[utoipa::path(
    get, path = "/v1/sar", operation_id = "sar_list", tag = "subject access",
    summary = "The open subject access requests, with their deadlines",
    description = "Oldest first: received, due, days left (negative once overdue), extended, when an answer was \
        last written. Coordinators only; recorded in the audit trail.",
    params(("Casebook-Protocol" = u32, Header, description = "The client's protocol version")),
    responses(
        (status = 200, description = "The register's open requests", body = SarListResponse),
        (status = 400, description = "bad_request: a missing or non-numeric Casebook-Protocol header", body = ErrorBody),
        crate::api::answers::Unauthorized,
        (status = 403, description = "not_coordinator: the user is not a coordinator; or device_revoked, device_wiped", body = ErrorBody),
        crate::api::answers::OutsideProtocol,
        crate::api::answers::Failed,
        crate::api::answers::TimedOut,
    ),
    security(("bearer" = []))
)]
pub(super) async fn list(
    State(state): State<AppState>,
    authed: Authed,
) -> Result<Json<SarListResponse>, ApiError> {
    let device = coordinator(authed)?;
    let today = today();
    let requests = state.db(|s| s.sar_requests(false)).await?;
    let event = AuditEvent::new(
        AuditAction::SubjectAccess,
        serde_json::json!({"step": "list", "requests": requests.len()}),
    )
    .by(device.user.id, Some(device.id))
    .about(requests.iter().flat_map(|r| r.cases.iter().copied()));
    state.audit.record(event).await?;
    Ok(Json(SarListResponse {
        requests: requests.iter().map(|r| info(r, today)).collect(),
        hub_time_ms: hub_time(),
    }))
}

#[utoipa::path(
    get, path = "/v1/sar/{reference}/export", operation_id = "sar_export", tag = "subject access",
    summary = "The answer to an open request: sar.json and sar.pdf",
    description = "Rebuilt from the ops the hub holds: the person's records, consents, contacts, meetings, \
        agreements and what staff wrote about the case, every other party's name replaced by \"another party\". \
        The same bytes `casebook-hub sar export` writes. Notes the answer as written; recorded in the audit trail \
        (the request and its cases, never what the answer holds).",
    params(
        ("reference" = String, Path, description = "The request: `SAR-3` or `3`"),
        ("Casebook-Protocol" = u32, Header, description = "The client's protocol version"),
    ),
    responses(
        (status = 200, description = "sar.json as text and sar.pdf as base64", body = SarExportResponse),
        (status = 400, description = "bad_request: the request is closed, a missing or non-numeric Casebook-Protocol header", body = ErrorBody),
        crate::api::answers::Unauthorized,
        (status = 403, description = "not_coordinator: the user is not a coordinator; or device_revoked, device_wiped", body = ErrorBody),
        (status = 404, description = "not_found: no such request", body = ErrorBody),
        crate::api::answers::OutsideProtocol,
        crate::api::answers::Failed,
        crate::api::answers::TimedOut,
    ),
    security(("bearer" = []))
)]
pub(super) async fn export(
    State(state): State<AppState>,
    authed: Authed,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<SarExportResponse>, ApiError> {
    let device = coordinator(authed)?;
    let Path(given) = path.map_err(bad_reference)?;
    let today = today();
    let by = Some((device.user.id, device.id));
    let asked = given.clone();
    let (request, files) = state
        .db(move |s| {
            let request = s.sar_request(&asked)?;
            let files = sar::answer_files(s, &request, today)?;
            s.sar_exported(&request, by, now_ms())?;
            Ok((s.sar_request(&asked)?, files))
        })
        .await
        .map_err(|e| step_refused(e, no_request(&given)))?;
    tracing::info!(device = %device.id, request = request.id, cases = files.cases, "subject access answer sent");
    Ok(Json(SarExportResponse {
        request: info(&request, today),
        json: String::from_utf8_lossy(&files.json).into_owned(),
        pdf_base64: base64::engine::general_purpose::STANDARD.encode(&files.pdf),
        hub_time_ms: hub_time(),
    }))
}

/// A change to an open request: extend it by two months, or close it.
#[derive(Debug, Clone, Copy)]
enum Change {
    Extend,
    Close,
}

async fn change(
    state: AppState,
    authed: Authed,
    path: Result<Path<String>, PathRejection>,
    change: Change,
) -> Result<Json<SarRequestInfo>, ApiError> {
    let device = coordinator(authed)?;
    let Path(given) = path.map_err(bad_reference)?;
    let today = today();
    let by = Some((device.user.id, device.id));
    let asked = given.clone();
    let changed = state
        .db(move |s| {
            let request = s.sar_request(&asked)?;
            match change {
                Change::Extend => s.extend_sar(&request, by, now_ms()),
                Change::Close => {
                    s.close_sar(&request, by, now_ms())?;
                    s.sar_request(&asked)
                }
            }
        })
        .await
        .map_err(|e| step_refused(e, no_request(&given)))?;
    tracing::info!(device = %device.id, request = changed.id, ?change, "subject access request changed");
    Ok(Json(info(&changed, today)))
}

#[utoipa::path(
    post, path = "/v1/sar/{reference}/extend", operation_id = "sar_extend", tag = "subject access",
    summary = "Extend a complex request: due three months after it was received",
    description = "As `casebook-hub sar extend`; tell the person within the first month, and why. Coordinators \
        only; recorded in the audit trail.",
    params(
        ("reference" = String, Path, description = "The request: `SAR-3` or `3`"),
        ("Casebook-Protocol" = u32, Header, description = "The client's protocol version"),
    ),
    responses(
        (status = 200, description = "The request with its new deadline", body = SarRequestInfo),
        (status = 400, description = "bad_request: the request is closed, a missing or non-numeric Casebook-Protocol header", body = ErrorBody),
        crate::api::answers::Unauthorized,
        (status = 403, description = "not_coordinator: the user is not a coordinator; or device_revoked, device_wiped", body = ErrorBody),
        (status = 404, description = "not_found: no such request", body = ErrorBody),
        crate::api::answers::OutsideProtocol,
        crate::api::answers::Failed,
        crate::api::answers::TimedOut,
    ),
    security(("bearer" = []))
)]
pub(super) async fn extend(
    State(state): State<AppState>,
    authed: Authed,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<SarRequestInfo>, ApiError> {
    change(state, authed, path, Change::Extend).await
}

#[utoipa::path(
    post, path = "/v1/sar/{reference}/close", operation_id = "sar_close", tag = "subject access",
    summary = "Close a request: answered, or withdrawn",
    description = "As `casebook-hub sar close`: it leaves the register's open requests and is not answered again. \
        Coordinators only; recorded in the audit trail.",
    params(
        ("reference" = String, Path, description = "The request: `SAR-3` or `3`"),
        ("Casebook-Protocol" = u32, Header, description = "The client's protocol version"),
    ),
    responses(
        (status = 200, description = "The request, closed", body = SarRequestInfo),
        (status = 400, description = "bad_request: the request is closed already, a missing or non-numeric Casebook-Protocol header", body = ErrorBody),
        crate::api::answers::Unauthorized,
        (status = 403, description = "not_coordinator: the user is not a coordinator; or device_revoked, device_wiped", body = ErrorBody),
        (status = 404, description = "not_found: no such request", body = ErrorBody),
        crate::api::answers::OutsideProtocol,
        crate::api::answers::Failed,
        crate::api::answers::TimedOut,
    ),
    security(("bearer" = []))
)]
pub(super) async fn close(
    State(state): State<AppState>,
    authed: Authed,
    path: Result<Path<String>, PathRejection>,
) -> Result<Json<SarRequestInfo>, ApiError> {
    change(state, authed, path, Change::Close).await
}
