//! The team directory and supervisors' notes: who leads each case, notes that replay, export
//! and reach another store, and who may write them.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use casebook_domain::{CaseStatus, RuleError};
use casebook_store::model::{Person, SupervisionNoteView, TimelineEntry};
use casebook_store::{CaseFilter, Store, StoreError};
use common::{enroll_as, fixture, new_case, ops, pass};

fn person(id: casebook_domain::UserId, name: &str, role: &str) -> Person {
    Person {
        id,
        name: name.into(),
        role: role.into(),
        team: None,
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
