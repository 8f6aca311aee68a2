//! Casebook's hub: the sync server facilitators' laptops push to and pull from, its encrypted
//! storage and the operations its admin commands perform.
//!
//! Like Atuin's server, [`Server`] takes an already-bound listener, so tests run the real
//! server on port 0.
#![forbid(unsafe_code)]

pub mod api;
pub mod audit;
pub mod audit_log;
pub mod auth;
pub mod backup;
pub mod demo;
pub mod enroll;
pub mod error;
pub mod health;
pub mod limits;
pub mod listen;
pub mod metrics;
pub mod routes;
pub mod sar;
pub mod scope;
pub mod state;
pub mod storage;
pub mod tls;

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use axum::serve::ListenerExt;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

pub use error::HubError;
pub use state::AppState;
pub use storage::{HubKey, Storage};

/// The PEM files of the hub's certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// The certificate chain.
    pub cert: PathBuf,
    /// The private key.
    pub key: PathBuf,
}

/// How `serve` runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServeConfig {
    /// Serve HTTPS with these files.
    pub tls: Option<TlsFiles>,
    /// A TLS proxy is in front, so plain HTTP on a network address is allowed; only with
    /// `proxy_address`.
    pub behind_tls_proxy: bool,
    /// The address the TLS proxy connects from: connections from any other address are closed
    /// unserved, and enrollment attempts through the proxy count against the client address it
    /// names in `X-Forwarded-For`.
    pub proxy_address: Option<IpAddr>,
    /// Enrollment attempts allowed per client address per minute.
    pub enroll_attempts_per_minute: u32,
    /// The largest request body accepted.
    pub max_body_bytes: usize,
    /// How long a request may take, reading its body included, before it is answered 503.
    pub request_timeout: Duration,
    /// How long a connection may stay silent (no byte either way) before it is closed: an idle
    /// keep-alive connection, or a client that stops halfway through its request's head. Keep
    /// it above `request_timeout`, so a request that runs to its limit still gets its answer.
    pub idle_timeout: Duration,
    /// Answer `GET /metrics` only to a request bearing this token.
    pub metrics_token: Option<metrics::MetricsToken>,
}

impl Default for ServeConfig {
    fn default() -> Self {
        Self {
            tls: None,
            behind_tls_proxy: false,
            proxy_address: None,
            enroll_attempts_per_minute: 10,
            max_body_bytes: 16 * 1024 * 1024,
            // Longer than a client waits (30 s), so an honest client gives up first.
            request_timeout: Duration::from_secs(60),
            idle_timeout: Duration::from_secs(75),
            metrics_token: None,
        }
    }
}

/// A hub ready to serve on a bound listener.
pub struct Server {
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    state: AppState,
    max_body_bytes: usize,
    request_timeout: Duration,
    idle_timeout: Duration,
    proxy: Option<IpAddr>,
    addr: SocketAddr,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("addr", &self.addr)
            .field("tls", &self.tls.is_some())
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Checks the configuration against the address; refuses plain HTTP on a network address
    /// unless a TLS proxy is in front and its address is known.
    pub fn new(listener: TcpListener, storage: Storage, config: ServeConfig) -> Result<Self, HubError> {
        let addr = listener.local_addr().map_err(HubError::Listener)?;
        if config.behind_tls_proxy && config.proxy_address.is_none() {
            return Err(HubError::ProxyAddressMissing);
        }
        let on_network = !addr.ip().to_canonical().is_loopback();
        if config.tls.is_none() && on_network && !config.behind_tls_proxy {
            return Err(HubError::PlaintextOnNetwork(addr));
        }
        if on_network && config.metrics_token.is_none() {
            tracing::warn!(
                %addr,
                "/metrics answers anyone who reaches this address; give it a token (--metrics-token-file) \
                 or keep it behind the proxy's allow list"
            );
        }
        let tls = config
            .tls
            .as_ref()
            .map(|files| tls::acceptor(&files.cert, &files.key))
            .transpose()?;
        let proxy = config.proxy_address.map(|p| p.to_canonical());
        let limiter = enroll::RateLimiter::new(config.enroll_attempts_per_minute, Duration::from_secs(60))
            .behind_proxy(proxy);
        Ok(Self {
            listener,
            tls,
            state: AppState::new(storage, limiter)?.with_metrics_token(config.metrics_token),
            max_body_bytes: config.max_body_bytes,
            request_timeout: config.request_timeout,
            idle_timeout: config.idle_timeout,
            proxy,
            addr,
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL clients use, e.g. `https://127.0.0.1:8443`.
    pub fn url(&self) -> String {
        let scheme = if self.tls.is_some() { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// Serves until `shutdown` completes.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<(), HubError> {
        let app = routes::router(self.state, self.max_body_bytes, self.request_timeout)
            .into_make_service_with_connect_info::<SocketAddr>();
        let idle = self.idle_timeout;
        tracing::info!(addr = %self.addr, tls = self.tls.is_some(), proxy = ?self.proxy, "serving");
        // `tap_io` only gives axum's connect-info (the peer address) a listener type it knows.
        let served = match self.tls {
            None => {
                let listener = listen::PlainListener::new(self.listener, self.proxy, idle).tap_io(|_| ());
                axum::serve(listener, app).with_graceful_shutdown(shutdown).await
            }
            Some(acceptor) => {
                let listener =
                    tls::TlsListener::new(self.listener, acceptor, self.proxy, idle)?.tap_io(|_| ());
                axum::serve(listener, app).with_graceful_shutdown(shutdown).await
            }
        };
        served.map_err(HubError::Listener)
    }
}

/// Serves the hub on `listener` until the process ends.
pub async fn serve(listener: TcpListener, storage: Storage, config: ServeConfig) -> Result<(), HubError> {
    Server::new(listener, storage, config)?
        .run(std::future::pending())
        .await
}
