//! Reassignment: a case given to another facilitator while its lead writes offline moves with
//! its whole history, the late note kept and flagged; on one hub and on two PostgreSQL ones.

use crate::case_with_party;
use crate::common::*;

/// Done when #2: a note written offline on a case reassigned meanwhile is kept by the hub
/// (flagged), the old facilitator's laptop drops the case, the new lead's laptop fetches the
/// case's whole history (the late note included, marked flagged), and so does the supervisor.
#[test]
fn a_reassigned_case_moves_with_its_history_and_the_late_note_is_kept_and_flagged() {
    let hub = start_hub();
    reassignment(&[&hub]);
}

/// Issue 11: the same through two hub processes on one PostgreSQL database, each laptop
/// syncing with its own process and the admin command run on the other.
#[test]
fn on_postgresql_a_reassignment_through_two_hub_processes_behaves_as_on_one() {
    let pg = ScratchHubs::start(2);
    reassignment(&pg.hubs());
}

/// Ana's case given to Ben while Ana writes offline; the laptops enroll with the hubs in turn
/// (`hubs[0]` for Ana and Sol, the next for Ben), and the admin uses the last.
fn reassignment(hubs: &[&Hub]) {
    let (hub, other) = (hubs[0], hubs[1 % hubs.len()]);
    let a = member(hub, "ana", "facilitator", Some("north"));
    let b = member(other, "ben", "facilitator", Some("north"));
    let s = member(hub, "sol", "supervisor", Some("north"));

    let (case, _) = case_with_party(&a, &format!("Shop window broken {}", marker()));
    let early = format!("First visit {}", marker());
    add_note(&a, &case, &early);
    sync(&a, hub);
    sync(&b, hub);
    assert!(case_ids(&b).is_empty(), "ben holds ana's case before it is his");

    // Ana writes offline; meanwhile the admin gives the case to Ben.
    let late = format!("Late note written offline {}", marker());
    add_note(&a, &case, &late);
    other.admin_ok(&["case", "assign", &case, "--to", "ben"]);

    let r = sync(&a, hub);
    assert!(
        num(&r, "quarantined") >= 1,
        "ana's late note should be taken and flagged: {r}"
    );
    assert_eq!(
        num(&r, "cases_removed"),
        1,
        "ana's laptop should drop the case: {r}"
    );
    assert_eq!(num(&r, "pending"), 0, "nothing of ana's may stay unsent: {r}");
    assert!(
        !case_ids(&a).contains(&case),
        "the reassigned case is still on ana's laptop"
    );
    // On PostgreSQL the notes are sealed: the replicas below show the note arrived, and
    // crates/hub/tests/postgres_hubs.rs that every op is stored once.
    if !hub.is_on_database() {
        assert_eq!(
            hub.ops_containing(&late),
            1,
            "the hub should hold the late note exactly once"
        );
    }

    let row = other.case(&case);
    assert_eq!(row["lead"], "ben", "hub case list after assign: {row}");
    assert!(
        row["quarantined"].as_u64().unwrap_or(0) >= 1,
        "the hub should count the flagged note: {row}"
    );

    let r = sync(&b, other);
    assert_eq!(
        num(&r, "cases_added"),
        1,
        "ben's laptop should fetch the case: {r}"
    );
    assert!(
        case_ids(&b).contains(&case),
        "ben does not hold the case he now leads"
    );
    // Flagged ops reach everyone in the case's scope, marked (protocol.md, pull): the new
    // lead gets the case's whole story, the late note included, flagged for review.
    assert_flagged_as_expected(&b, &case, &early, &late, "ben (the new lead)");
    assert_eq!(
        num(&status(&b), "total_ops"),
        hub.case(&case)["ops"].as_u64().unwrap(),
        "ben should hold every op of the case, the flagged one included"
    );

    let r = sync(&s, hub);
    assert!(num(&r, "pulled") >= 1, "{r}");
    assert_flagged_as_expected(&s, &case, &early, &late, "sol (the supervisor)");
    assert_eq!(
        num(&status(&s), "total_ops"),
        hub.case(&case)["ops"].as_u64().unwrap(),
        "the supervisor should hold every op of the case, flagged ones included"
    );
}

/// On `store`'s copy of `case`: the `early` note is there unflagged, the `late` one is there
/// flagged for review (`"flagged"` holds the hub's reason).
#[track_caller]
fn assert_flagged_as_expected(store: &Store, case: &str, early: &str, late: &str, who: &str) {
    let v = store.json(&["case", "show", case]);
    let timeline = v["timeline"]
        .as_array()
        .unwrap_or_else(|| panic!("{who}: case show --json has no \"timeline\": {v}"));
    let entry = |notes: &str| {
        timeline
            .iter()
            .find(|e| e["notes"] == notes)
            .unwrap_or_else(|| panic!("{who}: the note {notes:?} is not on the timeline: {v:#}"))
            .clone()
    };
    let early_entry = entry(early);
    assert!(
        early_entry["flagged"].is_null(),
        "{who}: the note written before the reassignment is flagged: {early_entry}"
    );
    let late_entry = entry(late);
    assert!(
        late_entry["flagged"]
            .as_str()
            .is_some_and(|reason| !reason.trim().is_empty()),
        "{who}: the late note should be flagged for review with a reason: {late_entry}"
    );
}
