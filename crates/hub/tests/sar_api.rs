//! Subject access over the API (`/v1/sar`), as a coordinator's app asks for it: a facilitator
//! and a supervisor are refused with `not_coordinator`; a coordinator finds the person's party
//! records, opens a request, lists it and fetches the answer, which is byte for byte what
//! `casebook-hub sar export` writes for the same request, holds the person's words and not
//! another party's name; every call is in the audit trail by the coordinator and their device.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use base64::Engine;
use casebook_hub::Storage;
use casebook_hub::audit::AuditAction;
use casebook_hub::storage::{AuditEntry, AuditQuery};
use casebook_protocol::{Role, SarExportResponse, SarPartiesResponse, SarRequestInfo};
use casebook_testkit::inproc::TestHub;
use chrono::{Days, Local};
use common::ok;
use common::sar_fixture::{assert_only_anns, hub_with_two_cases, pdf_text};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn subject_access_entries(hub: &TestHub, query: &AuditQuery) -> Vec<AuditEntry> {
    let storage: Storage = hub.admin();
    storage
        .audit_entries(query)
        .unwrap()
        .into_iter()
        .filter(|e| e.body.action == AuditAction::SubjectAccess)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_coordinator_is_answered() {
    let hub = TestHub::start().await;
    let (first, _, ann, _) = hub_with_two_cases(hub.store());
    let fay = hub.user("Fay", Role::Facilitator, Some("north")).await;
    let sue = hub.user("Sue", Role::Supervisor, Some("north")).await;
    let received = Local::now().date_naive();
    for device in [&fay, &sue] {
        let token = Some(device.token.as_str());
        let refusals = [
            hub.get("/v1/sar/parties?name=smith", token).await,
            hub.post(
                "/v1/sar",
                token,
                &json!({"parties": [ann], "received_on": received}),
            )
            .await,
            hub.get("/v1/sar", token).await,
            hub.get("/v1/sar/SAR-1/export", token).await,
            hub.post("/v1/sar/SAR-1/close", token, &json!({})).await,
        ];
        for (status, body) in refusals {
            assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
            assert_eq!(body["code"], "not_coordinator", "{body}");
            assert!(
                body["message"].as_str().unwrap().contains("only a coordinator"),
                "{body}"
            );
        }
    }
    // Nothing was opened or delivered; each refusal is in the trail with who asked.
    let storage = hub.admin();
    assert!(storage.sar_requests(true).unwrap().is_empty());
    let refused: Vec<AuditEntry> = storage
        .audit_entries(&AuditQuery {
            user: Some(fay.user),
            ..AuditQuery::default()
        })
        .unwrap()
        .into_iter()
        .filter(|e| e.body.action == AuditAction::Refused)
        .collect();
    let count: u64 = refused
        .iter()
        .map(|e| e.body.detail["count"].as_u64().unwrap_or(1))
        .sum();
    assert_eq!(count, 5, "{refused:?}");
    assert!(refused.iter().all(|e| e.body.detail["code"] == "not_coordinator"));
    let delivered = subject_access_entries(
        &hub,
        &AuditQuery {
            case: Some(first),
            ..AuditQuery::default()
        },
    );
    assert!(delivered.is_empty(), "{delivered:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_gets_the_same_answer_as_the_command_line_and_each_call_is_audited() {
    let hub = TestHub::start().await;
    let (first, second, ann, ann_again) = hub_with_two_cases(hub.store());
    let cora = hub.user("Cora", Role::Coordinator, None).await;
    let token = Some(cora.token.as_str());

    let (status, body) = hub.get("/v1/sar/parties?name=%20SMITH", token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let found: SarPartiesResponse = serde_json::from_value(body).unwrap();
    let mut ids: Vec<_> = found.parties.iter().map(|p| p.party_id).collect();
    ids.sort();
    let mut expected = vec![ann, ann_again];
    expected.sort();
    assert_eq!(ids, expected);
    let victim = found.parties.iter().find(|p| p.party_id == ann).unwrap();
    assert_eq!(
        (victim.name.as_str(), victim.role.as_str()),
        ("Ann Smith", "victim")
    );
    assert_eq!(victim.case_id, first);

    let today = Local::now().date_naive();
    let received = today.checked_sub_days(Days::new(3)).unwrap();
    let (status, body) = hub
        .post(
            "/v1/sar",
            token,
            &json!({"parties": [ann, ann_again], "received_on": received, "requester": "Ann herself"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let opened: SarRequestInfo = serde_json::from_value(body).unwrap();
    assert_eq!(opened.reference, "SAR-1");
    assert_eq!(opened.due_on, casebook_hub::sar::due_on(received, false));
    assert_eq!(opened.days_left, (opened.due_on - today).num_days());
    assert_eq!(opened.requester.as_deref(), Some("Ann herself"));

    let (status, body) = hub.get("/v1/sar", token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["requests"].as_array().unwrap().len(), 1, "{body}");
    assert_eq!(body["requests"][0]["reference"], "SAR-1");

    let (status, body) = hub.get("/v1/sar/SAR-1/export", token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let answer: SarExportResponse = serde_json::from_value(body).unwrap();
    assert!(answer.request.exported_at_ms.is_some());
    assert_only_anns("the API's sar.json", &answer.json);
    let pdf = base64::engine::general_purpose::STANDARD
        .decode(&answer.pdf_base64)
        .unwrap();
    let scratch = tempfile::tempdir().unwrap();
    std::fs::write(scratch.path().join("api.pdf"), &pdf).unwrap();
    assert_only_anns("the API's sar.pdf", &pdf_text(&scratch.path().join("api.pdf")));

    // The command line, on the same request the same day: the same bytes.
    let out = scratch.path().join("cli");
    ok(
        hub.store(),
        &["sar", "export", "SAR-1", "--out", out.to_str().unwrap()],
    );
    assert_eq!(
        std::fs::read_to_string(out.join("sar.json")).unwrap(),
        answer.json
    );
    assert!(
        std::fs::read(out.join("sar.pdf")).unwrap() == pdf,
        "the PDFs differ"
    );

    let (status, body) = hub
        .post(
            "/v1/sar",
            token,
            &json!({"parties": [uuid::Uuid::now_v7()], "received_on": received}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("not on this hub"),
        "{body}"
    );
    let (status, body) = hub.get("/v1/sar/SAR-9/export", token).await;
    assert_eq!(
        (status, &body["code"]),
        (StatusCode::NOT_FOUND, &json!("not_found"))
    );
    let (status, body) = hub.post("/v1/sar/SAR-1/close", token, &json!({})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["closed_at_ms"].is_i64(), "{body}");
    let (_, body) = hub.get("/v1/sar", token).await;
    assert_eq!(body["requests"], json!([]));
    let (status, body) = hub.get("/v1/sar/SAR-1/export", token).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a closed request is not answered again: {body}"
    );

    // Every call is in the trail, by Cora from her laptop (the command line's export by its
    // operator), about both cases, never with a name or a word of the answer.
    for case in [first, second] {
        let entries = subject_access_entries(
            &hub,
            &AuditQuery {
                case: Some(case),
                ..AuditQuery::default()
            },
        );
        let steps: Vec<(&str, bool)> = entries
            .iter()
            .map(|e| {
                let by_cora = e.body.user == Some(cora.user) && e.body.device == Some(cora.id);
                (e.body.detail["step"].as_str().unwrap(), by_cora)
            })
            .collect();
        assert_eq!(
            steps,
            [
                ("find", true),
                ("request", true),
                ("list", true),
                ("export", true),
                ("export", false),
                ("close", true)
            ],
            "case {case}"
        );
        for e in &entries {
            let text = serde_json::to_string(&e.body).unwrap().to_lowercase();
            assert!(!text.contains("smith") && !text.contains("ann herself"), "{text}");
        }
        assert_eq!(entries[4].body.detail["operator"], Value::from("ops-alice"));
    }
}
