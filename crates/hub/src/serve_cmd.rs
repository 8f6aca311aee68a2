//! `casebook-hub serve`: its arguments, where the `/metrics` token comes from, and running the
//! server until SIGTERM or Ctrl-C.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use casebook_hub::metrics::MetricsToken;
use casebook_hub::{ServeConfig, Server, Storage, TlsFiles};
use clap::Args;

/// The environment variable that may hold the `/metrics` token itself (for a container); a
/// file is better where there is one, since a process's environment is readable by its owner.
const METRICS_TOKEN_VAR: &str = "CASEBOOK_HUB_METRICS_TOKEN";

/// `serve --listen ADDR`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on, e.g. 127.0.0.1:8443 (port 0 picks a free port).
    #[arg(long)]
    listen: String,
    /// PEM certificate chain; serves HTTPS.
    #[arg(long, requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// PEM private key of the certificate.
    #[arg(long, requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// A TLS proxy is in front: allow plain HTTP on a network address (needs
    /// --proxy-address).
    #[arg(long)]
    behind_tls_proxy: bool,
    /// The IP address the TLS proxy connects from: every other peer is refused, and
    /// enrollment attempts count against the client the proxy names in X-Forwarded-For.
    #[arg(long, value_name = "IP")]
    proxy_address: Option<std::net::IpAddr>,
    /// Enrollment attempts allowed per client address per minute (on PostgreSQL, counted
    /// across every hub process). Raise it for a day of enrolling a whole team's laptops
    /// from one office address.
    #[arg(long, value_name = "N", default_value_t = ServeConfig::default().enroll_attempts_per_minute)]
    enroll_attempts_per_minute: u32,
    /// Answer GET /metrics only to `Authorization: Bearer TOKEN`, the token being this file's
    /// first line (at least 24 characters; e.g. `openssl rand -hex 32`). CASEBOOK_HUB_METRICS_TOKEN
    /// may hold the token itself instead.
    #[arg(long, env = "CASEBOOK_HUB_METRICS_TOKEN_FILE", value_name = "FILE")]
    metrics_token_file: Option<PathBuf>,
}

/// Serves the sync API on `storage` until SIGTERM or Ctrl-C.
pub fn run(args: ServeArgs, storage: Storage) -> anyhow::Result<()> {
    let metrics_token = metrics_token(
        args.metrics_token_file.as_deref(),
        std::env::var(METRICS_TOKEN_VAR).ok(),
    )?;
    let tls = args
        .tls_cert
        .zip(args.tls_key)
        .map(|(cert, key)| TlsFiles { cert, key });
    let config = ServeConfig {
        tls,
        behind_tls_proxy: args.behind_tls_proxy,
        proxy_address: args.proxy_address,
        enroll_attempts_per_minute: args.enroll_attempts_per_minute,
        metrics_token,
        ..ServeConfig::default()
    };
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(&args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        let server = Server::new(listener, storage, config)?;
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "listening on {}", server.url())?;
        stdout.flush()?;
        drop(stdout);
        server.run(shutdown_signal()).await?;
        Ok(())
    })
}

/// The `/metrics` token from `--metrics-token-file` or from the environment's `from_env`; one of
/// them at most, so that nobody wonders which one the hub obeys.
fn metrics_token(file: Option<&Path>, from_env: Option<String>) -> anyhow::Result<Option<MetricsToken>> {
    match (file, from_env) {
        (Some(_), Some(_)) => anyhow::bail!(
            "give the metrics token in --metrics-token-file or in {METRICS_TOKEN_VAR}, not both"
        ),
        (Some(file), None) => {
            let text = zeroize::Zeroizing::new(
                std::fs::read_to_string(file)
                    .with_context(|| format!("cannot read the metrics token file {}", file.display()))?,
            );
            let first = text.lines().next().unwrap_or_default();
            let token = MetricsToken::new(first)
                .with_context(|| format!("in the metrics token file {}", file.display()))?;
            Ok(Some(token))
        }
        (None, Some(text)) => {
            let text = zeroize::Zeroizing::new(text);
            Ok(Some(
                MetricsToken::new(&text).with_context(|| format!("in {METRICS_TOKEN_VAR}"))?,
            ))
        }
        (None, None) => Ok(None),
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(term) => term,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    tracing::info!("shutting down");
}
