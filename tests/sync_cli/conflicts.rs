//! Conflicts: two laptops of one user editing the same summary offline converge, and a
//! conflict resolved on one laptop clears everywhere.

use crate::common::*;

/// Done when #3: two laptops of one user editing the same summary offline converge on the
/// same text with one open conflict each; resolving it on one laptop clears it everywhere.
#[test]
fn two_laptops_of_one_user_converge_and_a_resolved_conflict_clears_everywhere() {
    let hub = start_hub();
    let l1 = enroll(
        &hub,
        &hub.add_user("fay", "facilitator", Some("north")),
        "fay-laptop-1",
    );
    let l2 = enroll(&hub, &hub.user_code("fay"), "fay-laptop-2");
    let s = member(&hub, "sol", "supervisor", Some("north"));

    let (case, _) = l1.new_case(&format!("Original summary {}", marker()));
    sync(&l1, &hub);
    sync(&l2, &hub);
    assert_eq!(
        case_ids(&l2),
        vec![case.clone()],
        "the second laptop should get fay's case"
    );

    let m = marker();
    let text1 = format!("Summary written on laptop 1 {m}");
    let text2 = format!("Summary written on laptop 2 {m}");
    l1.ok(&["case", "edit", &case, "--summary", &text1]);
    l2.ok(&["case", "edit", &case, "--summary", &text2]);
    for store in [&l1, &l2, &l1, &l2] {
        sync(store, &hub);
    }

    let shown1 = case_summaries(&l1);
    let shown2 = case_summaries(&l2);
    assert_eq!(shown1, shown2, "the two laptops show different summaries");
    let summary = &shown1[0].1;
    assert!(
        *summary == text1 || *summary == text2,
        "the summary is neither edit: {summary:?}"
    );
    let other = if *summary == text1 { &text2 } else { &text1 };
    for (store, name) in [(&l1, "laptop 1"), (&l2, "laptop 2")] {
        let open = conflicts(store);
        assert_eq!(
            open.len(),
            1,
            "{name}: exactly one open conflict expected: {open:?}"
        );
        let c = &open[0];
        assert_eq!(c["case_id"], case.as_str(), "{name}: {c}");
        assert_eq!(c["field"], "summary", "{name}: {c}");
        assert_eq!(c["current"], summary.as_str(), "{name}: {c}");
        assert_eq!(c["other"], other.as_str(), "{name}: {c}");
    }

    let chosen = format!("Summary agreed after the conflict {m}");
    let id = conflicts(&l1)[0]["id"].as_str().unwrap().to_owned();
    l1.ok(&["conflict", "resolve", &id, "--keep", &chosen]);
    sync(&l1, &hub);
    sync(&l2, &hub);
    sync(&s, &hub);
    sync(&l1, &hub);
    for (store, name) in [(&l1, "laptop 1"), (&l2, "laptop 2"), (&s, "the supervisor")] {
        let open = conflicts(store);
        assert!(
            open.is_empty(),
            "{name}: conflicts left after the resolution: {open:?}"
        );
        assert_eq!(
            case_summaries(store),
            vec![(case.clone(), chosen.clone())],
            "{name}: the resolved summary is not shown"
        );
        assert_eq!(
            num(&status(store), "conflicts"),
            0,
            "{name}: status counts a conflict"
        );
    }
}
