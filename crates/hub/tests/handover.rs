//! `POST /v1/handover` over real HTTP: a receipt only for ops the hub holds from the device
//! asking, a retired device afterwards, and both answers in the audit trail.
#![allow(missing_docs, clippy::unwrap_used)]

use casebook_domain::{CaseId, OpId};
use casebook_hub::audit::AuditAction;
use casebook_hub::storage::AuditQuery;
use casebook_protocol::{HandoverResponse, Role, handover_digest};
use casebook_testkit::inproc::{self, new_case};
use serde_json::json;

#[tokio::test]
async fn a_receipt_covers_only_ops_the_hub_holds_from_the_device_asking() {
    let hub = inproc::start().await;
    let femi = hub.user("Femi", Role::Facilitator, Some("north")).await;
    let farah = hub.user("Farah", Role::Facilitator, Some("north")).await;
    let ops = vec![new_case(&femi, CaseId::new()), new_case(&femi, CaseId::new())];
    hub.push(&femi, &ops).await;
    let ids: Vec<OpId> = ops.iter().map(|o| o.op_id).collect();

    let ask = |token: String, ids: Vec<OpId>| {
        let hub = &hub;
        async move {
            let (status, body) = hub
                .post("/v1/handover", Some(&token), &json!({ "op_ids": ids }))
                .await;
            assert_eq!(status.as_u16(), 200, "{body}");
            serde_json::from_value::<HandoverResponse>(body).unwrap()
        }
    };
    // Another device cannot have Femi's ops certified as its own.
    let answer = ask(farah.token.clone(), ids.clone()).await;
    assert!(answer.receipt.is_none());
    assert_eq!(answer.missing.len(), 2);
    // An op the hub never received.
    let unknown = OpId::new();
    let mut with_unknown = ids.clone();
    with_unknown.push(unknown);
    let answer = ask(femi.token.clone(), with_unknown).await;
    assert_eq!(answer.missing, vec![unknown]);
    assert!(answer.receipt.is_none());

    let answer = ask(femi.token.clone(), ids.clone()).await;
    let receipt = answer.receipt.expect("a receipt");
    assert!(answer.missing.is_empty());
    assert_eq!(receipt.device_id, femi.id);
    assert_eq!(receipt.ops, 2);
    assert_eq!(receipt.digest, handover_digest(&ids));
    let reversed: Vec<OpId> = ids.iter().rev().copied().collect();
    assert_eq!(
        handover_digest(&reversed),
        receipt.digest,
        "the order does not matter"
    );

    // Retired: it syncs no more.
    let (status, body) = hub
        .post("/v1/pull", Some(&femi.token), &json!({"cursor": 0}))
        .await;
    assert_eq!(status.as_u16(), 403, "{body}");
    assert_eq!(body["code"], "device_revoked");
    let devices = hub.admin().devices().unwrap();
    let handed = devices.iter().find(|d| d.device_id == femi.id).unwrap();
    assert!(handed.handed_over_ms.is_some() && handed.revoked);

    let entries = hub.admin().audit_entries(&AuditQuery::default()).unwrap();
    let handovers: Vec<(Option<casebook_domain::UserId>, bool)> = entries
        .iter()
        .filter(|e| e.body.action == AuditAction::Handover)
        .map(|e| (e.body.user, e.body.detail["complete"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        handovers,
        vec![
            (Some(farah.user), false),
            (Some(femi.user), false),
            (Some(femi.user), true)
        ]
    );
}
