//! The hub's HTTP API as typed calls. Every answer is checked: an error body becomes a typed
//! error, anything that is not the expected JSON is a `BadAnswer`, never a panic.

use std::time::Duration;

use casebook_domain::{CaseId, Op};
use casebook_protocol::{
    EnrollRequest, EnrollResponse, ErrorBody, ErrorCode, HistoryResponse, PROTOCOL_HEADER, PROTOCOL_VERSION,
    PullRequest, PullResponse, PushRequest, PushResponse, StatusResponse,
};
use casebook_store::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::SyncError;

/// A connection to one hub, with this device's token once enrolled.
#[derive(Clone)]
pub struct HubClient {
    http: reqwest::Client,
    base: String,
    token: Option<SecretString>,
}

impl std::fmt::Debug for HubClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubClient")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl HubClient {
    /// A client for the hub at `base` (e.g. `https://hub.example.org`).
    pub fn new(base: &str, token: Option<SecretString>, timeout: Duration) -> Result<Self, SyncError> {
        let base = base.trim().trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) || base.len() < 10 {
            return Err(SyncError::BadUrl { url: base });
        }
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("casebook/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SyncError::BadUrl {
                url: format!("{base} ({e})"),
            })?;
        Ok(Self { http, base, token })
    }

    /// The hub's base URL.
    pub fn url(&self) -> &str {
        &self.base
    }

    async fn call<B: Serialize, R: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<R, SyncError> {
        let url = format!("{}{path}", self.base);
        let mut req = self
            .http
            .request(method, &url)
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string());
        if let Some(token) = &self.token {
            req = req.bearer_auth(token.expose_secret());
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        let offline = |e: reqwest::Error| SyncError::Offline {
            url: self.base.clone(),
            detail: if e.is_timeout() {
                "it did not answer in time".into()
            } else if e.is_connect() {
                "the connection was refused or there is no network".into()
            } else {
                "the connection broke off".into()
            },
        };
        let resp = req.send().await.map_err(offline)?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(offline)?;
        let bad = |detail: String| SyncError::BadAnswer {
            url: self.base.clone(),
            detail,
        };
        if status.is_success() {
            return serde_json::from_slice(&bytes).map_err(|e| {
                bad(format!(
                    "HTTP {} with a body that is not the expected JSON: {e}",
                    status.as_u16()
                ))
            });
        }
        let Ok(err) = serde_json::from_slice::<ErrorBody>(&bytes) else {
            return Err(bad(format!(
                "HTTP {} without a Casebook error body",
                status.as_u16()
            )));
        };
        Err(match err.code {
            ErrorCode::UpdateRequired | ErrorCode::HubUpdateRequired => {
                SyncError::UpdateRequired(err.message)
            }
            ErrorCode::Unauthorized => SyncError::Unauthorized,
            ErrorCode::InvalidEnrollmentCode => SyncError::InvalidCode,
            ErrorCode::DeviceRevoked => SyncError::Revoked,
            ErrorCode::RateLimited => SyncError::RateLimited,
            other => SyncError::Hub {
                status: status.as_u16(),
                code: serde_json::to_value(other)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default(),
                message: err.message,
            },
        })
    }

    /// Exchanges a one-time code for a device token.
    pub async fn enroll(&self, code: &str, device_name: &str) -> Result<EnrollResponse, SyncError> {
        let body = EnrollRequest {
            code: code.to_owned(),
            device_name: device_name.to_owned(),
        };
        self.call(reqwest::Method::POST, "/v1/enroll", Some(&body)).await
    }

    /// Sends ops; the answer says, per op, whether the hub holds it.
    pub async fn push(&self, ops: Vec<Op>) -> Result<PushResponse, SyncError> {
        self.call(reqwest::Method::POST, "/v1/push", Some(&PushRequest { ops }))
            .await
    }

    /// Fetches ops after `cursor` for the cases in scope.
    pub async fn pull(&self, request: &PullRequest) -> Result<PullResponse, SyncError> {
        self.call(reqwest::Method::POST, "/v1/pull", Some(request)).await
    }

    /// Fetches one page of a case's whole history.
    pub async fn history(&self, case: CaseId, after: u64, limit: u32) -> Result<HistoryResponse, SyncError> {
        let path = format!("/v1/cases/{case}/history?after={after}&limit={limit}");
        self.call::<(), _>(reqwest::Method::GET, &path, None).await
    }

    /// Who this device is, as the hub sees it.
    pub async fn status(&self) -> Result<StatusResponse, SyncError> {
        self.call::<(), _>(reqwest::Method::GET, "/v1/status", None).await
    }
}
