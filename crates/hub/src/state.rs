//! The state every handler shares: the one writer connection, a small pool of read-only
//! connections beside it (so pulls, history and token checks never wait behind a push), both
//! run on blocking threads, and the enrollment rate limiter.

use std::sync::{Arc, Mutex, MutexGuard, TryLockError};

use tokio::sync::Semaphore;

use crate::audit_log::AuditLog;
use crate::enroll::RateLimiter;
use crate::error::HubError;
use crate::metrics::MetricsToken;
use crate::storage::postgres::blocking;
use crate::storage::{DeviceRow, Reader, Storage};

/// Read-only connections beside the writer: enough for a few big pulls at once, few enough that
/// their page caches stay small.
pub const READERS: usize = 4;

/// Shared by all handlers.
#[derive(Debug, Clone)]
pub struct AppState {
    writer: Arc<Mutex<Storage>>,
    readers: Arc<ReaderPool>,
    /// Limits enrollment attempts per client address.
    pub enroll_limiter: Arc<RateLimiter>,
    /// Records reads and refusals in the audit trail before they are answered.
    pub audit: AuditLog,
    /// Several hub processes share the database: limits are counted there, not in memory.
    shared: bool,
    /// What `GET /metrics` asks for, if anything.
    metrics_token: Option<Arc<MetricsToken>>,
}

/// The read-only connections, and one permit per connection: a task holding a permit always
/// finds a connection free.
#[derive(Debug)]
struct ReaderPool {
    readers: Vec<Mutex<Reader>>,
    permits: Arc<Semaphore>,
}

impl AppState {
    /// Wraps an open storage and opens [`READERS`] read-only connections and the audit
    /// writer's connection beside it. Call it inside a tokio runtime.
    pub fn new(storage: Storage, enroll_limiter: RateLimiter) -> Result<Self, HubError> {
        let readers = (0..READERS)
            .map(|_| storage.reader().map(Mutex::new))
            .collect::<Result<Vec<_>, _>>()?;
        let audit = AuditLog::start(storage.audit_connection()?);
        let shared = storage.is_shared();
        Ok(Self {
            shared,
            writer: Arc::new(Mutex::new(storage)),
            readers: Arc::new(ReaderPool {
                readers,
                permits: Arc::new(Semaphore::new(READERS)),
            }),
            enroll_limiter: Arc::new(enroll_limiter),
            audit,
            metrics_token: None,
        })
    }

    /// This state, with `GET /metrics` answered only to a request bearing `token`.
    #[must_use]
    pub fn with_metrics_token(mut self, token: Option<MetricsToken>) -> Self {
        self.metrics_token = token.map(Arc::new);
        self
    }

    /// The token `GET /metrics` asks for, if the hub was started with one.
    pub fn metrics_token(&self) -> Option<&MetricsToken> {
        self.metrics_token.as_deref()
    }

    /// Runs `f` on the writer on a blocking thread: pushes, enrollment, everything that writes.
    /// rusqlite is synchronous, so no transaction can be held across an await.
    pub async fn db<F, R>(&self, f: F) -> Result<R, HubError>
    where
        F: FnOnce(&mut Storage) -> Result<R, HubError> + Send + 'static,
        R: Send + 'static,
    {
        let storage = Arc::clone(&self.writer);
        tokio::task::spawn_blocking(move || blocking(|| f(&mut unpoisoned(storage.lock()))))
            .await
            .map_err(|e| HubError::Task(e.to_string()))?
    }

    /// Runs `f` on a free read-only connection on a blocking thread, waiting for one if all are
    /// busy, never for the writer.
    pub async fn read<F, R>(&self, f: F) -> Result<R, HubError>
    where
        F: FnOnce(&mut Reader) -> Result<R, HubError> + Send + 'static,
        R: Send + 'static,
    {
        let permit = Arc::clone(&self.readers.permits)
            .acquire_owned()
            .await
            .map_err(|e| HubError::Task(e.to_string()))?;
        let pool = Arc::clone(&self.readers);
        tokio::task::spawn_blocking(move || {
            // Declared first, dropped last: the connection is free before the permit is.
            let _permit = permit;
            let mut reader = pool.free();
            blocking(|| f(&mut reader))
        })
        .await
        .map_err(|e| HubError::Task(e.to_string()))?
    }

    /// Counts an enrollment attempt from `ip`: in this process's memory on the embedded
    /// database, in the database when several processes share it (an attacker spreading
    /// attempts over the processes gets no more than from one).
    pub async fn allow_enroll(&self, ip: std::net::IpAddr) -> Result<bool, HubError> {
        if !self.shared {
            return Ok(self.enroll_limiter.allow(ip));
        }
        let (max, window) = self.enroll_limiter.limit();
        let window_ms = i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
        self.db(move |s| s.allow_attempt("enroll", &ip.to_string(), max, window_ms, now_ms()))
            .await
    }

    /// The device whose token hashes to `token_hash`, found on a reader. Noting when it was
    /// last seen is a write: it goes to the writer, at most once a minute per device, and the
    /// request does not wait for it.
    pub async fn authenticate(&self, token_hash: String, now_ms: i64) -> Result<Option<DeviceRow>, HubError> {
        let Some(found) = self.read(move |r| r.device_by_token(&token_hash, now_ms)).await? else {
            return Ok(None);
        };
        if found.last_seen_stale {
            let (state, device) = (self.clone(), found.device.id);
            tokio::spawn(async move {
                if let Err(e) = state.db(move |s| s.touch_device(device, now_ms)).await {
                    tracing::warn!(%device, error = %e, "could not note when the device was last seen");
                }
            });
        }
        Ok(Some(found.device))
    }
}

impl ReaderPool {
    /// A connection no one else holds; the caller holds a permit, so one is free.
    fn free(&self) -> MutexGuard<'_, Reader> {
        for reader in &self.readers {
            match reader.try_lock() {
                Ok(guard) => return guard,
                Err(TryLockError::Poisoned(poisoned)) => return poisoned.into_inner(),
                Err(TryLockError::WouldBlock) => {}
            }
        }
        // Unreachable while permits match connections; waiting is still correct.
        unpoisoned(self.readers[0].lock())
    }
}

/// A panic in another request does not corrupt SQLite: its transaction rolled back.
fn unpoisoned<T>(lock: std::sync::LockResult<MutexGuard<'_, T>>) -> MutexGuard<'_, T> {
    match lock {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reads_and_token_checks_do_not_wait_for_the_writer() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut storage = Storage::open(dir.path(), None).expect("open");
        let user = storage
            .add_user("Sam", casebook_protocol::Role::Facilitator, None, 1)
            .expect("user");
        storage.add_code(user.id, "code-hash", 1, i64::MAX).expect("code");
        storage
            .enroll("code-hash", "laptop", "token-hash", 2)
            .expect("enroll")
            .expect("a valid code");
        let state = AppState::new(storage, RateLimiter::new(1, Duration::from_secs(60))).expect("state");

        // The writer is held until the reads are done: if they waited for it, neither would end.
        let (done, released) = std::sync::mpsc::channel::<()>();
        let writer = state.db(move |_| {
            released
                .recv_timeout(Duration::from_secs(60))
                .map_err(|_| HubError::Task("the reads waited for the writer".to_owned()))
        });
        let reads = async {
            let found = state.authenticate("token-hash".to_owned(), 2 + 120_000).await;
            let viewer = user.viewer();
            let page = state.read(move |r| r.pull(&viewer, 0, &[], 10, None)).await;
            let _ = done.send(());
            (found, page)
        };
        let (writer, (found, page)) = tokio::join!(writer, reads);
        writer.expect("the writer was released by the reads");
        assert_eq!(found.expect("read").expect("the device").user.id, user.id);
        assert!(page.expect("pull").ops.is_empty());
    }
}
