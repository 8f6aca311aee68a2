//! Who gets in: enrollment, tokens, revocation, protocol versions, rate limits and bad input.
#![allow(missing_docs, clippy::unwrap_used)]

use casebook_domain::CaseId;
use casebook_hub::ServeConfig;
use casebook_hub::enroll::{CODE_LIFETIME_MS, issue_code};
use casebook_protocol::{OpOutcome, PROTOCOL_HEADER, Role};
use casebook_testkit::inproc::{self as common, new_case, note, now, opened_case, start, start_with};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn an_enrollment_code_works_once_and_not_after_it_expires() {
    let hub = start().await;
    let code = hub.add_user("Femi", Role::Facilitator, Some("north"));
    let device = hub.enroll(&code.to_lowercase()).await;
    let (status, body) = hub.get("/v1/status", Some(&device.token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["user"]["name"].as_str(), body["user"]["role"].as_str()),
        (Some("Femi"), Some("facilitator"))
    );
    assert_eq!(body["device_id"], json!(device.id));

    let again = json!({"code": code, "device_name": "second laptop"});
    let (status, body) = hub.post("/v1/enroll", None, &again).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_enrollment_code"))
    );

    let mut admin = hub.admin();
    let user = admin.user_by_name("Femi").unwrap();
    let old = issue_code(&mut admin, &user, now() - CODE_LIFETIME_MS - 1000).unwrap();
    let (status, body) = hub
        .post("/v1/enroll", None, &json!({"code": old, "device_name": "l"}))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_enrollment_code"))
    );
}

#[tokio::test]
async fn requests_without_a_valid_token_get_401() {
    let hub = start().await;
    for token in [None, Some("not-a-token")] {
        let (status, body) = hub.post("/v1/pull", token, &json!({"cursor": 0})).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("unauthorized"))
        );
    }
}

#[tokio::test]
async fn an_incompatible_protocol_version_gets_426() {
    let hub = start().await;
    let device = hub.user("Femi", Role::Facilitator, None).await;
    for (version, code) in [("0", "update_required"), ("2", "hub_update_required")] {
        let response = hub
            .http
            .get(format!("{}/v1/status", hub.url))
            .header(PROTOCOL_HEADER, version)
            .bearer_auth(&device.token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()[PROTOCOL_HEADER], "1");
        let (status, body) = common::answer(response).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UPGRADE_REQUIRED, Some(code))
        );
        if version == "0" {
            assert_eq!(
                body["message"],
                "this version of Casebook is too old for the hub; update it"
            );
        }
    }
    let response = hub
        .http
        .get(format!("{}/v1/status", hub.url))
        .bearer_auth(&device.token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        common::answer(response).await.0,
        StatusCode::BAD_REQUEST,
        "the header is required"
    );
}

#[tokio::test]
async fn a_revoked_device_is_refused_everywhere() {
    let hub = start().await;
    let device = hub.user("Femi", Role::Facilitator, None).await;
    hub.admin().revoke(&device.id.to_string(), false, now()).unwrap();
    let case = CaseId::new();
    let (status, body) = hub
        .post(
            "/v1/push",
            Some(&device.token),
            &json!({"ops": [new_case(&device, case)]}),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("device_revoked"))
    );
    let (status, body) = hub
        .post("/v1/pull", Some(&device.token), &json!({"cursor": 0}))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("device_revoked"))
    );
    assert!(hub.admin().cases().unwrap().is_empty());
}

#[tokio::test]
async fn a_device_revoked_with_wipe_still_delivers_its_last_push_then_is_told_to_wipe() {
    let hub = start().await;
    let device = hub.user("Femi", Role::Facilitator, None).await;
    let case = CaseId::new();
    hub.push(&device, &opened_case(&device, case)).await;
    hub.admin().revoke(&device.id.to_string(), true, now()).unwrap();

    let last = note(&device, case, "written before the laptop was lost");
    let pushed = hub.push(&device, std::slice::from_ref(&last)).await;
    assert!(pushed.wipe);
    // Kept, and flagged: the laptop may be in other hands by now.
    assert!(
        matches!(&pushed.results[0].outcome, OpOutcome::Quarantined { reason, .. } if reason.contains("revoked")),
        "{:?}",
        pushed.results[0].outcome
    );
    // That was its last push: from now on it only hears the order to wipe.
    let again = note(&device, case, "pushed again after the wipe order");
    for path in ["/v1/push"] {
        let (status, body) = hub
            .post(path, Some(&device.token), &json!({"ops": [again]}))
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("device_wiped"))
        );
    }
    for path in ["/v1/pull"] {
        let (status, body) = hub.post(path, Some(&device.token), &json!({"cursor": 0})).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("device_wiped"))
        );
    }
    let (status, body) = hub.get("/v1/status", Some(&device.token)).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("device_wiped"))
    );
    let devices = hub.admin().devices().unwrap();
    assert!(devices[0].revoked && devices[0].wipe);
    assert_eq!(
        hub.admin().cases().unwrap()[0].ops,
        4,
        "create, party, reference, last note"
    );
}

#[tokio::test]
async fn garbage_bodies_get_400_and_the_hub_keeps_serving() {
    let hub = start_with(ServeConfig {
        max_body_bytes: 64 * 1024,
        ..ServeConfig::default()
    })
    .await;
    let device = hub.user("Femi", Role::Facilitator, None).await;
    let send = |body: Vec<u8>, path: &'static str| {
        hub.http
            .post(format!("{}{path}", hub.url))
            .header(PROTOCOL_HEADER, "1")
            .header("content-type", "application/json")
            .bearer_auth(&device.token)
            .body(body)
            .send()
    };
    let cases: Vec<(&[u8], StatusCode)> = vec![
        (b"{not json", StatusCode::BAD_REQUEST),
        (b"{\"cursor\": \"seven\"}", StatusCode::BAD_REQUEST),
        (b"[1, 2, 3]", StatusCode::BAD_REQUEST),
        (b"", StatusCode::BAD_REQUEST),
        (&[0xff, 0xfe, 0x00], StatusCode::BAD_REQUEST),
    ];
    for (body, expected) in cases {
        for path in ["/v1/pull", "/v1/push", "/v1/enroll"] {
            let (status, json) = common::answer(send(body.to_vec(), path).await.unwrap()).await;
            assert_eq!(status, expected, "{path} {body:?} {json}");
            assert_eq!(json["code"], "bad_request");
        }
    }
    let (status, json) = common::answer(send(vec![b' '; 200 * 1024], "/v1/push").await.unwrap()).await;
    assert_eq!(
        (status, json["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large"))
    );
    let (status, _) = hub
        .get(
            &format!("/v1/cases/{}/history?after=x", CaseId::new()),
            Some(&device.token),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = hub.get("/v1/cases/not-a-uuid/history", Some(&device.token)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, json) = hub.get("/v1/nowhere", None).await;
    assert_eq!(
        (status, json["code"].as_str()),
        (StatusCode::NOT_FOUND, Some("not_found"))
    );

    let (status, _) = hub.get("/v1/status", Some(&device.token)).await;
    assert_eq!(status, StatusCode::OK, "still serving");
}

#[tokio::test]
async fn an_enrollment_flood_is_rate_limited() {
    let hub = start_with(ServeConfig {
        enroll_attempts_per_minute: 5,
        ..ServeConfig::default()
    })
    .await;
    let mut statuses = Vec::new();
    for _ in 0..8 {
        let (status, _) = hub
            .post(
                "/v1/enroll",
                None,
                &json!({"code": "AAAA-BBBB-CCCC", "device_name": "x"}),
            )
            .await;
        statuses.push(status);
    }
    assert_eq!(statuses[..5], [StatusCode::UNAUTHORIZED; 5]);
    assert_eq!(statuses[5..], [StatusCode::TOO_MANY_REQUESTS; 3]);
    let (_, body) = hub
        .post("/v1/enroll", None, &json!({"code": "x", "device_name": "x"}))
        .await;
    assert_eq!(body["code"], "rate_limited");
}

#[tokio::test]
async fn the_openapi_document_describes_the_endpoints() {
    let hub = start().await;
    let response = hub
        .http
        .get(format!("{}/v1/openapi.json", hub.url))
        .send()
        .await
        .unwrap();
    let (status, doc) = common::answer(response).await;
    assert_eq!(status, StatusCode::OK);
    let built = serde_json::to_value(<casebook_hub::routes::ApiDoc as utoipa::OpenApi>::openapi()).unwrap();
    assert_eq!(
        doc, built,
        "the hub serves the document `casebook-hub openapi` prints"
    );
    let paths: Vec<&str> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        paths,
        [
            "/healthz",
            "/metrics",
            "/readyz",
            "/v1/cases/{case_id}/history",
            "/v1/enroll",
            "/v1/handover",
            "/v1/openapi.json",
            "/v1/pull",
            "/v1/purged",
            "/v1/push",
            "/v1/recovered",
            "/v1/sar",
            "/v1/sar/parties",
            "/v1/sar/{reference}/close",
            "/v1/sar/{reference}/export",
            "/v1/sar/{reference}/extend",
            "/v1/status",
        ]
    );
    assert!(doc["components"]["schemas"].get("PushResponse").is_some());
    assert!(!doc["servers"].as_array().unwrap().is_empty());
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let what = format!("{method} {path}");
            assert!(
                op["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{what}: summary"
            );
            assert!(op["operationId"].is_string(), "{what}: operationId");
            assert_eq!(op["tags"].as_array().map(Vec::len), Some(1), "{what}: one tag");
            // Who needs no token says so (`security: []`); everyone else needs the bearer token.
            // The operations endpoints (outside /v1) are for the operator's tools: public too.
            let operations = !path.starts_with("/v1/");
            let public = path == "/v1/enroll" || path == "/v1/openapi.json" || operations;
            // `/metrics` alone may ask for the operator's metrics token, when the hub has one.
            let security = if path == "/metrics" {
                json!([{}, {"metrics_token": []}])
            } else if public {
                json!([])
            } else {
                json!([{"bearer": []}])
            };
            assert_eq!(op["security"], security, "{what}: security");
            // What the router's layers answer on every route they wrap: the time limit on all,
            // the protocol header and storage failures on /v1 but openapi.json, the token check
            // on all but the public ones.
            let mut expected = vec!["200", "503"];
            if path != "/v1/openapi.json" && !operations {
                expected.extend(["400", "426", "500"]);
            }
            if !public {
                expected.extend(["401", "403"]);
            }
            if path == "/metrics" {
                expected.push("401");
            }
            let responses = op["responses"].as_object().unwrap();
            for status in expected {
                assert!(
                    responses.contains_key(status),
                    "{what} does not document {status}"
                );
            }
            for (status, response) in responses.iter().filter(|(s, _)| s.as_str() != "200") {
                assert_eq!(
                    response["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/ErrorBody",
                    "{what} {status}"
                );
            }
        }
    }
}

/// Failures provoked on every operation: each status the hub answers is one its document lists
/// for that operation.
#[tokio::test]
async fn every_failure_the_hub_answers_is_in_its_document() {
    let hub = start().await;
    let doc = serde_json::to_value(<casebook_hub::routes::ApiDoc as utoipa::OpenApi>::openapi()).unwrap();
    let device = hub.user("Femi", Role::Facilitator, Some("north")).await;
    let revoked = hub.user("Sam", Role::Facilitator, Some("north")).await;
    hub.admin().revoke(&revoked.id.to_string(), false, now()).unwrap();
    let unknown_case = format!("/v1/cases/{}/history", CaseId::new());
    let too_many = json!({"ops": vec![json!({}); casebook_protocol::MAX_PUSH_OPS + 1]});
    // (method, documented path, requested path, body)
    let routes: [(&str, &str, &str, Option<serde_json::Value>); 11] = [
        (
            "post",
            "/v1/enroll",
            "/v1/enroll",
            Some(json!({"code": "AAAA-BBBB-CCCC", "device_name": "x"})),
        ),
        ("post", "/v1/push", "/v1/push", Some(too_many)),
        (
            "post",
            "/v1/pull",
            "/v1/pull",
            Some(json!({"cursor": "not a number"})),
        ),
        ("get", "/v1/cases/{case_id}/history", &unknown_case, None),
        ("get", "/v1/status", "/v1/status", None),
        // A facilitator asking for subject access: 403 not_coordinator.
        ("get", "/v1/sar/parties", "/v1/sar/parties?name=ann", None),
        (
            "post",
            "/v1/sar",
            "/v1/sar",
            Some(json!({"parties": [], "received_on": "2026-11-27"})),
        ),
        ("get", "/v1/sar", "/v1/sar", None),
        ("get", "/v1/sar/{reference}/export", "/v1/sar/SAR-1/export", None),
        (
            "post",
            "/v1/sar/{reference}/extend",
            "/v1/sar/SAR-1/extend",
            Some(json!({})),
        ),
        (
            "post",
            "/v1/sar/{reference}/close",
            "/v1/sar/SAR-1/close",
            Some(json!({})),
        ),
    ];
    let mut seen = std::collections::BTreeSet::new();
    for (method, documented, path, body) in &routes {
        let tokens = [None, Some(device.token.as_str()), Some(revoked.token.as_str())];
        for (version, token) in [Some("1"), Some("999"), Some("x"), None]
            .into_iter()
            .flat_map(|v| tokens.map(|t| (v, t)))
        {
            let mut req = match *method {
                "post" => hub
                    .http
                    .post(format!("{}{path}", hub.url))
                    .json(body.as_ref().unwrap()),
                _ => hub.http.get(format!("{}{path}", hub.url)),
            };
            if let Some(version) = version {
                req = req.header(PROTOCOL_HEADER, version);
            }
            if let Some(token) = token {
                req = req.bearer_auth(token);
            }
            let (status, body) = common::answer(req.send().await.unwrap()).await;
            let what = format!(
                "{method} {path} (version {version:?}, token: {})",
                token.is_some()
            );
            assert!(
                doc["paths"][documented][method]["responses"]
                    .get(status.as_str())
                    .is_some(),
                "{what} answered {status} {body}, which its document does not list"
            );
            if !status.is_success() {
                seen.insert(status.as_u16());
            }
        }
    }
    assert_eq!(
        seen.into_iter().collect::<Vec<_>>(),
        [400, 401, 403, 404, 426],
        "the failures this test meant to provoke"
    );
}
