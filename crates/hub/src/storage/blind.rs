//! Blind indexes for the PostgreSQL backend: a keyed hash stored beside a sealed value, so the
//! database can find it and keep it unique (a user's name) or count by it (a client address in
//! `rate_limits`) without being able to read it. HMAC-SHA256 under a key derived from the hub
//! key with HKDF-SHA256 for that column alone, so equal values in two columns do not match.
//!
//! A blind index of a value with few possible values (an IPv4 address) can still be found by
//! trying them all, but only by someone holding the hub key, who can open the sealed values
//! anyway. When the hub key rotates, the indexes are computed again under the new key.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::key::HubKey;

/// The HKDF info of a column's index key, followed by the column's name (`table.column`).
const INFO_PREFIX: &[u8] = b"casebook-hub blind-index hmac-sha256 v1 ";

/// The index key of one column; zeroized on drop and never printed.
pub struct BlindIndex {
    column: &'static str,
    key: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for BlindIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BlindIndex")
            .field("column", &self.column)
            .finish_non_exhaustive()
    }
}

impl BlindIndex {
    /// The index of `column` (`table.column`, e.g. `users.name`) under `hub`.
    pub fn derive(hub: &HubKey, column: &'static str) -> Self {
        let ikm = hub.bytes();
        let mut info = INFO_PREFIX.to_vec();
        info.extend_from_slice(column.as_bytes());
        let mut key = Zeroizing::new([0u8; 32]);
        hkdf::Hkdf::<Sha256>::new(None, &ikm[..])
            .expand(&info, &mut key[..])
            // Only fails for outputs over 255 hash lengths; 32 bytes is one.
            .unwrap_or_else(|_| unreachable!("HKDF-SHA256 gives 32 bytes"));
        Self { column, key }
    }

    /// The index value of `value` (normalised by the caller as the column's lookups need).
    pub fn of(&self, value: &[u8]) -> [u8; 32] {
        // HMAC takes a key of any length: `new_from_slice` cannot fail.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.key[..]) else {
            unreachable!("HMAC-SHA256 takes a 32-byte key")
        };
        mac.update(value);
        mac.finalize().into_bytes().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hub(byte: &str) -> HubKey {
        HubKey::from_hex(&byte.repeat(32)).expect("key")
    }

    #[test]
    fn an_index_is_hmac_under_the_columns_own_key() {
        // Computed apart from this code (Python's hmac and hashlib): changing the derivation
        // would lose every user's name lookup, so it is frozen here.
        let names = BlindIndex::derive(&hub("ab"), "users.name");
        assert_eq!(
            hex::encode(names.of(b"Sam Okafor")),
            "5a5ff9af1436e2eb87d9e1c5a186bb382026acc3697b628169466c921cab6098"
        );
        let clients = BlindIndex::derive(&hub("ab"), "rate_limits.client");
        assert_eq!(
            hex::encode(clients.of(b"Sam Okafor")),
            "9754d5b45f11a7349300820e3f3e4f4d24ad32870490b8f528f486b7968f3398"
        );
    }

    #[test]
    fn equal_values_match_only_in_one_column_under_one_hub_key() {
        let names = BlindIndex::derive(&hub("ab"), "users.name");
        assert_eq!(names.of(b"Ann"), names.of(b"Ann"));
        assert_ne!(names.of(b"Ann"), names.of(b"ann"), "normalising is the caller's");
        assert_ne!(
            names.of(b"Ann"),
            BlindIndex::derive(&hub("cd"), "users.name").of(b"Ann")
        );
        assert_ne!(
            names.of(b"Ann"),
            BlindIndex::derive(&hub("ab"), "devices.name").of(b"Ann")
        );
        let plain: [u8; 32] = <Sha256 as sha2::Digest>::digest(b"Ann").into();
        assert_ne!(
            names.of(b"Ann"),
            plain,
            "not an unkeyed hash anyone could compute"
        );
        assert_eq!(format!("{names:?}"), "BlindIndex { column: \"users.name\", .. }");
    }
}
