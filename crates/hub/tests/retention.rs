//! Retention and purge on a real hub (in process, over HTTP): periods by outcome, legal holds,
//! what is due when; a purge leaves nothing of the case in the decrypted database but its
//! tombstone, keeps the audit chain intact, refuses later ops for the case, and reaches every
//! device as an order it confirms. On either backend.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use casebook_domain::retention::{PURGED, Retention};
use casebook_domain::{CaseId, Entity, Op, OpKind};
use casebook_hub::HubError;
use casebook_hub::audit::AuditAction;
use casebook_hub::storage::{AuditQuery, Verification};
use casebook_protocol::{OpOutcome, Role};
use casebook_testkit::inproc::{self, Device, note, op, opened_case};
use casebook_testkit::scan::tables_containing;
use chrono::NaiveDate;
use common::raw::{Arg, Raw};
use common::{HubStore, raw_db};
use serde_json::json;
use uuid::Uuid;

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// A case's closing as a laptop writes it: the status change (dated) and the case's status.
fn closing(device: &Device, case: CaseId, on: &str, outcome: &str) -> Vec<Op> {
    vec![
        op(
            device,
            case,
            Entity::StatusChange,
            Uuid::now_v7(),
            OpKind::Create,
            json!({"from_status": "referred", "to_status": "closed", "transition": "close",
                   "outcome": outcome, "date": on}),
        ),
        op(
            device,
            case,
            Entity::Case,
            case.as_uuid(),
            OpKind::Update,
            json!({"status": "closed", "outcome": outcome}),
        ),
    ]
}

async fn closed_case(hub: &inproc::TestHub, device: &Device, on: &str, outcome: &str, words: &str) -> CaseId {
    let case = CaseId::new();
    let mut ops = opened_case(device, case);
    ops.push(note(device, case, words));
    ops.extend(closing(device, case, on, outcome));
    let answer = hub.push(device, &ops).await;
    assert!(answer.results.iter().all(|r| r.outcome.is_held()), "{answer:?}");
    case
}

/// Where `marker` can be read by someone holding the hub's database and its key: on SQLite,
/// the decrypted tables holding it; on PostgreSQL, whose values are sealed one by one, the
/// ops of `case` the hub's own storage answers with it.
fn readable(hub: &inproc::TestHub, case: CaseId, marker: &str) -> Vec<String> {
    match hub.store() {
        HubStore::Dir(dir) => tables_containing(&raw_db(dir), marker.as_bytes()),
        HubStore::Database { .. } => hub
            .admin()
            .case_ops(&[case])
            .unwrap()
            .iter()
            .flat_map(|input| &input.ops)
            .filter(|op| serde_json::to_string(op).unwrap().contains(marker))
            .map(|op| format!("op {}", op.op_id))
            .collect(),
    }
}

/// Nothing at rest holds `marker` readable: not the data dir's files, nor what `pg_dump`
/// writes of the database (what a backup of it, or anyone reading its files, would see).
fn assert_not_at_rest(store: &HubStore, marker: &str) {
    let files: Vec<Vec<u8>> = match store {
        HubStore::Dir(dir) => std::fs::read_dir(dir)
            .unwrap()
            .map(|entry| std::fs::read(entry.unwrap().path()).unwrap())
            .collect(),
        HubStore::Database { url, .. } => vec![casebook_testkit::postgres::dump(url)],
    };
    assert!(!files.is_empty(), "nothing was read of the hub's store");
    for bytes in files {
        assert!(!bytes.windows(marker.len()).any(|w| w == marker.as_bytes()));
    }
}

fn state_of(hub: &inproc::TestHub, case: CaseId, today: &str) -> Retention {
    hub.admin()
        .retention_of_cases(day(today))
        .unwrap()
        .into_iter()
        .find(|c| c.case_id == case)
        .map(|c| c.retention)
        .unwrap()
}

#[tokio::test]
async fn periods_by_outcome_and_holds_decide_what_is_due_and_a_held_case_is_never_erased() {
    let hub = inproc::start().await;
    let femi = hub.user("Femi", Role::Facilitator, Some("north")).await;
    let kept = closed_case(&hub, &femi, "2026-11-03", "Agreement kept", "a visit").await;
    let withdrew = closed_case(&hub, &femi, "2026-11-03", "withdrew", "a visit").await;
    let open = CaseId::new();
    hub.push(&femi, &opened_case(&femi, open)).await;

    let mut admin = hub.admin();
    assert_eq!(admin.retention_policy().unwrap().default_years, 6, "the default");
    admin.set_retention(Some(" Withdrew "), Some(1), 1).unwrap();
    assert!(matches!(
        admin.set_retention(Some("withdrew"), Some(101), 1),
        Err(HubError::Retention(_))
    ));
    assert_eq!(
        state_of(&hub, kept, "2028-01-01"),
        Retention::Kept {
            due_on: day("2032-11-03")
        }
    );
    assert_eq!(
        state_of(&hub, withdrew, "2028-01-01"),
        Retention::Due {
            due_on: day("2027-11-03")
        }
    );
    assert_eq!(state_of(&hub, open, "2099-01-01"), Retention::Open);

    admin
        .hold_case(&withdrew.to_string(), "a claim is pending", 2)
        .unwrap();
    assert_eq!(
        state_of(&hub, withdrew, "2028-01-01"),
        Retention::Held {
            due_on: Some(day("2027-11-03"))
        }
    );
    let refused = admin.purge_case(&withdrew.to_string(), true, day("2028-01-01"), 3);
    assert!(matches!(refused, Err(HubError::Retention(m)) if m.contains("legal hold")));
    let not_due = admin.purge_case(&kept.to_string(), false, day("2028-01-01"), 3);
    assert!(
        matches!(not_due, Err(HubError::Retention(m)) if m.contains("3 Nov 2032") && m.contains("--force"))
    );
    let not_closed = admin.purge_case(&open.to_string(), true, day("2099-01-01"), 3);
    assert!(matches!(not_closed, Err(HubError::Retention(m)) if m.contains("not closed")));
    assert_eq!(hub.admin().cases().unwrap().len(), 3, "nothing was erased");

    admin.release_case(&withdrew.to_string(), 4).unwrap();
    admin
        .purge_case(&withdrew.to_string(), false, day("2028-01-01"), 5)
        .unwrap();
    // An erasure request: before its time, with force.
    admin
        .purge_case(&kept.to_string(), true, day("2028-01-01"), 6)
        .unwrap();
    assert_eq!(hub.admin().cases().unwrap().len(), 1);

    let actions: Vec<AuditAction> = admin
        .audit_entries(&AuditQuery::default())
        .unwrap()
        .into_iter()
        .map(|e| e.body.action)
        .filter(|a| {
            matches!(
                a,
                AuditAction::Retention | AuditAction::Hold | AuditAction::Release | AuditAction::Purge
            )
        })
        .collect();
    use AuditAction as A;
    assert_eq!(
        actions,
        vec![A::Retention, A::Hold, A::Release, A::Purge, A::Purge]
    );
}

#[tokio::test]
async fn a_purge_leaves_only_a_tombstone_and_every_device_confirms_it() {
    let hub = inproc::start().await;
    let femi = hub.user("Femi", Role::Facilitator, Some("north")).await;
    let sunita = hub.user("Sunita", Role::Supervisor, Some("north")).await;
    let marker = casebook_testkit::util::marker();
    let case = closed_case(
        &hub,
        &femi,
        "2020-01-06",
        "agreement kept",
        &format!("visit {marker}"),
    )
    .await;
    let other = closed_case(&hub, &femi, "2026-11-03", "agreement kept", "another visit").await;
    // The supervisor pulls it: the audit has deliveries of the case to show.
    let pulled = hub.pull(&sunita, 0, &[], 1000).await;
    assert!(pulled.ops.iter().any(|o| o.op.case_id == case));
    let reference = hub
        .admin()
        .cases()
        .unwrap()
        .into_iter()
        .find(|c| c.case_id == case)
        .unwrap()
        .reference;
    assert!(
        !readable(&hub, case, &marker).is_empty(),
        "the scan sees the note before the purge"
    );
    assert_not_at_rest(hub.store(), &marker);

    let mut admin = hub.admin();
    admin.set_operator(Some("ops-admin".into()));
    let tombstone = admin
        .purge_case(&reference, false, day("2026-12-01"), 10)
        .unwrap();
    assert_eq!(tombstone.devices.len(), 2, "every active device is told");

    // Nothing of it is left in the decrypted database but ids and the reference.
    assert_eq!(readable(&hub, case, &marker), Vec::<String>::new());
    let raw = Raw::of(hub.store());
    for (table, column) in [
        ("ops", "case_id"),
        ("records", "case_id"),
        ("former_holders", "case_id"),
        ("cases", "id"),
    ] {
        let n = raw.integer(
            &format!("SELECT count(*) FROM {table} WHERE CAST({column} AS text) = $1"),
            &[Arg::Text(&case.to_string())],
        );
        assert_eq!(n, 0, "{table}");
    }
    drop(raw);
    assert_eq!(hub.admin().cases().unwrap().len(), 1, "the other case stays");
    assert!(hub.admin().cases().unwrap()[0].case_id == other);
    // Its raw files never held it readable, and do not now.
    assert_not_at_rest(hub.store(), &marker);

    // The tombstone, in its table and in the audit trail, which is still intact.
    let admin = hub.admin();
    let shown = admin.audit_entries(&AuditQuery {
        case: Some(admin.case_id_of(&reference).unwrap()),
        ..AuditQuery::default()
    });
    let entries = shown.unwrap();
    let purge = entries
        .iter()
        .find(|e| e.body.action == AuditAction::Purge)
        .unwrap();
    assert_eq!(purge.body.detail["reference"], reference.as_str());
    assert_eq!(purge.body.detail["closed_on"], "2020-01-06");
    assert_eq!(purge.body.detail["received_on"], "2026-11-02");
    assert_eq!(purge.body.detail["operator"], "ops-admin");
    assert!(
        entries.iter().any(|e| e.body.action == AuditAction::Pull),
        "who saw it stays answerable"
    );
    let mut admin = hub.admin();
    assert!(matches!(
        admin.verify_audit(None).unwrap(),
        Verification::Intact { .. }
    ));

    // A laptop offline for months sends a note for it, or recreates it: refused, never stored.
    let late = vec![note(&femi, case, "late"), opened_case(&femi, case).remove(0)];
    for result in hub.push(&femi, &late).await.results {
        assert!(
            matches!(&result.outcome, OpOutcome::Rejected { code, .. } if code == PURGED),
            "{result:?}"
        );
    }
    assert!(hub.admin().cases().unwrap().iter().all(|c| c.case_id != case));

    // Each device hears the order on its pulls until it confirms.
    for device in [&femi, &sunita] {
        let page = hub.pull(device, 0, &[case, other], 1000).await;
        assert_eq!(
            page.purges.iter().map(|p| p.case_id).collect::<Vec<_>>(),
            vec![case]
        );
        assert!(page.ops.iter().all(|o| o.op.case_id != case));
        assert!(
            !page.cases_removed.contains(&case),
            "an erased case is not 'left scope'"
        );
    }
    let status = |hub: &inproc::TestHub| hub.admin().tombstones().unwrap().remove(0);
    let (code, body) = hub
        .post(
            "/v1/purged",
            Some(&femi.token),
            &json!({"purged": [{"case_id": case, "held": true}]}),
        )
        .await;
    assert_eq!(code.as_u16(), 200, "{body}");
    assert_eq!(body["confirmed"], 1);
    assert!(hub.pull(&femi, 0, &[], 1000).await.purges.is_empty());
    assert_eq!(
        status(&hub)
            .devices
            .iter()
            .filter(|d| d.confirmed_at_ms.is_none())
            .count(),
        1,
        "the supervisor's laptop has not confirmed yet"
    );
    let (_, body) = hub
        .post(
            "/v1/purged",
            Some(&sunita.token),
            &json!({"purged": [{"case_id": case, "held": false}, {"case_id": other, "held": true}]}),
        )
        .await;
    assert_eq!(body["confirmed"], 1, "an order never given is ignored: {body}");
    assert!(status(&hub).devices.iter().all(|d| d.confirmed_at_ms.is_some()));
    // A device enrolled later was never told.
    let later = hub.user("Farah", Role::Facilitator, Some("north")).await;
    assert!(hub.pull(&later, 0, &[], 1000).await.purges.is_empty());
    let confirmed: Vec<_> = hub
        .admin()
        .audit_entries(&AuditQuery {
            case: Some(case),
            ..AuditQuery::default()
        })
        .unwrap()
        .into_iter()
        .filter(|e| e.body.action == AuditAction::Purged)
        .map(|e| {
            (
                e.body.detail["erased"].as_u64().unwrap(),
                e.body.detail["not_held"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(confirmed, vec![(1, 0), (0, 1)]);
}
