//! The client against hubs that misbehave: garbage, HTTP errors without a body, a hub that is
//! down, a stalled answer, an endless answer, a redirect, a plain-http address on the network.
//! Each gives a clear error and changes nothing that was committed.
#![allow(clippy::unwrap_used, missing_docs)]

use std::io::{Read, Write};
use std::net::TcpListener;

use casebook_domain::{DeviceId, UserId};
use casebook_protocol::messages::MAX_ANSWER_BYTES;
use casebook_store::model::NewCase;
use casebook_store::{HubLink, SecretString, Store, StorePaths};
use casebook_sync::{SyncError, enroll, sync_once};

/// A one-shot server on a free loopback port answering every request with `answer`.
fn fake_hub(answer: &'static [u8]) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(4) {
            let Ok(mut stream) = stream else { continue };
            let mut buf = [0u8; 65536];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(answer);
        }
    });
    url
}

fn store_linked_to(url: &str, dir: &std::path::Path) -> Store {
    let paths = StorePaths::new(dir.join("s"));
    let mut store = Store::create(&paths, &SecretString::from("correct horse battery".to_owned())).unwrap();
    store
        .link_hub(&HubLink {
            url: url.to_owned(),
            token: SecretString::from("t".repeat(64)),
            device_id: DeviceId::new(),
            user_id: UserId::new(),
            user_name: "Sam".into(),
            role: casebook_domain::Role::Facilitator,
            team: None,
            recovery_recipient: None,
        })
        .unwrap();
    store
        .write(|w| {
            w.create_case(NewCase {
                kind: casebook_domain::CaseKind::RestorativeJustice,
                stage: casebook_domain::JusticeStage::OutOfCourt,
                source: casebook_domain::ReferralSource::Police,
                referrer: None,
                summary: "Written offline".into(),
                court_date: None,
                pre_sentence: None,
                received_on: None,
            })
        })
        .unwrap();
    store
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn garbage_and_bodyless_errors_are_bad_answers_and_nothing_changes() {
    let cases: [&'static [u8]; 3] = [
        b"HTTP/1.1 200 OK\r\ncontent-length: 9\r\nconnection: close\r\n\r\nnot json!",
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 13\r\nconnection: close\r\n\r\n{\"results\":7}",
        b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
    ];
    for answer in cases {
        let dir = tempfile::tempdir().unwrap();
        let mut store = store_linked_to(&fake_hub(answer), dir.path());
        let before = store.sync_status().unwrap();
        let err = runtime().block_on(sync_once(&mut store)).unwrap_err();
        assert!(matches!(err, SyncError::BadAnswer { .. }), "{err:?}");
        assert!(err.to_string().contains("Nothing was changed here"), "{err}");
        assert!(err.is_transient());
        let after = store.sync_status().unwrap();
        assert_eq!(
            (after.pending_ops, after.total_ops),
            (before.pending_ops, before.total_ops)
        );
        assert_eq!(after.pending_ops, 1);
    }
}

#[test]
fn a_hub_that_is_down_is_offline_and_the_changes_wait() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_linked_to(&format!("http://127.0.0.1:{port}"), dir.path());
    let err = runtime().block_on(sync_once(&mut store)).unwrap_err();
    assert!(matches!(err, SyncError::Offline { .. }), "{err:?}");
    assert!(err.to_string().contains("kept here"), "{err}");
    assert_eq!(store.sync_status().unwrap().pending_ops, 1);
}

/// A complete HTTP answer with a JSON error body.
fn error_answer(status: &str, body: &str) -> &'static [u8] {
    let text = format!(
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    Box::leak(text.into_bytes().into_boxed_slice())
}

#[test]
fn an_unknown_device_and_an_old_client_get_plain_messages() {
    let dir = tempfile::tempdir().unwrap();
    let unauthorized = error_answer(
        "401 Unauthorized",
        r#"{"code":"unauthorized","message":"unknown token"}"#,
    );
    let mut store = store_linked_to(&fake_hub(unauthorized), dir.path());
    let err = runtime().block_on(sync_once(&mut store)).unwrap_err();
    assert!(matches!(err, SyncError::Unauthorized), "{err:?}");
    assert!(err.to_string().contains("enroll"));
    assert!(!err.is_transient());

    let dir = tempfile::tempdir().unwrap();
    let too_old = error_answer(
        "426 Upgrade Required",
        r#"{"code":"update_required","message":"this version of Casebook is too old for the hub; update it"}"#,
    );
    let mut store = store_linked_to(&fake_hub(too_old), dir.path());
    let err = runtime().block_on(sync_once(&mut store)).unwrap_err();
    assert!(matches!(err, SyncError::UpdateRequired(_)), "{err:?}");
    assert!(err.to_string().contains("too old"), "{err}");
    assert_eq!(store.sync_status().unwrap().pending_ops, 1);
}

/// Syncs `store` against a hub answering `answer` and returns the error, checking that the
/// change written offline still waits.
fn sync_error_against(answer: &'static [u8]) -> SyncError {
    let dir = tempfile::tempdir().unwrap();
    let mut store = store_linked_to(&fake_hub(answer), dir.path());
    let err = runtime().block_on(sync_once(&mut store)).unwrap_err();
    assert_eq!(store.sync_status().unwrap().pending_ops, 1, "{err}");
    err
}

#[test]
fn an_answer_larger_than_the_cap_is_refused() {
    // Announced too large: refused before the body is read.
    let announced = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n[",
        MAX_ANSWER_BYTES + 1
    );
    // Not announced (read until the connection closes): cut off once past the cap.
    let mut endless =
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n[".to_vec();
    endless.resize(endless.len() + MAX_ANSWER_BYTES + 1024, b' ');
    for answer in [announced.into_bytes(), endless] {
        let err = sync_error_against(Box::leak(answer.into_boxed_slice()));
        assert!(matches!(err, SyncError::BadAnswer { .. }), "{err:?}");
        assert!(err.to_string().contains("larger than 32 MiB"), "{err}");
    }
}

#[test]
fn a_redirect_is_not_followed() {
    // Where the redirect points: a listener that must never see a connection.
    let elsewhere = TcpListener::bind("127.0.0.1:0").unwrap();
    elsewhere.set_nonblocking(true).unwrap();
    let location = format!("http://{}/v1/push", elsewhere.local_addr().unwrap());
    for status in [
        "301 Moved Permanently",
        "307 Temporary Redirect",
        "308 Permanent Redirect",
    ] {
        let answer = format!(
            "HTTP/1.1 {status}\r\nlocation: {location}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
        );
        let err = sync_error_against(Box::leak(answer.into_bytes().into_boxed_slice()));
        assert!(matches!(err, SyncError::BadAnswer { .. }), "{err:?}");
        let text = err.to_string();
        assert!(
            text.contains(&format!("redirect to {location}")) && text.contains("does not follow redirects"),
            "{text}"
        );
    }
    assert!(
        matches!(elsewhere.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "the client went where the redirect pointed"
    );
}

#[test]
fn plain_http_to_another_computer_is_refused_before_connecting() {
    // Reserved documentation addresses (TEST-NET-1, 2001:db8::/32) and a name: nothing is sent
    // to any of them, and the refusal is not "cannot be reached", which a connection would give.
    for url in [
        "http://192.0.2.7:8443",
        "http://[2001:db8::7]",
        "http://hub.example.org",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::create(
            &StorePaths::new(dir.path().join("s")),
            &SecretString::from("correct horse battery".to_owned()),
        )
        .unwrap();
        let err = runtime()
            .block_on(enroll(&mut store, url, "K7QM-2XHD-9RTA", "laptop"))
            .unwrap_err();
        assert!(matches!(err, SyncError::InsecureUrl { .. }), "{url}: {err:?}");
        let text = err.to_string();
        assert!(text.contains("https://") && text.contains("in clear"), "{text}");
        assert!(!err.is_transient());
        assert!(store.hub_link().unwrap().is_none(), "nothing was linked");

        // A store linked to such an address earlier refuses to sync with it too.
        let dir = tempfile::tempdir().unwrap();
        let mut store = store_linked_to(url, dir.path());
        let err = runtime().block_on(sync_once(&mut store)).unwrap_err();
        assert!(matches!(err, SyncError::InsecureUrl { .. }), "{url}: {err:?}");
        assert_eq!(store.sync_status().unwrap().pending_ops, 1);
    }
}

/// A subject access answer from a hub answering `answer`, asked as a coordinator's app does.
fn sar_export_against(answer: &'static [u8]) -> SyncError {
    let client = casebook_sync::HubClient::new(
        &fake_hub(answer),
        Some(SecretString::from("t".repeat(64))),
        std::time::Duration::from_secs(5),
    )
    .unwrap();
    runtime().block_on(client.sar_export("SAR-1")).unwrap_err()
}

#[test]
fn a_subject_access_answer_that_cannot_be_read_or_is_refused_says_which() {
    let request = r#"{"reference":"SAR-1","parties":[],"cases":[],"received_on":"2026-11-27","due_on":"2026-12-29","days_left":27,"extended":false,"opened_at_ms":1}"#;
    let pdf = "JVBERi0xLjcK"; // "%PDF-1.7\n"
    for (json, pdf_base64, what) in [
        ("not json", pdf, "sar.json is not JSON"),
        ("{}", "%%% not base64", "sar.pdf is not base64"),
        ("{}", "aGVsbG8=", "sar.pdf is not a PDF"),
    ] {
        let body = serde_json::json!({"request": serde_json::from_str::<serde_json::Value>(request).unwrap(),
            "json": json, "pdf_base64": pdf_base64, "hub_time_ms": 1});
        let err = sar_export_against(error_answer("200 OK", &body.to_string()));
        assert!(matches!(err, SyncError::BadAnswer { .. }), "{err:?}");
        assert!(err.to_string().contains(what), "{err}");
    }
    let refused = error_answer(
        "403 Forbidden",
        r#"{"code":"not_coordinator","message":"only a coordinator can answer a subject access request"}"#,
    );
    let err = sar_export_against(refused);
    assert!(matches!(err, SyncError::NotCoordinator), "{err:?}");
    assert!(!err.is_transient());
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let down = casebook_sync::HubClient::new(
        &format!("http://127.0.0.1:{port}"),
        None,
        std::time::Duration::from_secs(5),
    )
    .unwrap();
    let err = runtime().block_on(down.sar_list()).unwrap_err();
    assert!(matches!(err, SyncError::Offline { .. }), "{err:?}");
}
