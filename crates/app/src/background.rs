//! The background work of an open app: locking when idle, and syncing on unlock, shortly after a
//! change, on a timer while quiet, and with growing pauses while the hub cannot be reached.

use std::sync::Arc;
use std::time::{Duration, Instant};

use casebook_store::{Store, StoreError};
use casebook_sync::{Backoff, StoreAccess, SyncError, SyncProgress};

use crate::app::{App, AppEvent};
use crate::dto::{Received, SyncState, SyncView};
use crate::error::AppError;
use crate::settings::AppOptions;

/// The sync indicator's memory between rounds.
#[derive(Debug)]
pub(crate) struct SyncTrack {
    state: SyncState,
    running: bool,
    progress: Option<String>,
    received: Option<Received>,
    error: Option<String>,
    next_due: Option<Instant>,
    next_attempt_at: Option<chrono::DateTime<chrono::Utc>>,
    backoff: Backoff,
    interval: Duration,
    /// The `seq` of the last view made.
    views: u32,
}

impl SyncTrack {
    pub(crate) fn new(options: &AppOptions) -> Self {
        Self {
            state: SyncState::Idle,
            running: false,
            progress: None,
            received: None,
            error: None,
            next_due: None,
            next_attempt_at: None,
            backoff: Backoff::new(Duration::from_secs(5), Duration::from_secs(300)),
            interval: options.sync_interval,
            views: 0,
        }
    }
}

/// The store as a sync round borrows it: one step at a time, refused once the app locks.
struct Shared<'a>(&'a App, std::sync::Mutex<Option<Instant>>);

/// The least time between two progress events: a first sync applies a turn of ops every few
/// tens of milliseconds, and each event makes the ui read the sync indicator again.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

impl StoreAccess for Shared<'_> {
    fn with<T>(&self, f: impl FnOnce(&mut Store) -> Result<T, StoreError>) -> Result<T, SyncError> {
        let mut session = self
            .0
            .session
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let store = session.store.as_mut().ok_or(SyncError::Locked)?;
        f(store).map_err(SyncError::from)
    }

    fn progress(&self, progress: SyncProgress) {
        // "Received 12,000 of 300,000 changes · 410 cases ready", as `casebook sync` says it.
        {
            let mut track = self.0.track();
            track.progress = Some(progress.to_string());
            track.received = match progress {
                SyncProgress::Pulling {
                    received,
                    total: Some(total),
                    ..
                } => {
                    let n = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
                    Some(Received {
                        done: n(received),
                        total: n(total.max(received)),
                    })
                }
                _ => None,
            };
        }
        let now = Instant::now();
        let mut last = self.1.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if last.is_none_or(|at| now.duration_since(at) >= PROGRESS_EVERY) {
            *last = Some(now);
            drop(last);
            self.0.emit_sync();
        }
    }
}

impl App {
    pub(crate) fn track(&self) -> std::sync::MutexGuard<'_, SyncTrack> {
        self.sync
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Asks for a background sync within `delay` (sooner if one was already due sooner).
    pub(crate) fn sync_soon(&self, delay: Duration) {
        let due = Instant::now() + delay;
        {
            let mut track = self.track();
            if track.state == SyncState::Failed && delay > Duration::ZERO {
                // A refusal needs a person (new code, update): changes do not retry it.
                return;
            }
            track.next_due = Some(track.next_due.map_or(due, |d| d.min(due)));
        }
        self.wake.notify_one();
    }

    /// The sync indicator now.
    pub fn sync_status(&self) -> Result<SyncView, AppError> {
        let status = self.with_store(|store| Ok(store.sync_indicator()?))?;
        let mut track = self.track();
        track.views = track.views.wrapping_add(1);
        let enrolled = status.hub.is_some();
        let n = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
        Ok(SyncView {
            seq: track.views,
            state: if enrolled {
                track.state
            } else {
                SyncState::NotEnrolled
            },
            hub: status.hub,
            pending: n(status.pending_ops),
            conflicts: n(status.conflicts),
            rejected: n(status.rejected_ops),
            set_aside: n(status.set_aside_ops),
            last_sync: status.last_sync,
            progress: track.progress.clone().filter(|_| track.running),
            received: track.received.filter(|_| track.running),
            error: track.error.clone(),
            next_attempt: track.next_attempt_at.map(|t| t.to_rfc3339()),
        })
    }

    pub(crate) fn emit_sync(&self) {
        if let Ok(view) = self.sync_status() {
            (self.events)(AppEvent::Sync(view));
        }
    }

    /// Syncs now (the "Sync now" button), then reports the indicator.
    pub async fn sync_now(&self) -> Result<SyncView, AppError> {
        self.touch();
        let enrolled = self.with_store(|store| Ok(store.hub_link()?.is_some()))?;
        if !enrolled {
            return Err(SyncError::NotEnrolled.into());
        }
        {
            let mut track = self.track();
            // A person asked: a refusal is worth trying again.
            if track.state == SyncState::Failed {
                track.state = SyncState::Idle;
            }
        }
        self.sync_round().await;
        self.sync_status()
    }

    /// One sync round; if one is running already, waits for it to end, then runs another (so
    /// "Sync now" reports a finished round, and includes what was written meanwhile).
    async fn sync_round(&self) {
        let _one_at_a_time = self.round.lock().await;
        {
            let mut track = self.track();
            track.running = true;
            track.state = SyncState::Syncing;
            track.progress = Some("Connecting to the hub".to_owned());
            track.received = None;
            track.next_due = None;
        }
        self.emit_sync();
        let result = casebook_sync::sync_shared(&Shared(self, std::sync::Mutex::new(None))).await;
        let wipe = matches!(&result, Ok(report) if report.wipe);
        {
            let mut track = self.track();
            track.running = false;
            track.progress = None;
            track.received = None;
            match &result {
                Ok(report) => {
                    tracing::debug!(
                        pushed = report.pushed,
                        pulled = report.pulled,
                        "background sync done"
                    );
                    track.state = SyncState::Idle;
                    track.error = None;
                    track.next_attempt_at = None;
                    track.backoff.succeeded();
                    track.next_due = Some(Instant::now() + track.interval);
                }
                Err(SyncError::Locked | SyncError::NotEnrolled) => {
                    track.state = SyncState::Idle;
                }
                Err(e) if e.is_transient() => {
                    let wait = track.backoff.failed();
                    track.state = SyncState::Offline;
                    track.error = Some(crate::error::sync_message(e));
                    track.next_due = Some(Instant::now() + wait);
                    track.next_attempt_at = chrono::Duration::from_std(wait)
                        .ok()
                        .map(|d| chrono::Utc::now() + d);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "sync refused");
                    track.state = SyncState::Failed;
                    track.error = Some(crate::error::sync_message(e));
                    track.next_due = None;
                    track.next_attempt_at = None;
                }
            }
        }
        if wipe {
            self.wipe();
        } else {
            self.emit_sync();
        }
    }

    /// The background loop: run it once per app, for as long as the app lives.
    pub async fn run_background(self: Arc<Self>) {
        loop {
            let now = Instant::now();
            self.lock_if_idle(now);
            let due = {
                let track = self.track();
                track.next_due.filter(|d| *d <= now).is_some() && !track.running
            };
            let open = self
                .session
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .store
                .is_some();
            if due && open {
                let enrolled = self.with_store(|s| Ok(s.hub_link()?.is_some())).unwrap_or(false);
                if enrolled {
                    self.sync_round().await;
                } else {
                    self.track().next_due = None;
                }
            }
            // Wake at least every second for the idle check; sooner when something asks to sync.
            let _ = tokio::time::timeout(Duration::from_secs(1), self.wake.notified()).await;
        }
    }
}
