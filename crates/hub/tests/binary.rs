//! The real `casebook-hub` binary: admin commands, `serve` on port 0, admin commands while it
//! serves, and the refusal to serve plain HTTP to the network. On a data dir, or on a new
//! PostgreSQL database when `CASEBOOK_TEST_DATABASE` is set (`HubStore::scratch`).
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use casebook_protocol::PROTOCOL_HEADER;
use casebook_testkit::hub::Hub;
use common::{BIN, HubStore, command, hub_cli, ok_json};
use serde_json::{Value, json};

#[tokio::test]
async fn the_binary_serves_and_admin_commands_run_alongside() {
    // `serve` on port 0 (the kit reads the port from its first line); killed by pid on drop.
    let server = Hub::start_with(BIN, HubStore::scratch, &[]);
    assert!(server.url.starts_with("http://127.0.0.1:"), "{}", server.url);
    let data = server.store();
    let added = ok_json(
        data,
        &[
            "user",
            "add",
            "Femi",
            "--role",
            "facilitator",
            "--team",
            "north",
            "--json",
        ],
    );
    assert_eq!(added["user"], "Femi");
    let code = added["enrollment_code"].as_str().unwrap().to_owned();
    // A data dir's key is made in it, readable by the hub's user only (on PostgreSQL it is
    // given to every process, never written by the hub).
    #[cfg(unix)]
    if let Some(dir) = data.dir() {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("hub.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let url = server.url.clone();

    let http = reqwest::Client::new();
    let enrolled: Value = http
        .post(format!("{url}/v1/enroll"))
        .header(PROTOCOL_HEADER, "1")
        .json(&json!({"code": code, "device_name": "laptop"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = enrolled["token"].as_str().unwrap().to_owned();
    let device_id = enrolled["device_id"].as_str().unwrap().to_owned();

    // Admin commands against the data dir (or database) the server holds open.
    let added = ok_json(
        data,
        &[
            "user",
            "add",
            "Sunita",
            "--role",
            "supervisor",
            "--team",
            "north",
            "--json",
        ],
    );
    assert_eq!(added["user"], "Sunita");
    let devices = ok_json(data, &["device", "list", "--json"]);
    assert_eq!(devices[0]["device_id"], device_id.as_str());
    let out = hub_cli(data, &["device", "revoke", &device_id]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let response = http
        .get(format!("{url}/v1/status"))
        .header(PROTOCOL_HEADER, "1")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::FORBIDDEN);
    drop(server);
}

#[test]
fn the_binary_refuses_plain_http_on_a_network_address() {
    let dir = tempfile::tempdir().unwrap();
    let out = hub_cli(
        &HubStore::scratch(dir.path()),
        &["serve", "--listen", "0.0.0.0:0"],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("without TLS"), "{err}");
    assert!(out.stdout.is_empty(), "nothing claims to listen");
}

#[tokio::test]
async fn serve_reads_the_metrics_token_from_its_file_and_refuses_a_weak_one() {
    let dir = tempfile::tempdir().unwrap();
    let token = "9c".repeat(32);
    let file = dir.path().join("metrics.token");
    std::fs::write(&file, format!("{token}\n")).unwrap();
    let file_arg = file.to_str().unwrap();
    let server = Hub::start_with(BIN, HubStore::scratch, &["--metrics-token-file", file_arg]);
    let http = reqwest::Client::new();
    let url = format!("{}/metrics", server.url);
    let refused = http.get(&url).send().await.unwrap();
    assert_eq!(refused.status(), reqwest::StatusCode::UNAUTHORIZED);
    let answered = http.get(&url).bearer_auth(&token).send().await.unwrap();
    assert_eq!(answered.status(), reqwest::StatusCode::OK);
    assert!(
        answered
            .text()
            .await
            .unwrap()
            .contains("casebook_hub_http_requests_total")
    );
    drop(server);

    // A weak token, or two places to find one, stop `serve` before it listens.
    let store = HubStore::scratch(dir.path().join("hub"));
    let weak = dir.path().join("weak.token");
    std::fs::write(&weak, "hunter2\n").unwrap();
    let serve = ["serve", "--listen", "127.0.0.1:0", "--metrics-token-file"];
    let out = hub_cli(&store, &[&serve[..], &[weak.to_str().unwrap()]].concat());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{err}");
    assert!(
        err.contains("at least 24 characters") && err.contains("weak.token"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "the token is never printed: {err}");
    assert!(out.stdout.is_empty(), "nothing claims to listen");
    let out = command(&store)
        .args(serve)
        .arg(file_arg)
        .env("CASEBOOK_HUB_METRICS_TOKEN", &token)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("not both"), "{err}");
    let missing = dir.path().join("absent.token");
    let out = hub_cli(&store, &[&serve[..], &[missing.to_str().unwrap()]].concat());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("cannot read the metrics token file"),
        "{err}"
    );
}

#[test]
fn a_wrong_key_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let store = HubStore::scratch(dir.path());
    let _ = ok_json(&store, &["user", "add", "Ada", "--role", "admin", "--json"]);
    // Given after the store's own key (on PostgreSQL, CASEBOOK_HUB_KEY), so it replaces it.
    let out = command(&store)
        .args(["case", "list"])
        .env("CASEBOOK_HUB_KEY", "ab".repeat(32))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    // Each backend's own words (HubError::WrongKey, HubError::WrongDatabaseKey).
    let named = match store {
        HubStore::Dir(_) => "wrong key",
        HubStore::Database { .. } => "the hub key does not open this PostgreSQL database",
    };
    assert!(err.contains(named), "{err}");
    assert!(!err.contains(&"ab".repeat(32)), "the key is never printed");
}

#[test]
fn the_demo_loads_users_codes_and_cases() {
    let dir = tempfile::tempdir().unwrap();
    let store = HubStore::scratch(dir.path());
    let users = ok_json(&store, &["demo", "--json"]);
    assert!(users.as_array().unwrap().len() >= 4);
    let cases = ok_json(&store, &["case", "list", "--json"]);
    assert_eq!(cases.as_array().unwrap().len(), 4);
    assert!(cases[0]["reference"].as_str().unwrap().starts_with("RH-"));
    assert!(
        !hub_cli(&store, &["demo"]).status.success(),
        "the demo loads once"
    );
}
