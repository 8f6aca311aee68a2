//! Writing through the store's public API: every change and its op in one transaction, the
//! domain's rules refusing what they must, drafts and amendments, and `verify` catching a row
//! changed behind the op log.
#![allow(clippy::unwrap_used, missing_docs)]

mod common;

use casebook_domain::{
    CaseStatus, ConsentDecision, ConsentMethod, ConsentScope, JusticeStage, PartyRole, PreSentenceKind,
    RuleError,
};
use casebook_store::model::{CaseEdit, NewConsent, NewParty};
use casebook_store::{CaseFilter, StoreError};
use common::{date, fixture, new_case, ops, party, visit};

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
fn a_deferred_sentence_is_recorded_and_goes_with_the_court_date_once_sentenced() {
    let (_f, mut store) = fixture();
    let case = store
        .write(|w| w.create_case(new_case("Criminal damage to a bus shelter")))
        .unwrap();
    let adjourned_out_of_court = store
        .write(|w| {
            w.edit_case(
                case.id,
                CaseEdit {
                    pre_sentence: Some(Some(PreSentenceKind::Adjournment)),
                    ..Default::default()
                },
            )
        })
        .unwrap_err();
    assert!(
        matches!(
            adjourned_out_of_court,
            StoreError::Rule(RuleError::PreSentenceKindOutOfStage)
        ),
        "{adjourned_out_of_court}"
    );
    store
        .write(|w| {
            w.edit_case(
                case.id,
                CaseEdit {
                    stage: Some(JusticeStage::PreSentence),
                    court_date: Some(Some(date("2027-03-04"))),
                    pre_sentence: Some(Some(PreSentenceKind::DeferredSentence)),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    let record = store.case_detail(case.id).unwrap().case;
    assert_eq!(record.pre_sentence, Some(PreSentenceKind::DeferredSentence));
    let no_date = store
        .write(|w| {
            w.edit_case(
                case.id,
                CaseEdit {
                    court_date: Some(None),
                    ..Default::default()
                },
            )
        })
        .unwrap_err();
    assert!(
        matches!(no_date, StoreError::Rule(RuleError::CourtDateRequired)),
        "{no_date}"
    );

    // Sentenced: the stage moves on and the court date is removed; the deferral goes with the stage.
    store
        .write(|w| {
            w.edit_case(
                case.id,
                CaseEdit {
                    stage: Some(JusticeStage::PostSentence),
                    court_date: Some(None),
                    ..Default::default()
                },
            )
        })
        .unwrap();
    let record = store.case_detail(case.id).unwrap().case;
    assert_eq!(
        (record.stage, record.court_date, record.pre_sentence),
        (JusticeStage::PostSentence, None, None)
    );
    let last: String = store
        .connection()
        .query_row("SELECT fields FROM ops ORDER BY seq DESC LIMIT 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(
        last.contains("\"court_date\":null") && last.contains("\"pre_sentence\":null"),
        "one op removes both: {last}"
    );
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
