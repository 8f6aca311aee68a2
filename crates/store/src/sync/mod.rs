//! What sync needs of the store, one concern a file: the hub link, the push queue, receiving
//! ops from the hub, conflicts, purging cases that left scope, the status line, and wiping a
//! revoked device. No network here.

mod conflicts;
mod erase;
mod link;
mod purge;
mod push;
mod receive;
mod status;
mod wipe;

pub use conflicts::{ConflictView, Keep};
pub use link::HubLink;
pub use push::{PushResult, RejectedOp};
pub use receive::{ApplyCounts, RemoteOp, SetAsideOp};
pub use status::{SyncIndicator, SyncStatus};

use rusqlite::{OptionalExtension, params};

use crate::Store;
use crate::error::StoreError;

impl Store {
    fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    fn count(&self, sql: &str) -> Result<u64, StoreError> {
        let n: i64 = self.conn.query_row(sql, [], |r| r.get(0))?;
        Ok(n.unsigned_abs())
    }
}
