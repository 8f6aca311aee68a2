//! What the laptops count, merged for the report, and the random choices of their schedules.

use std::collections::BTreeMap;
use std::time::Duration;

use casebook_testkit::util::random_bytes;

use super::api::Failure;

/// What laptops counted: merged over all of them for the report.
#[derive(Debug, Default)]
pub(super) struct Tally {
    /// Syncs finished without an error.
    pub syncs: u64,
    /// Syncs due before the end of the clock that were still waiting for a slot at its end.
    pub not_started: u64,
    /// Ops the hub took (accepted or flagged), each counted once.
    pub pushed: u64,
    /// Ops received in pulls.
    pub pulled: u64,
    /// Of `pushed`, ops the hub flagged for review.
    pub quarantined: u64,
    /// Ops the hub refused, by the refusal's code.
    pub refused: BTreeMap<String, u64>,
    /// Failed syncs, by what failed.
    pub errors: BTreeMap<String, u64>,
    /// Cases the hub said came into scope with history to fetch (not fetched by the bench).
    pub cases_added: u64,
    /// Held cases the hub said left the laptop's scope.
    pub cases_removed: u64,
    /// How long each finished sync took, from its start.
    pub latencies: Vec<Duration>,
    /// How late each sync started after its scheduled time (waiting for an in-flight slot).
    pub delays: Vec<Duration>,
}

impl Tally {
    /// Adds `other`'s counts to this one's.
    pub fn merge(&mut self, other: Tally) {
        self.syncs += other.syncs;
        self.not_started += other.not_started;
        self.pushed += other.pushed;
        self.pulled += other.pulled;
        self.quarantined += other.quarantined;
        self.cases_added += other.cases_added;
        self.cases_removed += other.cases_removed;
        for (kind, n) in other.refused {
            *self.refused.entry(kind).or_default() += n;
        }
        for (kind, n) in other.errors {
            *self.errors.entry(kind).or_default() += n;
        }
        self.latencies.extend(other.latencies);
        self.delays.extend(other.delays);
    }

    /// Counts a failed sync (or setup step).
    pub fn failed(&mut self, failure: Failure) {
        *self.errors.entry(failure.0).or_default() += 1;
    }
}

/// A small fast generator (SplitMix64) for schedules and choices; seeded from the kernel.
pub(super) struct Rng(u64);

impl Rng {
    /// A generator with a random seed.
    pub fn new() -> Self {
        Self(u64::from_le_bytes(random_bytes::<8>()))
    }

    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % (n.max(1) as u64)) as usize
    }

    /// A number in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}
