//! Casebook's hub: the sync server facilitators' laptops push to and pull from, its encrypted
//! storage and the operations its admin commands perform.
//!
//! Like Atuin's server, [`Server`] takes an already-bound listener, so tests run the real
//! server on port 0.
#![forbid(unsafe_code)]

pub mod api;
pub mod auth;
pub mod demo;
pub mod enroll;
pub mod error;
pub mod routes;
pub mod scope;
pub mod state;
pub mod storage;
pub mod tls;

use std::future::Future;
use std::net::SocketAddr;
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
    /// A TLS proxy is in front, so plain HTTP on a network address is allowed.
    pub behind_tls_proxy: bool,
    /// Enrollment attempts allowed per client address per minute.
    pub enroll_attempts_per_minute: u32,
    /// The largest request body accepted.
    pub max_body_bytes: usize,
}

impl Default for ServeConfig {
    fn default() -> Self {
        Self {
            tls: None,
            behind_tls_proxy: false,
            enroll_attempts_per_minute: 10,
            max_body_bytes: 16 * 1024 * 1024,
        }
    }
}

/// A hub ready to serve on a bound listener.
pub struct Server {
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    state: AppState,
    max_body_bytes: usize,
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
    /// unless a TLS proxy is in front.
    pub fn new(listener: TcpListener, storage: Storage, config: ServeConfig) -> Result<Self, HubError> {
        let addr = listener.local_addr().map_err(HubError::Listener)?;
        if config.tls.is_none() && !addr.ip().is_loopback() && !config.behind_tls_proxy {
            return Err(HubError::PlaintextOnNetwork(addr));
        }
        let tls = config
            .tls
            .as_ref()
            .map(|files| tls::acceptor(&files.cert, &files.key))
            .transpose()?;
        let limiter = enroll::RateLimiter::new(config.enroll_attempts_per_minute, Duration::from_secs(60));
        Ok(Self {
            listener,
            tls,
            state: AppState::new(storage, limiter),
            max_body_bytes: config.max_body_bytes,
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
        let app = routes::router(self.state, self.max_body_bytes)
            .into_make_service_with_connect_info::<SocketAddr>();
        tracing::info!(addr = %self.addr, tls = self.tls.is_some(), "serving");
        let served = match self.tls {
            None => {
                axum::serve(self.listener, app)
                    .with_graceful_shutdown(shutdown)
                    .await
            }
            Some(acceptor) => {
                let listener = tls::TlsListener::new(self.listener, acceptor)?.tap_io(|_| ());
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
