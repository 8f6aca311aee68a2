//! Cross-process tests of intake and allocation: the real `casebook-hub` binary on 127.0.0.1 and
//! `casebook` stores enrolled with it. A coordinator enters referrals offline already allocated,
//! reallocates one across teams with a late note on the way, and supervisors are held to their
//! team, on their laptop and at the hub.

#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::*;
use serde_json::Value;

/// A new referral entered on `store` with `case new --lead LEAD [--co CO]`; returns its id.
#[track_caller]
fn referral(store: &Store, summary: &str, lead: &str, co: Option<&str>) -> String {
    let mut more = vec!["--lead", lead];
    if let Some(co) = co {
        more.extend(["--co", co]);
    }
    store.new_case_with(summary, &more).0
}

/// The timeline entry of `case` on `store` whose notes are `notes`.
#[track_caller]
fn entry(store: &Store, case: &str, notes: &str, who: &str) -> Value {
    let v = store.json(&["case", "show", case]);
    v["timeline"]
        .as_array()
        .unwrap_or_else(|| panic!("{who}: case show --json has no \"timeline\": {v}"))
        .iter()
        .find(|e| e["notes"] == notes)
        .unwrap_or_else(|| panic!("{who}: the note {notes:?} is not on the timeline of {case}: {v:#}"))
        .clone()
}

/// How many ops the hub holds for `cases`: what a laptop holding exactly them must hold.
fn hub_ops(hub: &casebook_testkit::hub::Hub, cases: &[&String]) -> u64 {
    cases.iter().map(|c| hub.case(c)["ops"].as_u64().unwrap()).sum()
}

fn sorted(ids: &[&String]) -> Vec<String> {
    let mut ids: Vec<String> = ids.iter().map(|s| (*s).clone()).collect();
    ids.sort();
    ids
}

/// Done when (issue 10, item 1): three referrals entered offline by a coordinator and allocated
/// to facilitators of two teams reach exactly their facilitators with their whole history; a
/// reallocation moves a case with its history and a note the former lead wrote offline before
/// it arrives flagged; a supervisor of another team is refused, on the laptop and at the hub.
#[test]
fn a_coordinator_allocates_referrals_offline_and_a_reallocation_moves_the_whole_case() {
    let hub = start_hub();
    let kim = member(&hub, "kim", "coordinator", None);
    let ana = member(&hub, "ana", "facilitator", Some("north"));
    let ben = member(&hub, "ben", "facilitator", Some("north"));
    let cat = member(&hub, "cat", "facilitator", Some("south"));
    let dan = member(&hub, "dan", "facilitator", Some("south"));
    let sol = member(&hub, "sol", "supervisor", Some("north"));
    let sue = member(&hub, "sue", "supervisor", Some("south"));

    // The coordinator's first sync brings the directory of the whole service; then offline.
    sync(&kim, &hub);
    let c1 = referral(&kim, &format!("Shop window {}", marker()), "ana", None);
    let c2 = referral(&kim, &format!("Fence {}", marker()), "cat", Some("dan"));
    let c3 = referral(&kim, &format!("Bicycle {}", marker()), "ana", Some("ben"));
    let r = sync(&kim, &hub);
    assert_eq!(num(&r, "pushed"), 3, "the three referrals should be taken: {r}");
    assert_eq!(num(&r, "rejected"), 0, "{r}");

    for (case, lead, co, team) in [
        (&c1, "ana", None, "north"),
        (&c2, "cat", Some("dan"), "south"),
        (&c3, "ana", Some("ben"), "north"),
    ] {
        let row = hub.case(case);
        assert_eq!(row["lead"], lead, "hub case list: {row}");
        assert_eq!(row["co"].as_str(), co, "hub case list: {row}");
        assert_eq!(row["team"], team, "the case belongs to its lead's team: {row}");
    }

    // The coordinator's laptop counts one team's figures by each lead's team in the directory.
    let today = today();
    for (team, referrals) in [("north", 2), ("south", 1)] {
        let fig = kim.json(&["figures", "--from", &today, "--to", &today, "--team", team]);
        assert_eq!(fig["referrals"], referrals, "{team}'s referrals: {fig}");
    }

    for store in [&ana, &ben, &cat, &dan, &sol, &sue] {
        sync(store, &hub);
    }
    for (store, who, cases) in [
        (&ana, "ana", vec![&c1, &c3]),
        (&ben, "ben (co of c3)", vec![&c3]),
        (&cat, "cat", vec![&c2]),
        (&dan, "dan (co of c2)", vec![&c2]),
        (&sol, "sol (north)", vec![&c1, &c3]),
        (&sue, "sue (south)", vec![&c2]),
    ] {
        assert_eq!(case_ids(store), sorted(&cases), "{who} holds exactly these cases");
        assert_eq!(
            num(&status(store), "total_ops"),
            hub_ops(&hub, &cases),
            "{who} should hold every op of their cases"
        );
    }

    // Ana works the case, then writes one more note offline; meanwhile the coordinator, who
    // has seen her work, moves the case to the south team.
    ana.create(&["party", "add", &c1, "--role", "victim", "--name", "Ann"]);
    let early = format!("First visit {}", marker());
    add_note(&ana, &c1, &early);
    sync(&ana, &hub);
    let late = format!("Late visit written offline {}", marker());
    add_note(&ana, &c1, &late);
    sync(&kim, &hub);
    kim.json(&["case", "assign", &c1, "--to", "cat"]);
    let r = sync(&kim, &hub);
    assert_eq!(
        (num(&r, "pushed"), num(&r, "rejected")),
        (1, 0),
        "the reallocation: {r}"
    );
    let row = hub.case(&c1);
    assert_eq!(
        (&row["lead"], &row["team"]),
        (&Value::from("cat"), &Value::from("south")),
        "{row}"
    );

    // A supervisor of the team that just lost the case, not yet told, gives it to Ben: her
    // laptop takes it, the hub refuses it, and the case stays where the coordinator put it.
    sol.json(&["case", "assign", &c1, "--to", "ben"]);
    let r = sync(&sol, &hub);
    assert_eq!(num(&r, "rejected"), 1, "sol's allocation should be refused: {r}");
    let kept = status(&sol)["rejected"].to_string();
    assert!(
        kept.contains(&c1) && kept.contains("not assigned to the author"),
        "the refusal is kept on sol's laptop with its reason: {kept}"
    );
    assert_eq!(
        hub.case(&c1)["lead"],
        "cat",
        "the refused allocation changed the hub"
    );
    assert!(
        !case_ids(&sol).contains(&c1),
        "sol's laptop should drop the case that left north"
    );
    // On the laptop itself: a facilitator of another team is not in sol's directory.
    let out = sol.run(&["case", "assign", &c3, "--to", "cat"]);
    assert_ne!(
        out.status.code(),
        Some(EXIT_OK),
        "sol may not give a north case to cat"
    );
    // And a facilitator does not allocate at all.
    let out = ana.run(&["case", "assign", &c3, "--to", "ben"]);
    assert_eq!(
        out.status.code(),
        Some(EXIT_REFUSED),
        "ana may not allocate: {out:?}"
    );

    // Ana's late note is taken, flagged; her laptop drops the case.
    let r = sync(&ana, &hub);
    assert!(
        num(&r, "quarantined") >= 1,
        "the late note should be kept and flagged: {r}"
    );
    assert_eq!(num(&r, "pending"), 0, "{r}");
    assert_eq!(case_ids(&ana), vec![c3.clone()], "ana keeps only c3");
    assert_eq!(hub.ops_containing(&late), 1, "the hub holds the late note once");

    // Cat receives the case with its whole story: the early note plain, the late one flagged.
    for (store, who, cases) in [(&cat, "cat", vec![&c1, &c2]), (&sue, "sue", vec![&c1, &c2])] {
        let r = sync(store, &hub);
        assert_eq!(
            num(&r, "cases_added"),
            1,
            "{who} should fetch the moved case: {r}"
        );
        assert_eq!(case_ids(store), sorted(&cases), "{who}");
        assert_eq!(
            num(&status(store), "total_ops"),
            hub_ops(&hub, &cases),
            "{who} should hold every op of the moved case, the flagged one included"
        );
        assert!(
            entry(store, &c1, &early, who)["flagged"].is_null(),
            "{who}: the early note"
        );
        assert!(
            entry(store, &c1, &late, who)["flagged"]
                .as_str()
                .is_some_and(|reason| !reason.trim().is_empty()),
            "{who}: the late note should be flagged for review"
        );
    }
}
