//! `casebook-hub backup` and `restore` on PostgreSQL, with the real binary: a backup taken
//! while a laptop keeps pushing, restored into a new database of the same cluster and served
//! by a new hub process; the laptop's token still works there and every op acknowledged before
//! the backup began is in it; a second restore into the same database is refused.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::Path;
use std::process::Output;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use casebook_domain::{CaseId, OpId};
use casebook_protocol::{EnrollResponse, OpOutcome, PROTOCOL_HEADER, PullResponse, PushResponse};
use casebook_testkit::hub::Hub;
use casebook_testkit::inproc::Device;
use casebook_testkit::ops::{note, opened_case};
use casebook_testkit::postgres::Cluster;
use casebook_testkit::util::{describe, marker, random_bytes};
use common::{BIN, HubStore};
use serde_json::{Value, json};

fn post(url: &str, path: &str, token: Option<&str>, body: &Value) -> Value {
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = vec![(PROTOCOL_HEADER, "1"), ("content-type", "application/json")];
    if let Some(auth) = &auth {
        headers.push(("authorization", auth));
    }
    let answer = casebook_testkit::http::Blocking::new(url).request(
        "POST",
        path,
        &headers,
        body.to_string().as_bytes(),
    );
    assert_eq!(answer.status, 200, "{path}: {}", answer.text());
    answer.json()
}

fn push(url: &str, device: &Device, ops: &[casebook_domain::Op]) -> Vec<OpId> {
    let answer: PushResponse =
        serde_json::from_value(post(url, "/v1/push", Some(&device.token), &json!({ "ops": ops }))).unwrap();
    answer
        .results
        .iter()
        .map(|r| {
            assert!(matches!(r.outcome, OpOutcome::Accepted { .. }), "{:?}", r.outcome);
            r.op_id
        })
        .collect()
}

/// `casebook-hub --database URL --key-file FILE ARGS...` of the hub storing in `store`, with
/// no key in CASEBOOK_HUB_KEY: a restore then writes the backup's hub key to FILE.
fn with_key_file(store: &HubStore, key_file: &Path, args: &[&str]) -> Output {
    common::command(store)
        .env_remove("CASEBOOK_HUB_KEY")
        .arg("--key-file")
        .arg(key_file)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn a_backup_taken_while_serving_restores_into_a_new_database_and_serves_the_same_laptops() {
    let cluster = Cluster::start().expect("a scratch PostgreSQL cluster");
    let live_url = cluster.create_database("live").unwrap();
    let key: String = random_bytes::<32>().iter().map(|b| format!("{b:02x}")).collect();
    // A new database of the same cluster, for the backup's tables and hub key.
    let restored_store = HubStore::Database {
        url: cluster.create_database("restored").unwrap(),
        key: key.clone(),
    };
    let live = Hub::start_on_database(BIN, &live_url, &key, &[]);
    let code = live.add_user("Fay", "facilitator", Some("north"));
    let enrolled: EnrollResponse = serde_json::from_value(post(
        &live.url,
        "/v1/enroll",
        None,
        &json!({"code": code, "device_name": "laptop"}),
    ))
    .unwrap();
    let fay = Device {
        token: enrolled.token,
        id: enrolled.device_id,
        user: enrolled.user.id,
    };
    let case = CaseId::new();
    let secret = marker();
    let mut before = push(&live.url, &fay, &opened_case(&fay, case));
    before.extend(push(
        &live.url,
        &fay,
        &[note(&fay, case, &format!("first visit {secret}"))],
    ));

    // A laptop keeps pushing while the backup is taken.
    let stop = Arc::new(AtomicBool::new(false));
    let pusher = {
        let (url, fay, stop) = (live.url.clone(), fay.clone(), Arc::clone(&stop));
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                push(&url, &fay, &[note(&fay, case, &format!("visit {n}"))]);
                n += 1;
            }
            n
        })
    };
    let dir = tempfile::tempdir().unwrap();
    let (file, passphrase, key_file) = (
        dir.path().join("hub.backup"),
        dir.path().join("passphrase"),
        dir.path().join("restored.key"),
    );
    std::fs::write(&passphrase, "correct horse battery staple\n").unwrap();
    let out = live.admin(&[
        "backup",
        "--out",
        file.to_str().unwrap(),
        "--passphrase-file",
        passphrase.to_str().unwrap(),
        "--json",
    ]);
    assert!(out.status.success(), "backup: {}", describe(&out));
    stop.store(true, Ordering::Relaxed);
    let pushed_meanwhile = pusher.join().unwrap();
    let manifest: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(manifest["backend"], "postgres", "{manifest}");
    let sealed = std::fs::read(&file).unwrap();
    assert!(
        !sealed.windows(secret.len()).any(|w| w == secret.as_bytes()),
        "a note's text is readable in the backup file"
    );

    let out = with_key_file(
        &restored_store,
        &key_file,
        &[
            "restore",
            "--in",
            file.to_str().unwrap(),
            "--passphrase-file",
            passphrase.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "restore: {}", describe(&out));
    assert_eq!(
        std::fs::read_to_string(&key_file).unwrap().trim(),
        key,
        "the restored hub's key is the live hub's"
    );

    // The restored database serves the same laptop, with what it had pushed before the backup.
    let restored = Hub::start_with(BIN, |_| restored_store.clone(), &[]);
    let page: PullResponse = serde_json::from_value(post(
        &restored.url,
        "/v1/pull",
        Some(&fay.token),
        &json!({"cursor": 0, "held_cases": [], "limit": 1000}),
    ))
    .unwrap();
    let pulled: Vec<OpId> = page.ops.iter().map(|p| p.op.op_id).collect();
    for op in &before {
        assert!(
            pulled.contains(op),
            "an op acknowledged before the backup is not restored"
        );
    }
    let seqs: Vec<u64> = page.ops.iter().map(|p| p.seq).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]));
    let audit = restored.admin(&["audit", "verify"]);
    assert!(audit.status.success(), "audit verify: {}", describe(&audit));
    // New pushes on the restored hub continue its numbering.
    let later = push(&restored.url, &fay, &[note(&fay, case, "after the restore")]);
    assert_eq!(later.len(), 1);

    // A database that holds a hub is never restored over.
    let again = with_key_file(
        &restored_store,
        &dir.path().join("other.key"),
        &[
            "restore",
            "--in",
            file.to_str().unwrap(),
            "--passphrase-file",
            passphrase.to_str().unwrap(),
        ],
    );
    assert!(!again.status.success(), "a second restore over a hub succeeded");
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("holds a hub already"),
        "{}",
        describe(&again)
    );
    eprintln!(
        "backup of {} bytes of tables while {pushed_meanwhile} pushes went on; {} ops restored",
        manifest["db_bytes"],
        pulled.len()
    );
    drop((live, restored));
    drop(cluster);
}
