//! `POST /v1/pull` and `GET /v1/cases/{case_id}/history`: the ops of the caller's cases.

use axum::Json;
use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use casebook_domain::CaseId;
use casebook_protocol::messages::page_limit;
use casebook_protocol::{ErrorBody, ErrorCode, HistoryQuery, HistoryResponse, PullRequest, PullResponse};

use crate::api::{ApiError, ApiJson};
use crate::audit::{AuditAction, AuditEvent};
use crate::auth::Authed;
use crate::state::AppState;
use crate::storage::OwnOps;

use super::hub_time;

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
pub(super) async fn pull(
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
pub(super) async fn history(
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
