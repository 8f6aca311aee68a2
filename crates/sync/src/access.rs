//! How a sync round reaches the store: in short turns between network calls, so an app that
//! shares its store with the ui never waits on the network to save a keystroke.

use std::sync::Mutex;

use casebook_store::{Store, StoreError};
use serde::Serialize;

use crate::error::SyncError;

/// How far a sync round has got, for a progress indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum SyncProgress {
    /// Sending this laptop's changes; `sent` so far.
    Pushing {
        /// Changes the hub has answered for.
        sent: usize,
    },
    /// Receiving changes; `received` so far, of `total` when the hub said.
    Pulling {
        /// Changes received and applied here (already-held ones included) in this round.
        received: usize,
        /// Changes this round receives in all, as far as the hub counted on the round's first
        /// page (never below `received`); `None` from a hub that does not count.
        total: Option<usize>,
        /// Cases whose record arrived in this round: a case create applied, or a case newly
        /// in scope whose history was fetched. Each is on the caseload from then on.
        cases_ready: usize,
    },
}

impl std::fmt::Display for SyncProgress {
    /// The status line the app and `casebook sync` show: "Received 12,000 of 300,000 changes
    /// · 410 cases ready".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Self::Pushing { sent } => write!(f, "Sent {} changes", thousands(sent)),
            Self::Pulling {
                received,
                total,
                cases_ready,
            } => {
                write!(f, "Received {}", thousands(received))?;
                if let Some(total) = total {
                    write!(f, " of {}", thousands(total))?;
                }
                write!(f, " changes")?;
                match cases_ready {
                    0 => Ok(()),
                    1 => write!(f, " · 1 case ready"),
                    n => write!(f, " · {} cases ready", thousands(n)),
                }
            }
        }
    }
}

/// `n` with a comma between thousands: 300,000.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A store a sync round may borrow for one step at a time.
pub trait StoreAccess: Sync {
    /// Runs `f` on the store. Never called across a network call.
    fn with<T>(&self, f: impl FnOnce(&mut Store) -> Result<T, StoreError>) -> Result<T, SyncError>;

    /// Called as the round moves on; the default ignores it.
    fn progress(&self, _progress: SyncProgress) {}
}

/// A store borrowed for the whole round (the command line: nothing else uses it meanwhile).
impl StoreAccess for Mutex<&mut Store> {
    fn with<T>(&self, f: impl FnOnce(&mut Store) -> Result<T, StoreError>) -> Result<T, SyncError> {
        // A panic in an earlier step cannot leave the store half-written (every step is one
        // transaction), so a poisoned lock is safe to take over.
        let mut guard = self.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard).map_err(SyncError::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_reads_as_a_sentence() {
        let pulling = |received, total, cases_ready| SyncProgress::Pulling {
            received,
            total,
            cases_ready,
        };
        assert_eq!(
            pulling(12_000, Some(300_000), 410).to_string(),
            "Received 12,000 of 300,000 changes · 410 cases ready"
        );
        assert_eq!(pulling(999, None, 0).to_string(), "Received 999 changes");
        assert_eq!(
            pulling(1_000, Some(1_000), 1).to_string(),
            "Received 1,000 of 1,000 changes · 1 case ready"
        );
        assert_eq!(
            SyncProgress::Pushing { sent: 1_234_567 }.to_string(),
            "Sent 1,234,567 changes"
        );
    }
}
