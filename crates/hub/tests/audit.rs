//! The audit trail over real HTTP and the real binary: reads, pushes, refusals and admin
//! commands are recorded; altering, deleting or reordering an entry in the database (by
//! someone holding it and the hub's key) is found by `audit verify`; a head kept elsewhere
//! catches truncation. On either backend: on PostgreSQL an entry is sealed, so an alteration
//! is sealed again with the key, as such a person could.
#![allow(missing_docs, clippy::unwrap_used)]

mod common;

use casebook_domain::CaseId;
use casebook_hub::HubKey;
use casebook_hub::audit::AuditAction;
use casebook_hub::storage::seal::{key_id, row_aad};
use casebook_hub::storage::{AuditQuery, Verification};
use casebook_hub::storage::{DataKey, Sealer};
use casebook_protocol::Role;
use casebook_testkit::inproc::{self, TestHub, new_case, note};
use common::raw::{Arg, Raw};
use common::{HubStore, hub_cli, ok_json};
use serde_json::{Value, json};

/// A hub with a facilitator's case, a pull of it by a coordinator and a few more entries.
async fn busy_hub() -> (TestHub, CaseId) {
    let hub = inproc::start().await;
    let femi = hub.user("Femi", Role::Facilitator, Some("north")).await;
    let cora = hub.user("Cora", Role::Coordinator, None).await;
    let case = CaseId::new();
    let mut ops = inproc::opened_case(&femi, case);
    ops.push(note(&femi, case, "first visit"));
    let pushed = hub.push(&femi, &ops).await;
    assert!(pushed.results.iter().all(|r| r.outcome.is_held()), "{pushed:?}");
    let page = hub.pull(&cora, 0, &[], 100).await;
    assert!(page.ops.iter().any(|o| o.op.case_id == case));
    (hub, case)
}

/// An entry's hashed text as someone holding the database and the key can read and rewrite
/// it: `entry_json` on SQLite; on PostgreSQL the sealed `entry`, opened and sealed again under
/// the hub's key (bound to its seq, as the hub seals it).
struct Entries<'a> {
    store: &'a HubStore,
    raw: Raw,
}

impl<'a> Entries<'a> {
    fn of(store: &'a HubStore) -> Self {
        Self {
            store,
            raw: Raw::of(store),
        }
    }

    /// Entry `seq`'s sealed contents on PostgreSQL, and a sealer under the key they name.
    fn sealed(url: &str, key: &str, seq: i64) -> (Vec<u8>, Sealer) {
        let sealed: Vec<u8> = casebook_testkit::postgres::with_client(url, |c| {
            c.query_one("SELECT entry FROM audit WHERE seq = $1", &[&seq])
                .unwrap()
                .get(0)
        });
        let key = HubKey::from_hex(key).unwrap();
        let sealer = Sealer::new(DataKey::derive(&key, key_id(&sealed).unwrap()), []);
        (sealed, sealer)
    }

    /// The text of entry `seq`.
    fn text(&self, seq: i64) -> String {
        match (&self.raw, self.store) {
            (Raw::Sqlite(db), _) => db
                .query_row("SELECT entry_json FROM audit WHERE seq = ?1", [seq], |r| r.get(0))
                .unwrap(),
            (Raw::Postgres(url), HubStore::Database { key, .. }) => {
                let (sealed, sealer) = Self::sealed(url, key, seq);
                let plain = sealer.open(&sealed, &entry_aad(seq)).unwrap();
                String::from_utf8(plain.to_vec()).unwrap()
            }
            (Raw::Postgres(_), HubStore::Dir(_)) => unreachable!("a data dir is SQLite"),
        }
    }

    /// Writes `text` as entry `seq`'s contents, leaving its columns and hashes alone.
    fn rewrite(&self, seq: i64, text: &str) {
        match (&self.raw, self.store) {
            (Raw::Sqlite(db), _) => {
                db.execute(
                    "UPDATE audit SET entry_json = ?2 WHERE seq = ?1",
                    rusqlite::params![seq, text],
                )
                .unwrap();
            }
            (Raw::Postgres(url), HubStore::Database { key, .. }) => {
                let (_, sealer) = Self::sealed(url, key, seq);
                let resealed = sealer.seal(text.as_bytes(), &entry_aad(seq)).unwrap();
                casebook_testkit::postgres::with_client(url, |c| {
                    c.execute("UPDATE audit SET entry = $2 WHERE seq = $1", &[&seq, &resealed])
                        .unwrap()
                });
            }
            (Raw::Postgres(_), HubStore::Dir(_)) => unreachable!("a data dir is SQLite"),
        }
    }

    /// Sets entry `seq`'s user column to the user its text names.
    fn restore_user(&self, seq: i64) {
        let body: Value = serde_json::from_str(&self.text(seq)).unwrap();
        let user = body["user"].as_str().unwrap();
        let sql = match self.raw {
            Raw::Sqlite(_) => "UPDATE audit SET user_id = $2 WHERE seq = $1",
            Raw::Postgres(_) => "UPDATE audit SET user_id = $2::text::uuid WHERE seq = $1",
        };
        assert_eq!(self.raw.execute(sql, &[Arg::Int(seq), Arg::Text(user)]), 1);
    }
}

/// What the hub binds entry `seq`'s seal to: moved to another seq, it no longer opens.
fn entry_aad(seq: i64) -> Vec<u8> {
    row_aad("audit", "entry", &seq.to_string())
}

fn verify(hub: &TestHub) -> Verification {
    hub.admin().verify_audit(None).unwrap()
}

fn broken_at(verification: &Verification) -> u64 {
    match verification {
        Verification::Broken { seq, .. } => *seq,
        Verification::Intact { head, .. } => panic!("the change was not found; head {head:?}"),
    }
}

#[tokio::test]
async fn a_coordinators_read_of_a_case_is_in_audit_show_for_that_case() {
    let (hub, case) = busy_hub().await;
    let references = hub.admin().case_references().unwrap();
    let reference = references[&case].clone();

    let shown = ok_json(hub.store(), &["audit", "show", "--case", &reference, "--json"]);
    let entries = shown.as_array().unwrap();
    let pulls: Vec<&Value> = entries
        .iter()
        .filter(|e| e["action"] == "pull" && e["user"]["name"] == "Cora")
        .collect();
    assert_eq!(pulls.len(), 1, "{shown:#}");
    assert_eq!(pulls[0]["cases"][0]["reference"], reference.as_str());
    assert!(pulls[0]["detail"]["ops"].as_u64().unwrap() >= 2);
    assert!(
        entries.iter().any(|e| e["action"] == "push"
            && e["user"]["name"] == "Femi"
            && e["detail"]["accepted"].as_u64() >= Some(3)),
        "Femi's push is there too: {shown:#}"
    );
    // Nothing of the note's text reaches the audit.
    assert!(!shown.to_string().contains("first visit"));

    let by_user = ok_json(hub.store(), &["audit", "show", "--user", "Cora", "--json"]);
    assert!(
        by_user
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["user"]["name"] == "Cora")
    );
    let text = hub_cli(hub.store(), &["audit", "show", "--case", &reference]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("pull") && text.contains("Cora (laptop)"), "{text}");
}

#[tokio::test]
async fn refusals_and_admin_commands_are_recorded() {
    let (hub, case) = busy_hub().await;
    let farah = hub.user("Farah", Role::Facilitator, Some("south")).await;
    // Out of scope: answered as "no such case", and recorded with who asked.
    let (status, _) = hub
        .get(&format!("/v1/cases/{case}/history"), Some(&farah.token))
        .await;
    assert_eq!(status.as_u16(), 404);
    for _ in 0..3 {
        let (status, _) = hub
            .post("/v1/pull", Some("not-a-token"), &json!({"cursor": 0}))
            .await;
        assert_eq!(status.as_u16(), 401);
    }
    let reference = hub.admin().case_references().unwrap()[&case].clone();
    let assigned = hub_cli(hub.store(), &["case", "assign", &reference, "--to", "Farah"]);
    assert!(assigned.status.success());

    let entries = hub.admin().audit_entries(&AuditQuery::default()).unwrap();
    let refused: Vec<_> = entries
        .iter()
        .filter(|e| e.body.action == AuditAction::Refused)
        .collect();
    assert!(
        refused.iter().any(|e| e.body.user == Some(farah.user)
            && e.body.detail["code"] == "not_found"
            && e.body.detail["path"] == "/v1/cases/{case_id}/history"),
        "{refused:#?}"
    );
    let unauthorized: u64 = refused
        .iter()
        .filter(|e| e.body.detail["code"] == "unauthorized")
        .map(|e| e.body.detail["count"].as_u64().unwrap())
        .sum();
    assert_eq!(unauthorized, 3, "every bad token counts: {refused:#?}");
    let assign = entries
        .iter()
        .find(|e| e.body.action == AuditAction::Assign)
        .unwrap();
    assert_eq!(assign.body.cases, vec![case]);
    assert_eq!(assign.body.detail["operator"], "ops-alice");
    assert_eq!(assign.body.detail["lead"], json!(farah.user));
    for action in [AuditAction::UserAdd, AuditAction::CodeIssued, AuditAction::Enroll] {
        assert!(entries.iter().any(|e| e.body.action == action), "{action:?}");
    }
    assert!(matches!(verify(&hub), Verification::Intact { .. }));
}

#[tokio::test]
async fn altering_deleting_or_reordering_an_entry_is_found_by_verify() {
    let (hub, _case) = busy_hub().await;
    let out = hub_cli(hub.store(), &["audit", "verify"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let total = hub.admin().audit_head().unwrap().seq;
    assert!(
        total >= 6,
        "users, codes, enrollments, a push and a pull: {total}"
    );
    let entries = Entries::of(hub.store());
    let db = &entries.raw;

    // Altered: a pull made to look like a push.
    let pull_seq = db.integer("SELECT seq FROM audit WHERE action = 'pull'", &[]);
    let original = entries.text(pull_seq);
    entries.rewrite(pull_seq, &original.replace("\"pull\"", "\"push\""));
    db.execute(
        "UPDATE audit SET action = 'push' WHERE seq = $1",
        &[Arg::Int(pull_seq)],
    );
    assert_eq!(broken_at(&verify(&hub)), u64::try_from(pull_seq).unwrap());
    db.execute(
        "UPDATE audit SET action = 'pull' WHERE seq = $1",
        &[Arg::Int(pull_seq)],
    );
    entries.rewrite(pull_seq, &original);
    assert!(matches!(verify(&hub), Verification::Intact { .. }));

    // A column changed to hide an entry from `show --user`, its hashed text left alone.
    db.execute(
        "UPDATE audit SET user_id = NULL WHERE seq = $1",
        &[Arg::Int(pull_seq)],
    );
    assert_eq!(broken_at(&verify(&hub)), u64::try_from(pull_seq).unwrap());
    entries.restore_user(pull_seq);
    // The case index emptied, so `show --case` would miss the read.
    db.execute("DELETE FROM audit_cases WHERE seq = $1", &[Arg::Int(pull_seq)]);
    assert_eq!(broken_at(&verify(&hub)), u64::try_from(pull_seq).unwrap());
    let cli = hub_cli(hub.store(), &["audit", "verify"]);
    assert!(!cli.status.success());
    let message = String::from_utf8_lossy(&cli.stderr);
    assert!(message.contains(&format!("entry {pull_seq}")), "{message}");
    drop(entries);
    drop(hub);

    // Deleted and reordered, each on a fresh hub.
    let (hub, _) = busy_hub().await;
    let db = Raw::of(hub.store());
    db.batch("DELETE FROM audit_cases WHERE seq = 3; DELETE FROM audit WHERE seq = 3;");
    assert_eq!(broken_at(&verify(&hub)), 3, "a deleted entry leaves a gap");
    drop(db);
    drop(hub);

    let (hub, _) = busy_hub().await;
    let db = Raw::of(hub.store());
    db.batch(
        "UPDATE audit SET seq = -1 WHERE seq = 2;
         UPDATE audit SET seq = 2 WHERE seq = 3;
         UPDATE audit SET seq = 3 WHERE seq = -1;",
    );
    assert_eq!(broken_at(&verify(&hub)), 2, "two entries swapped");
}

#[tokio::test]
async fn a_head_kept_elsewhere_catches_the_newest_entries_being_cut_off() {
    let (hub, _case) = busy_hub().await;
    let kept = ok_json(hub.store(), &["audit", "head", "--json"]);
    let kept = kept["hash"].as_str().unwrap().to_owned();
    let femi = hub.user("Femi2", Role::Facilitator, Some("north")).await;
    hub.push(&femi, &[new_case(&femi, CaseId::new())]).await;
    let ok = hub_cli(hub.store(), &["audit", "verify", "--head", &kept]);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(String::from_utf8_lossy(&ok.stdout).contains("holds the head you kept"));

    // Everything from the kept head on is removed: the rest still chains, but the head is gone.
    let db = Raw::of(hub.store());
    let from = db.integer("SELECT seq FROM audit WHERE hash = $1", &[Arg::Text(&kept)]);
    db.execute("DELETE FROM audit_cases WHERE seq >= $1", &[Arg::Int(from)]);
    db.execute("DELETE FROM audit WHERE seq >= $1", &[Arg::Int(from)]);
    if let Raw::Postgres(_) = db {
        // Its one-row head moved back too, so the hub appends after the cut as if nothing
        // had been there.
        db.execute(
            "UPDATE audit_head SET seq = a.seq, hash = a.hash FROM audit a WHERE a.seq = $1",
            &[Arg::Int(from - 1)],
        );
    }
    assert!(matches!(verify(&hub), Verification::Intact { .. }));
    let cut = hub_cli(hub.store(), &["audit", "verify", "--head", &kept]);
    assert!(!cut.status.success());
    assert!(String::from_utf8_lossy(&cut.stderr).contains("does not hold the head you kept"));
}
