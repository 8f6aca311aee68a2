//! Sealing at rest for the PostgreSQL backend (issue 11): payloads, names and free text are
//! encrypted by the hub before they reach the database, under a data key with an id, so that
//! keys can rotate while older rows still open.
//!
//! - **AEAD**: XChaCha20-Poly1305 (RustCrypto's `chacha20poly1305`, already built for `age`).
//!   Its 24-byte nonce is long enough to be drawn at random for every value: several hub
//!   processes seal under one key with no nonce counter to share, and the chance of a repeat
//!   stays negligible far beyond any number of rows a hub will write (AES-GCM's 12-byte random
//!   nonces are limited to about 2^32 messages per key). It is constant-time in software, so it
//!   needs no AES instructions on the database's or the hub's machine.
//! - **Format** (version 1, frozen once released): `[1][key id: u32 BE][nonce: 24][ciphertext +
//!   tag: 16]`. The version byte and the key id are authenticated too (they are prefixed to the
//!   associated data), so neither can be altered unnoticed.
//! - **Associated data** binds a value to its place: [`row_aad`] of table, column and row id, so
//!   a sealed payload copied into another row or another column is refused.
//! - **Keys**: a data key is HKDF-SHA256 of the hub key (the same `hub.key` or
//!   `CASEBOOK_HUB_KEY`), with an info string naming the purpose and the key id. The hub key's
//!   bytes are never used as a sealing key themselves, and each key id gets its own key.

use std::collections::BTreeMap;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use sha2::Sha256;
use zeroize::Zeroizing;

use super::key::HubKey;

/// The format version this hub writes (the first byte of every sealed value).
pub const SEAL_VERSION: u8 = 1;

const KEY_ID_LEN: usize = 4;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
/// Version, key id and nonce.
const HEADER_LEN: usize = 1 + KEY_ID_LEN + NONCE_LEN;

/// The HKDF info of a data key, followed by its key id (u32 BE): purpose, algorithm and format
/// version, so no other use of the hub key can ever derive the same bytes.
const INFO_PREFIX: &[u8] = b"casebook-hub seal xchacha20poly1305 v1 key-id ";

/// Why a sealed value could not be opened, or a value not sealed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SealError {
    /// Shorter than a header and a tag: cut off, or not a sealed value.
    #[error("a sealed value is truncated ({0} bytes); the row is damaged")]
    Truncated(usize),
    /// A format this hub does not know (written by a newer hub).
    #[error("a sealed value has format version {0}, which this hub does not know; update casebook-hub")]
    UnknownVersion(u8),
    /// Sealed under a key this hub was not given.
    #[error("a value is sealed under key id {0}, which this hub was not given; give it the older hub key")]
    UnknownKey(u32),
    /// The tag does not match: the value was altered, belongs to another row, or the key is wrong.
    #[error("a sealed value does not open: altered, moved from another row, or under another key")]
    Refused,
    /// The system gave no random bytes for a nonce.
    #[error("the system has no randomness: {0}")]
    Randomness(String),
}

/// One data key and its id; the key bytes are zeroized on drop and never printed.
pub struct DataKey {
    id: u32,
    key: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl DataKey {
    /// The data key `id` of `hub`: HKDF-SHA256, no salt (the hub key is uniformly random),
    /// info [`INFO_PREFIX`] followed by `id` as u32 BE.
    pub fn derive(hub: &HubKey, id: u32) -> Self {
        let ikm = hub.bytes();
        let mut info = INFO_PREFIX.to_vec();
        info.extend_from_slice(&id.to_be_bytes());
        let mut key = Zeroizing::new([0u8; 32]);
        Hkdf::<Sha256>::new(None, &ikm[..])
            .expand(&info, &mut key[..])
            // Only fails for outputs over 255 hash lengths; 32 bytes is one.
            .unwrap_or_else(|_| unreachable!("HKDF-SHA256 gives 32 bytes"));
        Self { id, key }
    }

    /// Its id, written in front of every value it seals.
    pub fn id(&self) -> u32 {
        self.id
    }
}

/// Seals under the current key; opens under the current key or any older one it was given.
pub struct Sealer {
    current: u32,
    ciphers: BTreeMap<u32, XChaCha20Poly1305>,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealer")
            .field("current", &self.current)
            .field("key_ids", &self.ciphers.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Sealer {
    /// Seals under `current`; opens values sealed under it or under any of `older`. An older
    /// key with the current key's id is ignored: the current key wins.
    pub fn new(current: DataKey, older: impl IntoIterator<Item = DataKey>) -> Self {
        let mut ciphers: BTreeMap<u32, XChaCha20Poly1305> = older
            .into_iter()
            .map(|k| (k.id, XChaCha20Poly1305::new(Key::from_slice(&k.key[..]))))
            .collect();
        ciphers.insert(
            current.id,
            XChaCha20Poly1305::new(Key::from_slice(&current.key[..])),
        );
        Self {
            current: current.id,
            ciphers,
        }
    }

    /// The id of the key new values are sealed under.
    pub fn current_key_id(&self) -> u32 {
        self.current
    }

    /// `plaintext` sealed under the current key, bound to `aad` (see [`row_aad`]). Fails only
    /// when the system has no randomness for the nonce.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, SealError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|e| SealError::Randomness(e.to_string()))?;
        let cipher = self
            .ciphers
            .get(&self.current)
            .ok_or(SealError::UnknownKey(self.current))?;
        let header = header(SEAL_VERSION, self.current);
        let ciphertext = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: &full_aad(&header, aad),
                },
            )
            // Only for plaintexts over 256 GiB, which no row holds.
            .map_err(|_| SealError::Refused)?;
        let mut sealed = Vec::with_capacity(HEADER_LEN + ciphertext.len());
        sealed.extend_from_slice(&header);
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&ciphertext);
        Ok(sealed)
    }

    /// The plaintext of `sealed`, if it was sealed with this `aad` under a key this sealer has
    /// and nothing in it was changed.
    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, SealError> {
        let id = key_id(sealed)?;
        let cipher = self.ciphers.get(&id).ok_or(SealError::UnknownKey(id))?;
        let (header, rest) = sealed.split_at(1 + KEY_ID_LEN);
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: &full_aad(header, aad),
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| SealError::Refused)
    }
}

/// The key id a sealed value names (to find the rows still under an older key), after checking
/// its length and version.
pub fn key_id(sealed: &[u8]) -> Result<u32, SealError> {
    if sealed.len() < HEADER_LEN + TAG_LEN {
        return Err(SealError::Truncated(sealed.len()));
    }
    if sealed[0] != SEAL_VERSION {
        return Err(SealError::UnknownVersion(sealed[0]));
    }
    let mut id = [0u8; KEY_ID_LEN];
    id.copy_from_slice(&sealed[1..1 + KEY_ID_LEN]);
    Ok(u32::from_be_bytes(id))
}

/// The associated data that binds a sealed value to one column of one row: each part
/// length-prefixed, so `("ab", "c")` and `("a", "bc")` differ.
pub fn row_aad(table: &str, column: &str, row_id: &str) -> Vec<u8> {
    let mut aad = Vec::with_capacity(12 + table.len() + column.len() + row_id.len());
    for part in [table, column, row_id] {
        // Table and column names are short, and ids are uuids or numbers: u32 always holds them.
        aad.extend_from_slice(&u32::try_from(part.len()).unwrap_or(u32::MAX).to_be_bytes());
        aad.extend_from_slice(part.as_bytes());
    }
    aad
}

fn header(version: u8, id: u32) -> [u8; 1 + KEY_ID_LEN] {
    let mut header = [version; 1 + KEY_ID_LEN];
    header[1..].copy_from_slice(&id.to_be_bytes());
    header
}

/// What the tag covers besides the ciphertext: the version and key id, then the caller's data.
fn full_aad(header: &[u8], aad: &[u8]) -> Vec<u8> {
    let mut full = Vec::with_capacity(header.len() + aad.len());
    full.extend_from_slice(header);
    full.extend_from_slice(aad);
    full
}

#[cfg(test)]
#[path = "seal_tests.rs"]
mod tests;
