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

/// Shortest passphrase accepted for a new store.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

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
}

/// Checks a new passphrase is long enough to protect the store.
pub fn check_new_passphrase(passphrase: &SecretString) -> Result<(), StoreError> {
    use age::secrecy::ExposeSecret;
    if passphrase.expose_secret().chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(StoreError::PassphraseTooShort {
            min: MIN_PASSPHRASE_CHARS,
        });
    }
    Ok(())
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

/// Writes `bytes` to `path` so that a crash at any point leaves either the old file or the new
/// one, never a mix: write a temporary file beside it, fsync, rename over, fsync the directory.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{file_name}.tmp"));
    {
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&tmp)
            .map_err(StoreError::io("create", &tmp))?;
        restrict_permissions(&f, &tmp)?;
        f.write_all(bytes).map_err(StoreError::io("write", &tmp))?;
        f.sync_all().map_err(StoreError::io("flush", &tmp))?;
    }
    fs::rename(&tmp, path).map_err(StoreError::io("replace", path))?;
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(StoreError::io("flush", dir))?;
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
}
