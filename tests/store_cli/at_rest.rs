//! Nothing personal at rest: markers written into a case, a party and a contact are in no
//! file of the store folder nor of the child's temp folders, also after writers were SIGKILLed.

use std::thread::sleep;
use std::time::Duration;

use crate::assert_no_plaintext;
use crate::common::*;

/// `search M --json` must find the marker in the case, the party and the contact.
#[track_caller]
fn assert_search_finds(store: &Store, m: &str, expected_ids: &[&str], when: &str) {
    let v = store.json(&["search", m]);
    let hits = v["hits"]
        .as_array()
        .unwrap_or_else(|| panic!("{when}: search --json has no \"hits\": {v}"));
    let entity_ids: Vec<&str> = hits.iter().filter_map(|h| h["entity_id"].as_str()).collect();
    for id in expected_ids {
        assert!(
            entity_ids.contains(id),
            "{when}: search {m} did not find record {id}; hits: {v:#}"
        );
    }
    for h in hits {
        for field in ["case_id", "reference", "entity", "entity_id", "snippet"] {
            assert!(!h[field].is_null(), "{when}: search hit without {field:?}: {h}");
        }
    }
}

/// Done when #1: a marker written into a case summary, a party name and a contact note is
/// in no file of the store folder nor of the child's temp folders, also after processes were
/// SIGKILLed while writing; and (positive control) `search` does find it.
#[test]
fn markers_never_reach_the_disk_in_plaintext_even_when_writes_are_killed() {
    let store = Store::new();
    let m = marker();

    let (case_id, reference) = store.new_case(&format!("Bicycle taken from a garden shed {m} on a Sunday"));
    let party_name = format!("Ann {m}");
    let party_id = store.create(&[
        "party",
        "add",
        &reference,
        "--role",
        "victim",
        "--name",
        &party_name,
    ]);
    let contact_id = store.create(&[
        "contact",
        "add",
        &case_id,
        "--party",
        &party_name,
        "--kind",
        "visit",
        "--date",
        "2026-11-02",
        "--notes",
        &format!("Home visit: {m} talked about the harm and what would help"),
    ]);
    assert_no_plaintext(&store, &m, "after writing the markers");
    assert_search_finds(
        &store,
        &m,
        &[&case_id, &party_id, &contact_id],
        "after writing the markers",
    );

    // A bulk writer killed at a random moment after it said it committed its first case.
    let (mut demo, mut said) = store.spawn_watched(&["demo", "--cases", "2000"], "warn");
    if let Err(why) = said.wait_for(Duration::from_secs(120), |l| l.starts_with("demo: ")) {
        kill(&mut demo);
        panic!("demo --cases 2000 did not report a committed case: {why}");
    }
    sleep(Duration::from_millis(random_between(0, 300)));
    assert!(
        kill(&mut demo),
        "demo --cases 2000 ended by itself before the SIGKILL: no kill mid-write"
    );
    assert_no_plaintext(&store, &m, "after demo was SIGKILLed mid-write");

    // Writers of marker notes killed at a random moment after they said they unlocked the
    // store (a contact add writes and exits a few ms later).
    for round in 0..4 {
        let note = format!("Call {round}: {m} asked about the letter");
        let (mut child, mut said) = store.spawn_watched(
            &[
                "contact",
                "add",
                &case_id,
                "--party",
                &party_id,
                "--kind",
                "call",
                "--date",
                "2026-11-03",
                "--notes",
                &note,
            ],
            "casebook_store=debug",
        );
        if let Err(why) = said.wait_for(Duration::from_secs(120), |l| l.contains("store unlocked")) {
            kill(&mut child);
            panic!("contact add round {round} never said it unlocked the store: {why}");
        }
        sleep(Duration::from_millis(random_between(0, 30)));
        kill(&mut child);
        assert_no_plaintext(
            &store,
            &m,
            &format!("after contact add round {round} was SIGKILLed"),
        );
    }

    // The store still opens and still finds the markers; searching leaves no trace either.
    assert_search_finds(
        &store,
        &m,
        &[&case_id, &party_id, &contact_id],
        "after the SIGKILLs",
    );
    assert_no_plaintext(&store, &m, "after searching");
}
