//! Scope: after syncing each role holds exactly the cases it may see, and a supervisor's team
//! caseload names each lead and carries their supervision notes to the lead only.

use crate::common::*;
use crate::show_text;

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

/// Done when #1: after syncing, each role holds exactly the cases of its scope — a facilitator
/// the cases they lead, a supervisor their team's, a coordinator every case.
#[test]
fn each_role_holds_exactly_its_scope_after_sync() {
    let hub = start_hub();
    let a = member(&hub, "ana", "facilitator", Some("north"));
    let b = member(&hub, "ben", "facilitator", Some("north"));
    let c = member(&hub, "cat", "facilitator", Some("south"));
    let s = member(&hub, "sol", "supervisor", Some("north"));
    let k = member(&hub, "kim", "coordinator", None);

    // Written offline, then synced.
    let (case_a, _) = a.new_case(&format!("Ana's case {}", marker()));
    let (case_b, _) = b.new_case(&format!("Ben's case {}", marker()));
    let (case_c, _) = c.new_case(&format!("Cat's case {}", marker()));
    for (store, who) in [(&a, "ana"), (&b, "ben"), (&c, "cat")] {
        let r = sync(store, &hub);
        assert_eq!(
            num(&r, "pushed"),
            1,
            "{who}'s first sync should push the case: {r}"
        );
        assert_eq!(num(&r, "pending"), 0, "{who}: {r}");
    }
    for store in [&s, &k, &a, &b, &c] {
        sync(store, &hub);
    }

    // The hub made each case its author's, in the author's team.
    for (case, lead, team) in [
        (&case_a, "ana", "north"),
        (&case_b, "ben", "north"),
        (&case_c, "cat", "south"),
    ] {
        let row = hub.case(case);
        assert_eq!(row["lead"], lead, "hub case list: {row}");
        assert_eq!(row["team"], team, "hub case list: {row}");
    }

    assert_eq!(
        case_ids(&a),
        vec![case_a.clone()],
        "facilitator ana (north) sees only her case"
    );
    assert_eq!(
        case_ids(&b),
        vec![case_b.clone()],
        "facilitator ben (north) sees only his case"
    );
    assert_eq!(
        case_ids(&c),
        vec![case_c.clone()],
        "facilitator cat (south) sees only her case"
    );
    assert_eq!(
        case_ids(&s),
        sorted(vec![case_a.clone(), case_b.clone()]),
        "supervisor sol (north) sees north's cases (ana's and ben's), not south's"
    );
    assert_eq!(
        case_ids(&k),
        sorted(vec![case_a.clone(), case_b.clone(), case_c.clone()]),
        "coordinator kim sees every case"
    );

    // Everyone who holds a case got the hub's reference for it.
    for case in k.cases() {
        let reference = case["reference"].as_str().unwrap_or_default();
        assert!(
            reference.starts_with("RH-"),
            "the coordinator's copy has no hub reference: {case}"
        );
    }
}

/// A supervisor's team caseload names each case's lead (from the directory the hub sends),
/// and a supervision note written with the CLI reaches the lead on their next sync; a
/// facilitator cannot write one.
#[test]
fn a_supervisor_sees_lead_names_and_their_note_reaches_the_facilitator() {
    let hub = start_hub();
    let ana = member(&hub, "ana", "facilitator", Some("north"));
    let ben = member(&hub, "ben", "facilitator", Some("north"));
    let sol = member(&hub, "sol", "supervisor", Some("north"));
    let (case_a, _) = ana.new_case(&format!("Ana's case {}", marker()));
    let (case_b, _) = ben.new_case(&format!("Ben's case {}", marker()));
    sync(&ana, &hub);
    sync(&ben, &hub);
    sync(&sol, &hub);

    let leads: Vec<(String, String)> = sol
        .cases()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap_or_default().to_owned(),
                c["lead_name"]
                    .as_str()
                    .unwrap_or_else(|| panic!("case list --json: no lead_name in {c}"))
                    .to_owned(),
            )
        })
        .collect();
    assert_eq!(
        sorted(leads.iter().map(|(id, name)| format!("{id} {name}")).collect()),
        sorted(vec![format!("{case_a} ana"), format!("{case_b} ben")]),
        "the supervisor's caseload names each lead"
    );

    // A facilitator is refused by the rule on the laptop (exit 5), before the hub sees it.
    let out = ana.run(&["case", "supervise", &case_a, "--text", "Self-supervised"]);
    assert_code(&out, EXIT_REFUSED, "a facilitator's supervision note");

    let text = format!("Check the school's consent first {}", marker());
    let note = sol.create(&["case", "supervise", &case_a, "--text", &text]);
    let r = sync(&sol, &hub);
    assert_eq!(num(&r, "pending"), 0, "the hub held the note: {r}");
    sync(&ana, &hub);

    let shown = ana.json(&["case", "show", &case_a]);
    let entry = shown["timeline"]
        .as_array()
        .unwrap_or_else(|| panic!("case show --json: no timeline in {shown}"))
        .iter()
        .find(|e| e["type"] == "supervision")
        .unwrap_or_else(|| panic!("the note did not reach ana: {shown}"))
        .clone();
    assert_eq!(entry["id"], note.as_str());
    assert_eq!(entry["text"], text.as_str());
    assert_eq!(entry["author_name"], "sol", "{entry}");
    assert!(
        !show_text(&ben, &case_b).contains(&text),
        "the note stays in its case's scope"
    );
}
