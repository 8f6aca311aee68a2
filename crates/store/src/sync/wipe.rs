//! Wiping a revoked device: the key is destroyed before the files go.

use crate::Store;
use crate::error::StoreError;

impl Store {
    /// Erases this store for good (a revoked device told to wipe): the key file is overwritten
    /// before it is removed, so the database, even if recovered from the disk, cannot be read.
    pub fn wipe(self) -> Result<(), StoreError> {
        let paths = self.paths.clone();
        drop(self);
        let key = paths.key();
        let recovery = paths.dir.join(crate::recovery::RECOVERY_FILE);
        // Over the same bytes on disk (same inode, flushed), so no copy of the key survives.
        for sealed in [&key, &recovery] {
            if sealed.exists() {
                crate::key::overwrite_in_place(sealed)?;
            }
        }
        for file in [
            key,
            recovery,
            paths.db(),
            paths.dir.join("store.db-wal"),
            paths.dir.join("store.db-shm"),
        ] {
            match std::fs::remove_file(&file) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(StoreError::Io {
                        action: "remove",
                        path: file,
                        source: e,
                    });
                }
            }
        }
        tracing::warn!("store wiped at the hub's request");
        Ok(())
    }
}
