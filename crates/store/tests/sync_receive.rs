//! What the store does with the hub's answers: the hub's time corrects a far-off clock, ops no
//! honest laptop writes are set aside, refused changes outlive their case's purge.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use std::collections::BTreeMap;

use casebook_domain::PartyRole;
use casebook_store::model::NewParty;
use common::{fixture, new_case};

#[test]
fn a_laptop_clock_far_off_is_corrected_by_the_hubs_time() {
    let (_f, mut store) = fixture();
    let day_ms: u64 = 24 * 3600 * 1000;
    let now = u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap();
    store.record_sync(now + day_ms).unwrap();
    store
        .write(|w| w.create_case(new_case("Written with a slow clock")))
        .unwrap();
    let hlc: String = store
        .connection()
        .query_row("SELECT hlc FROM ops", [], |r| r.get(0))
        .unwrap();
    let wall: u64 = hlc.split('-').next().unwrap().parse().unwrap();
    assert!(
        wall >= now + day_ms - 60_000,
        "the op is stamped on the hub's time, not the laptop's"
    );
    // A difference of a few seconds is network delay, not a wrong clock: no correction.
    store.record_sync(now + 2_000).unwrap();
    let status = store.sync_status().unwrap();
    assert!(status.last_sync.is_some(), "the sync is recorded");
}

/// Ops from the hub that no honest laptop writes: each is set aside with its reason, the honest
/// op after them is applied, and the cursor moves on (issue 8, problem 1).
#[test]
fn poison_ops_from_the_hub_are_set_aside_and_the_cursor_moves_on() {
    use casebook_domain::{Entity, Op, OpId, OpKind};
    let (_f, mut writer) = fixture();
    let mine = writer.write(|w| w.create_case(new_case("Shed fire"))).unwrap();
    let theirs = writer.write(|w| w.create_case(new_case("Broken fence"))).unwrap();
    let their_party = writer
        .write(|w| {
            w.add_party(
                theirs.id,
                NewParty {
                    role: PartyRole::Victim,
                    name: "Ann".into(),
                    phone: None,
                    minor: false,
                    guardian_of: None,
                },
            )
        })
        .unwrap();
    let honest: Vec<Op> = writer.pending_batch(100).unwrap();
    let template = honest[0].clone();
    let forged = |entity: Entity, entity_id: uuid::Uuid, kind: OpKind, fields: serde_json::Value| Op {
        op_id: OpId::new(),
        case_id: mine.id,
        entity,
        entity_id,
        kind,
        fields: serde_json::from_value(fields).unwrap(),
        replaces: BTreeMap::new(),
        ..template.clone()
    };
    let poison = vec![
        // A null in a field every case has.
        forged(
            Entity::Case,
            mine.id.as_uuid(),
            OpKind::Update,
            serde_json::json!({"reference": null}),
        ),
        // A consent for a party that does not exist.
        forged(
            Entity::Consent,
            uuid::Uuid::now_v7(),
            OpKind::Create,
            serde_json::json!({"party_id": uuid::Uuid::now_v7(), "scope": "contact", "decision": "given",
                               "method": "verbal", "date": "2026-11-27"}),
        ),
        // My case's id, another case's party.
        forged(
            Entity::Party,
            their_party.as_uuid(),
            OpKind::Update,
            serde_json::json!({"name": "Mallory"}),
        ),
        // Another case planted under my case id.
        forged(
            Entity::Case,
            theirs.id.as_uuid(),
            OpKind::Update,
            serde_json::json!({"summary": "x"}),
        ),
    ];
    let (_g, mut reader) = fixture();
    let mut page: Vec<casebook_store::RemoteOp> = Vec::new();
    for (i, op) in honest
        .iter()
        .take(2)
        .chain(&poison)
        .chain(&honest[2..])
        .enumerate()
    {
        page.push(casebook_store::RemoteOp {
            seq: i as u64 + 1,
            op: op.clone(),
            flag: None,
        });
    }
    let counts = reader.apply_remote(&page, Some(page.len() as u64)).unwrap();
    assert_eq!(
        (counts.applied, counts.set_aside),
        (honest.len(), poison.len()),
        "{counts:?}"
    );
    assert_eq!(reader.pull_cursor().unwrap(), page.len() as u64);
    let status = reader.sync_status().unwrap();
    assert_eq!(status.set_aside_ops, 4);
    let set_aside = reader.set_aside_ops().unwrap();
    let codes: std::collections::BTreeSet<_> = set_aside.iter().map(|s| s.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "case_id_mismatch",
            "dangling_reference",
            "malformed",
            "other_case"
        ]
        .into_iter()
        .collect()
    );
    let party = reader.case_detail(theirs.id).unwrap().parties;
    assert_eq!(party[0].name, "Ann", "the other case's party is untouched");
    assert!(reader.verify().unwrap().ok);
    // The same page again (a retry after a crash) changes nothing.
    let again = reader.apply_remote(&page, Some(page.len() as u64)).unwrap();
    assert_eq!((again.applied, again.duplicates), (0, honest.len()));
    assert_eq!(reader.sync_status().unwrap().set_aside_ops, 4);
    assert_eq!(
        reader.sync_indicator().unwrap().set_aside_ops,
        4,
        "the indicator's count"
    );
}

/// A case that leaves this laptop's scope takes its records along, but not the changes the
/// hub refused: they are the author's own work and exist nowhere else.
#[test]
fn refused_changes_outlive_the_purge_of_their_case() {
    let (_f, mut store) = fixture();
    let case = store.write(|w| w.create_case(new_case("Shed fire"))).unwrap();
    let ops = store.pending_batch(10).unwrap();
    store
        .record_push(&[(
            ops[0].op_id,
            casebook_store::PushResult::Rejected {
                reason: "this case is not assigned to the author".into(),
            },
        )])
        .unwrap();
    assert!(store.purge_case(case.id).unwrap());
    assert!(store.held_cases().unwrap().is_empty());
    let refused = store.rejected_ops().unwrap();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].reason, "this case is not assigned to the author");
    assert!(store.verify().unwrap().ok);
    // The indicator counts the refusal from its index; a store with no hub has nothing waiting
    // for one, though the full status counts what it never sent.
    let shown = store.sync_indicator().unwrap();
    assert_eq!((shown.rejected_ops, shown.pending_ops, shown.hub), (1, 0, None));
    store.write(|w| w.create_case(new_case("Written since"))).unwrap();
    assert!(store.sync_status().unwrap().pending_ops > 0);
    assert_eq!(store.sync_indicator().unwrap().pending_ops, 0);
}
