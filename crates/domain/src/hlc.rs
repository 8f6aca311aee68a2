//! A hybrid logical clock: wall-clock milliseconds, a counter and the device id, so every
//! operation gets a timestamp that is unique, totally ordered, and never runs backwards even
//! when a laptop's clock does.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

use crate::ids::DeviceId;

/// One HLC timestamp. Ordered by (wall ms, counter, device).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Hlc {
    /// Milliseconds since the Unix epoch, as the clock believed.
    pub wall_ms: u64,
    /// Orders events within the same millisecond.
    pub counter: u32,
    /// Breaks ties between devices, so no two timestamps are equal.
    pub device: DeviceId,
}

impl Ord for Hlc {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.wall_ms, self.counter, self.device).cmp(&(other.wall_ms, other.counter, other.device))
    }
}

impl PartialOrd for Hlc {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Hlc {
    /// Fixed-width, so that text order is time order (the store sorts on it).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:015}-{:010}-{}", self.wall_ms, self.counter, self.device)
    }
}

impl fmt::Debug for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hlc({self})")
    }
}

/// A text that is not an HLC timestamp.
#[derive(Debug, Error)]
#[error("not an HLC timestamp: {0:?}")]
pub struct HlcParseError(String);

impl FromStr for Hlc {
    type Err = HlcParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || HlcParseError(s.chars().take(80).collect());
        let mut parts = s.splitn(3, '-');
        let wall_ms = parts.next().and_then(|p| p.parse().ok()).ok_or_else(err)?;
        let counter = parts.next().and_then(|p| p.parse().ok()).ok_or_else(err)?;
        let device = parts.next().and_then(|p| p.parse().ok()).ok_or_else(err)?;
        Ok(Hlc {
            wall_ms,
            counter,
            device,
        })
    }
}

impl Serialize for Hlc {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Hlc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The clock of one device: hands out increasing timestamps and learns from others'.
#[derive(Debug, Clone)]
pub struct Clock {
    device: DeviceId,
    last: Option<Hlc>,
}

impl Clock {
    /// A clock for `device` that has already issued or seen `last`.
    pub fn new(device: DeviceId, last: Option<Hlc>) -> Self {
        Self { device, last }
    }

    /// The latest timestamp issued or observed.
    pub fn last(&self) -> Option<Hlc> {
        self.last
    }

    /// A timestamp later than every one issued or observed, at wall time `now_ms` if it can.
    pub fn tick(&mut self, now_ms: u64) -> Hlc {
        let next = match self.last {
            Some(last) if last.wall_ms >= now_ms => Hlc {
                wall_ms: last.wall_ms,
                counter: last.counter.saturating_add(1),
                device: self.device,
            },
            _ => Hlc {
                wall_ms: now_ms,
                counter: 0,
                device: self.device,
            },
        };
        self.last = Some(next);
        next
    }

    /// Learns of a timestamp from elsewhere, so later ticks order after it.
    pub fn observe(&mut self, remote: Hlc) {
        if self.last.is_none_or(|last| remote > last) {
            self.last = Some(remote);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ticks_increase_even_when_the_wall_clock_goes_back() {
        let mut clock = Clock::new(DeviceId::new(), None);
        let a = clock.tick(1_000);
        let b = clock.tick(900);
        let c = clock.tick(1_000);
        let d = clock.tick(2_000);
        assert!(a < b && b < c && c < d);
        assert_eq!(d.counter, 0);
    }

    #[test]
    fn observing_a_later_remote_time_moves_the_clock_on() {
        let mut clock = Clock::new(DeviceId::new(), None);
        let remote = Hlc {
            wall_ms: 5_000,
            counter: 7,
            device: DeviceId::new(),
        };
        clock.observe(remote);
        assert!(clock.tick(10) > remote);
    }

    #[test]
    fn rejects_text_that_is_not_a_timestamp() {
        assert!("12-x-y".parse::<Hlc>().is_err());
        assert!("".parse::<Hlc>().is_err());
    }

    proptest! {
        #[test]
        fn text_order_is_time_order(a in 0u64..10u64.pow(14), ac in any::<u32>(), b in 0u64..10u64.pow(14), bc in any::<u32>()) {
            let dev = DeviceId::new();
            let x = Hlc { wall_ms: a, counter: ac, device: dev };
            let y = Hlc { wall_ms: b, counter: bc, device: dev };
            prop_assert_eq!(x.cmp(&y), x.to_string().cmp(&y.to_string()));
            prop_assert_eq!(x.to_string().parse::<Hlc>().unwrap(), x);
        }
    }
}
