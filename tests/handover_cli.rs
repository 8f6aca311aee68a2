//! Handing a laptop in, across processes: the real hub binary and a real `casebook` store. The
//! store is erased only once the hub's receipt covers every change written on it; a hub that
//! lost a change (restored from an older backup) gets it again before the receipt is given.

#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::*;

/// Removes an op and the record it created from the hub's database, as a restore from a
/// backup taken before that op arrived would.
fn forget_on_hub(hub: &Hub, op_id: &str, record_id: &str) {
    let key = std::fs::read_to_string(hub.data.join("hub.key")).unwrap();
    let conn = rusqlite::Connection::open(hub.data.join("hub.db")).unwrap();
    conn.execute_batch(&format!(
        "PRAGMA key = \"x'{}'\"; PRAGMA busy_timeout = 10000;",
        key.trim()
    ))
    .unwrap();
    assert_eq!(
        conn.execute("DELETE FROM ops WHERE op_id = ?1", [op_id]).unwrap(),
        1
    );
    conn.execute("DELETE FROM records WHERE id = ?1", [record_id])
        .unwrap();
}

#[test]
fn a_laptop_is_erased_only_once_the_hub_holds_everything_written_on_it() {
    let hub = start_hub();
    let femi = member(&hub, "Femi", "facilitator", Some("north"));
    let (case, _reference) = femi.new_case("Handover case");
    femi.create(&["party", "add", &case, "--role", "victim", "--name", "Ann"]);
    sync(&femi, &hub);
    // Written offline, sent, then lost by the hub.
    let note = femi.create(&[
        "contact",
        "add",
        &case,
        "--party",
        "Ann",
        "--kind",
        "visit",
        "--date",
        "2026-11-20",
        "--notes",
        "HANDOVER-MARKER the last visit",
    ]);
    sync(&femi, &hub);
    let op_id: String = {
        let conn = hub.open_db();
        conn.query_row(
            "SELECT op_id FROM ops WHERE json_extract(op_json, '$.entity_id') = ?1
             AND json_extract(op_json, '$.kind') = 'create'",
            [&note],
            |r| r.get(0),
        )
        .unwrap()
    };
    forget_on_hub(&hub, &op_id, &note);

    // Refused: nothing erased, the lost change queued again.
    let out = femi.run(&["handover", "--json"]);
    assert_code(&out, EXIT_OTHER, "casebook handover while the hub lacks a change");
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer["handed_over"], false, "{answer}");
    assert_eq!(answer["missing"], 1, "{answer}");
    assert!(femi.dir.join("store.key").exists() && femi.dir.join("store.db").exists());
    assert_eq!(
        num(&status(&femi), "pending_ops"),
        1,
        "the lost change waits to be sent again"
    );
    let devices = hub.admin_json(&["device", "list"]);
    assert!(devices[0]["handed_over_ms"].is_null(), "{devices}");

    // Again: the change is sent, the receipt covers it, the store is gone.
    let out = femi.run(&["handover", "--json"]);
    assert_code(&out, EXIT_OK, "casebook handover");
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer["handed_over"], true, "{answer}");
    assert!(answer["ops"].as_u64().unwrap() >= 3, "{answer}");
    assert_eq!(
        hub.op_counts().get(&op_id),
        Some(&1),
        "the hub holds the change once"
    );
    for file in ["store.key", "store.db", "store.db-wal"] {
        assert!(!femi.dir.join(file).exists(), "{file} survived the handover");
    }
    assert!(femi.leaks("HANDOVER-MARKER").is_empty());

    let devices = hub.admin_json(&["device", "list"]);
    assert!(devices[0]["handed_over_ms"].is_i64(), "{devices}");
    assert_eq!(
        devices[0]["revoked"], true,
        "a handed-in device never syncs again"
    );
    let listed = String::from_utf8(hub.admin_ok(&["device", "list"]).stdout).unwrap();
    assert!(listed.contains("handed over cleanly"), "{listed}");
    let audit = hub.admin_json(&["audit", "show", "--user", "Femi"]);
    let handovers: Vec<bool> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "handover")
        .map(|e| e["detail"]["complete"].as_bool().unwrap())
        .collect();
    assert_eq!(handovers, vec![false, true], "{audit:#}");
}
