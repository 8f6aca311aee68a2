//! The hub's HTTP API as typed calls. Every answer is checked: an error body becomes a typed
//! error, anything that is not the expected JSON is a `BadAnswer`, never a panic.

use std::time::Duration;

use casebook_domain::{CaseId, Op};
use casebook_protocol::messages::MAX_ANSWER_BYTES;
use casebook_protocol::{
    EnrollRequest, EnrollResponse, ErrorBody, ErrorCode, HandoverRequest, HandoverResponse, HistoryResponse,
    PROTOCOL_HEADER, PROTOCOL_VERSION, PullRequest, PullResponse, PushRequest, PushResponse,
    RecoveredRequest, RecoveredResponse, StatusResponse,
};
use casebook_store::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::SyncError;

/// Whether `url` names this computer: `localhost`, 127.0.0.0/8 or ::1.
fn is_loopback(url: &reqwest::Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let ip = host.trim_start_matches('[').trim_end_matches(']');
    ip.parse::<std::net::IpAddr>()
        .is_ok_and(|ip| ip.to_canonical().is_loopback())
}

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
    /// A client for the hub at `base` (e.g. `https://hub.example.org`). Plain `http://` is
    /// refused before any connection unless the hub is on this computer: the token and the case
    /// data would cross the network in clear.
    pub fn new(base: &str, token: Option<SecretString>, timeout: Duration) -> Result<Self, SyncError> {
        let base = base.trim().trim_end_matches('/').to_owned();
        let url = reqwest::Url::parse(&base).map_err(|_| SyncError::BadUrl { url: base.clone() })?;
        if url.host_str().is_none_or(str::is_empty) {
            return Err(SyncError::BadUrl { url: base });
        }
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(&url) => {}
            "http" => {
                let mut https = url.clone();
                let https = match https.set_scheme("https") {
                    Ok(()) => https.as_str().trim_end_matches('/').to_owned(),
                    Err(()) => "https://…".to_owned(),
                };
                return Err(SyncError::InsecureUrl { url: base, https });
            }
            _ => return Err(SyncError::BadUrl { url: base }),
        }
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            // A redirect could take the token elsewhere, or from https to http.
            .redirect(reqwest::redirect::Policy::none())
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

    pub(crate) async fn call<B: Serialize, R: DeserializeOwned>(
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
        let mut resp = req.send().await.map_err(offline)?;
        let status = resp.status();
        let bad = |detail: String| SyncError::BadAnswer {
            url: self.base.clone(),
            detail,
        };
        if status.is_redirection() {
            let to = resp
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map_or_else(|| "another address".to_owned(), |l| l.chars().take(200).collect());
            return Err(bad(format!(
                "it answered with a redirect to {to}; Casebook does not follow redirects"
            )));
        }
        let too_large = || {
            bad(format!(
                "its answer is larger than {} MiB, the most Casebook reads",
                MAX_ANSWER_BYTES / (1024 * 1024)
            ))
        };
        if resp.content_length().is_some_and(|n| n > MAX_ANSWER_BYTES as u64) {
            return Err(too_large());
        }
        // Read in chunks and stop past the cap: a hub that never stops talking cannot fill memory.
        let mut bytes = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(offline)? {
            if bytes.len() + chunk.len() > MAX_ANSWER_BYTES {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
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
            ErrorCode::NotCoordinator => SyncError::NotCoordinator,
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

    /// Asks the hub for a handover receipt for `op_ids`.
    pub async fn handover(&self, op_ids: Vec<casebook_domain::OpId>) -> Result<HandoverResponse, SyncError> {
        self.call(
            reqwest::Method::POST,
            "/v1/handover",
            Some(&HandoverRequest { op_ids }),
        )
        .await
    }

    /// Tells the hub this store was opened with the recovery key at `at_ms`.
    pub async fn recovered(&self, at_ms: u64) -> Result<RecoveredResponse, SyncError> {
        let body = RecoveredRequest {
            recovered_at_ms: at_ms,
        };
        self.call(reqwest::Method::POST, "/v1/recovered", Some(&body))
            .await
    }

    /// Tells the hub which purge orders this store carried out.
    pub async fn purged(
        &self,
        purged: Vec<casebook_protocol::PurgeConfirmation>,
    ) -> Result<casebook_protocol::PurgedResponse, SyncError> {
        let body = casebook_protocol::PurgedRequest { purged };
        self.call(reqwest::Method::POST, "/v1/purged", Some(&body)).await
    }

    /// Who this device is, as the hub sees it.
    pub async fn status(&self) -> Result<StatusResponse, SyncError> {
        self.call::<(), _>(reqwest::Method::GET, "/v1/status", None).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(url: &str) -> Result<HubClient, SyncError> {
        HubClient::new(url, None, Duration::from_secs(1))
    }

    #[test]
    fn plain_http_is_only_for_this_computer() {
        for url in [
            "http://127.0.0.1:8080",
            "http://127.8.9.1",
            "http://localhost:3000/",
            "http://LOCALHOST",
            "http://[::1]:8443",
            "https://hub.example.org",
            "https://10.0.0.5:8443",
        ] {
            assert!(client(url).is_ok(), "{url}");
        }
        for url in [
            "http://hub.example.org",
            "http://10.0.0.5:8443",
            "http://[2001:db8::1]",
            "http://localhost.example.org",
            "http://0.0.0.0:8443",
        ] {
            let err = client(url).expect_err(url);
            assert!(matches!(err, SyncError::InsecureUrl { .. }), "{url}: {err:?}");
            assert!(!err.is_transient());
        }
        let err = client("http://hub.example.org:8443/casebook/").expect_err("plain http");
        let text = err.to_string();
        assert!(
            text.contains("https://hub.example.org:8443/casebook") && text.contains("in clear"),
            "{text}"
        );
    }

    #[test]
    fn what_is_not_a_hub_address_says_so() {
        for url in ["", "hub.example.org", "ftp://hub.example.org", "https://"] {
            assert!(matches!(client(url), Err(SyncError::BadUrl { .. })), "{url:?}");
        }
    }
}
