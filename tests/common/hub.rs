//! Enrolled stores and a real hub: the `casebook-hub` binary (alone, or several processes on
//! one scratch PostgreSQL database), users and their laptops, notes, `sync`, and the readings
//! of a store that sync tests compare.

use std::path::{Path, PathBuf};

use casebook_testkit::hub::Hub;
use casebook_testkit::util::describe;
use serde_json::Value;

use super::{EXIT_OK, Store, bin};

/// The hub binary: built by another package, so it is looked up next to `casebook`.
pub fn hub_bin() -> PathBuf {
    Path::new(bin()).with_file_name("casebook-hub")
}

/// A new, empty `casebook-hub` on a free port of 127.0.0.1 (see `casebook_testkit::hub`).
pub fn start_hub() -> Hub {
    Hub::start(hub_bin())
}

/// Hub processes of the real binary sharing one database of a scratch PostgreSQL cluster
/// (issue 11). The processes stop before the cluster does.
pub struct ScratchHubs {
    hubs: Vec<Hub>,
    _cluster: casebook_testkit::postgres::Cluster,
}

impl ScratchHubs {
    /// `n` hub processes on a new cluster's database, under one random key.
    pub fn start(n: usize) -> Self {
        let cluster = casebook_testkit::postgres::Cluster::start().expect("a scratch PostgreSQL cluster");
        let url = cluster.create_database("hub").expect("a database for the hub");
        let key: String = casebook_testkit::util::random_bytes::<32>()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let hubs = (0..n)
            .map(|_| Hub::start_on_database(hub_bin(), &url, &key, &[]))
            .collect();
        Self {
            hubs,
            _cluster: cluster,
        }
    }

    /// The processes.
    pub fn hubs(&self) -> Vec<&Hub> {
        self.hubs.iter().collect()
    }
}

/// A new store (folder created by `enroll`) enrolled with `hub` using `code`.
#[track_caller]
pub fn enroll(hub: &Hub, code: &str, name: &str) -> Store {
    let store = Store::empty();
    let v = store.json(&["enroll", "--hub", &hub.url, "--code", code, "--name", name]);
    assert!(
        v["device_id"].as_str().is_some(),
        "enroll --json: no device_id in {v}"
    );
    store
}

/// A new user of `hub` with a freshly enrolled laptop named after them.
#[track_caller]
pub fn member(hub: &Hub, name: &str, role: &str, team: Option<&str>) -> Store {
    enroll(hub, &hub.add_user(name, role, team), &format!("{name}-laptop"))
}

/// A finalised visit note on `case` with the party `Ann` (who must exist on `store`), dated
/// 20 Nov 2026; returns its id.
#[track_caller]
pub fn add_note(store: &Store, case: &str, notes: &str) -> String {
    add_visit(store, case, notes, &[])
}

/// A draft visit note (still editable, never sent until finalised and synced), otherwise as
/// [`add_note`]; returns its id.
#[track_caller]
pub fn add_draft(store: &Store, case: &str, notes: &str) -> String {
    add_visit(store, case, notes, &["--draft"])
}

#[track_caller]
fn add_visit(store: &Store, case: &str, notes: &str, more: &[&str]) -> String {
    let mut args = vec![
        "contact",
        "add",
        case,
        "--party",
        "Ann",
        "--kind",
        "visit",
        "--date",
        "2026-11-20",
        "--notes",
        notes,
    ];
    args.extend_from_slice(more);
    store.create(&args)
}

/// `sync --json` on `store`, asserting exit 0.
#[track_caller]
pub fn sync(store: &Store, hub: &Hub) -> Value {
    let out = store.run(&["sync", "--json"]);
    if out.status.code() != Some(EXIT_OK) {
        panic!(
            "casebook sync --json: expected exit 0\n{}\n{}",
            describe(&out),
            hub.log_tail()
        );
    }
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("sync --json: stdout is not JSON ({e})\n{}", describe(&out)))
}

/// `status --json`
#[track_caller]
pub fn status(store: &Store) -> Value {
    store.json(&["status"])
}

/// A number field of a JSON object, asserted present.
#[track_caller]
pub fn num(v: &Value, field: &str) -> u64 {
    v[field]
        .as_u64()
        .unwrap_or_else(|| panic!("no number {field:?} in {v}"))
}

/// The ids of `case list --json`, sorted.
#[track_caller]
pub fn case_ids(store: &Store) -> Vec<String> {
    let mut ids: Vec<String> = store
        .cases()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

/// (id, summary) of every case of `case list --json`, sorted.
#[track_caller]
pub fn case_summaries(store: &Store) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = store
        .cases()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_owned(),
                c["summary"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    all.sort();
    all
}

/// The open conflicts of `conflicts --json`.
#[track_caller]
pub fn conflicts(store: &Store) -> Vec<Value> {
    let v = store.json(&["conflicts"]);
    v["conflicts"]
        .as_array()
        .unwrap_or_else(|| panic!("conflicts --json: no \"conflicts\" array in {v}"))
        .clone()
}
