//! Revocation: a revoked device stops syncing and keeps its data; one revoked with a wipe
//! hands its offline notes over first, then erases its store; on one hub and on two PostgreSQL
//! ones.

use serde_json::Value;

use crate::common::*;
use crate::{case_with_party, timeline_notes};

/// Done when #4: a device revoked with --wipe hands its offline note to the hub, then erases
/// its store; a device revoked without wipe stops syncing and keeps its data.
#[test]
fn a_revoked_device_stops_and_a_wiped_one_hands_over_its_notes_then_erases_its_store() {
    let hub = start_hub();
    revocation(&[&hub]);
}

/// Issue 11: the same through two hub processes on one PostgreSQL database.
#[test]
fn on_postgresql_revoke_and_wipe_through_two_hub_processes_behave_as_on_one() {
    let pg = ScratchHubs::start(2);
    revocation(&pg.hubs());
}

/// Fay's laptop revoked with a wipe, Gus's without; Fay and Sol sync with `hubs[0]`, Gus with
/// the next, and the admin revokes on the other one than the laptop's.
fn revocation(hubs: &[&Hub]) {
    let (hub, other) = (hubs[0], hubs[1 % hubs.len()]);
    let f = member(hub, "fay", "facilitator", Some("north"));
    let g = member(other, "gus", "facilitator", Some("north"));
    let s = member(hub, "sol", "supervisor", Some("north"));

    let (case_f, _) = case_with_party(&f, &format!("Fay's case {}", marker()));
    let (case_g, _) = case_with_party(&g, &format!("Gus's case {}", marker()));
    sync(&f, hub);
    sync(&g, other);
    let ops_g = hub.case(&case_g)["ops"].clone();

    // Written offline, then the admin revokes both laptops.
    let note_f = format!("Written just before the laptop was lost {}", marker());
    let note_g = format!("Written on the revoked laptop {}", marker());
    add_note(&f, &case_f, &note_f);
    add_note(&g, &case_g, &note_g);
    let device_f = status(&f)["device_id"].as_str().unwrap().to_owned();
    let device_g = status(&g)["device_id"].as_str().unwrap().to_owned();
    let pending_g = num(&status(&g), "pending_ops");
    assert!(pending_g >= 1, "gus's note should be pending");
    other.admin_ok(&["device", "revoke", &device_f, "--wipe"]);
    hub.admin_ok(&["device", "revoke", &device_g]);

    // Wipe: the note is handed over first, then the store is gone.
    let out = f.run(&["sync", "--json"]);
    assert_code(&out, EXIT_OK, "sync of a device revoked with --wipe");
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("sync --json is not JSON ({e})\n{}", describe(&out)));
    assert_eq!(v["wiped"], true, "sync should say it wiped the store: {v}");
    for file in ["store.db", "store.key"] {
        assert!(
            !f.dir.join(file).exists(),
            "{file} is still in the wiped store folder: {:?}",
            walk(&f.dir)
        );
    }
    let remains: Vec<String> = walk(&f.dir)
        .into_iter()
        .map(|(rel, _)| rel)
        .filter(|rel| rel.starts_with("store."))
        .collect();
    assert!(remains.is_empty(), "store files left after the wipe: {remains:?}");
    if !hub.is_on_database() {
        assert_eq!(
            hub.ops_containing(&note_f),
            1,
            "the hub should hold the wiped laptop's note once"
        );
    }
    sync(&s, hub);
    assert!(
        timeline_notes(&s, &case_f).contains(&note_f),
        "the supervisor's replica lacks the note the wiped laptop handed over"
    );
    let out = f.run(&["case", "list"]);
    assert_ne!(
        out.status.code(),
        Some(EXIT_OK),
        "the wiped store still opens\n{}",
        describe(&out)
    );

    // Plain revoke: refused, data kept, the note not taken.
    let out = g.run(&["sync"]);
    assert_code(&out, EXIT_OTHER, "sync of a revoked device");
    assert!(
        mentions_any(&stderr(&out), &["revoked"]),
        "the message should say the device was revoked\n{}",
        describe(&out)
    );
    assert_plain_error(&out, "sync of a revoked device");
    assert_eq!(
        case_ids(&g),
        vec![case_g.clone()],
        "the revoked laptop lost its case"
    );
    assert!(
        timeline_notes(&g, &case_g).contains(&note_g),
        "the revoked laptop lost its offline note"
    );
    assert_eq!(
        num(&status(&g), "pending_ops"),
        pending_g,
        "the revoked laptop's pending changes should be kept as they were"
    );
    if !hub.is_on_database() {
        assert_eq!(
            hub.ops_containing(&note_g),
            0,
            "the hub took a push from a revoked device"
        );
    }
    assert_eq!(
        other.case(&case_g)["ops"],
        ops_g,
        "the hub took a push from a revoked device"
    );

    let devices = other.admin_json(&["device", "list"]);
    let find = |id: &str| {
        devices
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["device_id"] == id)
            .unwrap_or_else(|| panic!("device {id} not in {devices}"))
            .clone()
    };
    assert_eq!(find(&device_f)["revoked"], true);
    assert_eq!(find(&device_f)["wipe"], true);
    assert_eq!(find(&device_g)["revoked"], true);
    assert_eq!(find(&device_g)["wipe"], false);
}
