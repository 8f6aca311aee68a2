//! The full-text index: what search finds, and that the index follows edits made in and
//! across transactions and pulled pages.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use casebook_domain::PartyRole;
use casebook_store::Store;
use casebook_store::model::CaseEdit;
use common::{enroll_as, fixture, new_case, party, visit};

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
