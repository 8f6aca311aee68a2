//! The hub serves HTTPS with a PEM certificate and key, and refuses plain HTTP on a network
//! address unless a TLS proxy is in front.
#![allow(missing_docs, clippy::unwrap_used)]

use casebook_hub::{HubError, ServeConfig, Server, Storage, TlsFiles};
use casebook_protocol::PROTOCOL_HEADER;

#[tokio::test]
async fn plain_http_on_a_network_address_is_refused_unless_behind_a_proxy() {
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
    let refused = Server::new(
        listener,
        Storage::open(dir.path(), None).unwrap(),
        ServeConfig::default(),
    );
    assert!(matches!(refused, Err(HubError::PlaintextOnNetwork(_))));

    let listener = tokio::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
    let config = ServeConfig {
        behind_tls_proxy: true,
        ..ServeConfig::default()
    };
    assert!(Server::new(listener, Storage::open(dir.path(), None).unwrap(), config).is_ok());
}

#[tokio::test]
async fn the_hub_serves_https() {
    let dir = tempfile::tempdir().unwrap();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();

    let listener = tokio::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let config = ServeConfig {
        tls: Some(TlsFiles {
            cert: cert_path,
            key: key_path,
        }),
        ..ServeConfig::default()
    };
    let server = Server::new(
        listener,
        Storage::open(&dir.path().join("data"), None).unwrap(),
        config,
    )
    .unwrap();
    assert!(server.url().starts_with("https://"));
    tokio::spawn(server.run(std::future::pending()));

    let root = reqwest::Certificate::from_pem(cert.cert.pem().as_bytes()).unwrap();
    // The certificate names localhost; the listener is IPv4, whatever localhost resolves to here.
    let http = reqwest::Client::builder()
        .tls_certs_only([root])
        .resolve("localhost", ([127, 0, 0, 1], port).into())
        .build()
        .unwrap();
    let response = http
        .get(format!("https://localhost:{port}/v1/status"))
        .header(PROTOCOL_HEADER, "1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        reqwest::StatusCode::UNAUTHORIZED,
        "TLS works; the token is missing"
    );
}
