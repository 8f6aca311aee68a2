//! Operating the hub: `/metrics` (Prometheus text that moves with pushes and refusals),
//! `/healthz` and `/readyz`, JSON log lines, and a backup taken while pushes go on, restored
//! into a new data dir (or database) and served again. On a data dir, or on new PostgreSQL
//! databases when `CASEBOOK_TEST_DATABASE` is set (`HubStore::scratch`).
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use casebook_domain::{CaseId, DeviceId, UserId};
use casebook_hub::ServeConfig;
use casebook_hub::metrics::MetricsToken;
use casebook_protocol::{PROTOCOL_HEADER, Role};
use casebook_testkit::http::Blocking;
use casebook_testkit::hub::Hub;
use casebook_testkit::inproc::{Device, TestHub, note, opened_case, start};
use casebook_testkit::process::{Lines, kill};
use casebook_testkit::util::{describe, marker};
use common::raw::Raw;
use common::{BIN, HubStore};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// One sample of the Prometheus text format: name, labels, value.
type Sample = (String, BTreeMap<String, String>, f64);

/// Parses the text exposition format, panicking on any line that is not a comment or a
/// `name{label="value",...} number` sample.
fn parse(text: &str) -> Vec<Sample> {
    let mut samples = Vec::new();
    for line in text.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let (series, value) = line
            .rsplit_once(' ')
            .unwrap_or_else(|| panic!("no value: {line}"));
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            v => v.parse().unwrap_or_else(|_| panic!("not a number: {line}")),
        };
        let (name, labels) = match series.split_once('{') {
            Some((name, rest)) => {
                let inner = rest
                    .strip_suffix('}')
                    .unwrap_or_else(|| panic!("unclosed labels: {line}"));
                let labels = inner
                    .split("\",")
                    .filter(|pair| !pair.is_empty())
                    .map(|pair| {
                        let (k, v) = pair
                            .split_once("=\"")
                            .unwrap_or_else(|| panic!("bad label: {line}"));
                        (k.to_owned(), v.trim_end_matches('"').to_owned())
                    })
                    .collect();
                (name, labels)
            }
            None => (series, BTreeMap::new()),
        };
        assert!(
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':'),
            "bad metric name: {line}"
        );
        samples.push((name.to_owned(), labels, value));
    }
    samples
}

/// The sum of the samples named `name` whose labels include `labels`.
fn sum(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|(n, l, _)| {
            n == name
                && labels
                    .iter()
                    .all(|(k, v)| l.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|(_, _, v)| v)
        .sum()
}

async fn scrape(hub: &TestHub) -> (String, Vec<Sample>) {
    let response = hub.http.get(format!("{}/metrics", hub.url)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let text = response.text().await.unwrap();
    let samples = parse(&text);
    (text, samples)
}

#[tokio::test]
async fn metrics_move_with_pushes_pulls_and_refusals_and_hold_no_case_data() {
    // In-process hubs of this test binary share the process's recorder: compare deltas.
    let hub = start().await;
    let fac = hub.user("Femi", Role::Facilitator, Some("north")).await;
    let (_, before) = scrape(&hub).await;

    let (case, secret) = (CaseId::new(), marker());
    let mut ops = opened_case(&fac, case);
    ops.push(note(&fac, case, &secret));
    hub.push(&fac, &ops).await;
    hub.push(&fac, &ops).await;
    hub.pull(&fac, 0, &[], 1000).await;
    let (status, _) = hub
        .get(&format!("/v1/cases/{case}/history"), Some(&fac.token))
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = hub.post("/v1/push", None, &json!({"ops": []})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = hub.get(&format!("/{secret}"), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The device's last_seen is written just after its first request, off the request's path.
    let deadline = Instant::now() + Duration::from_secs(20);
    let (text, after) = loop {
        let (text, after) = scrape(&hub).await;
        if sum(&after, "casebook_hub_devices_seen_24h", &[]) >= 1.0 || Instant::now() > deadline {
            break (text, after);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let delta = |name: &str, labels: &[(&str, &str)]| sum(&after, name, labels) - sum(&before, name, labels);
    let n = ops.len() as f64;
    assert!(delta("casebook_hub_ops_pushed_total", &[("outcome", "accepted")]) >= n);
    assert!(delta("casebook_hub_ops_pushed_total", &[("outcome", "already_held")]) >= n);
    assert!(delta("casebook_hub_ops_pulled_total", &[("via", "pull")]) >= n);
    assert!(delta("casebook_hub_ops_pulled_total", &[("via", "history")]) >= n);
    assert!(delta("casebook_hub_refusals_total", &[("code", "unauthorized")]) >= 1.0);
    assert!(delta("casebook_hub_refusals_total", &[("code", "not_found")]) >= 1.0);
    let push_200 = [("endpoint", "/v1/push"), ("method", "POST"), ("status", "200")];
    assert!(delta("casebook_hub_http_requests_total", &push_200) >= 2.0);
    let push_401 = [("endpoint", "/v1/push"), ("method", "POST"), ("status", "401")];
    assert!(delta("casebook_hub_http_requests_total", &push_401) >= 1.0);
    let timed = [("endpoint", "/v1/push"), ("method", "POST"), ("le", "+Inf")];
    assert!(delta("casebook_hub_http_request_duration_seconds_bucket", &timed) >= 3.0);
    assert!(sum(&after, "casebook_hub_devices_seen_24h", &[]) >= 1.0, "{text}");
    // The route's pattern, never the path sent: no case id, no text a client chose.
    let history = [("endpoint", "/v1/cases/{case_id}/history")];
    assert!(sum(&after, "casebook_hub_http_requests_total", &history) >= 1.0);
    for leaked in [case.to_string(), secret, fac.id.to_string(), fac.token.clone()] {
        assert!(!text.contains(&leaked), "/metrics shows {leaked}");
    }
}

#[tokio::test]
async fn health_and_readiness_answer_without_a_token_or_a_protocol_header() {
    let hub = start().await;
    for path in ["/healthz", "/readyz"] {
        let response = hub.http.get(format!("{}{path}", hub.url)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body, json!({"status": "ok"}), "{path}");
    }
}

#[tokio::test]
async fn with_a_metrics_token_only_a_scraper_bearing_it_is_answered() {
    let token = "f3".repeat(16);
    let hub = TestHub::start_with(ServeConfig {
        metrics_token: Some(MetricsToken::new(&format!("{token}\n")).unwrap()),
        ..ServeConfig::default()
    })
    .await;
    let fac = hub.user("Femi", Role::Facilitator, Some("north")).await;
    let url = format!("{}/metrics", hub.url);
    let refused = [
        None,
        Some(format!("Bearer {}", "0".repeat(32))),
        Some(format!("Bearer {}", &token[..31])),
        Some(format!("Bearer {token}0")),
        Some(format!("Basic {token}")),
        Some(token.clone()),
        // A device's token is not the operator's.
        Some(format!("Bearer {}", fac.token)),
    ];
    for authorization in &refused {
        let mut request = hub.http.get(&url);
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{authorization:?}");
        assert_eq!(
            response.headers()["www-authenticate"],
            "Bearer realm=\"casebook-hub metrics\""
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "unauthorized", "{body}");
        assert!(
            !body.to_string().contains(&token),
            "the answer never shows the token"
        );
    }
    for scheme in ["Bearer", "bearer"] {
        let response = hub
            .http
            .get(&url)
            .header("authorization", format!("{scheme} {token}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{scheme}");
        let samples = parse(&response.text().await.unwrap());
        let refusals = [("endpoint", "/metrics"), ("method", "GET"), ("status", "401")];
        assert!(sum(&samples, "casebook_hub_http_requests_total", &refusals) >= refused.len() as f64);
    }
    // Health and readiness stay open: a load balancer bears no token.
    for path in ["/healthz", "/readyz"] {
        let response = hub.http.get(format!("{}{path}", hub.url)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
}

#[test]
fn logs_are_json_lines_when_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let log = tmp.path().join("hub.log");
    let mut child = common::command(&HubStore::scratch(tmp.path().join("hub")))
        .args(["--log-format", "json", "serve", "--listen", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut lines = Lines::read(child.stdout.take().unwrap());
    let first = lines.wait_for(Duration::from_secs(60), |_| true);
    // `serving` is logged just after the `listening on` line is printed.
    let deadline = Instant::now() + Duration::from_secs(20);
    while !fs::read_to_string(&log).unwrap().contains("serving") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    kill(&mut child);
    assert!(first.unwrap().starts_with("listening on http://127.0.0.1:"));
    let text = fs::read_to_string(&log).unwrap();
    let events: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}")))
        .collect();
    let serving = events
        .iter()
        .find(|e| e["fields"]["message"] == "serving")
        .unwrap_or_else(|| panic!("no `serving` event in {text}"));
    assert_eq!(serving["level"], "INFO");
    assert!(serving["timestamp"].is_string());
    assert_eq!(serving["target"], "casebook_hub");
}

/// An enrolled device of the binary hub `hub`.
fn enroll(http: &Blocking, code: &str) -> Device {
    let body = json!({"code": code, "device_name": "laptop"}).to_string();
    let answer = http.request(
        "POST",
        "/v1/enroll",
        &[(PROTOCOL_HEADER, "1"), ("content-type", "application/json")],
        body.as_bytes(),
    );
    assert_eq!(answer.status, 200, "{}", answer.text());
    let json = answer.json();
    Device {
        token: json["token"].as_str().unwrap().to_owned(),
        id: json["device_id"].as_str().unwrap().parse::<DeviceId>().unwrap(),
        user: json["user"]["id"].as_str().unwrap().parse::<UserId>().unwrap(),
    }
}

fn call(http: &Blocking, device: &Device, path: &str, body: &Value) -> Value {
    let auth = format!("Bearer {}", device.token);
    let answer = http.request(
        "POST",
        path,
        &[
            (PROTOCOL_HEADER, "1"),
            ("content-type", "application/json"),
            ("authorization", &auth),
        ],
        body.to_string().as_bytes(),
    );
    assert_eq!(answer.status, 200, "{path}: {}", answer.text());
    answer.json()
}

/// Every op id a device's pulls deliver, from cursor 0.
fn pulled_ids(http: &Blocking, device: &Device) -> BTreeSet<String> {
    let (mut ids, mut cursor) = (BTreeSet::new(), 0);
    loop {
        let page = call(
            http,
            device,
            "/v1/pull",
            &json!({"cursor": cursor, "held_cases": [], "limit": 1000}),
        );
        for op in page["ops"].as_array().unwrap() {
            ids.insert(op["op"]["op_id"].as_str().unwrap().to_owned());
        }
        cursor = page["next_cursor"].as_u64().unwrap();
        if !page["more"].as_bool().unwrap() {
            return ids;
        }
    }
}

#[test]
fn a_backup_taken_while_pushes_go_on_restores_every_op_acknowledged_before_it() {
    let hub = Hub::start_with(BIN, HubStore::scratch, &[]);
    let code = hub.add_user("Femi", "facilitator", Some("north"));
    let device = enroll(&hub.http(), &code);
    let secret = marker();
    let keys = tempfile::tempdir().unwrap();
    let identity = age::x25519::Identity::generate();
    let identity_file = keys.path().join("backup-identity.txt");
    {
        use age::secrecy::ExposeSecret;
        fs::write(
            &identity_file,
            format!("{}\n", identity.to_string().expose_secret()),
        )
        .unwrap();
    }
    let recipient = identity.to_public().to_string();

    // A laptop pushes a case with a note, again and again, noting when each push was answered.
    let (stop, pushes) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicUsize::new(0)));
    let pusher = {
        let (url, device, secret) = (hub.url.clone(), device.clone(), secret.clone());
        let (stop, pushes) = (Arc::clone(&stop), Arc::clone(&pushes));
        std::thread::spawn(move || {
            let http = Blocking::new(&url);
            let mut acked: Vec<(Instant, Vec<String>)> = Vec::new();
            while !stop.load(Ordering::SeqCst) {
                let case = CaseId::new();
                let mut ops = opened_case(&device, case);
                ops.push(note(&device, case, &format!("{secret} visit notes")));
                call(&http, &device, "/v1/push", &json!({ "ops": ops }));
                acked.push((Instant::now(), ops.iter().map(|o| o.op_id.to_string()).collect()));
                pushes.fetch_add(1, Ordering::SeqCst);
            }
            acked
        })
    };
    let wait_for_pushes = |n: usize| {
        let deadline = Instant::now() + Duration::from_secs(60);
        while pushes.load(Ordering::SeqCst) < n {
            assert!(Instant::now() < deadline, "the laptop did not push");
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    wait_for_pushes(5);
    let backups = tempfile::tempdir().unwrap();
    let out = backups.path().join("hub-backup.age");
    let started = Instant::now();
    let taken = hub.admin_json(&[
        "backup",
        "--out",
        out.to_str().unwrap(),
        "--recipient",
        &recipient,
    ]);
    let during = pushes.load(Ordering::SeqCst);
    wait_for_pushes(during + 5);
    stop.store(true, Ordering::SeqCst);
    let acked = pusher.join().unwrap();
    assert!(taken["audit_seq"].as_u64().unwrap() > 0, "{taken}");

    // Nothing readable in the file, and nothing left beside it.
    let sealed = fs::read(&out).unwrap();
    assert!(sealed.starts_with(b"age-encryption.org/v1"));
    let key = hub_key(hub.store());
    for needle in [
        secret.as_bytes(),
        key.as_bytes(),
        b"SQLite format 3",
        b"manifest.json",
    ] {
        assert!(
            !sealed.windows(needle.len()).any(|w| w == needle),
            "the backup shows {:?}",
            String::from_utf8_lossy(needle)
        );
    }
    let beside: Vec<_> = fs::read_dir(backups.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        beside,
        [out.file_name().unwrap().to_owned()],
        "scratch files left beside the backup"
    );

    // Restore into a new data dir (on PostgreSQL: an empty database, the hub key the backup
    // holds given as every process of it is), refusing a wrong identity and a second restore,
    // and serve it.
    let restored_dir = tempfile::tempdir().unwrap();
    let target = match HubStore::scratch(restored_dir.path().join("hub")) {
        HubStore::Database { url, .. } => HubStore::Database {
            url,
            key: key.clone(),
        },
        dir @ HubStore::Dir(_) => dir,
    };
    let wrong = keys.path().join("other-identity.txt");
    {
        use age::secrecy::ExposeSecret;
        let other = age::x25519::Identity::generate();
        fs::write(&wrong, other.to_string().expose_secret()).unwrap();
    }
    let restore = |identity: &Path| {
        common::hub_cli(
            &target,
            &[
                "restore",
                "--in",
                out.to_str().unwrap(),
                "--identity",
                identity.to_str().unwrap(),
            ],
        )
    };
    let refused = restore(&wrong);
    assert!(
        !refused.status.success() && holds_no_hub(&target),
        "{}",
        describe(&refused)
    );
    let restored_once = restore(&identity_file);
    assert!(restored_once.status.success(), "{}", describe(&restored_once));
    let again = restore(&identity_file);
    assert!(
        !again.status.success(),
        "a second restore over the hub: {}",
        describe(&again)
    );
    let already = match &target {
        HubStore::Dir(_) => "already exists",
        HubStore::Database { .. } => "holds a hub already",
    };
    assert!(
        String::from_utf8_lossy(&again.stderr).contains(already),
        "{}",
        describe(&again)
    );
    let restored = Hub::start_with(BIN, |_| target.clone(), &[]);

    let held = pulled_ids(&restored.http(), &device);
    let all: BTreeSet<String> = acked.iter().flat_map(|(_, ids)| ids.iter().cloned()).collect();
    let before: Vec<&String> = acked
        .iter()
        .filter(|(at, _)| *at < started)
        .flat_map(|(_, ids)| ids)
        .collect();
    assert!(
        before.len() >= 5 * 3,
        "too few pushes before the backup to prove anything"
    );
    for id in &before {
        assert!(
            held.contains(*id),
            "op {id}, acknowledged before the backup began, is not in the restored hub"
        );
    }
    // (The hub's own ops, e.g. the references it assigns, are in `held` too.)
    assert!(!all.is_subset(&held), "pushes after the backup cannot be in it");
    let twice = "SELECT COUNT(*) FROM (SELECT op_id FROM ops GROUP BY op_id HAVING COUNT(*) > 1) AS twice";
    assert_eq!(
        Raw::of(restored.store()).integer(twice, &[]),
        0,
        "an op held twice"
    );

    let verified = restored.admin_ok(&["audit", "verify"]);
    assert!(
        String::from_utf8_lossy(&verified.stdout).contains("intact"),
        "{}",
        describe(&verified)
    );
    let head = taken["audit_head"].as_str().unwrap();
    restored.admin_ok(&["audit", "verify", "--head", head]);
    let actions = |h: &Hub| -> Vec<String> {
        let entries = h.admin_json(&["audit", "show"]);
        entries
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(actions(&restored).iter().any(|a| a == "restore"));
    assert!(actions(&hub).iter().any(|a| a == "backup"));
}

/// The hub key of a hub storing in `store`, hex: its data dir's `hub.key`, or the one given.
fn hub_key(store: &HubStore) -> String {
    match store {
        HubStore::Dir(dir) => fs::read_to_string(dir.join("hub.key")).unwrap().trim().to_owned(),
        HubStore::Database { key, .. } => key.clone(),
    }
}

/// Whether nothing of a hub is in `store` yet: no `hub.db`, or no table in the database.
fn holds_no_hub(store: &HubStore) -> bool {
    match store {
        HubStore::Dir(dir) => !dir.join("hub.db").exists(),
        HubStore::Database { .. } => {
            let tables = "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'";
            Raw::of(store).integer(tables, &[]) == 0
        }
    }
}
