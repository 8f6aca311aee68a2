//! The store through its public API, on real SQLCipher files in scratch directories.
#![allow(clippy::unwrap_used, missing_docs)]

use std::collections::BTreeMap;
use std::path::Path;

use casebook_domain::{
    CaseKind, CaseStatus, ConsentDecision, ConsentMethod, ConsentScope, ContactKind, JusticeStage, PartyRole,
    ReferralSource, RuleError,
};
use casebook_store::model::{
    CaseEdit, NewCase, NewConsent, NewContact, NewParty, Person, SupervisionNoteView, TimelineEntry,
};
use casebook_store::{CaseFilter, SecretString, Store, StoreError, StorePaths};
use chrono::NaiveDate;

fn pass(s: &str) -> SecretString {
    SecretString::from(s.to_owned())
}

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn new_case(summary: &str) -> NewCase {
    NewCase {
        kind: CaseKind::RestorativeJustice,
        stage: JusticeStage::PostSentence,
        source: ReferralSource::Probation,
        referrer: None,
        summary: summary.into(),
        court_date: None,
        received_on: Some(date("2026-11-01")),
    }
}

fn party(name: &str, role: PartyRole) -> NewParty {
    NewParty {
        role,
        name: name.into(),
        phone: None,
        minor: false,
        guardian_of: None,
    }
}

fn consent(party: casebook_domain::PartyId, scope: ConsentScope, decision: ConsentDecision) -> NewConsent {
    NewConsent {
        party,
        scope,
        decision,
        method: ConsentMethod::Verbal,
        date: None,
        note: None,
    }
}

fn visit(party: casebook_domain::PartyId, notes: &str) -> NewContact {
    NewContact {
        shareable: None,
        party_ids: vec![party],
        kind: ContactKind::Visit,
        date: date("2026-11-03"),
        notes: notes.into(),
        initiated_by_party: false,
        draft: false,
        amends: None,
    }
}

fn hashes(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn ops(store: &Store) -> i64 {
    store
        .connection()
        .query_row("SELECT count(*) FROM ops", [], |r| r.get(0))
        .unwrap()
}

struct Fixture {
    _dir: tempfile::TempDir,
    paths: StorePaths,
}

fn fixture() -> (Fixture, Store) {
    let dir = tempfile::tempdir().unwrap();
    let paths = StorePaths::new(dir.path().join("profile"));
    let store = Store::create(&paths, &pass("correct horse battery")).unwrap();
    (Fixture { _dir: dir, paths }, store)
}

#[test]
fn a_store_reopens_with_its_passphrase_and_refuses_a_wrong_one_untouched() {
    let (f, mut store) = fixture();
    let case = store
        .write(|w| w.create_case(new_case("Broken window at the shop")))
        .unwrap();
    drop(store);
    let before = hashes(&f.paths.dir);
    let err = Store::open(&f.paths, &pass("wrong horse battery")).unwrap_err();
    assert!(matches!(err, StoreError::WrongPassphrase), "{err}");
    assert_eq!(hashes(&f.paths.dir), before, "a failed unlock changed the files");
    let store = Store::open(&f.paths, &pass("correct horse battery")).unwrap();
    assert_eq!(
        store.case_detail(case.id).unwrap().case.summary,
        "Broken window at the shop"
    );
}

#[test]
fn init_never_overwrites_an_existing_store() {
    let (f, store) = fixture();
    drop(store);
    let before = hashes(&f.paths.dir);
    let err = Store::create(&f.paths, &pass("another passphrase")).unwrap_err();
    assert!(matches!(err, StoreError::AlreadyExists { .. }), "{err}");
    assert_eq!(hashes(&f.paths.dir), before);
}

#[test]
fn easily_guessed_passphrases_are_refused_with_advice() {
    let dir = tempfile::tempdir().unwrap();
    for weak in ["short", "password1234", "casebook2026"] {
        let err = Store::create(&StorePaths::new(dir.path().join("p")), &pass(weak)).unwrap_err();
        let StoreError::WeakPassphrase { score, feedback } = &err else {
            panic!("{weak:?}: {err}");
        };
        assert!(*score < 3 && !feedback.is_empty(), "{weak:?}: {err}");
        assert!(err.to_string().contains("too easy to guess"), "{err}");
        assert!(!dir.path().join("p").join("store.key").exists());
    }
    let (f, store) = fixture();
    drop(store);
    let before = hashes(&f.paths.dir);
    let err = Store::change_passphrase(&f.paths, &pass("correct horse battery"), &pass("password1234"))
        .unwrap_err();
    assert!(matches!(err, StoreError::WeakPassphrase { .. }), "{err}");
    assert_eq!(hashes(&f.paths.dir), before);
}

#[test]
fn every_change_is_logged_in_the_same_transaction_and_refusals_leave_nothing() {
    let (_f, mut store) = fixture();
    let case = store.write(|w| w.create_case(new_case("Noise dispute"))).unwrap();
    assert_eq!(ops(&store), 1);
    let ann = store
        .write(|w| w.add_party(case.id, party("Ann", PartyRole::Victim)))
        .unwrap();
    store
        .write(|w| {
            w.record_consent(
                case.id,
                consent(ann, ConsentScope::Contact, ConsentDecision::Withdrawn),
            )
        })
        .unwrap();
    assert_eq!(ops(&store), 3);
    assert_eq!(store.pending_ops().unwrap(), 3);

    // A rule refuses half-way through a transaction: nothing of it is kept.
    let err = store
        .write(|w| {
            w.edit_case(
                case.id,
                CaseEdit {
                    summary: Some("Changed".into()),
                    ..Default::default()
                },
            )?;
            w.add_contact(case.id, visit(ann, "tried to visit"))
        })
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Rule(RuleError::ContactConsentRefused { .. })),
        "{err}"
    );
    assert_eq!(ops(&store), 3);
    assert_eq!(store.case_detail(case.id).unwrap().case.summary, "Noise dispute");

    // The party asked for the contact themselves: allowed.
    let mut call = visit(ann, "Ann rang to ask how things stand");
    call.initiated_by_party = true;
    store.write(|w| w.add_contact(case.id, call)).unwrap();
    assert_eq!(ops(&store), 4);
    assert!(store.verify().unwrap().ok);
}

#[test]
fn edits_carry_the_op_they_replace() {
    let (_f, mut store) = fixture();
    let case = store.write(|w| w.create_case(new_case("First wording"))).unwrap();
    for text in ["Second wording", "Third wording"] {
        store
            .write(|w| {
                w.edit_case(
                    case.id,
                    CaseEdit {
                        summary: Some(text.into()),
                        ..Default::default()
                    },
                )
            })
            .unwrap();
    }
    let rows: Vec<(String, Option<String>)> = store
        .connection()
        .prepare("SELECT op_id, replaces FROM ops ORDER BY seq")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows[0].1, None);
    assert!(
        rows[1].1.as_deref().unwrap().contains(&rows[0].0),
        "second edit replaces the create op"
    );
    assert!(
        rows[2].1.as_deref().unwrap().contains(&rows[1].0),
        "third edit replaces the second"
    );
}

#[test]
fn pre_sentence_cases_need_a_court_date_and_status_moves_one_step() {
    let (_f, mut store) = fixture();
    let mut c = new_case("Assault outside the station");
    c.stage = JusticeStage::PreSentence;
    assert!(matches!(
        store.write(|w| w.create_case(c.clone())),
        Err(StoreError::Rule(RuleError::CourtDateRequired))
    ));
    c.court_date = Some(date("2026-12-18"));
    let case = store.write(|w| w.create_case(c)).unwrap();
    assert!(
        store
            .write(|w| w.change_status(case.id, CaseStatus::Preparing, None))
            .is_err()
    );
    store
        .write(|w| w.change_status(case.id, CaseStatus::Contacting, None))
        .unwrap();
    assert!(
        store
            .write(|w| w.change_status(case.id, CaseStatus::Closed, None))
            .is_err()
    );
    store
        .write(|w| w.change_status(case.id, CaseStatus::Closed, Some("withdrew")))
        .unwrap();
    let detail = store.case_detail(case.id).unwrap();
    assert_eq!(detail.case.status, CaseStatus::Closed);
    assert_eq!(detail.case.outcome.as_deref(), Some("withdrew"));
    assert_eq!(detail.timeline.len(), 2);
    assert!(
        store.list_cases(CaseFilter::default()).unwrap().is_empty(),
        "closed cases leave the caseload"
    );
    assert_eq!(
        store
            .list_cases(CaseFilter { include_closed: true })
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_minor_needs_their_own_and_a_guardians_consent_before_a_visit() {
    let (_f, mut store) = fixture();
    let case = store
        .write(|w| w.create_case(new_case("Graffiti at the school")))
        .unwrap();
    let kai = store
        .write(|w| {
            w.add_party(
                case.id,
                NewParty {
                    minor: true,
                    ..party("Kai", PartyRole::Harmer)
                },
            )
        })
        .unwrap();
    let mum = store
        .write(|w| {
            w.add_party(
                case.id,
                NewParty {
                    guardian_of: Some(kai),
                    ..party("Mum", PartyRole::Guardian)
                },
            )
        })
        .unwrap();
    let refused = store.write(|w| w.add_contact(case.id, visit(kai, "first visit")));
    assert!(matches!(
        refused,
        Err(StoreError::Rule(RuleError::MinorConsentMissing { .. }))
    ));
    assert_eq!(store.case_detail(case.id).unwrap().warnings.len(), 1);
    store
        .write(|w| {
            w.record_consent(
                case.id,
                consent(kai, ConsentScope::Participation, ConsentDecision::Given),
            )
        })
        .unwrap();
    assert!(
        store
            .write(|w| w.add_contact(case.id, visit(kai, "first visit")))
            .is_err()
    );
    store
        .write(|w| {
            w.record_consent(
                case.id,
                consent(mum, ConsentScope::Participation, ConsentDecision::Given),
            )
        })
        .unwrap();
    store
        .write(|w| w.add_contact(case.id, visit(kai, "first visit")))
        .unwrap();
    assert!(store.case_detail(case.id).unwrap().warnings.is_empty());
}

#[test]
fn drafts_change_until_finalised_then_only_amendments() {
    let (_f, mut store) = fixture();
    let case = store
        .write(|w| w.create_case(new_case("Hedge and parking dispute")))
        .unwrap();
    let p = store
        .write(|w| w.add_party(case.id, party("Sam", PartyRole::Party)))
        .unwrap();
    let mut draft = visit(p, "");
    draft.draft = true;
    let contact = store.write(|w| w.add_contact(case.id, draft)).unwrap();
    store
        .write(|w| w.save_draft(contact, "quokka-first draft text"))
        .unwrap();
    store
        .write(|w| w.save_draft(contact, "marmoset final text"))
        .unwrap();
    assert!(
        store.search("quokka", 10).unwrap().is_empty(),
        "the old draft text left the index"
    );
    assert_eq!(store.search("marmoset", 10).unwrap().len(), 1);
    store.write(|w| w.finalise_contact(contact)).unwrap();
    let err = store
        .write(|w| w.save_draft(contact, "sneaky change"))
        .unwrap_err();
    assert!(matches!(
        err,
        StoreError::Rule(RuleError::ContactFinalised { .. })
    ));
    let mut fix = visit(p, "Correction: the visit was on the 4th.");
    fix.amends = Some(contact);
    store.write(|w| w.add_contact(case.id, fix)).unwrap();
    assert!(store.verify().unwrap().ok);
}

#[test]
fn search_finds_summaries_names_and_notes() {
    let (_f, mut store) = fixture();
    let case = store
        .write(|w| w.create_case(new_case("Scooter taken from the hallway")))
        .unwrap();
    let p = store
        .write(|w| w.add_party(case.id, party("Zebedee Quartermain", PartyRole::Victim)))
        .unwrap();
    store
        .write(|w| w.add_contact(case.id, visit(p, "Talked about the aubergine allotment")))
        .unwrap();
    let hit = |q: &str| {
        store
            .search(q, 10)
            .unwrap()
            .into_iter()
            .map(|h| h.entity)
            .collect::<Vec<_>>()
    };
    assert_eq!(hit("scooter"), vec!["case"]);
    assert_eq!(hit("quarterm"), vec!["party"]);
    assert_eq!(hit("aubergine allot"), vec!["contact"]);
    assert!(hit("\"; DROP TABLE cases; --").is_empty());
    assert!(hit("").is_empty());
}

#[test]
fn a_record_changed_behind_the_op_logs_back_fails_verify() {
    let (_f, mut store) = fixture();
    let case = store
        .write(|w| w.create_case(new_case("Original summary")))
        .unwrap();
    assert!(store.verify().unwrap().ok);
    store
        .connection()
        .execute(
            "UPDATE cases SET summary = 'tampered' WHERE id = ?1",
            [case.id.to_string()],
        )
        .unwrap();
    let report = store.verify().unwrap();
    assert!(!report.ok);
    assert_eq!(
        report.replay_mismatches.len(),
        1,
        "{:?}",
        report.replay_mismatches
    );
}

#[test]
fn a_store_from_a_newer_schema_is_refused_and_left_alone() {
    let (f, store) = fixture();
    store
        .connection()
        .execute(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) VALUES (99, 'future', '', '0')",
            [],
        )
        .unwrap();
    drop(store);
    let before = hashes(&f.paths.dir);
    let err = Store::open(&f.paths, &pass("correct horse battery")).unwrap_err();
    assert!(matches!(err, StoreError::NewerSchema { found: 99, .. }), "{err}");
    assert!(err.to_string().contains("newer version of Casebook"));
    assert_eq!(hashes(&f.paths.dir), before);
}

#[test]
fn damaged_and_foreign_files_get_distinct_errors_and_stay_untouched() {
    let (f, store) = fixture();
    drop(store);
    let db = f.paths.db();
    let original = std::fs::read(&db).unwrap();
    let check = |bytes: &[u8], want: fn(&StoreError) -> bool| {
        std::fs::write(&db, bytes).unwrap();
        let before = hashes(&f.paths.dir);
        let err = Store::open(&f.paths, &pass("correct horse battery")).unwrap_err();
        assert!(want(&err), "unexpected: {err}");
        assert_eq!(hashes(&f.paths.dir), before, "after: {err}");
    };
    check(&original[..original.len() - 100], |e| {
        matches!(e, StoreError::Damaged { .. })
    });
    check(&vec![7u8; original.len()], |e| matches!(e, StoreError::NotAStore));
    check(b"", |e| matches!(e, StoreError::Damaged { .. }));
    let mut plain = b"SQLite format 3\0".to_vec();
    plain.resize(4096, 0);
    check(&plain, |e| matches!(e, StoreError::Plaintext));
    std::fs::write(f.paths.key(), b"not an age file").unwrap();
    std::fs::write(&db, &original).unwrap();
    let err = Store::open(&f.paths, &pass("correct horse battery")).unwrap_err();
    assert!(matches!(err, StoreError::KeyFileDamaged { .. }), "{err}");
}

#[test]
fn changing_the_passphrase_rewrites_only_the_key_file() {
    let (f, store) = fixture();
    drop(store);
    let db_before = std::fs::read(f.paths.db()).unwrap();
    assert!(matches!(
        Store::change_passphrase(&f.paths, &pass("not the passphrase"), &pass("a brand new one")),
        Err(StoreError::WrongPassphrase)
    ));
    Store::change_passphrase(&f.paths, &pass("correct horse battery"), &pass("a brand new one")).unwrap();
    assert_eq!(
        std::fs::read(f.paths.db()).unwrap(),
        db_before,
        "the database is not re-encrypted"
    );
    assert!(matches!(
        Store::open(&f.paths, &pass("correct horse battery")),
        Err(StoreError::WrongPassphrase)
    ));
    Store::open(&f.paths, &pass("a brand new one")).unwrap();
}

#[test]
fn exports_are_age_files_that_open_with_the_passphrase() {
    use std::io::Read;
    let (f, mut store) = fixture();
    let case = store
        .write(|w| w.create_case(new_case("Export marker pangolin")))
        .unwrap();
    let out = f.paths.dir.join("export.age");
    let summary = store
        .export(&out, Some(case.id), &pass("correct horse battery"))
        .unwrap();
    assert_eq!((summary.cases, summary.ops), (1, 1));
    let bytes = std::fs::read(&out).unwrap();
    assert!(!String::from_utf8_lossy(&bytes).contains("pangolin"));
    let identity = age::scrypt::Identity::new(pass("correct horse battery"));
    let mut plain = String::new();
    age::Decryptor::new(&bytes[..])
        .unwrap()
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .unwrap()
        .read_to_string(&mut plain)
        .unwrap();
    let doc: serde_json::Value = serde_json::from_str(&plain).unwrap();
    assert_eq!(doc["cases"][0]["case"]["summary"], "Export marker pangolin");
    assert!(
        store.export(&out, None, &pass("correct horse battery")).is_err(),
        "never overwrites"
    );
}

#[test]
fn demo_data_follows_the_rules_and_verifies() {
    let (_f, mut store) = fixture();
    casebook_store::demo::generate(&mut store, 40, 9, date("2026-11-27")).unwrap();
    assert_eq!(
        store
            .list_cases(CaseFilter { include_closed: true })
            .unwrap()
            .len(),
        40
    );
    let report = store.verify().unwrap();
    assert!(report.ok, "{report:?}");
}

#[test]
fn a_laptop_clock_far_off_is_corrected_by_the_hubs_time() {
    let (_f, mut store) = fixture();
    let day_ms: u64 = 24 * 3600 * 1000;
    let now = u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap();
    store.record_sync(now + day_ms).unwrap();
    store
        .write(|w| w.create_case(new_case("Written with a slow clock")))
        .unwrap();
    let hlc: String = store
        .connection()
        .query_row("SELECT hlc FROM ops", [], |r| r.get(0))
        .unwrap();
    let wall: u64 = hlc.split('-').next().unwrap().parse().unwrap();
    assert!(
        wall >= now + day_ms - 60_000,
        "the op is stamped on the hub's time, not the laptop's"
    );
    // A difference of a few seconds is network delay, not a wrong clock: no correction.
    store.record_sync(now + 2_000).unwrap();
    let status = store.sync_status().unwrap();
    assert!(status.last_sync.is_some(), "the sync is recorded");
}

#[test]
fn a_crash_during_a_passphrase_change_leaves_a_working_passphrase() {
    let (f, store) = fixture();
    drop(store);
    // Crashed while writing the new key file, before the rename: the half-written temporary
    // file is ignored and the old passphrase still opens the store.
    let tmp = f.paths.dir.join(".store.key.a1b2c3.tmp");
    std::fs::write(&tmp, b"age-encryption.org/v1\n-> scrypt half-writ").unwrap();
    Store::open(&f.paths, &pass("correct horse battery")).unwrap();
    // A later change goes through beside the leftover, which it never reads.
    Store::change_passphrase(&f.paths, &pass("correct horse battery"), &pass("after the crash")).unwrap();
    Store::open(&f.paths, &pass("after the crash")).unwrap();
}

#[test]
fn the_search_index_stays_consistent_through_edits_in_and_across_transactions() {
    let (_f, mut store) = fixture();
    // Created and edited in one transaction (indexed once, at commit), then edited again later.
    let (case, contact) = store
        .write(|w| {
            let case = w.create_case(new_case("first words"))?;
            w.edit_case(
                case.id,
                CaseEdit {
                    summary: Some("second words".into()),
                    ..Default::default()
                },
            )?;
            let p = w.add_party(case.id, party("Ola", PartyRole::Victim))?;
            let mut draft = visit(p, "draft one");
            draft.draft = true;
            let contact = w.add_contact(case.id, draft)?;
            w.save_draft(contact, "draft two")?;
            Ok((case.id, contact))
        })
        .unwrap();
    assert!(store.search("first", 10).unwrap().is_empty());
    assert_eq!(store.search("second", 10).unwrap().len(), 1);
    assert!(store.search("one", 10).unwrap().is_empty());
    store.write(|w| w.save_draft(contact, "draft three")).unwrap();
    store
        .write(|w| {
            w.edit_case(
                case,
                CaseEdit {
                    summary: Some("third words".into()),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    assert!(store.search("two", 10).unwrap().is_empty());
    assert_eq!(store.search("three", 10).unwrap().len(), 1);
    assert_eq!(store.search("third", 10).unwrap().len(), 1);
    let report = store.verify().unwrap();
    assert!(report.ok, "{report:?}");
    // The check can fail: an index entry for a row that does not say so.
    store
        .connection()
        .execute(
            "INSERT INTO cases_fts (rowid, summary) VALUES (999999, 'ghost')",
            [],
        )
        .unwrap();
    assert!(!store.verify().unwrap().ok);
}

/// A pulled page indexes its new rows once, at its end (`migrations/V10__fts_after_page.sql`):
/// rows created and edited within the page, and rows from an earlier page edited later, must be
/// found by their latest words only.
#[test]
fn a_pulled_page_indexes_its_rows_as_they_stand_at_its_end() {
    let (_f, mut author) = fixture();
    enroll_as(&mut author, "Femi", "facilitator");
    let (case, contact) = author
        .write(|w| {
            let case = w.create_case(new_case("first words"))?;
            let p = w.add_party(case.id, party("Ola", PartyRole::Victim))?;
            let mut draft = visit(p, "draft one");
            draft.draft = true;
            Ok((case.id, w.add_contact(case.id, draft)?))
        })
        .unwrap();
    author
        .write(|w| {
            w.edit_case(
                case,
                CaseEdit {
                    summary: Some("second words".into()),
                    ..Default::default()
                },
            )?;
            w.save_draft(contact, "draft two")
        })
        .unwrap();
    let (_g, mut reader) = fixture();
    enroll_as(&mut reader, "Sunita", "supervisor");
    let mut seq = 0;
    let mut deliver = |author: &mut Store, reader: &mut Store| {
        let page: Vec<casebook_store::RemoteOp> = author
            .pending_batch(100)
            .unwrap()
            .into_iter()
            .map(|op| {
                seq += 1;
                casebook_store::RemoteOp { seq, op, flag: None }
            })
            .collect();
        author
            .record_push(
                &page
                    .iter()
                    .map(|r| (r.op.op_id, casebook_store::PushResult::Held { seq: r.seq }))
                    .collect::<Vec<_>>(),
            )
            .unwrap();
        let counts = reader.apply_remote(&page, Some(seq)).unwrap();
        assert_eq!(counts.applied, page.len(), "{counts:?}");
    };
    deliver(&mut author, &mut reader);
    let hits = |store: &Store, word: &str| store.search(word, 10).unwrap().len();
    assert_eq!(
        [
            hits(&reader, "first"),
            hits(&reader, "second"),
            hits(&reader, "one"),
            hits(&reader, "two")
        ],
        [0, 1, 0, 1]
    );
    assert_eq!(hits(&reader, "Ola"), 1);
    // A later page edits rows an earlier page indexed: their old words must go.
    author
        .write(|w| {
            w.edit_case(
                case,
                CaseEdit {
                    summary: Some("third words".into()),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    deliver(&mut author, &mut reader);
    assert_eq!([hits(&reader, "second"), hits(&reader, "third")], [0, 1]);
    let report = reader.verify().unwrap();
    assert!(report.ok, "{report:?}");
    let deferred: i64 = reader
        .connection()
        .query_row("SELECT count(*) FROM fts_deferred", [], |r| r.get(0))
        .unwrap();
    assert_eq!(deferred, 0, "nothing deferred outlives its page");
}

fn enroll_as(store: &mut Store, name: &str, role: &str) -> casebook_domain::UserId {
    let user = casebook_domain::UserId::new();
    store
        .link_hub(&casebook_store::HubLink {
            url: "https://hub.invalid".into(),
            token: pass("token"),
            device_id: casebook_domain::DeviceId::new(),
            user_id: user,
            user_name: name.into(),
            role: role.parse().unwrap(),
            team: Some("north".into()),
            recovery_recipient: None,
        })
        .unwrap();
    user
}

fn person(id: casebook_domain::UserId, name: &str, role: &str) -> Person {
    Person {
        id,
        name: name.into(),
        role: role.into(),
    }
}

fn notes(store: &Store, case: casebook_domain::CaseId) -> Vec<SupervisionNoteView> {
    store
        .case_detail(case)
        .unwrap()
        .timeline
        .into_iter()
        .filter_map(|e| match e {
            TimelineEntry::Supervision(n) => Some(n),
            _ => None,
        })
        .collect()
}

#[test]
fn the_team_directory_names_each_cases_lead_and_is_upserted() {
    let (_f, mut store) = fixture();
    // Written before enrolling: a supervisor's own store receives cases, it does not make them.
    let case = store.write(|w| w.create_case(new_case("Shed fire"))).unwrap();
    let me = enroll_as(&mut store, "Sunita", "supervisor");
    let listed = &store.list_cases(CaseFilter::default()).unwrap()[0];
    assert_eq!((listed.lead_id, listed.lead_name.as_deref()), (Some(me), None));

    let femi = casebook_domain::UserId::new();
    store
        .record_people(&[
            person(me, "Sunita", "supervisor"),
            person(femi, "Femi", "facilitator"),
        ])
        .unwrap();
    let listed = &store.list_cases(CaseFilter::default()).unwrap()[0];
    assert_eq!(listed.lead_name.as_deref(), Some("Sunita"));
    // The same person again, renamed: updated, not duplicated.
    store
        .record_people(&[person(me, "Sunita K.", "supervisor")])
        .unwrap();
    let record = store.case_detail(case.id).unwrap().case;
    assert_eq!(
        (record.lead_id, record.lead_name.as_deref()),
        (Some(me), Some("Sunita K."))
    );
    let people: i64 = store
        .connection()
        .query_row("SELECT count(*) FROM people", [], |r| r.get(0))
        .unwrap();
    assert_eq!(people, 2);
    store.record_people(&[]).unwrap();
    assert!(
        store.verify().unwrap().ok,
        "the directory is not part of the op log"
    );
}

#[test]
fn a_supervisor_adds_notes_that_replay_export_and_reach_another_store() {
    let (f, mut store) = fixture();
    let case = store
        .write(|w| w.create_case(new_case("Graffiti on the school")))
        .unwrap();
    let me = enroll_as(&mut store, "Sunita", "supervisor");
    store
        .record_people(&[person(me, "Sunita", "supervisor")])
        .unwrap();
    let note = store
        .write(|w| w.add_supervision_note(case.id, "  Check the school's consent first.  "))
        .unwrap();
    let shown = notes(&store, case.id);
    assert_eq!(shown.len(), 1);
    assert_eq!(
        (
            shown[0].id,
            shown[0].text.as_str(),
            shown[0].author_id,
            shown[0].author_name.as_deref()
        ),
        (note, "Check the school's consent first.", me, Some("Sunita"))
    );
    let report = store.verify().unwrap();
    assert!(report.ok, "{report:?}");

    let err = store
        .write(|w| w.add_supervision_note(case.id, " \n"))
        .unwrap_err();
    assert!(matches!(err, StoreError::Rule(RuleError::Empty { .. })), "{err}");

    // Exported with the case's timeline and its ops.
    let out = f.paths.dir.join("export.age");
    let summary = store
        .export(&out, Some(case.id), &pass("correct horse battery"))
        .unwrap();
    assert_eq!(summary.ops, 2);

    // The same ops, as a facilitator's store receives them from the hub.
    let (_g, mut other) = fixture();
    enroll_as(&mut other, "Femi", "facilitator");
    let remote: Vec<casebook_store::RemoteOp> = store
        .pending_batch(10)
        .unwrap()
        .into_iter()
        .enumerate()
        .map(|(i, op)| casebook_store::RemoteOp {
            seq: i as u64 + 1,
            op,
            flag: None,
        })
        .collect();
    let counts = other.apply_remote(&remote, Some(2)).unwrap();
    assert_eq!(counts.applied, 2);
    let received = notes(&other, case.id);
    assert_eq!(
        (received[0].author_id, received[0].author_name.as_deref()),
        (me, None)
    );
    assert!(other.verify().unwrap().ok);
}

#[test]
fn only_an_enrolled_supervisor_writes_notes_and_not_on_a_closed_case() {
    let (_f, mut store) = fixture();
    let case = store.write(|w| w.create_case(new_case("Noise"))).unwrap();
    let refused = |store: &mut Store| {
        let err = store
            .write(|w| w.add_supervision_note(case.id, "Well done"))
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Rule(RuleError::SupervisorsOnly { .. })),
            "{err}"
        );
    };
    refused(&mut store);
    enroll_as(&mut store, "Femi", "facilitator");
    refused(&mut store);
    assert_eq!(ops(&store), 1, "refusals write nothing");

    store
        .write(|w| w.change_status(case.id, CaseStatus::Closed, Some("withdrew")))
        .unwrap();
    enroll_as(&mut store, "Sunita", "supervisor");
    // A supervisor writes supervision notes and nothing else, in the store as on the hub.
    let err = store
        .write(|w| w.change_status(case.id, CaseStatus::Contacting, None))
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("a supervisor cannot create a status change"),
        "{err}"
    );
    let err = store
        .write(|w| w.add_supervision_note(case.id, "Sign-off"))
        .unwrap_err();
    assert!(matches!(err, StoreError::Rule(RuleError::CaseClosed)), "{err}");
}

#[test]
fn a_rekey_leaves_an_old_store_key_useless_and_every_record_intact() {
    let (f, mut store) = fixture();
    casebook_store::demo::generate(&mut store, 25, 4, date("2026-11-27")).unwrap();
    let all = CaseFilter { include_closed: true };
    let before = serde_json::to_value(store.list_cases(all).unwrap()).unwrap();
    drop(store);
    let old_key = std::fs::read(f.paths.key()).unwrap();

    let report = Store::rekey(&f.paths, &pass("correct horse battery")).unwrap();
    assert!(report.bytes > 0);
    assert_ne!(
        std::fs::read(f.paths.key()).unwrap(),
        old_key,
        "store.key holds the new key"
    );
    let leftovers: Vec<String> = std::fs::read_dir(&f.paths.dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "store.db" && n != "store.key")
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");

    let store = Store::open(&f.paths, &pass("correct horse battery")).unwrap();
    assert_eq!(
        serde_json::to_value(store.list_cases(all).unwrap()).unwrap(),
        before
    );
    let report = store.verify().unwrap();
    assert!(report.ok, "{report:?}");
    drop(store);

    // A backup's store.key beside today's store.db: the old passphrase unseals it, and the
    // key inside no longer opens the database.
    let backup = tempfile::tempdir().unwrap();
    let backup_paths = StorePaths::new(backup.path().join("profile"));
    std::fs::create_dir_all(&backup_paths.dir).unwrap();
    std::fs::copy(f.paths.db(), backup_paths.db()).unwrap();
    std::fs::write(backup_paths.key(), &old_key).unwrap();
    let err = Store::open(&backup_paths, &pass("correct horse battery")).unwrap_err();
    assert!(matches!(err, StoreError::NotAStore), "{err}");
}

#[test]
fn a_rekey_is_refused_while_another_connection_holds_the_store() {
    let (f, mut store) = fixture();
    let case = store.write(|w| w.create_case(new_case("Still here"))).unwrap();
    let key_before = std::fs::read(f.paths.key()).unwrap();
    let err = Store::rekey(&f.paths, &pass("correct horse battery")).unwrap_err();
    assert!(matches!(err, StoreError::InUse), "{err}");
    assert!(err.to_string().contains("Close it"), "{err}");
    assert_eq!(std::fs::read(f.paths.key()).unwrap(), key_before);
    assert!(!f.paths.dir.join("store.key.new").exists());
    // The open store carries on as if nothing happened.
    store.write(|w| w.create_case(new_case("Written after"))).unwrap();
    assert_eq!(store.case_detail(case.id).unwrap().case.summary, "Still here");
    drop(store);
    assert!(
        Store::open(&f.paths, &pass("correct horse battery"))
            .unwrap()
            .verify()
            .unwrap()
            .ok
    );
}

#[test]
fn a_rekey_needs_the_passphrase_and_changes_nothing_without_it() {
    let (f, store) = fixture();
    drop(store);
    let before = hashes(&f.paths.dir);
    let err = Store::rekey(&f.paths, &pass("wrong horse battery")).unwrap_err();
    assert!(matches!(err, StoreError::WrongPassphrase), "{err}");
    assert_eq!(hashes(&f.paths.dir), before);
}

/// Ops from the hub that no honest laptop writes: each is set aside with its reason, the honest
/// op after them is applied, and the cursor moves on (issue 8, problem 1).
#[test]
fn poison_ops_from_the_hub_are_set_aside_and_the_cursor_moves_on() {
    use casebook_domain::{Entity, Op, OpId, OpKind};
    let (_f, mut writer) = fixture();
    let mine = writer.write(|w| w.create_case(new_case("Shed fire"))).unwrap();
    let theirs = writer.write(|w| w.create_case(new_case("Broken fence"))).unwrap();
    let their_party = writer
        .write(|w| {
            w.add_party(
                theirs.id,
                NewParty {
                    role: PartyRole::Victim,
                    name: "Ann".into(),
                    phone: None,
                    minor: false,
                    guardian_of: None,
                },
            )
        })
        .unwrap();
    let honest: Vec<Op> = writer.pending_batch(100).unwrap();
    let template = honest[0].clone();
    let forged = |entity: Entity, entity_id: uuid::Uuid, kind: OpKind, fields: serde_json::Value| Op {
        op_id: OpId::new(),
        case_id: mine.id,
        entity,
        entity_id,
        kind,
        fields: serde_json::from_value(fields).unwrap(),
        replaces: BTreeMap::new(),
        ..template.clone()
    };
    let poison = vec![
        // A null in a field every case has.
        forged(
            Entity::Case,
            mine.id.as_uuid(),
            OpKind::Update,
            serde_json::json!({"reference": null}),
        ),
        // A consent for a party that does not exist.
        forged(
            Entity::Consent,
            uuid::Uuid::now_v7(),
            OpKind::Create,
            serde_json::json!({"party_id": uuid::Uuid::now_v7(), "scope": "contact", "decision": "given",
                               "method": "verbal", "date": "2026-11-27"}),
        ),
        // My case's id, another case's party.
        forged(
            Entity::Party,
            their_party.as_uuid(),
            OpKind::Update,
            serde_json::json!({"name": "Mallory"}),
        ),
        // Another case planted under my case id.
        forged(
            Entity::Case,
            theirs.id.as_uuid(),
            OpKind::Update,
            serde_json::json!({"summary": "x"}),
        ),
    ];
    let (_g, mut reader) = fixture();
    let mut page: Vec<casebook_store::RemoteOp> = Vec::new();
    for (i, op) in honest
        .iter()
        .take(2)
        .chain(&poison)
        .chain(&honest[2..])
        .enumerate()
    {
        page.push(casebook_store::RemoteOp {
            seq: i as u64 + 1,
            op: op.clone(),
            flag: None,
        });
    }
    let counts = reader.apply_remote(&page, Some(page.len() as u64)).unwrap();
    assert_eq!(
        (counts.applied, counts.set_aside),
        (honest.len(), poison.len()),
        "{counts:?}"
    );
    assert_eq!(reader.pull_cursor().unwrap(), page.len() as u64);
    let status = reader.sync_status().unwrap();
    assert_eq!(status.set_aside_ops, 4);
    let set_aside = reader.set_aside_ops().unwrap();
    let codes: std::collections::BTreeSet<_> = set_aside.iter().map(|s| s.code.as_str()).collect();
    assert_eq!(
        codes,
        [
            "case_id_mismatch",
            "dangling_reference",
            "malformed",
            "other_case"
        ]
        .into_iter()
        .collect()
    );
    let party = reader.case_detail(theirs.id).unwrap().parties;
    assert_eq!(party[0].name, "Ann", "the other case's party is untouched");
    assert!(reader.verify().unwrap().ok);
    // The same page again (a retry after a crash) changes nothing.
    let again = reader.apply_remote(&page, Some(page.len() as u64)).unwrap();
    assert_eq!((again.applied, again.duplicates), (0, honest.len()));
    assert_eq!(reader.sync_status().unwrap().set_aside_ops, 4);
}

/// A case that leaves this laptop's scope takes its records along, but not the changes the
/// hub refused: they are the author's own work and exist nowhere else.
#[test]
fn refused_changes_outlive_the_purge_of_their_case() {
    let (_f, mut store) = fixture();
    let case = store.write(|w| w.create_case(new_case("Shed fire"))).unwrap();
    let ops = store.pending_batch(10).unwrap();
    store
        .record_push(&[(
            ops[0].op_id,
            casebook_store::PushResult::Rejected {
                reason: "this case is not assigned to the author".into(),
            },
        )])
        .unwrap();
    assert!(store.purge_case(case.id).unwrap());
    assert!(store.held_cases().unwrap().is_empty());
    let refused = store.rejected_ops().unwrap();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].reason, "this case is not assigned to the author");
    assert!(store.verify().unwrap().ok);
}
