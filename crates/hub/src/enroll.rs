//! Enrollment: one-time codes an admin hands out, and the per-address limit on attempts.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use sha2::{Digest, Sha256};

use crate::error::HubError;
use crate::storage::{Storage, UserRow};

/// How long a code stays valid: 72 hours.
pub const CODE_LIFETIME_MS: i64 = 72 * 3600 * 1000;

/// Letters and digits that cannot be mistaken for one another when read aloud or typed.
const ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// A fresh code such as `K7QM-2XHD-9RTA` (60 random bits).
pub fn new_code() -> Result<String, HubError> {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes).map_err(|e| HubError::Randomness(e.to_string()))?;
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b % 32)]))
        .collect();
    Ok(chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-"))
}

/// The hash under which a code is stored; dashes, spaces and case do not matter.
pub fn code_hash(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    hex::encode(Sha256::digest(normal.as_bytes()))
}

/// Issues a new one-time code for `user`, valid for [`CODE_LIFETIME_MS`] from `now_ms`.
pub fn issue_code(storage: &mut Storage, user: &UserRow, now_ms: i64) -> Result<String, HubError> {
    let code = new_code()?;
    storage.add_code(user.id, &code_hash(&code), now_ms, now_ms + CODE_LIFETIME_MS)?;
    Ok(code)
}

/// A fixed-window limit of attempts per client address, kept in memory.
#[derive(Debug)]
pub struct RateLimiter {
    max: u32,
    window: Duration,
    seen: Mutex<HashMap<IpAddr, (Instant, u32)>>,
    proxy: Option<IpAddr>,
}

impl RateLimiter {
    /// Allows `max` attempts per address in each `window`.
    pub fn new(max: u32, window: Duration) -> Self {
        Self {
            max,
            window,
            seen: Mutex::new(HashMap::new()),
            proxy: None,
        }
    }

    /// Behind the TLS proxy at `proxy`: its connections count against the client address it
    /// names, not against the proxy (which would share one allowance among every client).
    pub fn behind_proxy(mut self, proxy: Option<IpAddr>) -> Self {
        self.proxy = proxy.map(|p| p.to_canonical());
        self
    }

    /// The address an attempt from `peer` counts against: the peer itself, or for a connection
    /// from the proxy the last hop of `X-Forwarded-For`, the one the proxy added (earlier hops
    /// come from the client and prove nothing). Without a readable one, the proxy's own.
    pub fn client_ip(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.to_canonical();
        if self.proxy != Some(peer) {
            return peer;
        }
        headers
            .get_all("x-forwarded-for")
            .iter()
            .next_back()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|hop| parse_hop(hop.trim()))
            .map_or(peer, |ip| ip.to_canonical())
    }

    /// The attempts allowed per address in each window, and the window.
    pub fn limit(&self) -> (u32, Duration) {
        (self.max, self.window)
    }

    /// Counts an attempt from `ip`; false once the window's allowance is spent.
    pub fn allow(&self, ip: IpAddr) -> bool {
        let now = Instant::now();
        let mut seen = match self.seen.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if seen.len() > 10_000 {
            seen.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = seen.entry(ip).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        entry.1 <= self.max
    }
}

/// An address as proxies write it in `X-Forwarded-For`: bare, or with a port.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|a| a.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_grouped_and_forgiving_to_type() {
        let code = new_code().expect("code");
        assert_eq!(code.len(), 14);
        assert_eq!(code.matches('-').count(), 2);
        assert_eq!(
            code_hash(&code),
            code_hash(&code.to_lowercase().replace('-', " "))
        );
        assert_ne!(code_hash(&code), code_hash(&new_code().expect("code")));
    }

    #[test]
    fn the_limiter_counts_per_address_and_window() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        assert!(limiter.allow(a) && limiter.allow(a));
        assert!(!limiter.allow(a));
        assert!(limiter.allow(b));
        let quick = RateLimiter::new(1, Duration::ZERO);
        assert!(quick.allow(a) && quick.allow(a), "a new window starts afresh");
    }

    #[test]
    fn only_the_proxy_may_name_the_client() {
        let proxy: IpAddr = [10, 0, 0, 5].into();
        let other: IpAddr = [10, 0, 0, 6].into();
        let limiter = RateLimiter::new(2, Duration::from_secs(60)).behind_proxy(Some(proxy));
        let mut headers = HeaderMap::new();
        let forwarded = |headers: &mut HeaderMap, value: &'static str| {
            headers.append("x-forwarded-for", axum::http::HeaderValue::from_static(value));
        };
        assert_eq!(
            limiter.client_ip(proxy, &headers),
            proxy,
            "no header: the proxy's own"
        );
        forwarded(&mut headers, "198.51.100.1, 203.0.113.9");
        assert_eq!(limiter.client_ip(proxy, &headers), IpAddr::from([203, 0, 113, 9]));
        assert_eq!(
            limiter.client_ip(other, &headers),
            other,
            "only the proxy is believed"
        );
        forwarded(&mut headers, "[2001:db8::1]:4711");
        assert_eq!(
            limiter.client_ip(proxy, &headers),
            "2001:db8::1".parse::<IpAddr>().expect("ip"),
            "the last header, with a port"
        );
        forwarded(&mut headers, "not an address");
        assert_eq!(limiter.client_ip(proxy, &headers), proxy);
        let mapped: IpAddr = "::ffff:10.0.0.5".parse().expect("ip");
        let mut plain = HeaderMap::new();
        forwarded(&mut plain, "203.0.113.9");
        assert_eq!(
            limiter.client_ip(mapped, &plain),
            IpAddr::from([203, 0, 113, 9]),
            "the proxy seen on a dual-stack socket"
        );
        let direct = RateLimiter::new(2, Duration::from_secs(60));
        assert_eq!(
            direct.client_ip(proxy, &plain),
            proxy,
            "no proxy configured: the peer"
        );
    }
}
