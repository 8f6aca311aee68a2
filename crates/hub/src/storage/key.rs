//! The database key: 32 random bytes, kept hex in `hub.key` (mode 0600) or given by
//! `CASEBOOK_HUB_KEY`; and the owner-only permissions of every file of the data dir.

use std::fs;
use std::io::Write;
use std::path::Path;

use zeroize::Zeroizing;

use crate::error::HubError;

/// The name of the key file inside the data dir.
pub const KEY_FILE: &str = "hub.key";

/// The SQLCipher key, as 64 hex characters; zeroized on drop and never printed.
pub struct HubKey(Zeroizing<String>);

impl std::fmt::Debug for HubKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("HubKey(..)")
    }
}

impl HubKey {
    /// Parses 64 hex characters (surrounding whitespace ignored).
    pub fn from_hex(text: &str) -> Result<Self, HubError> {
        let text = text.trim();
        if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(HubError::BadKeyFormat);
        }
        Ok(Self(Zeroizing::new(text.to_ascii_lowercase())))
    }

    /// Whether `other` is the same key.
    pub fn same_as(&self, other: &HubKey) -> bool {
        self.0 == other.0
    }

    /// A fresh random key.
    pub fn random() -> Result<Self, HubError> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(bytes.as_mut()).map_err(|e| HubError::Randomness(e.to_string()))?;
        Ok(Self(Zeroizing::new(hex::encode(&bytes[..]))))
    }

    /// The hex text, for `PRAGMA key` only.
    pub(crate) fn hex(&self) -> &str {
        &self.0
    }

    /// The 32 key bytes, only as the input from which sealing keys are derived (`seal.rs`).
    pub(crate) fn bytes(&self) -> Zeroizing<[u8; 32]> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        // `from_hex` and `random` only ever hold 64 hex characters.
        let _ = hex::decode_to_slice(self.0.as_bytes(), &mut bytes[..]);
        bytes
    }
}

/// The key for `dir`: `from_env` if given, else `hub.key`, created on a new data dir.
pub fn load_or_create(dir: &Path, from_env: Option<HubKey>, db_exists: bool) -> Result<HubKey, HubError> {
    if let Some(key) = from_env {
        return Ok(key);
    }
    let path = dir.join(KEY_FILE);
    match fs::read_to_string(&path) {
        Ok(text) => HubKey::from_hex(&Zeroizing::new(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if db_exists {
                return Err(HubError::MissingKey(dir.join(super::DB_FILE)));
            }
            write_new(&path, HubKey::random()?.hex())?;
            // Read back: a process racing us on the new data dir may have written its key first.
            let text = fs::read_to_string(&path).map_err(|source| HubError::Io {
                action: "cannot read",
                path: path.clone(),
                source,
            })?;
            HubKey::from_hex(&Zeroizing::new(text))
        }
        Err(source) => Err(HubError::Io {
            action: "cannot read",
            path,
            source,
        }),
    }
}

/// The key in the file `path` (the PostgreSQL backend's, which has no data dir), made there
/// (mode 0600) on first use. Two processes making it at once end with the same key.
pub fn load_or_create_file(path: &Path) -> Result<HubKey, HubError> {
    let read = |path: &Path| -> Result<HubKey, HubError> {
        let text = fs::read_to_string(path).map_err(|source| HubError::Io {
            action: "cannot read",
            path: path.to_path_buf(),
            source,
        })?;
        HubKey::from_hex(Zeroizing::new(text).trim())
    };
    if !path.exists() {
        write_new(path, HubKey::random()?.hex())?;
    }
    read(path)
}

/// Writes `key` to the new file `path` (mode 0600); refuses to replace a file that exists.
pub fn write_new_key_file(path: &Path, key: &HubKey) -> Result<(), HubError> {
    if path.exists() {
        return Err(HubError::Io {
            action: "refusing to replace the key file",
            path: path.to_path_buf(),
            source: std::io::Error::from(std::io::ErrorKind::AlreadyExists),
        });
    }
    write_new(path, key.hex())
}

/// Makes the data dir owner-only (0700) and every data file in it that exists owner-only (0600):
/// the key, the database and SQLite's WAL and shared-memory files. Run at every start, so a
/// directory copied, restored from a backup or loosened by hand is narrowed again.
pub(crate) fn protect_data_files(dir: &Path) -> Result<(), HubError> {
    let db = super::DB_FILE;
    set_mode(dir, 0o700)?;
    for name in [
        KEY_FILE.to_owned(),
        db.to_owned(),
        format!("{db}-wal"),
        format!("{db}-shm"),
    ] {
        let path = dir.join(name);
        match fs::symlink_metadata(&path) {
            Ok(meta) if meta.is_file() => set_mode(&path, 0o600)?,
            _ => {}
        }
    }
    Ok(())
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> Result<(), HubError> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).map_err(|source| HubError::Io {
        action: "cannot restrict the permissions of",
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(not(unix))]
fn set_mode(_: &Path, _: u32) -> Result<(), HubError> {
    Ok(())
}

/// Writes `text` to `path` unless it exists, so that a crash leaves either no file or the
/// whole file: write a temporary file, fsync, then link it into place (which never overwrites).
pub(crate) fn write_new(path: &Path, text: &str) -> Result<(), HubError> {
    let tmp = path.with_extension(format!("key.tmp.{}", std::process::id()));
    let io = |action, source| HubError::Io {
        action,
        path: path.to_path_buf(),
        source,
    };
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp).map_err(|e| io("cannot create", e))?;
    let written = file.write_all(text.as_bytes()).and_then(|()| file.sync_all());
    drop(file);
    let linked = written.and_then(|()| match fs::hard_link(&tmp, path) {
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        other => other,
    });
    let _ = fs::remove_file(&tmp);
    linked.map_err(|e| io("cannot write", e))?;
    if let Some(parent) = path.parent()
        && let Ok(dir) = fs::File::open(parent)
    {
        let _ = dir.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_64_hex_characters() {
        assert!(HubKey::from_hex(&"ab".repeat(32)).is_ok());
        assert!(matches!(HubKey::from_hex("abcd"), Err(HubError::BadKeyFormat)));
        assert!(matches!(
            HubKey::from_hex(&"zz".repeat(32)),
            Err(HubError::BadKeyFormat)
        ));
        assert_eq!(
            format!("{:?}", HubKey::from_hex(&"ab".repeat(32)).expect("key")),
            "HubKey(..)"
        );
    }

    #[test]
    fn a_new_key_file_is_private_and_reused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = load_or_create(dir.path(), None, false).expect("create");
        let again = load_or_create(dir.path(), None, true).expect("reuse");
        assert_eq!(first.hex(), again.hex());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join(KEY_FILE))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[cfg(unix)]
    #[test]
    fn loosened_data_files_are_made_private_again_at_start() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("hub");
        drop(crate::storage::Storage::open(&dir, None).expect("first start"));
        let files = ["hub.key", "hub.db", "hub.db-wal", "hub.db-shm"];
        // A copy restored by hand, or a umask of 022: everything readable by others.
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).expect("chmod dir");
        for f in files {
            let path = dir.join(f);
            if !path.exists() {
                fs::write(&path, b"").expect("stand-in");
            }
            fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).expect("chmod");
        }
        let storage = crate::storage::Storage::open(&dir, None).expect("second start");
        assert_eq!(mode(&dir), 0o700, "the data dir");
        for f in files {
            let path = dir.join(f);
            if path.exists() {
                assert_eq!(mode(&path), 0o600, "{f}");
            }
        }
        drop(storage);
    }

    #[cfg(unix)]
    #[test]
    fn a_new_data_dir_is_private_from_the_first_start() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path().join("hub");
        let storage = crate::storage::Storage::open(&dir, None).expect("first start");
        assert_eq!(mode(&dir), 0o700);
        for f in ["hub.key", "hub.db", "hub.db-wal", "hub.db-shm"] {
            let path = dir.join(f);
            if path.exists() {
                assert_eq!(mode(&path), 0o600, "{f}");
            }
        }
        assert!(dir.join("hub.db").exists());
        drop(storage);
    }
}
