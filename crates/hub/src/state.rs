//! The state every handler shares: the storage, run on blocking threads, and the rate limiter.

use std::sync::{Arc, Mutex};

use crate::enroll::RateLimiter;
use crate::error::HubError;
use crate::storage::Storage;

/// Shared by all handlers.
#[derive(Debug, Clone)]
pub struct AppState {
    storage: Arc<Mutex<Storage>>,
    /// Limits enrollment attempts per client address.
    pub enroll_limiter: Arc<RateLimiter>,
}

impl AppState {
    /// Wraps an open storage.
    pub fn new(storage: Storage, enroll_limiter: RateLimiter) -> Self {
        Self {
            storage: Arc::new(Mutex::new(storage)),
            enroll_limiter: Arc::new(enroll_limiter),
        }
    }

    /// Runs `f` on the storage on a blocking thread. rusqlite is synchronous, so no
    /// transaction can be held across an await.
    pub async fn db<F, R>(&self, f: F) -> Result<R, HubError>
    where
        F: FnOnce(&mut Storage) -> Result<R, HubError> + Send + 'static,
        R: Send + 'static,
    {
        let storage = Arc::clone(&self.storage);
        tokio::task::spawn_blocking(move || {
            let mut guard = match storage.lock() {
                Ok(guard) => guard,
                // A panic in another request does not corrupt SQLite: its transaction rolled back.
                Err(poisoned) => poisoned.into_inner(),
            };
            f(&mut guard)
        })
        .await
        .map_err(|e| HubError::Task(e.to_string()))?
    }
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
