//! Exports: age files that open with the passphrase and never overwrite.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::{fixture, new_case, pass};

#[test]
fn exports_are_age_files_that_open_with_the_passphrase() {
    use std::io::Read;
    let (f, mut store) = fixture();
    let case = store
        .write(|w| w.create_case(new_case("Export marker pangolin")))
        .unwrap();
    let out = f.paths.dir.join("export.age");
    let summary = store
        .export(&out, Some(case.id), &pass("correct horse battery"))
        .unwrap();
    assert_eq!((summary.cases, summary.ops), (1, 1));
    let bytes = std::fs::read(&out).unwrap();
    assert!(!String::from_utf8_lossy(&bytes).contains("pangolin"));
    let identity = age::scrypt::Identity::new(pass("correct horse battery"));
    let mut plain = String::new();
    age::Decryptor::new(&bytes[..])
        .unwrap()
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .unwrap()
        .read_to_string(&mut plain)
        .unwrap();
    let doc: serde_json::Value = serde_json::from_str(&plain).unwrap();
    assert_eq!(doc["cases"][0]["case"]["summary"], "Export marker pangolin");
    assert!(
        store.export(&out, None, &pass("correct horse battery")).is_err(),
        "never overwrites"
    );
}
