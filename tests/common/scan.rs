//! Scanning the files a store leaves behind: walking, hashing and searching a folder's raw
//! bytes, and opening a store with standard tools (`age`, SQLCipher) as anyone with the
//! passphrase could.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Every file under `dir` (recursively), with its relative path. Directories are listed
/// too (with a trailing `/`), so a new empty folder also shows up as a change.
pub fn walk(dir: &Path) -> Vec<(String, PathBuf)> {
    fn go(root: &Path, dir: &Path, acc: &mut Vec<(String, PathBuf)>) {
        let Ok(entries) = fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            let rel = path.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            match entry.file_type() {
                Ok(t) if t.is_dir() => {
                    acc.push((format!("{rel}/"), path.clone()));
                    go(root, &path, acc);
                }
                _ => acc.push((rel, path)),
            }
        }
    }
    let mut acc = vec![];
    go(dir, dir, &mut acc);
    acc.sort();
    acc
}

/// sha256 of every file under `dir` (directories map to `"dir"`).
pub fn hash_dir(dir: &Path) -> BTreeMap<String, String> {
    walk(dir)
        .into_iter()
        .map(|(rel, path)| {
            if rel.ends_with('/') {
                (rel, "dir".to_owned())
            } else {
                let bytes = fs::read(&path).unwrap_or_default();
                (rel, hex::encode(Sha256::digest(&bytes)))
            }
        })
        .collect()
}

/// Files under `dir` whose raw bytes contain `needle`.
pub fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    let needle = needle.as_bytes();
    walk(dir)
        .into_iter()
        .filter(|(rel, _)| !rel.ends_with('/'))
        .filter(|(_, path)| {
            fs::read(path).is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle))
        })
        .map(|(rel, _)| rel)
        .collect()
}

/// Decrypts an age file encrypted to a passphrase, with the `age` crate.
pub fn age_decrypt(ciphertext: &[u8], passphrase: &str) -> Result<Vec<u8>, String> {
    let mut identity = age::scrypt::Identity::new(age::secrecy::SecretString::from(passphrase.to_owned()));
    identity.set_max_work_factor(24);
    let decryptor = age::Decryptor::new(ciphertext).map_err(|e| format!("not an age file: {e}"))?;
    let mut reader = decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .map_err(|e| format!("age refused to decrypt: {e}"))?;
    let mut plain = vec![];
    reader
        .read_to_end(&mut plain)
        .map_err(|e| format!("age stream: {e}"))?;
    Ok(plain)
}

/// Opens `store.db` the way anyone with the passphrase could, with standard tools only:
/// `age` decrypts `store.key` to the 32 raw key bytes, SQLCipher opens the file with them.
pub fn open_with_standard_tools(dir: &Path, passphrase: &str) -> rusqlite::Connection {
    let key_file = fs::read(dir.join("store.key")).expect("read store.key");
    let key =
        age_decrypt(&key_file, passphrase).expect("store.key should decrypt with age and the passphrase");
    assert_eq!(
        key.len(),
        32,
        "store.key should hold 32 raw key bytes, got {} bytes",
        key.len()
    );
    let conn = rusqlite::Connection::open(dir.join("store.db")).expect("open store.db");
    conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", hex::encode(&key)))
        .expect("PRAGMA key");
    conn
}
