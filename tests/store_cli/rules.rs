//! Consent, minor and case process rules: a refused contact or case change exits 5, names
//! why, and records nothing.

use serde_json::Value;

use crate::common::*;

/// The parties of `case show --json`.
fn parties(store: &Store, case: &str) -> (Vec<Value>, Vec<Value>) {
    let v = store.json(&["case", "show", case]);
    let parties = v["parties"]
        .as_array()
        .unwrap_or_else(|| panic!("case show --json: no \"parties\": {v}"))
        .clone();
    let timeline = v["timeline"]
        .as_array()
        .unwrap_or_else(|| panic!("case show --json: no \"timeline\": {v}"))
        .clone();
    (parties, timeline)
}

fn contacts_in(timeline: &[Value]) -> usize {
    timeline.iter().filter(|t| t["type"] == "contact").count()
}

/// The date of a party's latest consent for `scope` with `decision`, from `case show --json`.
fn consent_date(parties: &[Value], party_id: &str, scope: &str, decision: &str) -> String {
    let party = parties
        .iter()
        .find(|p| p["id"] == party_id)
        .unwrap_or_else(|| panic!("party {party_id} not shown"));
    let consents = party["consents"]
        .as_array()
        .unwrap_or_else(|| panic!("no \"consents\" on {party}"));
    let c = consents
        .iter()
        .rev()
        .find(|c| {
            c["scope"].as_str().is_some_and(|s| s.replace('_', "-") == scope)
                && c["decision"].as_str() == Some(decision)
        })
        .unwrap_or_else(|| panic!("no {scope} {decision} consent on {party}"));
    c["date"]
        .as_str()
        .unwrap_or_else(|| panic!("consent without a date: {c}"))
        .to_owned()
}

/// Done when #5 (consent): a contact with a party whose contact consent is withdrawn or
/// declined is refused with exit 5 naming the party, the decision and its date, and nothing is
/// recorded; a contact initiated by the party is accepted.
#[test]
fn withdrawn_or_declined_contact_consent_refuses_a_contact_unless_the_party_initiated_it() {
    let store = Store::new();
    let (case_id, reference) = store.new_case("Shop theft by a regular customer");
    let ann = "Ann Withdrawer";
    let ann_id = store.create(&["party", "add", &reference, "--role", "victim", "--name", ann]);
    let bob = "Bob Decliner";
    let bob_id = store.create(&["party", "add", &case_id, "--role", "harmer", "--name", bob]);
    let consent = |party: &str, decision: &str| {
        store.create(&[
            "consent",
            "record",
            &case_id,
            "--party",
            party,
            "--scope",
            "contact",
            "--decision",
            decision,
            "--method",
            "verbal",
        ])
    };
    let contact = |party: &str, extra: &[&str]| {
        let mut args = vec![
            "contact",
            "add",
            &case_id,
            "--party",
            party,
            "--kind",
            "call",
            "--date",
            "2026-11-05",
            "--notes",
            "Phoned about the process",
        ];
        args.extend_from_slice(extra);
        store.run(&args)
    };

    consent(ann, "given");
    // The first contact's notes come from stdin (`--notes -`).
    let stdin_note = "Phoned Ann; notes typed on standard input";
    let out = store.run_with_stdin(
        &[
            "contact",
            "add",
            &case_id,
            "--party",
            ann,
            "--kind",
            "call",
            "--date",
            "2026-11-04",
            "--notes",
            "-",
        ],
        stdin_note,
    );
    assert_code(
        &out,
        EXIT_OK,
        "contact with Ann (notes on stdin) while her contact consent is given",
    );
    consent(ann, "withdrawn");
    consent(&bob_id, "declined");
    let (shown, _) = parties(&store, &case_id);
    let withdrawn_on = consent_date(&shown, &ann_id, "contact", "withdrawn");
    let declined_on = consent_date(&shown, &bob_id, "contact", "declined");

    for (party, name, decision, date) in [
        (ann, ann, "withdrawn", &withdrawn_on),
        (&bob_id, bob, "declined", &declined_on),
    ] {
        let out = contact(party, &[]);
        let what = format!("contact add with {name} whose contact consent is {decision}");
        assert_code(&out, EXIT_REFUSED, &what);
        let err = stderr(&out);
        for needed in [name, decision, date.as_str()] {
            assert!(
                err.contains(needed),
                "{what}: stderr should name {needed:?}\n{}",
                describe(&out)
            );
        }
        assert_plain_error(&out, &what);
    }

    let out = contact(ann, &["--initiated-by-party", "--json"]);
    assert_code(
        &out,
        EXIT_OK,
        "contact add --initiated-by-party with Ann (consent withdrawn)",
    );
    let v: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e})\n{}", describe(&out)));
    assert!(
        v["id"].as_str().is_some_and(is_uuid),
        "contact add --json: no id in {v}"
    );

    let (_, timeline) = parties(&store, &reference);
    assert_eq!(
        contacts_in(&timeline),
        2,
        "refused contacts must not be recorded: {timeline:#?}"
    );
    assert!(
        Value::Array(timeline).to_string().contains(stdin_note),
        "the notes read from stdin should be on the timeline"
    );
    let consents = store.json(&["consent", "show", &reference]).to_string();
    assert!(
        consents.contains(ann) && consents.contains("withdrawn") && consents.contains("declined"),
        "consent show --json should hold the current decisions: {consents}"
    );
}

/// Done when #5 (minor): a contact with a minor is refused with exit 5 until the minor's own
/// and a guardian's participation consents are both given.
#[test]
fn a_minor_can_be_contacted_only_with_their_own_and_a_guardians_participation_consent() {
    let store = Store::new();
    let (case_id, _) = store.new_case("Graffiti on a school wall");
    let kai = "Kai Young";
    let kai_id = store.create(&[
        "party", "add", &case_id, "--role", "harmer", "--name", kai, "--minor",
    ]);
    let contact = || {
        store.run(&[
            "contact",
            "add",
            &case_id,
            "--party",
            kai,
            "--kind",
            "visit",
            "--date",
            "2026-11-06",
            "--notes",
            "Visit at home",
        ])
    };
    let participation = |party: &str| {
        store.create(&[
            "consent",
            "record",
            &case_id,
            "--party",
            party,
            "--scope",
            "participation",
            "--decision",
            "given",
            "--method",
            "signed",
        ])
    };
    let refused = |what: &str| {
        let out = contact();
        assert_code(&out, EXIT_REFUSED, what);
        assert!(
            stderr(&out).contains(kai),
            "{what}: stderr should name {kai}\n{}",
            describe(&out)
        );
        assert_plain_error(&out, what);
    };

    refused("contact with a minor without any consent");
    participation(&kai_id);
    refused("contact with a minor with only their own consent and no guardian");
    let mum = "Mary Young";
    store.create(&[
        "party",
        "add",
        &case_id,
        "--role",
        "guardian",
        "--name",
        mum,
        "--guardian-of",
        kai,
    ]);
    refused("contact with a minor whose guardian has not consented");
    participation(mum);
    assert_code(
        &contact(),
        EXIT_OK,
        "contact with a minor with both consents given",
    );

    let (shown, timeline) = parties(&store, &case_id);
    assert_eq!(
        contacts_in(&timeline),
        1,
        "only the allowed contact is recorded: {timeline:#?}"
    );
    let kai_shown = shown.iter().find(|p| p["id"] == kai_id.as_str()).unwrap();
    assert_eq!(
        kai_shown["minor"],
        Value::Bool(true),
        "Kai should be shown as a minor: {kai_shown}"
    );
}

/// Process rules on cases exit 5: a pre-sentence case needs a court date, and status moves
/// one step at a time; nothing is written by a refusal.
#[test]
fn case_process_rules_refuse_with_exit_5() {
    let store = Store::new();
    let out = store.run(&[
        "case",
        "new",
        "--kind",
        "rj",
        "--stage",
        "pre-sentence",
        "--source",
        "court",
        "--summary",
        "Burglary",
    ]);
    assert_code(&out, EXIT_REFUSED, "pre-sentence case without --court-date");
    assert!(
        mentions_any(&stderr(&out), &["court date", "--court-date"]),
        "should say a court date is needed\n{}",
        describe(&out)
    );
    assert_plain_error(&out, "pre-sentence case without --court-date");

    let (case_id, _) = store.new_case("Criminal damage to a car");
    let out = store.run(&["case", "status", &case_id, "--to", "follow-up"]);
    assert_code(&out, EXIT_REFUSED, "status referred -> follow-up (skips stages)");
    assert_plain_error(&out, "status referred -> follow-up");
    store.ok(&["case", "status", &case_id, "--to", "contacting"]);

    // Adjourned or deferred only before sentence; the court date goes once sentenced.
    let out = store.run(&["case", "edit", &case_id, "--pre-sentence", "deferred-sentence"]);
    assert_code(&out, EXIT_REFUSED, "a deferral on an out-of-court case");
    assert_plain_error(&out, "a deferral on an out-of-court case");
    store.ok(&[
        "case",
        "edit",
        &case_id,
        "--stage",
        "pre-sentence",
        "--court-date",
        "2027-03-04",
        "--pre-sentence",
        "deferred-sentence",
    ]);
    let shown = store.ok(&["case", "show", &case_id]);
    assert!(
        String::from_utf8_lossy(&shown.stdout).contains("Court date: 2027-03-04 (deferred sentence)"),
        "{}",
        describe(&shown)
    );
    let out = store.run(&["case", "edit", &case_id, "--no-court-date"]);
    assert_code(&out, EXIT_REFUSED, "removing a pre-sentence case's court date");
    store.ok(&[
        "case",
        "edit",
        &case_id,
        "--stage",
        "post-sentence",
        "--no-court-date",
    ]);
    let case = store.json(&["case", "show", &case_id]);
    assert_eq!(
        (&case["case"]["court_date"], &case["case"]["pre_sentence"]),
        (&Value::Null, &Value::Null),
        "{case}"
    );

    let cases = store.cases();
    assert_eq!(cases.len(), 1, "the refused case must not exist: {cases:?}");
    assert_eq!(
        cases[0]["status"], "contacting",
        "status after one allowed step: {}",
        cases[0]
    );
}
