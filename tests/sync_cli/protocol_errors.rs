//! The protocol's error answers over raw HTTP: the documented status and JSON body for an old
//! protocol, a missing token and garbage bodies, and a hub that keeps serving afterwards.

use crate::common::*;

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
