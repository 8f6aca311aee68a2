//! Retention and purge across processes: the real hub binary erases a closed case that is
//! due, and every real `casebook` laptop that held it erases it at its next sync (records, op
//! log, search index, drafts, its own unsent change) and confirms; the tombstone stays in the
//! hub's audit trail.

#![allow(clippy::unwrap_used, missing_docs)]

mod common;

/// Every case id on a laptop, closed ones included.
fn all_case_ids(store: &Store) -> Vec<String> {
    store.json(&["case", "list", "--all"])["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

use casebook_testkit::scan::tables_containing;
use common::*;

/// Rows naming `case` in each table of a store that has a case column, by table.
fn rows_naming(conn: &rusqlite::Connection, case: &str) -> Vec<(String, i64)> {
    let tables: Vec<String> = conn
        .prepare(
            "SELECT m.name FROM sqlite_master m WHERE m.type = 'table'
             AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) WHERE name = 'case_id')",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(tables.len() >= 12, "{tables:?}");
    let mut found = Vec::new();
    for table in tables.into_iter().chain(["cases".to_owned()]) {
        let column = if table == "cases" { "id" } else { "case_id" };
        let n: i64 = conn
            .query_row(
                &format!("SELECT count(*) FROM {table} WHERE {column} = ?1"),
                [case],
                |r| r.get(0),
            )
            .unwrap();
        if n > 0 {
            found.push((table, n));
        }
    }
    found
}

#[test]
fn a_purged_case_is_gone_from_the_hub_and_every_laptop_and_its_tombstone_stays() {
    let hub = start_hub();
    let femi = member(&hub, "Femi", "facilitator", Some("north"));
    let sunita = member(&hub, "Sunita", "supervisor", Some("north"));
    let farah = member(&hub, "Farah", "facilitator", Some("south"));
    let marker = marker();
    let (case, _) = femi.new_case(&format!("Harm at the {marker} shop"));
    femi.create(&["party", "add", &case, "--role", "victim", "--name", "Ann"]);
    let supporter = format!("Bob {marker}");
    femi.create(&["party", "add", &case, "--role", "supporter", "--name", &supporter]);
    add_note(&femi, &case, &format!("A visit about {marker}"));
    femi.ok(&[
        "case",
        "status",
        &case,
        "--to",
        "closed",
        "--outcome",
        "Agreement kept",
    ]);
    let (kept, _) = femi.new_case("A case that stays");
    sync(&femi, &hub);
    sync(&sunita, &hub);
    sync(&farah, &hub);
    let reference = hub.case(&case)["reference"].as_str().unwrap().to_owned();
    for laptop in [&femi, &sunita] {
        assert!(all_case_ids(laptop).contains(&case), "both laptops hold the case");
    }

    // Offline, Femi reopens it and starts a draft: unsent work on a case about to be erased.
    femi.ok(&["case", "status", &case, "--to", "contacting"]);
    femi.create(&[
        "contact",
        "add",
        &case,
        "--party",
        "Ann",
        "--kind",
        "call",
        "--date",
        "2026-11-21",
        "--notes",
        &format!("draft {marker}"),
        "--draft",
    ]);

    // Not due for six years; due as on a day after that.
    let due = hub.admin_json(&["retention", "due"]);
    assert_eq!(due[0]["state"], "kept", "{due}");
    let due = hub.admin_json(&["retention", "due", "--now", "2033-01-01"]);
    assert_eq!(due.as_array().unwrap().len(), 1, "{due}");
    assert_eq!(due[0]["state"], "due", "{due}");
    assert_eq!(due[0]["reference"], reference.as_str());
    let refused = hub.admin(&["retention", "purge", "--now", "2033-01-01"]);
    assert!(!refused.status.success(), "a future day needs --force");
    let started = std::time::Instant::now();
    let purged = hub.admin_json(&["retention", "purge", "--now", "2033-01-01", "--force"]);
    assert_eq!(purged[0]["reference"], reference.as_str(), "{purged}");
    assert_eq!(purged[0]["devices"].as_array().unwrap().len(), 3, "{purged}");
    assert!(hub.cases().iter().all(|c| c["case_id"] != case.as_str()));
    assert_eq!(hub.ops_containing(&marker), 0);
    let status = String::from_utf8(hub.admin_ok(&["retention", "status"]).stdout).unwrap();
    assert!(
        status.contains(&reference) && status.contains("waiting for"),
        "{status}"
    );

    for laptop in [&femi, &sunita, &farah] {
        sync(laptop, &hub);
    }
    let report = sync(&femi, &hub);
    assert_eq!(
        report["pending"], 0,
        "the unsent work went with the case: {report}"
    );
    eprintln!("purge and three laptops' syncs: {:?}", started.elapsed());

    for laptop in [&femi, &sunita, &farah] {
        let ids = all_case_ids(laptop);
        assert!(!ids.contains(&case), "the case is gone from the CLI");
        let search = laptop.json(&["search", &marker]);
        assert!(!search.to_string().contains(&case), "{search}");
        assert_eq!(
            laptop.leaks(&marker),
            Vec::<String>::new(),
            "no file holds the marker"
        );
        let conn = open_with_standard_tools(&laptop.dir, &laptop.passphrase);
        assert_eq!(rows_naming(&conn, &case), vec![], "no table names the case");
        assert_eq!(
            tables_containing(&conn, &marker.as_bytes()[2..]),
            Vec::<String>::new(),
            "no value, search index segments included, holds the marker"
        );
    }
    assert!(all_case_ids(&femi).contains(&kept), "the other case stays");

    let status = hub.admin_json(&["retention", "status"]);
    let devices = status[0]["devices"].as_array().unwrap();
    assert_eq!(devices.len(), 3);
    assert!(devices.iter().all(|d| d["confirmed_at_ms"].is_i64()), "{status}");
    let held: Vec<bool> = devices.iter().map(|d| d["held"].as_bool().unwrap()).collect();
    assert_eq!(held, vec![false, true, true], "Farah never held it: {status}");
    let text = String::from_utf8(hub.admin_ok(&["retention", "status"]).stdout).unwrap();
    assert!(text.contains("all 3 device(s) confirmed"), "{text}");

    let audit = hub.admin_json(&["audit", "show", "--case", &reference]);
    let tombstone = audit
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "purge")
        .unwrap_or_else(|| panic!("no tombstone in {audit:#}"));
    assert_eq!(tombstone["detail"]["reference"], reference.as_str());
    assert!(tombstone["detail"]["closed_on"].is_string(), "{tombstone}");
    // Who ordered it: the system user (the test kit runs admin commands without one).
    assert!(tombstone["detail"].get("operator").is_some(), "{tombstone}");
    assert_eq!(tombstone["cases"][0]["reference"], reference.as_str());
    assert!(!audit.to_string().contains(&marker));
    hub.admin_ok(&["audit", "verify"]);
}
