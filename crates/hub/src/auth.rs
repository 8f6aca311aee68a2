//! Device tokens: issued at enrollment, stored only as hashes, checked on every request.

use std::sync::{Arc, Mutex};

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use casebook_domain::{DeviceId, UserId};
use casebook_protocol::ErrorCode;
use sha2::{Digest, Sha256};

use crate::api::ApiError;
use crate::error::HubError;
use crate::state::{AppState, now_ms};
use crate::storage::DeviceRow;

/// A fresh bearer token: 32 random bytes, hex.
pub fn new_token() -> Result<String, HubError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| HubError::Randomness(e.to_string()))?;
    Ok(hex::encode(bytes))
}

/// The hash under which a token is stored.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Who made a request, once its token is known: filled in by [`Authed`], read by the audit of
/// refusals after the handler has answered (a request's extensions do not come back with the
/// response, so the middleware hands this slot in and keeps a clone).
#[derive(Debug, Clone, Default)]
pub struct Caller(Arc<Mutex<Option<(UserId, DeviceId)>>>);

impl Caller {
    /// The user and device, if a known token was presented.
    pub fn get(&self) -> Option<(UserId, DeviceId)> {
        *self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn set(&self, user: UserId, device: DeviceId) {
        *self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some((user, device));
    }
}

/// A device that presented a known token and was not plainly revoked. A device revoked with
/// a wipe gets through, so that its last push is not lost; each handler decides the rest.
#[derive(Debug, Clone)]
pub struct Authed(pub DeviceRow);

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(unauthorized)?;
        let hash = token_hash(token);
        let device = state
            .authenticate(hash, now_ms())
            .await?
            .ok_or_else(unauthorized)?;
        if let Some(caller) = parts.extensions.get::<Caller>() {
            caller.set(device.user.id, device.id);
        }
        if device.revoked && !device.wipe {
            return Err(ApiError::new(
                ErrorCode::DeviceRevoked,
                "this device was revoked by an admin; it can no longer sync",
            ));
        }
        Ok(Self(device))
    }
}

impl Authed {
    /// Refuses a device told to wipe: everything but its last push.
    pub fn not_wiped(self) -> Result<DeviceRow, ApiError> {
        if self.0.wipe {
            return Err(wiped());
        }
        Ok(self.0)
    }
}

/// The answer to a device that must erase its store.
pub fn wiped() -> ApiError {
    ApiError::new(
        ErrorCode::DeviceWiped,
        "this device was revoked and must erase its Casebook data; push what is pending, then wipe",
    )
}

fn unauthorized() -> ApiError {
    ApiError::new(
        ErrorCode::Unauthorized,
        "a valid device token is required; enroll this device again",
    )
}
