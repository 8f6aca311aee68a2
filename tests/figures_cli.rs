//! Cross-process tests of `casebook figures` and `casebook signoffs`: the real binary on real
//! stores, its JSON, CSV and table, and the exit codes of what it cannot answer.

#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::*;

/// A case referred on `received` from `source`, with a victim; returns its id.
fn referral(store: &Store, source: &str, received: &str) -> String {
    let v = store.json(&[
        "case",
        "new",
        "--kind",
        "rj",
        "--stage",
        "post-sentence",
        "--source",
        source,
        "--received",
        received,
        "--summary",
        "Criminal damage to a car",
    ]);
    let id = v["id"].as_str().unwrap().to_owned();
    store.create(&["party", "add", &id, "--role", "victim", "--name", "Ann"]);
    id
}

/// Done when (issue 10): `casebook figures` as JSON and CSV, edge days of the quarter counted,
/// the day before not; an outcome with a comma quoted; what cannot be counted is a usage error.
#[test]
fn figures_print_as_json_csv_and_a_table() {
    let store = Store::new();
    let first = referral(&store, "police", "2026-10-01");
    referral(&store, "probation", "2026-09-30");
    let last = referral(&store, "police", "2026-12-31");
    let call = [
        "contact",
        "add",
        &first,
        "--party",
        "Ann",
        "--kind",
        "call",
        "--date",
        "2026-10-11",
    ];
    store.ok(&[&call[..], &["--notes", "Introduced the service."]].concat());
    store.ok(&[
        "case",
        "status",
        &last,
        "--to",
        "closed",
        "--outcome",
        "kept, mostly",
    ]);

    let q4 = ["figures", "--from", "2026-10-01", "--to", "2026-12-31"];
    let json = store.json(&q4);
    assert_eq!(json["from"], "2026-10-01");
    assert_eq!(json["team"], serde_json::Value::Null);
    assert_eq!(json["referrals"], 2, "1 Oct and 31 Dec, not 30 Sep: {json}");
    assert_eq!(json["referrals_by_source"]["police"], 2);
    assert_eq!(json["referrals_by_source"]["probation"], 0);
    assert_eq!(json["referrals_by_stage"]["post_sentence"], 2);
    assert_eq!(json["first_contact_cases"], 1);
    assert_eq!(json["first_contact_median_days"], 10.0);
    assert_eq!(json["meetings_held"], 0);

    let csv = stdout(&store.ok(&[&q4[..], &["--csv"]].concat()));
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "from,to,team,figure,category,value");
    for line in [
        "2026-10-01,2026-12-31,,referrals,,2",
        "2026-10-01,2026-12-31,,referrals_by_source,police,2",
        "2026-10-01,2026-12-31,,referrals_by_source,self,0",
        "2026-10-01,2026-12-31,,first_contact_median_days,,10",
        "2026-10-01,2026-12-31,,victims_took_part,,0",
    ] {
        assert!(lines.contains(&line), "no {line:?} in\n{csv}");
    }

    // Closed today: counted over today alone, its outcome quoted for CSV.
    let today = today();
    let day = ["figures", "--from", &today, "--to", &today, "--csv"];
    let csv = stdout(&store.ok(&day));
    assert!(
        csv.contains(&format!("{today},{today},,closed_by_outcome,\"kept, mostly\",1")),
        "{csv}"
    );

    let table = stdout(&store.ok(&q4));
    assert!(
        table.contains("Figures from 1 Oct 2026 to 31 Dec 2026 (every case held here)"),
        "{table}"
    );
    assert!(table.contains("  by source: police"), "{table}");

    let both = store.run(&[&q4[..], &["--csv", "--json"]].concat());
    assert_code(&both, EXIT_USAGE, "--csv with --json");
    let backwards = store.run(&["figures", "--from", "2026-12-31", "--to", "2026-10-01"]);
    assert_code(&backwards, EXIT_USAGE, "a period ending before it starts");
    assert!(stderr(&backwards).contains("ends (1 Oct 2026) before it starts (31 Dec 2026)"));
    let team = store.run(&[&q4[..], &["--team", "north"]].concat());
    assert_code(
        &team,
        EXIT_USAGE,
        "a team on a laptop that cannot tell case teams",
    );
    assert!(
        stderr(&team).contains("does not know which team 3 of its cases"),
        "{}",
        describe(&team)
    );
}

/// Done when (issue 10, the sign-off queue): a facilitator's submission, made offline, waits in
/// their supervisor's queue after both sync, oldest first, named and dated, with the command
/// that answers it; once answered with that very command it waits no more.
#[test]
fn a_supervisor_answers_what_waits_with_the_command_it_gives() {
    let hub = start_hub();
    let fac = member(&hub, "femi", "facilitator", Some("north"));
    let sup = member(&hub, "sunita", "supervisor", Some("north"));
    let (case, reference) = fac.new_case(&format!("Threats after a break-in {}", marker()));
    let mut args = vec![
        "risk",
        "new",
        &case,
        "--rating",
        "low",
        "--mitigations",
        "Separate arrivals",
    ];
    let factors = [
        "re-victimisation",
        "power-imbalance",
        "intimidation",
        "violence",
        "substance-use",
        "mental-health",
        "safeguarding",
        "abuse-context",
        "responsibility",
    ]
    .map(|f| format!("{f}=low"));
    for f in &factors {
        args.extend(["--factor", f]);
    }
    let risk = fac.create(&args);
    fac.ok(&["risk", "submit", &risk]);
    let own = fac.json(&["signoffs"]);
    assert_eq!(
        own["waiting"].as_array().unwrap().len(),
        1,
        "their own, before any sync: {own}"
    );

    assert!(sup.json(&["signoffs"])["waiting"].as_array().unwrap().is_empty());
    sync(&fac, &hub);
    sync(&sup, &hub);
    let queue = sup.json(&["signoffs"]);
    let item = &queue["waiting"][0];
    assert_eq!(item["what"], "risk_assessment", "{queue}");
    assert_eq!(item["case_id"], case.as_str());
    assert_ne!(
        item["reference"],
        reference.as_str(),
        "the hub's reference, given at sync"
    );
    assert_eq!(item["submitted_by_name"], "femi");
    assert_eq!(item["approve"], format!("casebook risk approve {risk}"));
    let text = stdout(&sup.ok(&["signoffs"]));
    assert!(text.contains("risk assessment, submitted by femi on "), "{text}");
    assert!(
        text.contains(&format!("casebook risk return {risk} --note TEXT")),
        "{text}"
    );

    let approve: Vec<&str> = item["approve"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .skip(1)
        .collect();
    sup.ok(&approve);
    assert!(sup.json(&["signoffs"])["waiting"].as_array().unwrap().is_empty());
    assert!(stdout(&sup.ok(&["signoffs"])).contains("Nothing is waiting for a sign-off."));
}
