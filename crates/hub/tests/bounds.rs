//! The hub's bounds against a real server on loopback: pull and history pages end at a byte
//! budget as well as an op count without skipping or repeating an op, a request that does not
//! finish in time gets an error answer, and a silent connection is closed.
#![allow(missing_docs, clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use casebook_domain::CaseId;
use casebook_hub::ServeConfig;
use casebook_protocol::messages::MAX_PAGE_BYTES;
use casebook_protocol::{HistoryResponse, PulledOp, Role};
use casebook_testkit::inproc::{Device, TestHub, note, opened_case, start, start_with};
use reqwest::StatusCode;

/// Text of a big visit note: just under the 1 MiB a field may hold.
fn big_text(i: usize) -> String {
    let mut text = format!("Visit {i}. ");
    while text.len() < 1_000_000 - 64 {
        text.push_str("She described the evening in detail, and what it has cost her since. ");
    }
    text
}

/// A facilitator's case with `notes` big notes, pushed a few at a time (each push is ~4 MB);
/// and how many ops were pushed.
async fn big_case(hub: &TestHub, notes: usize) -> (Device, CaseId, usize) {
    let fay = hub.user("Fay", Role::Facilitator, Some("north")).await;
    let case = CaseId::new();
    let opened = opened_case(&fay, case);
    hub.push(&fay, &opened).await;
    let ops: Vec<_> = (0..notes).map(|i| note(&fay, case, &big_text(i))).collect();
    for batch in ops.chunks(4) {
        let answer = hub.push(&fay, batch).await;
        assert!(
            answer.results.iter().all(|r| r.outcome.is_held()),
            "{:?}",
            answer
                .results
                .iter()
                .filter(|r| !r.outcome.is_held())
                .collect::<Vec<_>>()
        );
    }
    (fay, case, opened.len() + notes)
}

fn page_bytes(ops: &[PulledOp]) -> usize {
    ops.iter()
        .map(|o| serde_json::to_string(&o.op).unwrap().len())
        .sum()
}

/// Every page within the budget (or a single op), seqs strictly increasing across pages.
fn check_pages(pages: &[Vec<PulledOp>]) -> Vec<u64> {
    let mut seqs = Vec::new();
    for page in pages {
        assert!(!page.is_empty(), "a page that says more follow must hold an op");
        let bytes = page_bytes(page);
        assert!(
            page.len() == 1 || bytes <= MAX_PAGE_BYTES,
            "a page of {} ops holds {bytes} bytes of ops",
            page.len()
        );
        seqs.extend(page.iter().map(|o| o.seq));
    }
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "no op repeated, in order: {seqs:?}"
    );
    seqs
}

#[tokio::test]
async fn pull_and_history_pages_end_at_the_byte_budget_and_skip_nothing() {
    let hub = start().await;
    let (fay, case, pushed) = big_case(&hub, 10).await;
    // What was pushed and what the hub added (the case's reference).
    let expected = usize::try_from(hub.admin().cases().unwrap()[0].ops).unwrap();
    assert!(expected > pushed, "{expected} ops held, {pushed} pushed");

    // Pull, asking for far more ops than fit in the budget.
    let (mut cursor, mut pages) = (0, Vec::new());
    loop {
        let page = hub.pull(&fay, cursor, &[case], 1000).await;
        assert!(page.next_cursor >= cursor);
        let more = page.more;
        cursor = page.next_cursor;
        pages.push(page.ops);
        if !more {
            break;
        }
        assert!(pages.len() <= expected, "the pull does not end");
    }
    assert!(
        pages.len() >= 3,
        "10 MB of notes in pages of 4 MiB: {} pages",
        pages.len()
    );
    let seqs = check_pages(&pages);
    assert_eq!(seqs.len(), expected, "every op exactly once");
    let last = hub.pull(&fay, cursor, &[case], 1000).await;
    assert!(last.ops.is_empty() && !last.more);

    // The count still bounds a page of small ops.
    let counted = hub.pull(&fay, 0, &[case], 1).await;
    assert_eq!((counted.ops.len(), counted.more), (1, true));

    // History, the same way.
    let (mut after, mut pages) = (0, Vec::new());
    loop {
        let (status, body) = hub
            .get(
                &format!("/v1/cases/{case}/history?after={after}&limit=1000"),
                Some(&fay.token),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let page: HistoryResponse = serde_json::from_value(body).unwrap();
        after = page.next_after;
        pages.push(page.ops);
        if !page.more {
            break;
        }
        assert!(pages.len() <= expected, "the history does not end");
    }
    assert!(pages.len() >= 3);
    assert_eq!(
        check_pages(&pages),
        seqs,
        "history holds the same ops as the pull"
    );
}

/// Sends `head` (and whatever body it announces, in part) on a raw connection and returns
/// everything the hub answers until it closes the connection.
fn raw_exchange(url: &str, head: &str) -> std::io::Result<String> {
    let addr = url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(addr)?;
    // Only so that a broken hub fails the test instead of hanging it.
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    stream.write_all(head.as_bytes())?;
    let mut answer = Vec::new();
    match stream.read_to_end(&mut answer) {
        Ok(_) => {}
        // A close with unread input is a reset on Linux: what was answered before it counts.
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        Err(e) => return Err(e),
    }
    Ok(String::from_utf8_lossy(&answer).into_owned())
}

#[tokio::test]
async fn a_request_whose_body_stalls_gets_an_error_answer() {
    let hub = start_with(ServeConfig {
        request_timeout: Duration::from_secs(1),
        ..ServeConfig::default()
    })
    .await;
    let fay = hub.user("Fay", Role::Facilitator, None).await;
    let head = format!(
        "POST /v1/push HTTP/1.1\r\nhost: hub\r\ncasebook-protocol: 1\r\nauthorization: Bearer {}\r\n\
         content-type: application/json\r\ncontent-length: 1000\r\n\r\n{{\"ops\": [",
        fay.token
    );
    let url = hub.url.clone();
    let answer = tokio::task::spawn_blocking(move || raw_exchange(&url, &head))
        .await
        .unwrap()
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains(r#""code":"internal""#), "{answer}");
    assert!(
        answer.contains("did not finish this request within 1 s"),
        "{answer}"
    );

    // The hub still serves.
    let (status, _) = hub.get("/v1/status", Some(&fay.token)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_silent_connection_is_closed() {
    let hub = start_with(ServeConfig {
        idle_timeout: Duration::from_secs(1),
        ..ServeConfig::default()
    })
    .await;
    let url = hub.url.clone();
    // Half a request line, then silence.
    let answer = tokio::task::spawn_blocking(move || raw_exchange(&url, "GET /v1/sta"))
        .await
        .unwrap();
    match answer {
        Ok(text) => assert!(text.is_empty() || text.starts_with("HTTP/1.1 408"), "{text}"),
        Err(e) => panic!("the hub kept a silent connection open: {e}"),
    }
}
