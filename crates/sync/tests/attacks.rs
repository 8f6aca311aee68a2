//! The hub as a hostile enrolled laptop sees it (issue 8): every attack is sent as raw HTTP with
//! a real token to a real hub over loopback, beside honest laptops with real encrypted stores
//! syncing through `casebook_sync`. Each attack is refused with a reason or made harmless, and
//! afterwards every honest laptop syncs and a later honest note reaches its supervisor.

#![allow(clippy::unwrap_used, missing_docs)]

use std::time::{Duration, Instant};

mod common;

use casebook_domain::judgement::MAX_FIELDS_BYTES;
use casebook_domain::{CaseId, DeviceId, Entity, OpKind, Role};
use casebook_protocol::OpOutcome;
use casebook_protocol::messages::MAX_PAGE_BYTES;
use casebook_testkit::inproc::{Device, TestHub, note, now, op, opened_case, party_of, start, update};
use common::Laptop;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

/// Pushes raw JSON ops with `device`'s token; returns each op's (status, code, reason).
async fn push_raw(hub: &TestHub, device: &Device, ops: &[Value]) -> Vec<(String, String, String)> {
    let (status, body) = hub
        .post("/v1/push", Some(&device.token), &json!({ "ops": ops }))
        .await;
    assert_eq!(status, StatusCode::OK, "push: {body}");
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let o = &r["outcome"];
            let text = |k: &str| o[k].as_str().unwrap_or_default().to_owned();
            (text("status"), text("code"), text("reason"))
        })
        .collect()
}

async fn refused(hub: &TestHub, device: &Device, op: Value, code: &str) {
    let results = push_raw(hub, device, std::slice::from_ref(&op)).await;
    let (status, got, reason) = &results[0];
    assert_eq!(
        (status.as_str(), got.as_str()),
        ("rejected", code),
        "attack {op} was not refused as {code}: {reason}"
    );
    assert!(!reason.is_empty(), "a refusal says why");
}

fn json_of(op: &casebook_domain::Op) -> Value {
    serde_json::to_value(op).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_enrolled_laptop_is_refused_and_honest_laptops_keep_syncing() {
    let hub = start().await;
    let femi_code = hub.add_user("Femi", Role::Facilitator, Some("north"));
    let farah_code = hub.add_user("Farah", Role::Facilitator, Some("north"));
    let sunita_code = hub.add_user("Sunita", Role::Supervisor, Some("north"));
    let mut femi = Laptop::join(&hub, &femi_code).await;
    let mut farah = Laptop::join(&hub, &farah_code).await;
    let mut sunita = Laptop::join(&hub, &sunita_code).await;
    let mallory = hub.user("Mallory", Role::Facilitator, Some("south")).await;

    // Honest work first: Femi's case with a party and a visit, Farah's case.
    let (case_a, party_a) = femi.open_case("A window broken at the community centre");
    femi.visit(case_a, party_a, "Met Ann at home; she wants an apology.");
    femi.sync().await;
    let (case_b, _) = farah.open_case("A shed fire next door");
    farah.sync().await;
    sunita.sync().await;
    assert!(sunita.holds(case_a) && sunita.holds(case_b));

    // Mallory's own case, opened honestly over HTTP.
    let case_m = CaseId::new();
    let own: Vec<Value> = opened_case(&mallory, case_m).iter().map(json_of).collect();
    assert!(
        push_raw(&hub, &mallory, &own)
            .await
            .iter()
            .all(|r| r.0 == "accepted")
    );

    // 1. A poison null on her own case and on Femi's.
    for case in [case_m, case_a] {
        let poison = update(
            &mallory,
            case,
            Entity::Case,
            case.as_uuid(),
            json!({"reference": null}),
        );
        refused(&hub, &mallory, json_of(&poison), "malformed").await;
    }
    // A consent whose party does not exist.
    let dangling = op(
        &mallory,
        case_m,
        Entity::Consent,
        Uuid::now_v7(),
        OpKind::Create,
        json!({"party_id": Uuid::now_v7(), "scope": "contact", "decision": "given", "method": "verbal",
               "date": "2026-11-27"}),
    );
    refused(&hub, &mallory, json_of(&dangling), "dangling_reference").await;
    // A value of the wrong type.
    let wrong_type = update(
        &mallory,
        case_m,
        Entity::Party,
        party_of(case_m),
        json!({"minor": "yes"}),
    );
    refused(&hub, &mallory, json_of(&wrong_type), "malformed").await;

    // 2. Writes across cases: my case id, Femi's party; a case record under another case id; a
    // case created with an entity id that is not its case id; a reference into Femi's case.
    let cross = update(
        &mallory,
        case_m,
        Entity::Party,
        party_a.as_uuid(),
        json!({"name": "Mallory"}),
    );
    refused(&hub, &mallory, json_of(&cross), "other_case").await;
    let disguised = update(
        &mallory,
        case_m,
        Entity::Case,
        case_a.as_uuid(),
        json!({"summary": "mine now"}),
    );
    refused(&hub, &mallory, json_of(&disguised), "case_id_mismatch").await;
    let mut planted = casebook_testkit::inproc::new_case(&mallory, CaseId::new());
    planted.entity_id = Uuid::now_v7();
    refused(&hub, &mallory, json_of(&planted), "case_id_mismatch").await;
    let reach = op(
        &mallory,
        case_m,
        Entity::Consent,
        Uuid::now_v7(),
        OpKind::Create,
        json!({"party_id": party_a, "scope": "contact", "decision": "withdrawn", "method": "verbal",
               "date": "2026-11-27"}),
    );
    refused(&hub, &mallory, json_of(&reach), "reference_into_other_case").await;

    // 3. Out-of-scope writes, an unknown case, hub-owned fields, a forged device, an edit of a
    // finalised visit, and a supervisor's edit.
    let foreign = note(&mallory, case_a, "I was never on this case");
    refused(&hub, &mallory, json_of(&foreign), "not_your_case").await;
    let foreign = update(
        &mallory,
        case_a,
        Entity::Case,
        case_a.as_uuid(),
        json!({"summary": "hijacked"}),
    );
    refused(&hub, &mallory, json_of(&foreign), "not_your_case").await;
    let unknown = update(
        &mallory,
        CaseId::new(),
        Entity::Case,
        Uuid::now_v7(),
        json!({"summary": "x"}),
    );
    refused(&hub, &mallory, json_of(&unknown), "case_id_mismatch").await;
    let unknown_case = CaseId::new();
    let unknown = update(
        &mallory,
        unknown_case,
        Entity::Case,
        unknown_case.as_uuid(),
        json!({"summary": "x"}),
    );
    refused(&hub, &mallory, json_of(&unknown), "unknown_case").await;
    for field in ["lead", "reference"] {
        let value = if field == "lead" {
            json!(mallory.user)
        } else {
            json!("RH-2026-9999")
        };
        let owned = update(
            &mallory,
            case_m,
            Entity::Case,
            case_m.as_uuid(),
            json!({ field: value }),
        );
        // The reference is the hub's; a lead is set by a coordinator or the team's supervisor.
        let code = if field == "lead" {
            "may_not_allocate"
        } else {
            "hub_owned_field"
        };
        refused(&hub, &mallory, json_of(&owned), code).await;
    }
    let mut forged = note(&mallory, case_m, "as another device");
    forged.device = DeviceId::new();
    refused(&hub, &mallory, json_of(&forged), "device_mismatch").await;
    let mut impostor = note(&mallory, case_m, "as Femi");
    impostor.author = femi.device().user;
    refused(&hub, &mallory, json_of(&impostor), "author_mismatch").await;
    let visit = note(&mallory, case_m, "finalised");
    assert_eq!(
        push_raw(&hub, &mallory, &[json_of(&visit)]).await[0].0,
        "accepted"
    );
    let rewrite = update(
        &mallory,
        case_m,
        Entity::Contact,
        visit.entity_id,
        json!({"notes": "rewritten"}),
    );
    refused(&hub, &mallory, json_of(&rewrite), "finalised").await;
    let sunita_device = sunita.device();
    let edit = update(
        &sunita_device,
        case_a,
        Entity::Case,
        case_a.as_uuid(),
        json!({"summary": "edited"}),
    );
    refused(&hub, &sunita_device, json_of(&edit), "role_may_not").await;

    // 5. A clock far in the future is refused, and the hub's own clock stays sane: a
    // reassignment after it is stamped now, not in 1970, and reaches the laptops.
    for wall in [u64::MAX, 1 << 63, now() as u64 + 25 * 3_600_000] {
        let mut future = note(&mallory, case_m, "from the future");
        future.hlc.wall_ms = wall;
        refused(&hub, &mallory, json_of(&future), "clock_ahead").await;
    }
    let before = now() as u64;
    hub.admin()
        .assign(&case_b.to_string(), "Femi", None, now())
        .unwrap();
    femi.sync().await;
    farah.sync().await;
    assert!(
        femi.holds(case_b) && !farah.holds(case_b),
        "the reassignment took effect"
    );
    let lead_op = hub
        .pull(&femi.device(), 0, &[], 1000)
        .await
        .ops
        .into_iter()
        .filter(|p| p.op.case_id == case_b && p.op.fields.contains_key("lead"))
        .map(|p| p.op.hlc.wall_ms)
        .max()
        .unwrap();
    assert!(
        lead_op >= before && lead_op < before + 3_600_000,
        "stamped now: {lead_op}"
    );

    // 6. Large notes: one over the bound is refused; 40 of about 1 MiB are taken and paged by
    // bytes, and the hub answers `status` while two big pulls run.
    let mut huge = note(&mallory, case_m, "x");
    huge.fields
        .insert("notes".into(), json!("x".repeat(MAX_FIELDS_BYTES + 1)));
    refused(&hub, &mallory, json_of(&huge), "too_large").await;
    let text = "n".repeat(MAX_FIELDS_BYTES - 4096);
    for _ in 0..8 {
        let batch: Vec<Value> = (0..5).map(|_| json_of(&note(&mallory, case_m, &text))).collect();
        assert!(
            push_raw(&hub, &mallory, &batch)
                .await
                .iter()
                .all(|r| r.0 == "accepted")
        );
    }
    let pull = |hub: &TestHub, device: Device| {
        let (http, url) = (hub.http.clone(), hub.url.clone());
        tokio::spawn(async move {
            let (mut cursor, mut pages, mut largest) = (0u64, 0, 0usize);
            loop {
                let body = http
                    .post(format!("{url}/v1/pull"))
                    .bearer_auth(&device.token)
                    .header("Casebook-Protocol", "1")
                    .json(&json!({"cursor": cursor}))
                    .send()
                    .await
                    .unwrap()
                    .bytes()
                    .await
                    .unwrap();
                largest = largest.max(body.len());
                let page: Value = serde_json::from_slice(&body).unwrap();
                pages += 1;
                cursor = page["next_cursor"].as_u64().unwrap();
                if !page["more"].as_bool().unwrap() {
                    return (pages, largest);
                }
            }
        })
    };
    let pulls = [pull(&hub, mallory.clone()), pull(&hub, mallory.clone())];
    let mut status_ms = Vec::new();
    while pulls.iter().any(|p| !p.is_finished()) && status_ms.len() < 200 {
        let started = Instant::now();
        let (status, body) = hub.get("/v1/status", Some(&mallory.token)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        status_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    for p in pulls {
        let (pages, largest) = p.await.unwrap();
        assert!(pages >= 10, "40 MiB of notes came in {pages} pages");
        assert!(
            largest <= MAX_PAGE_BYTES + 2 * MAX_FIELDS_BYTES,
            "a page of {largest} bytes is over the bound"
        );
    }
    status_ms.sort_by(f64::total_cmp);
    eprintln!(
        "status during two big pulls: {} answers, median {:.1} ms, max {:.1} ms",
        status_ms.len(),
        status_ms.get(status_ms.len() / 2).copied().unwrap_or(0.0),
        status_ms.last().copied().unwrap_or(0.0)
    );
    assert!(!status_ms.is_empty(), "status was asked while the pulls ran");

    // 4. A device revoked with a wipe: one last push is kept (flagged), then only the order.
    let lost = hub.enroll(&hub.user_code("Mallory")).await;
    hub.admin().revoke(&lost.id.to_string(), true, now()).unwrap();
    let last = push_raw(&hub, &lost, &[json_of(&note(&lost, case_m, "the last push"))]).await;
    assert_eq!(last[0].0, "quarantined", "{last:?}");
    let (status, body) = hub
        .post(
            "/v1/push",
            Some(&lost.token),
            &json!({"ops": [json_of(&note(&lost, case_m, "again"))]}),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("device_wiped"))
    );

    // Afterwards: every honest laptop syncs, sets nothing aside, holds only its own cases, and
    // a later honest note reaches its supervisor.
    femi.visit(case_a, party_a, "Second visit: Ann is ready to meet.");
    for laptop in [&mut femi, &mut farah, &mut sunita] {
        let report = laptop.sync().await;
        assert_eq!(report.set_aside, 0, "{report:?}");
        assert_eq!(laptop.store.sync_status().unwrap().set_aside_ops, 0);
        assert!(!laptop.holds(case_m), "a case outside this laptop's scope");
    }
    assert_eq!(
        sunita.notes(case_a),
        vec![
            "Met Ann at home; she wants an apology.".to_owned(),
            "Second visit: Ann is ready to meet.".to_owned()
        ]
    );
    let party = femi.store.case_detail(case_a).unwrap().parties;
    assert_eq!(party[0].name, "Ann", "Femi's party was never renamed");
    assert!(femi.store.verify().unwrap().ok && sunita.store.verify().unwrap().ok);
    let outcome = hub.push(&mallory, &[note(&mallory, case_m, "still works")]).await;
    assert!(matches!(outcome.results[0].outcome, OpOutcome::Accepted { .. }));
}
