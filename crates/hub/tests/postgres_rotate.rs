//! Rotating the hub key on PostgreSQL (`casebook-hub rotate-key`): refused while a hub process
//! is connected, with nothing changed; once every process is stopped, every sealed value is
//! sealed again under the new key's data key, the old key is refused at start, and the new key
//! opens all of it: names (and finding a user by name), notes, holds, tombstones, requests and
//! an intact audit chain that records the rotation.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use casebook_domain::{CaseId, Entity, OpKind};
use casebook_hub::audit::AuditAction;
use casebook_hub::storage::postgres::SEALED;
use casebook_hub::storage::{AuditQuery, Verification, seal};
use casebook_hub::{HubError, HubKey, Storage};
use casebook_protocol::Role;
use casebook_testkit::hub::Hub;
use casebook_testkit::inproc::{enrolled_in, note, now, op, opened_case, party_of};
use casebook_testkit::postgres::Cluster;
use casebook_testkit::util::{describe, marker, random_bytes};
use chrono::NaiveDate;
use serde_json::json;
use uuid::Uuid;

const BIN: &str = env!("CARGO_BIN_EXE_casebook-hub");

fn connect(url: &str, key: &str) -> Result<Storage, HubError> {
    Storage::connect(&url.parse().unwrap(), HubKey::from_hex(key).unwrap())
}

/// A facilitator with a case holding a note with `words`, a legal hold, a closed and purged
/// case, and a subject access request: a value in every sealed column but a quarantine reason.
fn fill(url: &str, key: &str, words: &str) -> CaseId {
    let mut storage = connect(url, key).unwrap();
    storage.set_operator(Some("ops-alice".into()));
    let (sam, device) = enrolled_in(&mut storage, "Sam Okafor", Role::Facilitator, Some("north"));
    let case = CaseId::new();
    let mut ops = opened_case(&device, case);
    ops.push(note(&device, case, words));
    let results = storage.push(&sam, Some(device.id), &ops, now()).unwrap();
    assert!(results.iter().all(|r| r.outcome.is_held()), "{results:?}");
    storage
        .hold_case(&case.to_string(), "a claim is pending", now())
        .unwrap();
    // A closed case, erased at once (an erasure request): its tombstone names the operator.
    let closed = CaseId::new();
    let mut ops = opened_case(&device, closed);
    ops.push(op(
        &device,
        closed,
        Entity::StatusChange,
        Uuid::now_v7(),
        OpKind::Create,
        json!({"from_status": "referred", "to_status": "closed", "transition": "close",
               "outcome": "withdrew", "date": "2026-11-03"}),
    ));
    ops.push(op(
        &device,
        closed,
        Entity::Case,
        closed.as_uuid(),
        OpKind::Update,
        json!({"status": "closed", "outcome": "withdrew"}),
    ));
    let results = storage.push(&sam, Some(device.id), &ops, now()).unwrap();
    assert!(results.iter().all(|r| r.outcome.is_held()), "{results:?}");
    let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let tombstone = storage.purge_case(&closed.to_string(), true, day, now()).unwrap();
    assert_eq!(tombstone.ordered_by.as_deref(), Some("ops-alice"));
    storage
        .open_sar(
            &[party_of(case)],
            NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
            Some("by letter"),
            None,
            now(),
        )
        .unwrap();
    case
}

/// Waits until no connection of a hub process is left on the database (a killed process's
/// backend ends as soon as the server reads the closed socket).
fn wait_for_no_hub_sessions(cluster: &Cluster, database: &str) {
    let mut client = cluster.connect().unwrap();
    let start = Instant::now();
    loop {
        let n: i64 = client
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'casebook-hub'",
                &[&database],
            )
            .unwrap()
            .get(0);
        if n == 0 {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{n} hub sessions stay open"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_rotation_seals_everything_again_and_only_the_new_key_opens_it() {
    let cluster = Cluster::start().expect("a scratch PostgreSQL cluster");
    let url = cluster.create_database("hub").unwrap();
    let old: String = random_bytes::<32>().iter().map(|b| format!("{b:02x}")).collect();
    let words = format!("visit notes {}", marker());
    let case = fill(&url, &old, &words);
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("new.key");
    let key_arg = key_file.to_str().unwrap();

    // While a hub process serves, it would go on sealing under the old key: refused.
    let mut hub = Hub::start_on_database(BIN, &url, &old, &[]);
    let refused = hub.admin(&["rotate-key", "--new-key-file", key_arg]);
    assert!(!refused.status.success(), "{}", describe(&refused));
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        said.contains("stop every hub process") && said.contains("Nothing was changed"),
        "{said}"
    );
    assert!(!key_file.exists(), "a key nothing uses is not left behind");
    assert!(connect(&url, &old).is_ok(), "the old key still opens it");

    hub.kill();
    wait_for_no_hub_sessions(&cluster, "hub");
    let rotated = hub.admin(&["rotate-key", "--new-key-file", key_arg, "--json"]);
    assert!(rotated.status.success(), "{}", describe(&rotated));
    let rotation: serde_json::Value = serde_json::from_slice(&rotated.stdout).unwrap();
    assert_eq!(rotation["key_id"], 2, "{rotation}");
    let new = std::fs::read_to_string(&key_file).unwrap().trim().to_owned();
    assert_ne!(new, old);

    // The old key is refused at start, and trying it leaves nothing behind for the new one.
    assert!(matches!(connect(&url, &old), Err(HubError::WrongDatabaseKey)));
    let mut storage = connect(&url, &new).unwrap();

    // Every sealed value names key 2 (postgres_schema.rs checks SEALED lists every sealed column).
    let mut client = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let mut values = 0;
    for spec in SEALED {
        for column in spec.columns {
            let table = spec.table;
            for row in client
                .query(
                    &format!("SELECT {column} FROM {table} WHERE {column} IS NOT NULL"),
                    &[],
                )
                .unwrap()
            {
                let bytes: Vec<u8> = row.get(0);
                assert_eq!(seal::key_id(&bytes).unwrap(), 2, "{table}.{column}");
                values += 1;
            }
        }
    }
    assert_eq!(rotation["values"], values, "{rotation}");

    // The new key opens all of it.
    assert_eq!(storage.user_by_name("Sam Okafor").unwrap().name, "Sam Okafor");
    assert_eq!(storage.devices().unwrap()[0].name, "Sam Okafor's laptop");
    let ops = storage.case_ops(&[case]).unwrap();
    assert!(serde_json::to_string(&ops[0].ops).unwrap().contains(&words));
    assert_eq!(storage.legal_holds().unwrap()[0].reason, "a claim is pending");
    let request = storage.sar_request("SAR-1").unwrap();
    assert_eq!(
        (request.requester.as_deref(), request.cases.as_slice()),
        (Some("by letter"), &[case][..])
    );
    let Verification::Intact { head, .. } = storage.verify_audit(None).unwrap() else {
        panic!("the chain broke in the rotation")
    };
    let last = storage
        .audit_entries(&AuditQuery::default())
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(last.body.seq, head.seq);
    assert_eq!(last.body.action, AuditAction::KeyRotation);
    assert_eq!(last.body.detail["key_id"], 2);
    // And it goes on working: a new user is sealed under key 2 and found by name.
    storage
        .add_user("Ann Lee", Role::Supervisor, Some("north"), now())
        .unwrap();
    assert_eq!(storage.user_by_name("Ann Lee").unwrap().role, Role::Supervisor);
    drop(storage);

    // A command with the old key is refused; a hub process with the new one serves.
    let refused = hub.admin(&["case", "list"]);
    assert!(
        String::from_utf8_lossy(&refused.stderr)
            .contains("the hub key does not open this PostgreSQL database"),
        "{}",
        describe(&refused)
    );
    let mut hub = Hub::start_on_database(BIN, &url, &new, &[]);
    assert!(hub.is_running());
    assert_eq!(hub.cases().len(), 1, "the live case, served under the new key");
}
