//! Cross-process tests of sync: the real `casebook-hub` binary serving a scratch data dir on
//! 127.0.0.1, and `casebook` stores enrolled with it. Scope per role, reassignment with a
//! late offline note, two laptops of one user converging through a conflict, revocation with
//! and without wipe, the protocol's error answers over raw HTTP, and a hub that is down.

#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use common::*;
use serde_json::Value;

/// A case with one victim party, `Ann`, created on `store` (offline); returns (id, reference).
#[track_caller]
fn case_with_party(store: &Store, summary: &str) -> (String, String) {
    let (id, reference) = store.new_case(summary);
    store.create(&["party", "add", &id, "--role", "victim", "--name", "Ann"]);
    (id, reference)
}

/// `case show CASE --json`, as text (to look for a marker anywhere in it).
#[track_caller]
fn show_text(store: &Store, case: &str) -> String {
    store.json(&["case", "show", case]).to_string()
}

/// `case show CASE --json` timeline notes.
#[track_caller]
fn timeline_notes(store: &Store, case: &str) -> Vec<String> {
    let v = store.json(&["case", "show", case]);
    v["timeline"]
        .as_array()
        .unwrap_or_else(|| panic!("case show --json: no \"timeline\" array in {v}"))
        .iter()
        .filter_map(|e| e["notes"].as_str().map(str::to_owned))
        .collect()
}

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

/// Asserts an answer is `status` with a JSON `{code, message}` body of `code`.
#[track_caller]
fn assert_error_answer(answer: &HttpAnswer, status: u16, code: &str, what: &str) {
    assert_eq!(
        answer.status,
        status,
        "{what}: expected HTTP {status}, got {} {}",
        answer.status,
        answer.text()
    );
    let body = answer.json();
    assert_eq!(body["code"], code, "{what}: body {}", answer.text());
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{what}: no message in {}",
        answer.text()
    );
    assert!(
        answer
            .header("content-type")
            .is_some_and(|t| t.starts_with("application/json")),
        "{what}: not a JSON answer: {:?}",
        answer.headers
    );
}

/// Done when #5: the real hub answers protocol errors with the documented status and JSON
/// body — 426 for an old protocol, 401 without a token, 400 for garbage — and keeps serving.
#[test]
fn the_hub_answers_protocol_errors_as_documented_and_keeps_serving() {
    let hub = start_hub();
    // reqwest sends exactly the headers and bytes given, however wrong.
    let web = hub.http();
    let json = ("Content-Type", "application/json");
    let v1 = ("Casebook-Protocol", "1");

    let a = web.request("GET", "/v1/status", &[("Casebook-Protocol", "0")], b"");
    assert_error_answer(&a, 426, "update_required", "Casebook-Protocol: 0");
    assert_eq!(
        a.header("casebook-protocol"),
        Some("1"),
        "every answer names the hub's version"
    );
    let a = web.request("GET", "/v1/status", &[("Casebook-Protocol", "2")], b"");
    assert_error_answer(&a, 426, "hub_update_required", "Casebook-Protocol: 2");
    let a = web.request("GET", "/v1/status", &[], b"");
    assert_error_answer(&a, 400, "bad_request", "no Casebook-Protocol header");
    let a = web.request("GET", "/v1/status", &[("Casebook-Protocol", "one")], b"");
    assert_error_answer(&a, 400, "bad_request", "a non-numeric Casebook-Protocol header");

    let a = web.request(
        "POST",
        "/v1/pull",
        &[v1, json],
        br#"{"cursor":0,"held_cases":[]}"#,
    );
    assert_error_answer(&a, 401, "unauthorized", "pull without a token");
    let bogus = format!("Bearer {}", "0".repeat(64));
    let a = web.request(
        "POST",
        "/v1/pull",
        &[v1, json, ("Authorization", &bogus)],
        br#"{"cursor":0,"held_cases":[]}"#,
    );
    assert_error_answer(&a, 401, "unauthorized", "pull with an unknown token");

    // A token of our own, by enrolling over raw HTTP.
    let code = hub.add_user("raw", "facilitator", Some("north"));
    let body = serde_json::json!({"code": code, "device_name": "raw client"}).to_string();
    let a = web.request("POST", "/v1/enroll", &[v1, json], body.as_bytes());
    assert_eq!(a.status, 200, "raw enroll: {}", a.text());
    let token = a.json()["token"].as_str().unwrap().to_owned();
    let bearer = format!("Bearer {token}");
    let auth = ("Authorization", bearer.as_str());

    let garbage: &[(&str, &[u8], &str)] = &[
        ("/v1/push", b"this is not json at all", "push: not JSON"),
        ("/v1/push", br#"{"ops": "none"}"#, "push: ops is a string"),
        ("/v1/push", br#"{"ops": [{"op_id": "#, "push: truncated JSON"),
        (
            "/v1/push",
            br#"{"ops": [{"no_op_id": true}]}"#,
            "push: an op without op_id",
        ),
        (
            "/v1/push",
            br#"{"ops": [{"op_id": 42}]}"#,
            "push: an op_id that is a number",
        ),
        ("/v1/push", b"[1, 2, 3]", "push: an array body"),
        ("/v1/push", b"", "push: empty body"),
        (
            "/v1/pull",
            br#"{"cursor": "zero", "held_cases": []}"#,
            "pull: cursor is a string",
        ),
        (
            "/v1/pull",
            br#"{"cursor": -1, "held_cases": []}"#,
            "pull: negative cursor",
        ),
        (
            "/v1/pull",
            br#"{"cursor": 0, "held_cases": [1, 2]}"#,
            "pull: held_cases are numbers",
        ),
        (
            "/v1/pull",
            br#"{"cursor": 0, "held_cases": ["not-a-uuid"]}"#,
            "pull: held case not a uuid",
        ),
        ("/v1/pull", br#"{"cursor": 0, "held_ca"#, "pull: truncated JSON"),
        ("/v1/pull", b"\xff\xfe\x00garbage", "pull: binary garbage"),
        (
            "/v1/enroll",
            br#"{"code": 5, "device_name": []}"#,
            "enroll: wrong types",
        ),
    ];
    for (path, body, what) in garbage {
        let a = web.request("POST", path, &[v1, json, auth], body);
        assert_error_answer(&a, 400, "bad_request", what);
    }
    let a = web.request(
        "POST",
        "/v1/pull",
        &[v1, auth],
        br#"{"cursor":0,"held_cases":[]}"#,
    );
    assert_error_answer(&a, 400, "bad_request", "pull without Content-Type");
    let a = web.request("GET", "/v1/cases/not-a-case/history?after=0", &[v1, auth], b"");
    assert!(
        a.status == 400 || a.status == 404,
        "history of a malformed case id: HTTP {} {}",
        a.status,
        a.text()
    );
    let a = web.request(
        "GET",
        "/v1/cases/01a21b95-b871-71b1-ac04-6dce0d6d3dea/history?after=x",
        &[v1, auth],
        b"",
    );
    assert_error_answer(&a, 400, "bad_request", "history with after=x");
    // A body cut short of its Content-Length, then the connection closed: any answer or none,
    // as long as the hub survives it.
    // (Raw bytes on a socket: no HTTP client sends a body shorter than its length.)
    let truncated = format!(
        "POST /v1/push HTTP/1.1\r\nHost: 127.0.0.1\r\nCasebook-Protocol: 1\r\n\
         Content-Type: application/json\r\nAuthorization: {bearer}\r\nContent-Length: 1000\r\n\r\n{{\"ops\": ["
    );
    let _ = casebook_testkit::http::raw_exchange(
        ([127, 0, 0, 1], hub.port).into(),
        truncated.as_bytes(),
        std::time::Duration::from_secs(20),
    );

    // Still serving, and the token still works.
    let a = web.request("GET", "/v1/status", &[v1], b"");
    assert_error_answer(
        &a,
        401,
        "unauthorized",
        "status without a token after the garbage",
    );
    let a = web.request("GET", "/v1/status", &[v1, auth], b"");
    assert_eq!(
        a.status,
        200,
        "status with the token after the garbage: {}",
        a.text()
    );
    assert_eq!(a.json()["user"]["name"], "raw", "{}", a.text());
    let a = web.request("GET", "/v1/openapi.json", &[], b"");
    assert_eq!(a.status, 200, "openapi.json: {}", a.text());

    // And a real client syncs normally.
    let f = member(&hub, "fay", "facilitator", Some("north"));
    let (case, _) = f.new_case(&format!("After the garbage {}", marker()));
    let r = sync(&f, &hub);
    assert_eq!(num(&r, "pushed"), 1, "{r}");
    assert_eq!(num(&r, "pending"), 0, "{r}");
    assert_eq!(num(&r, "rejected"), 0, "{r}");
    assert_eq!(hub.case(&case)["lead"], "fay");
}

/// Done when #6: with the hub down, sync exits 1 saying the hub cannot be reached and that the
/// changes are kept; nothing pending is lost, and the next sync with the hub up delivers it.
#[test]
fn a_hub_that_is_down_keeps_the_changes_for_the_next_sync() {
    let mut hub = start_hub();
    let f = member(&hub, "fay", "facilitator", Some("north"));
    let (case, _) = f.new_case(&format!("Before the outage {}", marker()));
    sync(&f, &hub);

    hub.kill();
    let note = format!("Written while the hub was down {}", marker());
    f.create(&["party", "add", &case, "--role", "victim", "--name", "Ann"]);
    add_note(&f, &case, &note);
    let pending = num(&status(&f), "pending_ops");
    assert!(
        pending >= 2,
        "the party and the note should be pending: {pending}"
    );

    for args in [&["sync"][..], &["sync", "--json"][..]] {
        let out = f.run(args);
        let what = format!(
            "casebook {} with nothing listening on the hub's port",
            args.join(" ")
        );
        assert_code(&out, EXIT_OTHER, &what);
        let err = stderr(&out);
        assert!(
            mentions_any(&err, &["cannot be reached", "can't be reached", "unreachable"]),
            "{what}: should say the hub cannot be reached\n{}",
            describe(&out)
        );
        assert!(
            mentions_any(&err, &["kept"]),
            "{what}: should say the changes are kept\n{}",
            describe(&out)
        );
        assert_plain_error(&out, &what);
        assert_eq!(
            num(&status(&f), "pending_ops"),
            pending,
            "{what}: the pending ops changed"
        );
    }
    assert!(timeline_notes(&f, &case).contains(&note), "the note is gone");

    hub.restart();
    let r = sync(&f, &hub);
    assert_eq!(num(&r, "pushed"), pending, "{r}");
    assert_eq!(num(&r, "pending"), 0, "{r}");
    assert_eq!(num(&status(&f), "pending_ops"), 0);
    assert_eq!(hub.ops_containing(&note), 1, "the hub should hold the note once");
    assert!(show_text(&f, &case).contains(&note));
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
