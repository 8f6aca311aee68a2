//! How the HTTP edge answers failures: a status and a `{code, message}` body, and a JSON
//! extractor whose rejections take the same shape.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use casebook_protocol::{ErrorBody, ErrorCode};
use serde::de::DeserializeOwned;

use crate::error::HubError;

/// An error answer: the code decides the status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError(pub ErrorBody);

impl ApiError {
    /// An error with `code` and a message for people.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self(ErrorBody {
            code,
            message: message.into(),
        })
    }

    /// A malformed request.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::BadRequest, message)
    }
}

impl From<HubError> for ApiError {
    fn from(e: HubError) -> Self {
        // The detail goes to the operator's log; the client only learns that it may retry.
        tracing::error!(error = %e, "request failed");
        Self::new(ErrorCode::Internal, "the hub failed to answer; try again later")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let code = self.0.code;
        let mut response = (status, Json(self.0)).into_response();
        // For the audit of refusals, which sees only the response.
        response.extensions_mut().insert(code);
        response
    }
}

/// `Json<T>` whose rejections are `{code, message}`: 413 for a body too large, else 400.
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(json_rejection(&rejection)),
        }
    }
}

fn json_rejection(rejection: &JsonRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::new(
            ErrorCode::PayloadTooLarge,
            "the request body is too large; send smaller batches",
        );
    }
    match rejection {
        JsonRejection::MissingJsonContentType(_) => {
            ApiError::bad_request("the request must have Content-Type: application/json")
        }
        // serde's text says which field is wrong; it goes back only to the sender, never to the log.
        JsonRejection::JsonDataError(e) => {
            ApiError::bad_request(format!("the body has the wrong shape: {}", e.body_text()))
        }
        _ => ApiError::bad_request("the body is not valid JSON"),
    }
}

/// The OpenAPI document's error answers that many routes share, each said once. They are never
/// built: [`ApiError`] makes the real answers; these only describe them to `utoipa::path`.
pub mod answers {
    use casebook_protocol::ErrorBody;
    use utoipa::IntoResponses;

    /// 401 on every route that needs a token.
    #[derive(IntoResponses)]
    #[response(
        status = 401,
        description = "unauthorized: no token, or one the hub does not know; enroll again"
    )]
    pub struct Unauthorized(pub ErrorBody);

    /// 403 on the routes a revoked device may not use at all.
    #[derive(IntoResponses)]
    #[response(
        status = 403,
        description = "device_revoked; or device_wiped: revoked with a wipe, push once then erase the store"
    )]
    pub struct DeviceRefused(pub ErrorBody);

    /// 413 on every route with a body.
    #[derive(IntoResponses)]
    #[response(
        status = 413,
        description = "payload_too_large: the body is over the hub's limit (16 MiB by default)"
    )]
    pub struct TooLarge(pub ErrorBody);

    /// 426 on every route behind the protocol check.
    #[derive(IntoResponses)]
    #[response(
        status = 426,
        description = "update_required or hub_update_required: the client's protocol version is outside the hub's window"
    )]
    pub struct OutsideProtocol(pub ErrorBody);

    /// 500 on every route that reads or writes the database.
    #[derive(IntoResponses)]
    #[response(status = 500, description = "internal: the hub failed; retry later")]
    pub struct Failed(pub ErrorBody);

    /// 503 on every route the time limit wraps.
    #[derive(IntoResponses)]
    #[response(
        status = 503,
        description = "internal: not answered within the hub's time limit (60 s by default); retry later",
        headers(("Retry-After" = u32, description = "Seconds to wait before retrying"))
    )]
    pub struct TimedOut(pub ErrorBody);
}
