//! The bench's one HTTP client, shared by every laptop, and what a failed request counts as.

use std::time::Duration;

use casebook_protocol::{PROTOCOL_HEADER, PROTOCOL_VERSION};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// How long one request may take: longer than the hub's own limit (60 s), so a slow answer is
/// the hub's 503 rather than the bench giving up.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(90);

/// The bench's one HTTP client, shared by every laptop (its connection pool too).
#[derive(Clone)]
pub(super) struct Api {
    http: reqwest::Client,
}

/// Why a request failed, as the report counts it.
#[derive(Debug)]
pub(super) struct Failure(pub String);

impl Api {
    /// A client with no proxy from the environment and [`REQUEST_TIMEOUT`].
    pub fn new() -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .no_proxy()
            .timeout(REQUEST_TIMEOUT)
            .build()?;
        Ok(Self { http })
    }

    /// `POST hub+path` as the laptop at `client` (the address the TLS proxy would name), with
    /// its token if it has one; the answer parsed, or the kind of failure.
    pub async fn post<T: DeserializeOwned>(
        &self,
        hub: &str,
        path: &str,
        token: Option<&str>,
        client: &str,
        body: &impl Serialize,
    ) -> Result<T, Failure> {
        let mut req = self
            .http
            .post(format!("{hub}{path}"))
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION)
            .header("x-forwarded-for", client)
            .json(body);
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        let answer = req.send().await.map_err(transport)?;
        let status = answer.status();
        let bytes = answer.bytes().await.map_err(transport)?;
        if !status.is_success() {
            // The hub's `{code, message}`: the code names the kind; the message may quote input.
            let code = serde_json::from_slice::<serde_json::Value>(&bytes)
                .ok()
                .and_then(|v| v["code"].as_str().map(str::to_owned))
                .unwrap_or_default();
            return Err(Failure(format!("HTTP {} {code}", status.as_u16())));
        }
        serde_json::from_slice(&bytes).map_err(|_| Failure(format!("unreadable answer to {path}")))
    }
}

/// The kind of a transport failure, without the URL or the details of the moment.
fn transport(e: reqwest::Error) -> Failure {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connect"
    } else if e.is_body() || e.is_decode() {
        "body"
    } else {
        "other"
    };
    Failure(format!("transport: {kind}"))
}
