//! Who may connect: behind a TLS proxy only the proxy, so nobody on the network can bypass it
//! and speak plain HTTP to the hub. Every accepted connection is closed once idle too long.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};

use crate::limits::IdleTimeout;

/// Whether a connection from `peer` is served: any peer without a proxy, else only the proxy.
pub fn admits(proxy: Option<IpAddr>, peer: IpAddr) -> bool {
    proxy.is_none_or(|proxy| proxy.to_canonical() == peer.to_canonical())
}

/// Plain TCP connections for axum, filtered by [`admits`] and closed when idle.
#[derive(Debug)]
pub struct PlainListener {
    tcp: TcpListener,
    proxy: Option<IpAddr>,
    idle: Duration,
}

impl PlainListener {
    /// Accepts on `tcp`; only from `proxy` if given.
    pub fn new(tcp: TcpListener, proxy: Option<IpAddr>, idle: Duration) -> Self {
        Self { tcp, proxy, idle }
    }
}

impl axum::serve::Listener for PlainListener {
    type Io = IdleTimeout<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            // axum's accept retries failed accepts itself (e.g. out of file descriptors).
            let (stream, peer) = axum::serve::Listener::accept(&mut self.tcp).await;
            if admits(self.proxy, peer.ip()) {
                return (IdleTimeout::new(stream, self.idle), peer);
            }
            refused(peer);
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.tcp.local_addr()
    }
}

/// Logs a connection closed unserved because it did not come from the proxy.
pub fn refused(peer: SocketAddr) {
    tracing::warn!(peer = %peer.ip(), "closed a connection that did not come from the TLS proxy");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_proxy_is_admitted_when_there_is_one() {
        let proxy: IpAddr = [10, 0, 0, 5].into();
        let other: IpAddr = [10, 0, 0, 6].into();
        let mapped: IpAddr = "::ffff:10.0.0.5".parse().expect("ip");
        assert!(admits(None, other));
        assert!(admits(Some(proxy), proxy));
        assert!(
            admits(Some(proxy), mapped),
            "an IPv4 proxy seen on a dual-stack socket"
        );
        assert!(!admits(Some(proxy), other));
    }
}
