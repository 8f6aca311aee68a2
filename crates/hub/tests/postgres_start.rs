//! Starting the hub on PostgreSQL with something wrong: another hub key, a server that is not
//! there, a URL that is not PostgreSQL's, a data dir beside it. Each is refused with a message
//! saying what to fix, changes nothing, and never shows the URL's password.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output, Stdio};

use casebook_testkit::postgres::Cluster;
use casebook_testkit::process::free_port;
use casebook_testkit::util::{describe, random_bytes};

const BIN: &str = env!("CARGO_BIN_EXE_casebook-hub");

fn key() -> String {
    random_bytes::<32>().iter().map(|b| format!("{b:02x}")).collect()
}

/// `casebook-hub --database URL ARGS...` with the key in CASEBOOK_HUB_KEY.
fn hub(url: &str, key: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .env_remove("CASEBOOK_HUB_DATA")
        .env_remove("CASEBOOK_HUB_DATABASE")
        .env("CASEBOOK_HUB_KEY", key)
        .arg("--database")
        .arg(url)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// The password in a `postgres://user:password@host...` URL.
fn password(url: &str) -> String {
    let after_scheme = url.split_once("://").unwrap().1;
    let credentials = after_scheme.split_once('@').unwrap().0;
    credentials.split_once(':').unwrap().1.to_owned()
}

#[track_caller]
fn refused(out: &Output, says: &str, secret: &str) {
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(!out.status.success(), "should fail: {}", describe(out));
    assert!(stderr.contains(says), "should say {says:?}: {}", describe(out));
    assert!(
        !stdout.contains(secret) && !stderr.contains(secret),
        "the database password was shown: {}",
        describe(out)
    );
}

#[test]
fn a_wrong_key_a_missing_server_and_a_foreign_url_are_refused_without_showing_the_password() {
    let cluster = Cluster::start().expect("a scratch PostgreSQL cluster");
    let url = cluster.create_database("hub").unwrap();
    let secret = password(&url);
    let right = key();
    let added = hub(
        &url,
        &right,
        &["user", "add", "Sam", "--role", "facilitator", "--json"],
    );
    assert!(added.status.success(), "{}", describe(&added));

    // Another key: refused at start, before anything is written under it.
    let other = hub(&url, &key(), &["user", "add", "Ann", "--role", "facilitator"]);
    refused(
        &other,
        "the hub key does not open this PostgreSQL database",
        &secret,
    );
    let users = hub(&url, &right, &["case", "list", "--json"]);
    assert!(users.status.success(), "{}", describe(&users));
    let again = hub(&url, &right, &["user", "add", "Ann", "--role", "facilitator"]);
    assert!(
        again.status.success(),
        "nothing of the refused command was kept: {}",
        describe(&again)
    );

    // No server on that port.
    let nowhere = format!("postgres://casebook:{secret}@127.0.0.1:{}/hub", free_port());
    let down = hub(&nowhere, &right, &["case", "list"]);
    refused(
        &down,
        "could not connect to postgres://casebook@127.0.0.1:",
        &secret,
    );

    // Not a PostgreSQL URL at all.
    let foreign = format!("mysql://casebook:{secret}@127.0.0.1/hub");
    let out = hub(&foreign, &right, &["case", "list"]);
    refused(&out, "must start with postgres://", &secret);

    // A data dir set in the environment (an image's default) gives way to the database; given
    // on the command line beside it, it is refused.
    let scratch = tempfile::tempdir().unwrap();
    let default_dir = scratch.path().join("hub");
    let listed = Command::new(BIN)
        .env("CASEBOOK_HUB_DATA", &default_dir)
        .env("CASEBOOK_HUB_DATABASE", &url)
        .env("CASEBOOK_HUB_KEY", &right)
        .args(["user", "add", "Bea", "--role", "facilitator"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(listed.status.success(), "{}", describe(&listed));
    assert!(!default_dir.exists(), "nothing was made in the data dir");
    let both = hub(
        &url,
        &right,
        &["--data", default_dir.to_str().unwrap(), "case", "list"],
    );
    refused(&both, "give --data DIR or --database URL, not both", &secret);
    drop(cluster);
}
