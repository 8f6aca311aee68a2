//! The database key and `store.key`: 32 random bytes, encrypted with age to the passphrase.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::Path;

use age::secrecy::SecretString;
use zeroize::{Zeroize, Zeroizing};

use crate::error::StoreError;

/// The scrypt work factor (N = 2^SCRYPT_LOG_N) used to seal `store.key`. Set explicitly so an
/// unlock costs a predictable 0.3–1 s on a laptop: age's self-calibrated default varies from
/// machine to machine and run to run.
pub const SCRYPT_LOG_N: u8 = 18;

/// The largest work factor accepted when opening, so a crafted key file cannot make an unlock
/// take hours.
const MAX_LOG_N: u8 = 22;

/// The raw database key. Zeroized on drop, never printed.
pub struct DbKey(Zeroizing<[u8; 32]>);

impl DbKey {
    /// 32 bytes from the operating system's random source.
    pub fn generate() -> Result<Self, StoreError> {
        let mut bytes = Zeroizing::new([0u8; 32]);
        getrandom::fill(bytes.as_mut()).map_err(|e| StoreError::Encrypt(format!("no randomness: {e}")))?;
        Ok(Self(bytes))
    }

    /// The `PRAGMA key` statement for this key: a raw key, so SQLCipher skips its own PBKDF2.
    pub(crate) fn pragma(&self) -> Zeroizing<String> {
        let hex = Zeroizing::new(hex::encode(&self.0[..]));
        Zeroizing::new(format!("PRAGMA key = \"x'{}'\";", hex.as_str()))
    }

    /// The `PRAGMA rekey` statement that re-encrypts an open database under this key.
    pub(crate) fn rekey_pragma(&self) -> Zeroizing<String> {
        let hex = Zeroizing::new(hex::encode(&self.0[..]));
        Zeroizing::new(format!("PRAGMA rekey = \"x'{}'\";", hex.as_str()))
    }
}

/// Encrypts `plaintext` to a passphrase with age (scrypt recipient, explicit work factor).
pub fn encrypt_to_passphrase(plaintext: &[u8], passphrase: &SecretString) -> Result<Vec<u8>, StoreError> {
    let mut recipient = age::scrypt::Recipient::new(passphrase.clone());
    recipient.set_work_factor(SCRYPT_LOG_N);
    age::encrypt(&recipient, plaintext).map_err(|e| StoreError::Encrypt(e.to_string()))
}

/// Seals the key: the contents of `store.key`.
pub(crate) fn seal(key: &DbKey, passphrase: &SecretString) -> Result<Vec<u8>, StoreError> {
    encrypt_to_passphrase(key.0.as_ref(), passphrase)
}

/// Opens the contents of `store.key` with the passphrase.
pub(crate) fn unseal(sealed: &[u8], passphrase: &SecretString) -> Result<DbKey, StoreError> {
    let damaged = |detail: &str| StoreError::KeyFileDamaged {
        detail: detail.to_owned(),
    };
    let decryptor = age::Decryptor::new_buffered(sealed).map_err(|e| match e {
        age::DecryptError::UnknownFormat => damaged("unknown format"),
        _ => damaged("not an age file"),
    })?;
    if !decryptor.is_scrypt() {
        return Err(damaged("not sealed with a passphrase"));
    }
    let mut identity = age::scrypt::Identity::new(passphrase.clone());
    identity.set_max_work_factor(MAX_LOG_N);
    let mut reader = decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .map_err(|e| match e {
            age::DecryptError::DecryptionFailed | age::DecryptError::NoMatchingKeys => {
                StoreError::WrongPassphrase
            }
            age::DecryptError::ExcessiveWork { .. } => {
                damaged("its work factor is larger than Casebook accepts")
            }
            age::DecryptError::InvalidMac => damaged("its header has been altered"),
            _ => damaged("its header cannot be read"),
        })?;
    let mut plain = Zeroizing::new(Vec::with_capacity(32));
    reader
        .read_to_end(&mut plain)
        .map_err(|_| damaged("its contents have been altered"))?;
    if plain.len() != 32 {
        return Err(damaged("it does not hold a 32-byte key"));
    }
    let mut bytes = Zeroizing::new([0u8; 32]);
    bytes.copy_from_slice(&plain);
    plain.zeroize();
    Ok(DbKey(bytes))
}

/// Seals the key to the organisation's recovery recipient (`age1…`): `store.recovery`.
pub(crate) fn seal_to_recipient(key: &DbKey, recipient: &str) -> Result<Vec<u8>, StoreError> {
    let recipient: age::x25519::Recipient = recipient
        .trim()
        .parse()
        .map_err(|_| StoreError::Encrypt("the hub's recovery recipient is not an age public key".into()))?;
    age::encrypt(&recipient, key.0.as_ref()).map_err(|e| StoreError::Encrypt(e.to_string()))
}

/// Opens `store.recovery` with the organisation's recovery identity (`AGE-SECRET-KEY-1…`).
pub(crate) fn unseal_recovery(sealed: &[u8], identity: &SecretString) -> Result<DbKey, StoreError> {
    use age::secrecy::ExposeSecret;
    let identity: age::x25519::Identity =
        identity
            .expose_secret()
            .trim()
            .parse()
            .map_err(|_| StoreError::RecoveryKeyWrong {
                detail: "it is not an age secret key (AGE-SECRET-KEY-1…)".into(),
            })?;
    let damaged = |detail: &str| StoreError::RecoveryFileDamaged {
        detail: detail.to_owned(),
    };
    let plain = Zeroizing::new(age::decrypt(&identity, sealed).map_err(|e| match e {
        age::DecryptError::NoMatchingKeys | age::DecryptError::DecryptionFailed => {
            StoreError::RecoveryKeyWrong {
                detail: "this store was not sealed to it".into(),
            }
        }
        _ => damaged("it cannot be read as an age file"),
    })?);
    if plain.len() != 32 {
        return Err(damaged("it does not hold a 32-byte key"));
    }
    let mut bytes = Zeroizing::new([0u8; 32]);
    bytes.copy_from_slice(&plain);
    Ok(DbKey(bytes))
}

/// Whether an age file is sealed to a passphrase (scrypt) rather than to a public key; `None`
/// when it is not an age file at all.
pub(crate) fn sealed_to_passphrase(sealed: &[u8]) -> Option<bool> {
    age::Decryptor::new_buffered(sealed).ok().map(|d| d.is_scrypt())
}

/// Writes `bytes` to `path` so that a crash at any point leaves either the old file or the new
/// one, never a mix: write a temporary file beside it, fsync, rename over, fsync the directory.
/// The temporary file's name is unique, so two writers never write into the same one: the last
/// rename wins and the file is always one writer's whole content.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{file_name}."))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(StoreError::io("create a temporary file in", dir))?;
    restrict_permissions(tmp.as_file(), tmp.path())?;
    tmp.write_all(bytes)
        .map_err(StoreError::io("write", tmp.path().to_owned()))?;
    tmp.as_file()
        .sync_all()
        .map_err(StoreError::io("flush", tmp.path().to_owned()))?;
    // On failure the temporary file is removed when the error drops it.
    tmp.persist(path).map_err(|e| StoreError::Io {
        action: "replace",
        path: path.to_owned(),
        source: e.error,
    })?;
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(StoreError::io("flush", dir))?;
    Ok(())
}

/// Overwrites the file at `path` with random bytes over its whole length, in place (the same
/// inode: no new file, no rename), and fsyncs it, so its old contents are gone from the disk
/// blocks it holds and not only unlinked. Used before a key file is removed.
pub(crate) fn overwrite_in_place(path: &Path) -> Result<(), StoreError> {
    // No truncate, no create: the point is to write over the very blocks the old bytes are in.
    let f = OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(StoreError::io("open", path))?;
    overwrite_open_file(f, path)
}

/// [`overwrite_in_place`] through a handle opened earlier: the file may have been replaced or
/// unlinked since, and its old blocks are still the ones written over.
pub(crate) fn overwrite_open_file(mut f: File, path: &Path) -> Result<(), StoreError> {
    let len = f.metadata().map_err(StoreError::io("read", path))?.len();
    let mut noise = Zeroizing::new([0u8; 4096]);
    let mut left = len;
    while left > 0 {
        let n = usize::try_from(left.min(noise.len() as u64)).unwrap_or(noise.len());
        getrandom::fill(&mut noise[..n]).map_err(|e| StoreError::Encrypt(format!("no randomness: {e}")))?;
        f.write_all(&noise[..n])
            .map_err(StoreError::io("overwrite", path))?;
        left -= n as u64;
    }
    f.sync_all().map_err(StoreError::io("flush", path))?;
    Ok(())
}

#[cfg(unix)]
fn restrict_permissions(f: &File, path: &Path) -> Result<(), StoreError> {
    use std::os::unix::fs::PermissionsExt;
    f.set_permissions(fs::Permissions::from_mode(0o600))
        .map_err(StoreError::io("protect", path))
}

#[cfg(not(unix))]
fn restrict_permissions(_: &File, _: &Path) -> Result<(), StoreError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pass(s: &str) -> SecretString {
        SecretString::from(s.to_owned())
    }

    #[test]
    fn a_sealed_key_opens_only_with_its_passphrase() {
        let key = DbKey::generate().expect("key");
        let sealed = seal(&key, &pass("correct horse")).expect("seal");
        let opened = unseal(&sealed, &pass("correct horse")).expect("unseal");
        assert_eq!(opened.0[..], key.0[..]);
        assert!(matches!(
            unseal(&sealed, &pass("wrong horse")),
            Err(StoreError::WrongPassphrase)
        ));
    }

    #[test]
    fn damaged_key_files_are_told_apart_from_wrong_passphrases() {
        let key = DbKey::generate().expect("key");
        let sealed = seal(&key, &pass("correct horse")).expect("seal");
        assert!(matches!(
            unseal(b"garbage", &pass("x")),
            Err(StoreError::KeyFileDamaged { .. })
        ));
        assert!(matches!(
            unseal(&sealed[..sealed.len() - 5], &pass("correct horse")),
            Err(StoreError::KeyFileDamaged { .. })
        ));
        let mut flipped = sealed.clone();
        let last = flipped.len() - 3;
        flipped[last] ^= 1;
        assert!(matches!(
            unseal(&flipped, &pass("correct horse")),
            Err(StoreError::KeyFileDamaged { .. })
        ));
    }

    #[test]
    fn the_pragma_never_shows_up_in_debug_output() {
        let key = DbKey::generate().expect("key");
        let pragma = key.pragma();
        assert!(pragma.starts_with("PRAGMA key = \"x'"));
        assert_eq!(pragma.len(), "PRAGMA key = \"x''\";".len() + 64);
    }

    #[test]
    fn atomic_write_replaces_the_file_whole() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("store.key");
        write_atomically(&path, b"one").expect("write");
        write_atomically(&path, b"two").expect("write");
        assert_eq!(fs::read(&path).expect("read"), b"two");
        assert_eq!(
            fs::read_dir(dir.path()).expect("ls").count(),
            1,
            "no temporary file left"
        );
    }

    #[cfg(unix)]
    #[test]
    fn overwriting_in_place_keeps_the_inode_and_replaces_every_byte() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("store.key");
        let key = DbKey::generate().expect("key");
        write_atomically(&path, &seal(&key, &pass("correct horse")).expect("seal")).expect("write");
        let before = fs::read(&path).expect("read");
        let inode = fs::metadata(&path).expect("meta").ino();
        overwrite_in_place(&path).expect("overwrite");
        let after = fs::read(&path).expect("read");
        assert_eq!(
            fs::metadata(&path).expect("meta").ino(),
            inode,
            "the same file, not a new one"
        );
        assert_eq!(after.len(), before.len(), "the whole length and no more");
        // Random bytes may match by chance at a few places, never across the file.
        let same = before.iter().zip(&after).filter(|(a, b)| a == b).count();
        assert!(
            same < before.len() / 16,
            "{same} of {} bytes unchanged",
            before.len()
        );
        assert!(
            !after.windows(21).any(|w| w == b"age-encryption.org/v1"),
            "the age header is still there"
        );
        assert!(matches!(
            unseal(&after, &pass("correct horse")),
            Err(StoreError::KeyFileDamaged { .. })
        ));
    }

    #[test]
    fn overwriting_a_missing_file_fails_and_creates_nothing() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("store.key");
        assert!(matches!(overwrite_in_place(&path), Err(StoreError::Io { .. })));
        assert!(!path.exists());
    }

    #[test]
    fn two_concurrent_writers_never_mix_their_files() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("store.key");
        // Large enough that a write takes several system calls' worth of time.
        let contents: Vec<Vec<u8>> = vec![vec![b'a'; 256 * 1024], vec![b'b'; 200 * 1024]];
        write_atomically(&path, &contents[0]).expect("first write");
        let stop = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|s| {
            let writers: Vec<_> = contents
                .iter()
                .map(|c| {
                    let path = &path;
                    s.spawn(move || {
                        for _ in 0..40 {
                            write_atomically(path, c).expect("write");
                        }
                    })
                })
                .collect();
            let reader = s.spawn(|| {
                let mut reads = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let now = fs::read(&path).expect("the file is always there");
                    assert!(contents.contains(&now), "a mix of {} bytes", now.len());
                    reads += 1;
                }
                reads
            });
            for w in writers {
                w.join().expect("writer");
            }
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
            assert!(reader.join().expect("reader") > 0);
        });
        assert!(contents.contains(&fs::read(&path).expect("read")));
        let left: Vec<_> = fs::read_dir(dir.path())
            .expect("ls")
            .map(|e| e.expect("entry").file_name())
            .collect();
        assert_eq!(
            left,
            vec![std::ffi::OsString::from("store.key")],
            "no temporary file left"
        );
    }

    #[cfg(unix)]
    #[test]
    fn key_files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("store.key");
        write_atomically(&path, b"sealed").expect("write");
        let mode = fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
