//! The sync state a status line shows, and the record of a finished sync.

use casebook_domain::{DeviceId, Role};
use rusqlite::params;
use serde::Serialize;

use crate::Store;
use crate::error::StoreError;

/// Sync state for the status line.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncStatus {
    /// The hub, if enrolled.
    pub hub: Option<String>,
    /// This device's id (the hub's, once enrolled).
    pub device_id: DeviceId,
    /// The enrolled user's name.
    pub user: Option<String>,
    /// Role.
    pub role: Option<Role>,
    /// Last successful sync (RFC 3339).
    pub last_sync: Option<String>,
    /// Ops waiting to be pushed.
    pub pending_ops: u64,
    /// Ops the hub refused.
    pub rejected_ops: u64,
    /// Open conflicts.
    pub conflicts: u64,
    /// Ops from the hub set aside: "n changes could not be applied".
    pub set_aside_ops: u64,
    /// Ops in the log, in all.
    pub total_ops: u64,
    /// Cases held.
    pub cases: u64,
    /// The pull cursor.
    pub cursor: u64,
}

/// What the app's sync indicator shows, counted from indexes and small tables only: it is read
/// on every sync event, and [`SyncStatus`]'s totals scan the whole op log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncIndicator {
    /// The hub, if enrolled.
    pub hub: Option<String>,
    /// Last successful sync (RFC 3339).
    pub last_sync: Option<String>,
    /// Ops waiting to be pushed; 0 when not enrolled, since there is no hub to wait for (and a
    /// store never enrolled would count every op it holds).
    pub pending_ops: u64,
    /// Ops the hub refused.
    pub rejected_ops: u64,
    /// Open conflicts.
    pub conflicts: u64,
    /// Ops from the hub set aside.
    pub set_aside_ops: u64,
}

impl Store {
    /// The sync indicator's counts (see [`SyncIndicator`]).
    pub fn sync_indicator(&self) -> Result<SyncIndicator, StoreError> {
        let hub = self.hub_link()?.map(|l| l.url);
        Ok(SyncIndicator {
            pending_ops: match hub {
                Some(_) => self.count("SELECT count(*) FROM ops WHERE push_state = 0")?,
                None => 0,
            },
            hub,
            last_sync: self.meta("last_sync")?,
            rejected_ops: self.count("SELECT count(*) FROM ops WHERE push_state = 2")?,
            conflicts: self.count("SELECT count(*) FROM conflicts WHERE resolved_at IS NULL")?,
            set_aside_ops: self.count("SELECT count(*) FROM set_aside_ops")?,
        })
    }

    /// Records a finished sync and the hub's clock, so a laptop whose clock is far off still
    /// timestamps its changes sensibly, and brings the caseload's kept rows up to date.
    pub fn record_sync(&mut self, hub_time_ms: u64) -> Result<(), StoreError> {
        let local = crate::now_ms();
        let offset = i64::try_from(hub_time_ms).unwrap_or(0) - i64::try_from(local).unwrap_or(0);
        // Small differences are network delay; only a clock that is minutes off is corrected.
        let offset = if offset.abs() > 60_000 { offset } else { 0 };
        self.clock_offset_ms = offset;
        let tx = self.conn.transaction()?;
        for (k, v) in [
            ("last_sync", chrono::Utc::now().to_rfc3339()),
            ("clock_offset_ms", offset.to_string()),
        ] {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![k, v],
            )?;
        }
        tx.commit()?;
        // The round is over: the caseload's rows are brought up to date now, not by whichever
        // screen lists cases next.
        self.refresh_caseload()?;
        Ok(())
    }

    /// The sync state for the status line.
    pub fn sync_status(&self) -> Result<SyncStatus, StoreError> {
        let link = self.hub_link()?;
        Ok(SyncStatus {
            hub: link.as_ref().map(|l| l.url.clone()),
            device_id: link.as_ref().map(|l| l.device_id).unwrap_or(self.actor.device),
            user: link.as_ref().map(|l| l.user_name.clone()),
            role: link.as_ref().map(|l| l.role),
            last_sync: self.meta("last_sync")?,
            pending_ops: self.count("SELECT count(*) FROM ops WHERE push_state = 0")?,
            rejected_ops: self.count("SELECT count(*) FROM ops WHERE push_state = 2")?,
            conflicts: self.count("SELECT count(*) FROM conflicts WHERE resolved_at IS NULL")?,
            set_aside_ops: self.count("SELECT count(*) FROM set_aside_ops")?,
            total_ops: self.count("SELECT count(*) FROM ops")?,
            cases: self.count("SELECT count(*) FROM cases")?,
            cursor: self.pull_cursor()?,
        })
    }
}
