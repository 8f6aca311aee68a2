//! The hub's metrics: one process-wide Prometheus recorder, the middleware that counts and
//! times every request, the counters the handlers move (ops pushed and pulled), and
//! `GET /metrics`, which renders them as Prometheus text.
//!
//! Labels are closed sets only (the route's pattern, never the path sent; status; error and
//! refusal codes), so nothing a client sends becomes a label and no case data is ever a metric.
//! The counts still say how busy the service is and who is refused: started with a
//! [`MetricsToken`], the hub answers `/metrics` only to a scraper that bears it.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use casebook_protocol::{ErrorBody, ErrorCode, OpOutcome, OpResult};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::api::ApiError;
use crate::error::HubError;
use crate::state::{AppState, now_ms};

/// Requests answered, by endpoint pattern, method and status.
pub const REQUESTS: &str = "casebook_hub_http_requests_total";
/// How long requests took, by endpoint pattern and method, in seconds.
pub const LATENCY: &str = "casebook_hub_http_request_duration_seconds";
/// Requests refused or failed (4xx and 5xx), by the error code answered.
pub const REFUSALS: &str = "casebook_hub_refusals_total";
/// Pushed ops, by outcome (`accepted`, `already_held`, `quarantined`, `rejected`).
pub const OPS_PUSHED: &str = "casebook_hub_ops_pushed_total";
/// Pushed ops the hub refused, by refusal code (`role_may_not`, `unreadable`, ...).
pub const OPS_REJECTED: &str = "casebook_hub_ops_rejected_total";
/// Ops delivered, by how (`pull` or `history`).
pub const OPS_PULLED: &str = "casebook_hub_ops_pulled_total";
/// Distinct devices that reached the hub in the last 24 hours (read at each scrape).
pub const DEVICES_SEEN: &str = "casebook_hub_devices_seen_24h";

/// The shortest `/metrics` token accepted: 24 characters of a random hex string are 96 bits.
pub const MIN_TOKEN_LEN: usize = 24;

/// The bearer token `GET /metrics` asks for when the hub is started with one. `Debug` never
/// shows it, and the text is wiped from memory when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct MetricsToken(Zeroizing<String>);

impl std::fmt::Debug for MetricsToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MetricsToken(..)")
    }
}

impl MetricsToken {
    /// The token in `text` (a file's first line, or `CASEBOOK_HUB_METRICS_TOKEN`), surrounding
    /// white space ignored; refused if short or if it holds what a bearer token may not
    /// (RFC 6750: letters, digits and `-._~+/=`).
    pub fn new(text: &str) -> Result<Self, HubError> {
        let text = text.trim();
        let allowed = |b: u8| b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b);
        if text.len() < MIN_TOKEN_LEN || !text.bytes().all(allowed) {
            return Err(HubError::BadMetricsToken);
        }
        Ok(Self(Zeroizing::new(text.to_owned())))
    }

    /// Whether an `Authorization` header value bears this token. The comparison takes as long
    /// whichever byte differs, so timing does not spell the token out.
    pub fn admits(&self, authorization: Option<&HeaderValue>) -> bool {
        let Some((scheme, given)) = authorization
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().split_once(' '))
        else {
            return false;
        };
        scheme.eq_ignore_ascii_case("bearer") && bool::from(given.trim().as_bytes().ct_eq(self.0.as_bytes()))
    }
}

/// Latency buckets, in seconds: from a token check to the 60 s request limit.
const BUCKETS: &[f64] = &[
    0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

/// How often histograms are drained into their buckets even if nobody scrapes.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

/// A scrape does not wait longer than this for the device count; it then shows the last one.
const DEVICES_QUERY_LIMIT: Duration = Duration::from_secs(2);

/// The recorder's handle. The `metrics` macros write to one global recorder, so there is one
/// per process, installed by the first hub that starts (several in-process test hubs share it).
fn handle() -> &'static PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE.get_or_init(|| {
        // Only an empty bucket list is refused; fall back to summaries rather than fail.
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(LATENCY.to_owned()), BUCKETS)
            .unwrap_or_else(|_| PrometheusBuilder::new())
            .build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder is installed; /metrics will stay empty");
        }
        describe();
        let upkeep = handle.clone();
        let spawned = std::thread::Builder::new()
            .name("metrics-upkeep".to_owned())
            .spawn(move || {
                loop {
                    std::thread::sleep(UPKEEP_EVERY);
                    upkeep.run_upkeep();
                }
            });
        if spawned.is_err() {
            // Rendering drains the histograms too; without the thread they drain at each scrape.
            tracing::warn!("could not start the metrics upkeep thread");
        }
        handle
    })
}

/// Installs the recorder if this is the process's first hub; call it when a hub starts, so
/// that the first scrape already lists every metric.
pub fn install() {
    let _ = handle();
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        REQUESTS,
        "Requests answered, by endpoint pattern, method and status"
    );
    describe_histogram!(
        LATENCY,
        Unit::Seconds,
        "Time to answer a request, by endpoint pattern"
    );
    describe_counter!(REFUSALS, "Requests answered 4xx or 5xx, by error code");
    describe_counter!(OPS_PUSHED, "Pushed ops, by outcome");
    describe_counter!(OPS_REJECTED, "Pushed ops refused, by refusal code");
    describe_counter!(OPS_PULLED, "Ops delivered, by pull or history");
    describe_gauge!(
        DEVICES_SEEN,
        "Distinct devices that reached the hub in the last 24 hours"
    );
}

/// Counts and times every request by its route's pattern, and every failed one by its code.
pub async fn record_requests(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let endpoint = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(no such endpoint)".to_owned(), |p| p.as_str().to_owned());
    let method = match req.method().as_str() {
        "GET" => "GET",
        "POST" => "POST",
        "HEAD" => "HEAD",
        "OPTIONS" => "OPTIONS",
        // Nothing else is routed: one label for the rest, whatever a client sends.
        _ => "other",
    };
    let response = next.run(req).await;
    let status = response.status();
    metrics::counter!(REQUESTS, "endpoint" => endpoint.clone(), "method" => method, "status" => status.as_str().to_owned())
        .increment(1);
    metrics::histogram!(LATENCY, "endpoint" => endpoint, "method" => method)
        .record(started.elapsed().as_secs_f64());
    if status.is_client_error() || status.is_server_error() {
        let code = response
            .extensions()
            .get::<ErrorCode>()
            .and_then(|code| serde_json::to_value(code).ok())
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| "none".to_owned());
        metrics::counter!(REFUSALS, "code" => code).increment(1);
    }
    response
}

/// Counts the outcomes of one push.
pub fn pushed(results: &[OpResult]) {
    for result in results {
        let outcome = match &result.outcome {
            OpOutcome::Accepted { .. } => "accepted",
            OpOutcome::AlreadyHeld { .. } => "already_held",
            OpOutcome::Quarantined { .. } => "quarantined",
            OpOutcome::Rejected { code, .. } => {
                // The hub's own codes: a closed set, never text a client sent.
                let code = if code.is_empty() { "none" } else { code.as_str() };
                metrics::counter!(OPS_REJECTED, "code" => code.to_owned()).increment(1);
                "rejected"
            }
        };
        metrics::counter!(OPS_PUSHED, "outcome" => outcome).increment(1);
    }
}

/// Counts ops delivered by a pull page (`via = "pull"`) or a history page (`"history"`).
pub fn pulled(via: &'static str, ops: usize) {
    metrics::counter!(OPS_PULLED, "via" => via).increment(u64::try_from(ops).unwrap_or(u64::MAX));
}

/// `GET /metrics`: every metric in Prometheus text format (version 0.0.4).
#[utoipa::path(
    get, path = "/metrics", operation_id = "metrics", tag = "operations",
    summary = "Counters and latency histograms in Prometheus text format",
    description = "Needs no Casebook-Protocol header, and no token unless the hub was started with a metrics \
        token (`--metrics-token-file`, `CASEBOOK_HUB_METRICS_TOKEN`): then `Authorization: Bearer` that token, \
        not a device's. Holds counts only: requests by endpoint pattern and status, latency histograms, ops \
        pushed by outcome, ops pulled, refusals by code, devices seen in the last 24 hours; never ids, names \
        or case data. Keep it from the public network either way (docs/hub.md).",
    responses(
        (status = 200, description = "Prometheus text exposition format 0.0.4", body = String, content_type = "text/plain"),
        (status = 401, description = "unauthorized: the hub has a metrics token and the request does not bear it", body = ErrorBody,
            headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"casebook-hub metrics\"`"))),
        (status = 503, description = "internal: not answered within the hub's time limit (60 s by default)", body = ErrorBody,
            headers(("Retry-After" = u32, description = "Seconds to wait before retrying"))),
    ),
    security((), ("metrics_token" = []))
)]
pub async fn metrics_text(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = state.metrics_token()
        && !token.admits(headers.get(AUTHORIZATION))
    {
        let mut refused = ApiError::new(
            ErrorCode::Unauthorized,
            "/metrics needs this hub's metrics token: Authorization: Bearer TOKEN",
        )
        .into_response();
        refused.headers_mut().insert(
            WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"casebook-hub metrics\""),
        );
        return refused;
    }
    let since = now_ms().saturating_sub(24 * 60 * 60 * 1000);
    let seen = tokio::time::timeout(
        DEVICES_QUERY_LIMIT,
        state.read(move |r| r.devices_seen_since(since)),
    )
    .await;
    match seen {
        // Device counts are far below 2^52: the cast is exact.
        Ok(Ok(count)) => metrics::gauge!(DEVICES_SEEN).set(count as f64),
        Ok(Err(e)) => tracing::warn!(error = %e, "could not count the devices seen for /metrics"),
        Err(_) => tracing::warn!("counting the devices seen for /metrics took too long"),
    }
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        handle().render(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_long_and_plain_and_never_shown() {
        let token = MetricsToken::new("  0123456789abcdef01234567\n").unwrap();
        assert_eq!(format!("{token:?}"), "MetricsToken(..)");
        let bearer = HeaderValue::from_static("Bearer 0123456789abcdef01234567");
        assert!(token.admits(Some(&bearer)));
        for weak in [
            "",
            "0123456789abcdef0123456",
            "0123456789abcdef 01234567",
            "0123456789abcdef0123456é",
        ] {
            assert!(
                matches!(MetricsToken::new(weak), Err(HubError::BadMetricsToken)),
                "{weak:?}"
            );
        }
        let said = HubError::BadMetricsToken.to_string();
        assert!(said.contains("at least 24 characters"), "{said}");
    }
}
