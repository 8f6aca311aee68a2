//! Read-only connections to the hub database: pulls, history pages and token checks run on
//! these, so they never wait behind the one writer (WAL lets readers and a writer overlap).

use casebook_domain::CaseId;

use super::{FoundDevice, HistoryPage, HubKey, OwnOps, PullPage, Readiness, Sqlite, Storage};
use crate::error::HubError;
use crate::scope::Viewer;

/// Page cache of a reader, in KiB: the writer's. Every page missed is read and decrypted again,
/// and a 16 MiB cache made a pull of 40 MB of notes twice as slow (casebook-bench sync). At most
/// [`crate::state::READERS`] × 64 MiB, filled only as big pages are read.
const READER_CACHE_KIB: i64 = 64 * 1024;

/// A connection that only reads, on either backend. Sync: call it from a blocking thread.
#[derive(Debug)]
pub struct Reader {
    pub(super) storage: Storage,
}

impl Sqlite {
    /// Opens another connection to the same database, with the same key, that can only read.
    /// No migration: the writer did that when it opened.
    pub fn reader(&self) -> Result<Sqlite, HubError> {
        let conn = super::open_keyed(&self.path, &self.key)?;
        conn.execute_batch(&format!(
            "PRAGMA busy_timeout = 10000;
             PRAGMA temp_store = MEMORY;
             PRAGMA cache_size = -{READER_CACHE_KIB};
             PRAGMA query_only = ON;"
        ))?;
        Ok(Sqlite {
            conn,
            hub: self.hub,
            path: self.path.clone(),
            key: HubKey::from_hex(self.key.hex())?,
            key_in_dir: self.key_in_dir,
            operator: None,
        })
    }
}

impl Reader {
    /// See [`Storage::readiness`].
    pub fn readiness(&mut self) -> Result<Readiness, HubError> {
        self.storage.readiness()
    }

    /// See [`Storage::devices_seen_since`].
    pub fn devices_seen_since(&mut self, since_ms: i64) -> Result<u64, HubError> {
        self.storage.devices_seen_since(since_ms)
    }

    /// See [`Sqlite::pull`].
    pub fn pull(
        &mut self,
        viewer: &Viewer,
        cursor: u64,
        held: &[CaseId],
        limit: u32,
        own: Option<OwnOps>,
    ) -> Result<PullPage, HubError> {
        self.storage.pull(viewer, cursor, held, limit, own)
    }

    /// See [`Sqlite::remaining`].
    pub fn remaining(&mut self, viewer: &Viewer, after: u64) -> Result<u64, HubError> {
        self.storage.remaining(viewer, after)
    }

    /// See [`Sqlite::history`].
    pub fn history(
        &mut self,
        viewer: &Viewer,
        case_id: CaseId,
        after: u64,
        limit: u32,
    ) -> Result<Option<HistoryPage>, HubError> {
        self.storage.history(viewer, case_id, after, limit)
    }

    /// See [`Sqlite::pending_purges`].
    pub fn pending_purges(
        &self,
        device: casebook_domain::DeviceId,
    ) -> Result<Vec<casebook_protocol::PurgeOrder>, HubError> {
        self.storage.pending_purges(device)
    }

    /// See [`Sqlite::device_by_token`].
    pub fn device_by_token(&self, token_hash: &str, now_ms: i64) -> Result<Option<FoundDevice>, HubError> {
        self.storage.device_by_token(token_hash, now_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reader_reads_what_the_writer_committed_and_cannot_write() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut writer = Sqlite::open(dir.path(), None).expect("open");
        let reader = writer.reader().expect("reader");
        let user = writer
            .add_user("Sam", casebook_protocol::Role::Facilitator, None, 1)
            .expect("user");
        let enrolled = writer
            .add_code(user.id, "code-hash", 1, i64::MAX)
            .and_then(|()| writer.enroll_from("code-hash", "laptop", "token-hash", 2, None))
            .expect("enroll")
            .expect("a valid code");

        let found = reader
            .device_by_token("token-hash", 3)
            .expect("read")
            .expect("the reader sees the new device");
        assert_eq!(found.device.id, enrolled.device.id);
        assert!(!found.last_seen_stale, "enrollment counts as seen");
        let later = 2 + 61_000;
        assert!(
            reader
                .device_by_token("token-hash", later)
                .expect("read")
                .expect("device")
                .last_seen_stale
        );
        writer.touch_device(found.device.id, later).expect("touch");
        assert!(
            !reader
                .device_by_token("token-hash", later)
                .expect("read")
                .expect("device")
                .last_seen_stale
        );
        assert!(reader.device_by_token("other", 3).expect("read").is_none());

        let refused = reader.conn.execute("DELETE FROM devices", []);
        assert!(refused.is_err(), "a reader must not write");
    }
}
