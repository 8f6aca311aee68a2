//! What the benchmarks' measurements share: percentiles of timed samples, and a process's CPU
//! time from `/proc`.

use std::time::Duration;

/// The `q` quantile of `samples` (nearest rank: the smallest sample with at least `q` of them at
/// or below it), sorting a copy; zero when there are none.
pub(crate) fn percentile(samples: &[Duration], q: f64) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort();
    let rank = ((sorted.len() as f64) * q).ceil() as usize;
    sorted
        .get(rank.saturating_sub(1).min(sorted.len().saturating_sub(1)))
        .copied()
        .unwrap_or_default()
}

/// CPU seconds (user + system, all threads) a process has used: `pid` is a number or `self`.
/// On a shared machine the wall time of a step includes waiting for a core, its CPU time does
/// not. `None` off Linux, or when the process is gone.
pub(crate) fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may contain spaces.
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    let mut fields = rest.split(' ').skip(11);
    let (user, system): (f64, f64) = (fields.next()?.parse().ok()?, fields.next()?.parse().ok()?);
    // /proc reports clock ticks of USER_HZ, 100 on every Linux ABI.
    Some((user + system) / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(values: &[u64]) -> Vec<Duration> {
        values.iter().copied().map(Duration::from_millis).collect()
    }

    #[test]
    fn percentiles_take_the_nearest_rank() {
        let hundred: Vec<u64> = (1..=100).rev().collect();
        let samples = ms(&hundred);
        assert_eq!(percentile(&samples, 0.5), Duration::from_millis(50));
        assert_eq!(percentile(&samples, 0.99), Duration::from_millis(99));
        assert_eq!(percentile(&samples, 1.0), Duration::from_millis(100));
        assert_eq!(
            percentile(&samples, 0.0),
            Duration::from_millis(1),
            "the smallest"
        );
        // Few samples: the 99th percentile is the slowest one, not an interpolation.
        assert_eq!(percentile(&ms(&[3, 1, 2]), 0.99), Duration::from_millis(3));
        assert_eq!(percentile(&ms(&[3, 1, 2]), 0.5), Duration::from_millis(2));
        assert_eq!(percentile(&ms(&[7]), 0.5), Duration::from_millis(7));
        assert_eq!(percentile(&[], 0.5), Duration::ZERO, "no samples");
    }

    #[test]
    fn this_process_has_a_cpu_time() {
        assert!(cpu_seconds("self").is_some_and(|s| s >= 0.0));
        assert_eq!(cpu_seconds("not-a-pid"), None);
    }
}
