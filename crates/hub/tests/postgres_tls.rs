//! The hub to PostgreSQL over TLS: with `sslmode=require` and the CA that signed the server's
//! certificate (`--database-ca`), commands work and every connection of the hub is encrypted;
//! a certificate the hub cannot trust, or a server that offers no TLS, is refused with a message
//! saying so, nothing is written, and the password is never shown.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

use casebook_hub::{HubKey, Storage};
use casebook_testkit::postgres::{Cluster, with_client};
use casebook_testkit::util::{describe, random_bytes};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};

const BIN: &str = env!("CARGO_BIN_EXE_casebook-hub");

/// A CA, and a server certificate it signed for 127.0.0.1 and localhost: (CA PEM, server
/// certificate PEM, server key PEM).
fn certificates() -> (String, String, String) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let server = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
        .unwrap()
        .signed_by(&server_key, &ca)
        .unwrap();
    (ca.pem(), server.pem(), server_key.serialize_pem())
}

fn key() -> String {
    random_bytes::<32>().iter().map(|b| format!("{b:02x}")).collect()
}

/// `casebook-hub --database URL [--database-ca CA] ARGS...`, the key in CASEBOOK_HUB_KEY.
fn hub(url: &str, ca: Option<&Path>, key: &str, args: &[&str]) -> Output {
    let mut cmd = Command::new(BIN);
    for var in [
        "CASEBOOK_HUB_DATA",
        "CASEBOOK_HUB_DATABASE",
        "CASEBOOK_HUB_DATABASE_CA",
        "SSL_CERT_FILE",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("CASEBOOK_HUB_KEY", key).arg("--database").arg(url);
    if let Some(ca) = ca {
        cmd.arg("--database-ca").arg(ca);
    }
    cmd.args(args).stdin(Stdio::null()).output().unwrap()
}

fn password(url: &str) -> String {
    let credentials = url.split_once("://").unwrap().1.split_once('@').unwrap().0;
    credentials.split_once(':').unwrap().1.to_owned()
}

#[track_caller]
fn refused(out: &Output, says: &[&str], secret: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "should fail: {}", describe(out));
    for words in says {
        assert!(stderr.contains(words), "should say {words:?}: {}", describe(out));
    }
    assert!(
        !stderr.contains(secret) && !String::from_utf8_lossy(&out.stdout).contains(secret),
        "the password was shown: {}",
        describe(out)
    );
}

fn users(url: &str) -> i64 {
    with_client(url, |client| {
        client
            .query_opt("SELECT to_regclass('users') IS NOT NULL", &[])
            .unwrap()
            .map_or(0, |row| {
                if row.get::<_, bool>(0) {
                    client
                        .query_one("SELECT count(*) FROM users", &[])
                        .unwrap()
                        .get(0)
                } else {
                    0
                }
            })
    })
}

#[test]
fn a_hub_talks_to_postgresql_over_tls_and_refuses_what_it_cannot_trust() {
    let (ca, cert, server_key) = certificates();
    let dir = tempfile::tempdir().unwrap();
    let ca_file = dir.path().join("ca.pem");
    std::fs::write(&ca_file, &ca).unwrap();
    let cluster = Cluster::start_with_tls(&cert, &server_key).expect("a scratch cluster serving TLS");
    let plain_url = cluster.create_database("hub").unwrap();
    let url = format!("{plain_url}?sslmode=require");
    let secret = password(&url);
    let key = key();

    // The server's certificate is not signed by anything the system trusts: refused.
    let untrusted = hub(&url, None, &key, &["user", "add", "Sam", "--role", "facilitator"]);
    refused(
        &untrusted,
        &[
            "the TLS connection to postgres://casebook@127.0.0.1:",
            "certificate",
            "--database-ca",
        ],
        &secret,
    );
    assert_eq!(users(&plain_url), 0, "nothing was written");

    // With its CA: the commands work, libpq's `verify-full` is understood.
    let added = hub(
        &url,
        Some(&ca_file),
        &key,
        &["user", "add", "Sam", "--role", "facilitator"],
    );
    assert!(added.status.success(), "{}", describe(&added));
    let strict = plain_url.clone() + "?sslmode=verify-full";
    let listed = hub(&strict, Some(&ca_file), &key, &["case", "list", "--json"]);
    assert!(listed.status.success(), "{}", describe(&listed));
    assert_eq!(users(&plain_url), 1);

    // Every connection of a hub opened this way is encrypted (pg_stat_ssl, seen from the server).
    let url_with_ca = url
        .parse::<casebook_hub::storage::DatabaseUrl>()
        .unwrap()
        .with_ca_file(&ca_file)
        .unwrap();
    assert!(url_with_ca.uses_tls());
    let storage = Storage::connect(&url_with_ca, HubKey::from_hex(&key).unwrap()).unwrap();
    let reader = storage.reader().unwrap();
    let sessions: Vec<bool> = with_client(&plain_url, |client| {
        client
            .query(
                "SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)
                 WHERE a.application_name = 'casebook-hub'",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect()
    });
    assert!(sessions.len() >= 2, "{sessions:?}");
    assert!(
        sessions.iter().all(|ssl| *ssl),
        "a plain connection: {sessions:?}"
    );
    drop((storage, reader));

    // A server that offers no TLS, when TLS is required: refused, saying so.
    let plain = Cluster::start().expect("a scratch cluster without TLS");
    let no_tls = format!("{}?sslmode=require", plain.create_database("hub").unwrap());
    let out = hub(&no_tls, Some(&ca_file), &key, &["case", "list"]);
    refused(
        &out,
        &["the TLS connection to", "does not support TLS", "ssl = on"],
        &password(&no_tls),
    );
}
