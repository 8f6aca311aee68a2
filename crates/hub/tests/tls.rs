//! The hub serves HTTPS with a PEM certificate and key, and refuses plain HTTP on a network
//! address unless a TLS proxy is in front and named; behind it, only the proxy is served.
//! Nothing here sends a byte beyond loopback: the network address is only bound, and the proxy
//! is played by 127.0.0.2.
#![allow(missing_docs, clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream};
use std::time::Duration;

use casebook_hub::{HubError, ServeConfig, Server, Storage, TlsFiles};
use casebook_protocol::PROTOCOL_HEADER;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn plain_http_on_a_network_address_is_refused_unless_behind_a_named_proxy() {
    let dir = tempfile::tempdir().unwrap();
    let proxy: IpAddr = [10, 0, 0, 5].into();
    let server = |config: ServeConfig| {
        let dir = dir.path().to_owned();
        async move {
            let listener = tokio::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
            Server::new(listener, Storage::open(&dir, None).unwrap(), config)
        }
    };
    let refused = server(ServeConfig::default()).await;
    assert!(matches!(refused, Err(HubError::PlaintextOnNetwork(_))));
    let text = refused.unwrap_err().to_string();
    assert!(text.contains("--behind-tls-proxy --proxy-address"), "{text}");

    let unnamed = server(ServeConfig {
        behind_tls_proxy: true,
        ..ServeConfig::default()
    })
    .await;
    assert!(matches!(unnamed, Err(HubError::ProxyAddressMissing)));
    assert!(unnamed.unwrap_err().to_string().contains("--proxy-address"));

    let only_named = server(ServeConfig {
        proxy_address: Some(proxy),
        ..ServeConfig::default()
    })
    .await;
    assert!(matches!(only_named, Err(HubError::PlaintextOnNetwork(_))));

    let both = server(ServeConfig {
        behind_tls_proxy: true,
        proxy_address: Some(proxy),
        ..ServeConfig::default()
    })
    .await;
    assert!(both.is_ok());
}

/// Whether a connection from the default source address (127.0.0.1) to `addr` is closed
/// without a byte of answer to a request.
fn closed_unserved(addr: SocketAddr) -> bool {
    let mut stream = TcpStream::connect(addr).unwrap();
    // Only so that a broken hub fails the test instead of hanging it.
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    // The hub may already have closed: then this write or the read fails, which is the point.
    let _ = stream.write_all(b"GET /v1/openapi.json HTTP/1.1\r\nhost: hub\r\n\r\n");
    let mut answer = Vec::new();
    match stream.read_to_end(&mut answer) {
        Ok(_) => answer.is_empty(),
        Err(e) => e.kind() == std::io::ErrorKind::ConnectionReset,
    }
}

#[tokio::test]
async fn behind_the_proxy_only_the_proxy_is_served_and_enrollment_counts_per_named_client() {
    let proxy: IpAddr = [127, 0, 0, 2].into();
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = ServeConfig {
        behind_tls_proxy: true,
        proxy_address: Some(proxy),
        enroll_attempts_per_minute: 2,
        ..ServeConfig::default()
    };
    let server = Server::new(listener, Storage::open(dir.path(), None).unwrap(), config).unwrap();
    let (addr, url) = (server.local_addr(), server.url());
    tokio::spawn(server.run(std::future::pending()));

    // From anywhere but the proxy: closed unserved.
    assert!(
        tokio::task::spawn_blocking(move || closed_unserved(addr))
            .await
            .unwrap()
    );

    // From the proxy: served, and each forwarded client has its own allowance.
    let via_proxy = reqwest::Client::builder().local_address(proxy).build().unwrap();
    let enroll = |client: Option<&'static str>| {
        let mut req = via_proxy
            .post(format!("{url}/v1/enroll"))
            .header(PROTOCOL_HEADER, "1")
            .json(&json!({"code": "AAAA-BBBB-CCCC", "device_name": "laptop"}));
        if let Some(client) = client {
            // A client's own claim first, then the hop the proxy added: only the last counts.
            req = req.header("x-forwarded-for", format!("192.0.2.99, {client}"));
        }
        async move { req.send().await.unwrap().status() }
    };
    for _ in 0..2 {
        assert_eq!(enroll(Some("203.0.113.1")).await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(enroll(Some("203.0.113.1")).await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        enroll(Some("203.0.113.2")).await,
        StatusCode::UNAUTHORIZED,
        "another client behind the same proxy is not held back"
    );
    assert_eq!(
        enroll(None).await,
        StatusCode::UNAUTHORIZED,
        "no header: the proxy's own allowance"
    );
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

#[tokio::test]
async fn behind_a_proxy_https_is_served_to_the_proxy_only() {
    let dir = tempfile::tempdir().unwrap();
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
    let proxy: IpAddr = [127, 0, 0, 2].into();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let config = ServeConfig {
        tls: Some(TlsFiles {
            cert: cert_path,
            key: key_path,
        }),
        proxy_address: Some(proxy),
        ..ServeConfig::default()
    };
    let server = Server::new(
        listener,
        Storage::open(&dir.path().join("data"), None).unwrap(),
        config,
    )
    .unwrap();
    tokio::spawn(server.run(std::future::pending()));

    let client_from = |source: IpAddr| {
        let root = reqwest::Certificate::from_pem(cert.cert.pem().as_bytes()).unwrap();
        reqwest::Client::builder()
            .tls_certs_only([root])
            .resolve("localhost", ([127, 0, 0, 1], port).into())
            .local_address(source)
            .build()
            .unwrap()
    };
    let status = |client: reqwest::Client| async move {
        client
            .get(format!("https://localhost:{port}/v1/status"))
            .header(PROTOCOL_HEADER, "1")
            .send()
            .await
            .map(|r| r.status())
    };
    assert_eq!(
        status(client_from(proxy)).await.unwrap(),
        StatusCode::UNAUTHORIZED,
        "the proxy is served"
    );
    let other = status(client_from([127, 0, 0, 1].into())).await;
    assert!(other.is_err(), "another peer got an answer: {other:?}");
}
