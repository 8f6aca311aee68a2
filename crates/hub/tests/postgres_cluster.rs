//! The scratch PostgreSQL of the tests (`casebook_testkit::postgres`): it starts on a free port
//! of 127.0.0.1, takes a password login, answers, and is gone (postmaster and files) once dropped.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use casebook_testkit::postgres::Cluster;
use casebook_testkit::process::alive;

#[test]
fn a_scratch_cluster_answers_and_its_postmaster_is_gone_after_drop() {
    let cluster = Cluster::start().expect("start a scratch PostgreSQL");
    let pid = cluster.pid();
    let url = cluster.url().to_owned();
    assert!(url.starts_with("postgres://casebook:"), "{url}");
    assert!(
        url.contains(&format!("@127.0.0.1:{}/casebook", cluster.port())),
        "{url}"
    );
    assert!(alive(pid), "the postmaster runs while the cluster is held");
    // PostgreSQL refuses root: as root, the postmaster (this very pid, not a wrapper) is casebook-pg's.
    if uid_of("self") == 0 {
        assert_ne!(uid_of(&pid.to_string()), 0, "the postmaster runs as root");
        assert!(casebook_testkit::process::comm(pid).starts_with("postgres"));
    }

    let mut client = cluster.connect().expect("connect with the password");
    let one: i32 = client.query_one("select 1", &[]).expect("select 1").get(0);
    assert_eq!(one, 1);
    let listening: String = client
        .query_one("select current_setting('listen_addresses')", &[])
        .expect("listen_addresses")
        .get(0);
    assert_eq!(listening, "127.0.0.1", "never on another interface");

    // A wrong password is refused: the cluster does not trust local connections.
    let wrong = url.replacen("postgres://casebook:", "postgres://casebook:x", 1);
    assert!(postgres::Client::connect(&wrong, postgres::NoTls).is_err());

    let data_dir: String = client
        .query_one("select current_setting('data_directory')", &[])
        .expect("data_directory")
        .get(0);
    // A connection left open must not hold the shutdown up (fast shutdown ends it).
    drop(cluster);
    assert!(!alive(pid), "the postmaster {pid} still runs after drop");
    assert!(
        !std::path::Path::new(&data_dir).exists(),
        "{data_dir} is left behind"
    );
    assert!(client.is_closed() || client.simple_query("select 1").is_err());
}

/// The effective uid of `/proc/<pid>`.
fn uid_of(pid: &str) -> u32 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .expect("status")
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1)?.parse().ok())
        .expect("Uid line")
}

#[test]
fn two_clusters_run_side_by_side_with_several_databases() {
    let a = Cluster::start().expect("first cluster");
    let b = Cluster::start().expect("second cluster");
    assert_ne!(a.port(), b.port());
    let other = a.create_database("second").expect("create a second database");
    let mut client = postgres::Client::connect(&other, postgres::NoTls).expect("connect");
    let name: String = client
        .query_one("select current_database()", &[])
        .expect("current_database")
        .get(0);
    assert_eq!(name, "second");
}
