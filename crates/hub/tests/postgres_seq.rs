//! The claim of docs/hub.md, "Several hub processes on PostgreSQL", on the real schema: numbers
//! taken from `op_seq` under its row lock until commit become visible in order, so a reader
//! paging with a cursor never skips an op, however the pushes of several connections interleave.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use casebook_hub::storage::pg_schema::migrate;
use casebook_testkit::postgres::Cluster;
use casebook_testkit::util::random_between;
use postgres::{Client, NoTls};
use uuid::Uuid;

const WRITERS: usize = 4;
const PUSHES: usize = 25;

/// One push as the backend is to make it: other writes first, then the numbers, the ops, commit.
/// `linger` holds the lock a while before the commit, so pushes of other connections queue.
fn push(client: &mut Client, case: Uuid, ops: i64, linger: Duration) -> i64 {
    let mut tx = client.transaction().expect("begin");
    let last: i64 = tx
        .query_one("UPDATE op_seq SET last = last + $1 RETURNING last", &[&ops])
        .expect("take numbers")
        .get(0);
    for seq in last - ops + 1..=last {
        tx.execute(
            "INSERT INTO ops (seq, op_id, case_id, payload, received_at) VALUES ($1, $2, $3, $4, 0)",
            &[&seq, &Uuid::now_v7(), &case, &b"sealed".as_slice()],
        )
        .expect("insert op");
    }
    std::thread::sleep(linger);
    tx.commit().expect("commit");
    last
}

fn new_case(client: &mut Client) -> Uuid {
    let case = Uuid::now_v7();
    client
        .execute(
            "INSERT INTO cases (id, reference, created_at) VALUES ($1, $2, 0)",
            &[&case, &format!("RH-TEST-{case}")],
        )
        .expect("case");
    case
}

#[test]
fn a_push_waits_for_the_one_holding_the_numbers_and_readers_see_neither_until_commit() {
    let cluster = Cluster::start().expect("scratch PostgreSQL");
    let mut setup = cluster.connect().expect("connect");
    migrate(&mut setup).expect("migrate");
    let case = new_case(&mut setup);

    let mut first = cluster.connect().expect("connect");
    let mut tx = first.transaction().expect("begin");
    let one: i64 = tx
        .query_one("UPDATE op_seq SET last = last + 1 RETURNING last", &[])
        .expect("take")
        .get(0);
    assert_eq!(one, 1);

    let url = cluster.url().to_owned();
    let second = std::thread::spawn(move || {
        let mut client = Client::connect(&url, NoTls).expect("connect");
        push(&mut client, case, 1, Duration::ZERO)
    });
    // The second push waits on the row lock (seen by the server), not on anything of ours.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let waiting: i64 = setup
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'UPDATE op_seq%'",
                &[],
            )
            .expect("pg_stat_activity")
            .get(0);
        if waiting == 1 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the second push never waited for the first"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let visible: i64 = setup
        .query_one("SELECT count(*) FROM ops", &[])
        .expect("count")
        .get(0);
    assert_eq!(visible, 0);

    tx.execute(
        "INSERT INTO ops (seq, op_id, case_id, payload, received_at) VALUES (1, $1, $2, '\\x00', 0)",
        &[&Uuid::now_v7(), &case],
    )
    .expect("insert");
    tx.commit().expect("commit");
    assert_eq!(
        second.join().expect("second push"),
        2,
        "numbered after the first committed"
    );
}

#[test]
fn a_reader_paging_with_a_cursor_never_skips_an_op_of_interleaved_pushes() {
    let cluster = Cluster::start().expect("scratch PostgreSQL");
    let mut setup = cluster.connect().expect("connect");
    migrate(&mut setup).expect("migrate");
    let case = new_case(&mut setup);

    let start = Arc::new(Barrier::new(WRITERS + 1));
    let done = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..WRITERS)
        .map(|_| {
            let url = cluster.url().to_owned();
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                let mut client = Client::connect(&url, NoTls).expect("connect");
                start.wait();
                let mut written = 0;
                for _ in 0..PUSHES {
                    let ops = random_between(1, 4) as i64;
                    push(
                        &mut client,
                        case,
                        ops,
                        Duration::from_millis(random_between(0, 4)),
                    );
                    written += ops;
                }
                written
            })
        })
        .collect();

    // The reader: pages of at most 7 after its cursor, as a pull does. Every page must start
    // right after the cursor and be contiguous: a later number seen before an earlier one
    // committed would show as a gap here.
    let mut reader = cluster.connect().expect("connect");
    start.wait();
    let mut cursor = 0i64;
    let mut pages_during = 0;
    loop {
        let finished = done.load(Ordering::SeqCst);
        let page: Vec<i64> = reader
            .query(
                "SELECT seq FROM ops WHERE seq > $1 ORDER BY seq LIMIT 7",
                &[&cursor],
            )
            .expect("page")
            .iter()
            .map(|r| r.get(0))
            .collect();
        for seq in &page {
            assert_eq!(*seq, cursor + 1, "the reader skipped from {cursor} to {seq}");
            cursor = *seq;
        }
        if !finished && !page.is_empty() {
            pages_during += 1;
        }
        if page.is_empty() && finished {
            break;
        }
        if writers.iter().all(|w| w.is_finished()) {
            done.store(true, Ordering::SeqCst);
        }
    }
    let written: i64 = writers.into_iter().map(|w| w.join().expect("writer")).sum();
    assert_eq!(cursor, written, "the reader saw every op");
    assert!(
        pages_during >= 2,
        "the reader read while the pushes ran ({pages_during} pages)"
    );
    let last: i64 = reader
        .query_one("SELECT last FROM op_seq", &[])
        .expect("op_seq")
        .get(0);
    assert_eq!(last, written);
}
