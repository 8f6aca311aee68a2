//! The error body every failed request answers with: a stable code the client acts on and a
//! message a person can read.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Stable, snake_case error codes. Frozen once released: add, never rename.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The client's protocol version is older than the hub accepts (HTTP 426).
    UpdateRequired,
    /// The client's protocol version is newer than the hub understands (HTTP 426).
    HubUpdateRequired,
    /// No token, or a token the hub does not know (HTTP 401).
    Unauthorized,
    /// The enrollment code is unknown, already used or expired (HTTP 401).
    InvalidEnrollmentCode,
    /// The device was revoked; it must stop syncing (HTTP 403).
    DeviceRevoked,
    /// The device was revoked with a wipe: push what is pending, then erase the store (HTTP 403).
    DeviceWiped,
    /// The request is malformed: bad JSON, wrong types, a missing header (HTTP 400).
    BadRequest,
    /// The body is larger than the hub accepts (HTTP 413).
    PayloadTooLarge,
    /// Too many attempts from this address; wait and retry (HTTP 429).
    RateLimited,
    /// No such thing, or not in the caller's scope (HTTP 404).
    NotFound,
    /// The hub failed; the request may be retried (HTTP 500).
    Internal,
    /// Only a coordinator may do this: answer a subject access request (HTTP 403).
    NotCoordinator,
}

impl ErrorCode {
    /// The HTTP status the hub answers with for this code.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::UpdateRequired | ErrorCode::HubUpdateRequired => 426,
            ErrorCode::Unauthorized | ErrorCode::InvalidEnrollmentCode => 401,
            ErrorCode::DeviceRevoked | ErrorCode::DeviceWiped | ErrorCode::NotCoordinator => 403,
            ErrorCode::BadRequest => 400,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::RateLimited => 429,
            ErrorCode::NotFound => 404,
            ErrorCode::Internal => 500,
        }
    }
}

/// The JSON body of every error answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong, for the program.
    pub code: ErrorCode,
    /// What went wrong and what to do next, for a person.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_are_frozen_snake_case() {
        let cases = [
            (ErrorCode::UpdateRequired, "update_required"),
            (ErrorCode::HubUpdateRequired, "hub_update_required"),
            (ErrorCode::Unauthorized, "unauthorized"),
            (ErrorCode::InvalidEnrollmentCode, "invalid_enrollment_code"),
            (ErrorCode::DeviceRevoked, "device_revoked"),
            (ErrorCode::DeviceWiped, "device_wiped"),
            (ErrorCode::BadRequest, "bad_request"),
            (ErrorCode::PayloadTooLarge, "payload_too_large"),
            (ErrorCode::RateLimited, "rate_limited"),
            (ErrorCode::NotFound, "not_found"),
            (ErrorCode::Internal, "internal"),
            (ErrorCode::NotCoordinator, "not_coordinator"),
        ];
        for (code, name) in cases {
            let body = ErrorBody {
                code,
                message: "m".into(),
            };
            let json = serde_json::to_value(&body).expect("json");
            assert_eq!(json, serde_json::json!({"code": name, "message": "m"}));
            assert_eq!(serde_json::from_value::<ErrorBody>(json).expect("parse"), body);
        }
    }
}
