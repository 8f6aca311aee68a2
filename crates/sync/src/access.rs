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
    /// Receiving changes; `received` so far.
    Pulling {
        /// Changes applied here.
        received: usize,
    },
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
