//! `GET /healthz` (the process answers) and `GET /readyz` (its database answers a trivial
//! query in time, with this hub's schema): for load balancers, systemd and container
//! orchestrators. No token, no protocol header, no data.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use casebook_protocol::{ErrorBody, ErrorCode};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use crate::state::AppState;
use crate::storage::Readiness;

/// How long `/readyz` waits for the database before it answers "not ready".
pub const READY_LIMIT: Duration = Duration::from_secs(2);

/// The operations endpoints: `/healthz`, `/readyz` and `/metrics`, outside `/v1` since they
/// are for the operator's tools, not for Casebook clients.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(crate::metrics::metrics_text))
}

/// The operations endpoints' part of the OpenAPI document.
#[derive(OpenApi)]
#[openapi(
    paths(healthz, readyz, crate::metrics::metrics_text),
    components(schemas(Health)),
    tags((name = "operations", description = "Liveness, readiness and metrics, for the operator's tools. No device token, no data."))
)]
pub struct OperationsDoc;

impl utoipa::Modify for OperationsDoc {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        openapi.merge(Self::openapi());
        // The operator's own token for `/metrics`, not a device's.
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "metrics_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "The hub's metrics token (--metrics-token-file), when it was started with one",
                    ))
                    .build(),
            ),
        );
    }
}

/// The answer of `/healthz` and of a ready `/readyz`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok`: anything else is answered with a status and `{code, message}`.
    pub status: &'static str,
}

/// `GET /healthz`: the process is alive and serving HTTP.
#[utoipa::path(
    get, path = "/healthz", operation_id = "healthz", tag = "operations",
    summary = "Liveness: the hub process answers",
    description = "Needs neither a token nor the Casebook-Protocol header. Touches no data.",
    responses(
        (status = 200, description = "Alive", body = Health),
        (status = 503, description = "internal: not answered within the hub's time limit (60 s by default)", body = ErrorBody,
            headers(("Retry-After" = u32, description = "Seconds to wait before retrying"))),
    ),
    security()
)]
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// `GET /readyz`: the database answers within [`READY_LIMIT`] and its migrations are applied.
#[utoipa::path(
    get, path = "/readyz", operation_id = "readyz", tag = "operations",
    summary = "Readiness: the database answers and its schema is this hub's",
    description = "Needs neither a token nor the Casebook-Protocol header. Asks the database one trivial \
        question (its newest migration) on a read connection and waits at most 2 s.",
    responses(
        (status = 200, description = "Ready to serve", body = Health),
        (status = 503, description = "internal: not ready (the database did not answer within 2 s, failed, or its schema is not \
            this hub's), or not answered within the hub's time limit", body = ErrorBody),
    ),
    security()
)]
pub async fn readyz(State(state): State<AppState>) -> Response {
    let reason = match tokio::time::timeout(READY_LIMIT, state.read(|r| r.readiness())).await {
        Ok(Ok(Readiness::Ready)) => return Json(Health { status: "ok" }).into_response(),
        Ok(Ok(Readiness::SchemaBehind { found, expected })) => {
            format!("the database's schema is at migration {found}, this hub needs {expected}")
        }
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "readiness check failed");
            "the database did not answer the readiness query".to_owned()
        }
        Err(_) => format!("the database did not answer within {} s", READY_LIMIT.as_secs()),
    };
    let body = ErrorBody {
        code: ErrorCode::Internal,
        message: format!("not ready: {reason}"),
    };
    let mut response = (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response();
    response.extensions_mut().insert(ErrorCode::Internal);
    response
}
