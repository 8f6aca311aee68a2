use super::*;

fn hub_key(byte: &str) -> HubKey {
    HubKey::from_hex(&byte.repeat(32)).expect("key")
}

fn sealer(id: u32) -> Sealer {
    Sealer::new(DataKey::derive(&hub_key("ab"), id), [])
}

/// A note's payload in the ops table.
fn note_aad() -> Vec<u8> {
    row_aad("ops", "payload", "op-1")
}

#[test]
fn a_sealed_value_opens_with_its_aad() {
    let sealer = sealer(1);
    let sealed = sealer
        .seal(b"Ann met Bob at the library", &note_aad())
        .expect("seal");
    assert_eq!(sealed[0], SEAL_VERSION);
    assert_eq!(&sealed[1..5], &1u32.to_be_bytes());
    assert_eq!(sealed.len(), HEADER_LEN + 26 + TAG_LEN);
    assert_eq!(
        &sealer.open(&sealed, &note_aad()).expect("open")[..],
        b"Ann met Bob at the library"
    );
    assert_eq!(key_id(&sealed), Ok(1));
    // The empty text seals too (an empty note is still a row).
    let empty = sealer.seal(b"", &note_aad()).expect("seal empty");
    assert!(sealer.open(&empty, &note_aad()).expect("open empty").is_empty());
}

#[test]
fn two_seals_of_the_same_text_differ() {
    let sealer = sealer(1);
    let a = sealer.seal(b"same", &note_aad()).expect("seal");
    let b = sealer.seal(b"same", &note_aad()).expect("seal");
    assert_ne!(a, b, "a fresh nonce every time");
    assert_ne!(a[HEADER_LEN..], b[HEADER_LEN..]);
}

#[test]
fn another_rows_or_columns_aad_is_refused() {
    let sealer = sealer(1);
    let sealed = sealer.seal(b"secret", &note_aad()).expect("seal");
    for aad in [
        row_aad("ops", "payload", "op-2"),
        row_aad("ops", "quarantine_reason", "op-1"),
        row_aad("users", "payload", "op-1"),
        // The parts are length-prefixed: moving a character between them changes the aad.
        row_aad("op", "spayload", "op-1"),
        vec![],
    ] {
        assert_eq!(sealer.open(&sealed, &aad), Err(SealError::Refused), "{aad:?}");
    }
}

#[test]
fn every_flipped_bit_is_refused() {
    let sealer = sealer(7);
    let sealed = sealer.seal(b"the agreement", &note_aad()).expect("seal");
    for byte in 0..sealed.len() {
        for bit in 0..8 {
            let mut bad = sealed.clone();
            bad[byte] ^= 1 << bit;
            let opened = sealer.open(&bad, &note_aad());
            match byte {
                0 => assert!(matches!(opened, Err(SealError::UnknownVersion(_))), "{opened:?}"),
                1..=4 => assert!(matches!(opened, Err(SealError::UnknownKey(_))), "{opened:?}"),
                _ => assert_eq!(opened, Err(SealError::Refused), "byte {byte} bit {bit}"),
            }
        }
    }
}

#[test]
fn a_key_id_changed_to_one_the_hub_has_is_refused() {
    // The header is authenticated: relabelling a value with another key's id does not open it.
    let sealer = Sealer::new(
        DataKey::derive(&hub_key("ab"), 2),
        [DataKey::derive(&hub_key("ab"), 1)],
    );
    let mut sealed = sealer.seal(b"x", &note_aad()).expect("seal");
    sealed[1..5].copy_from_slice(&1u32.to_be_bytes());
    assert_eq!(sealer.open(&sealed, &note_aad()), Err(SealError::Refused));
}

#[test]
fn truncated_values_are_refused_as_truncated() {
    let sealer = sealer(1);
    let sealed = sealer.seal(b"abc", &note_aad()).expect("seal");
    for len in [0, 1, 5, HEADER_LEN, HEADER_LEN + TAG_LEN - 1] {
        assert_eq!(
            sealer.open(&sealed[..len], &note_aad()),
            Err(SealError::Truncated(len))
        );
    }
    // Cut inside the ciphertext: long enough to parse, but the tag no longer matches.
    assert_eq!(
        sealer.open(&sealed[..sealed.len() - 1], &note_aad()),
        Err(SealError::Refused)
    );
}

#[test]
fn an_unknown_key_id_is_refused_by_name() {
    let sealed = sealer(3).seal(b"x", &note_aad()).expect("seal");
    assert_eq!(
        sealer(1).open(&sealed, &note_aad()),
        Err(SealError::UnknownKey(3))
    );
}

#[test]
fn after_rotation_old_values_open_and_new_ones_use_the_new_key() {
    let old_hub = hub_key("ab");
    let new_hub = hub_key("cd");
    let before = Sealer::new(DataKey::derive(&old_hub, 1), []);
    let old_value = before.seal(b"written last year", &note_aad()).expect("seal");

    let after = Sealer::new(DataKey::derive(&new_hub, 2), [DataKey::derive(&old_hub, 1)]);
    assert_eq!(after.current_key_id(), 2);
    assert_eq!(
        &after.open(&old_value, &note_aad()).expect("old opens")[..],
        b"written last year"
    );
    let new_value = after.seal(b"written today", &note_aad()).expect("seal");
    assert_eq!(key_id(&new_value), Ok(2));
    assert_eq!(
        before.open(&new_value, &note_aad()),
        Err(SealError::UnknownKey(2))
    );

    // A wrong hub key under the right id: the tag tells.
    let wrong = Sealer::new(DataKey::derive(&hub_key("ef"), 1), []);
    assert_eq!(wrong.open(&old_value, &note_aad()), Err(SealError::Refused));
}

#[test]
fn data_keys_are_hkdf_of_the_hub_key_and_differ_by_id() {
    // Computed apart from this code (Python's hmac and hashlib, RFC 5869): a change to the
    // derivation would make every sealed row unreadable, so it is frozen here.
    let hub = hub_key("ab");
    assert_eq!(
        hex::encode(&DataKey::derive(&hub, 1).key[..]),
        "799ca1376a7a48b04336f5f7f201ce2070b70aa24e38b6b53db51ff13095c28b"
    );
    assert_eq!(
        hex::encode(&DataKey::derive(&hub, 2).key[..]),
        "d6d51d1801196445fd65d3407d7b3e34e3155ee91e95270a2d0a2273f30194b1"
    );
    assert_ne!(
        &DataKey::derive(&hub, 1).key[..],
        &hub.bytes()[..],
        "never the hub key itself"
    );
    assert_eq!(format!("{:?}", DataKey::derive(&hub, 1)), "DataKey { id: 1, .. }");
    assert!(!format!("{:?}", sealer(1)).contains("799c"));
}

#[test]
fn a_value_sealed_by_another_implementation_opens() {
    // Version 1 frozen: key id 1 of the hub key ab…ab, nonce 00 01 … 17, "a note" for
    // ops/payload/op-1, sealed with Python (HChaCha20 by hand, then `cryptography`'s
    // ChaCha20-Poly1305, as XChaCha20-Poly1305 is defined).
    let sealed = hex::decode(
        "0100000001000102030405060708090a0b0c0d0e0f101112131415161791050eb49b4a697def13c900a8bd8b6a478858644b5f",
    )
    .expect("hex");
    assert_eq!(
        &sealer(1).open(&sealed, &note_aad()).expect("open")[..],
        b"a note"
    );
}
