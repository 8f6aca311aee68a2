//! Property test: replicas that exchange ops in any order, with duplicates, end with identical
//! records. Runs the store's real merge (SQL included) on unencrypted in-memory stores; the
//! encryption is tested elsewhere, and scrypt per replica would make hundreds of cases slow.

use casebook_domain::{CaseStatus, Clock, ContactKind, DeviceId, PartyRole, UserId};
use proptest::prelude::*;

use crate::model::{CaseEdit, NewCase, NewContact, NewParty};
use crate::{Actor, Store, StorePaths};

fn replica(user: UserId) -> Store {
    let mut conn = crate::conn::in_memory().expect("memory db");
    crate::schema::migrate(&mut conn).expect("schema");
    conn.execute_batch("PRAGMA foreign_keys = ON").expect("fk");
    let actor = Actor {
        user,
        device: DeviceId::new(),
    };
    Store {
        conn,
        paths: StorePaths::new("/nonexistent"),
        actor,
        clock: Clock::new(actor.device, None),
        clock_offset_ms: 0,
    }
}

fn remote(op: casebook_domain::Op) -> crate::RemoteOp {
    crate::RemoteOp {
        seq: 0,
        op,
        flag: None,
    }
}

fn all_ops(store: &Store) -> Vec<casebook_domain::Op> {
    crate::apply::read_ops(&store.conn).expect("ops")
}

fn snapshot(store: &Store) -> Vec<Vec<Vec<rusqlite::types::Value>>> {
    crate::verify::REBUILT
        .iter()
        .map(|t| crate::verify::rows(&store.conn, t).expect("rows"))
        .collect()
}

/// One step of a random history.
#[derive(Debug, Clone)]
enum Step {
    /// Replica edits the case summary.
    EditSummary(usize, u8),
    /// Replica edits the draft's notes.
    EditNotes(usize, u8),
    /// Replica moves the status on (if the rules allow).
    Advance(usize),
    /// Replica `to` receives some of replica `from`'s ops, in a shuffled order, some twice.
    Deliver {
        from: usize,
        to: usize,
        picks: Vec<proptest::sample::Index>,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0usize..3, any::<u8>()).prop_map(|(r, v)| Step::EditSummary(r, v)),
        (0usize..3, any::<u8>()).prop_map(|(r, v)| Step::EditNotes(r, v)),
        (0usize..3).prop_map(Step::Advance),
        (
            0usize..3,
            0usize..3,
            proptest::collection::vec(any::<proptest::sample::Index>(), 0..12)
        )
            .prop_map(|(from, to, picks)| Step::Deliver { from, to, picks }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn three_replicas_converge_whatever_the_order(steps in proptest::collection::vec(step(), 1..30),
                                                  finale in proptest::collection::vec(any::<proptest::sample::Index>(), 0..20)) {
        let user = UserId::new();
        let mut replicas = vec![replica(user), replica(user), replica(user)];
        // A shared starting point: a case with a party and a draft visit, known to everyone.
        let (case, contact) = replicas[0].write(|w| {
            let case = w.create_case(NewCase {
                kind: casebook_domain::CaseKind::RestorativeMediation,
                stage: casebook_domain::JusticeStage::NotApplicable,
                source: casebook_domain::ReferralSource::Housing,
                referrer: None,
                summary: "start".into(),
                court_date: None,
                received_on: None,
            })?;
            let party = w.add_party(case.id, NewParty { role: PartyRole::Party, name: "P".into(), phone: None, minor: false, guardian_of: None })?;
            let contact = w.add_contact(case.id, NewContact {
                party_ids: vec![party], kind: ContactKind::Visit, date: chrono::NaiveDate::MIN, notes: String::new(),
                initiated_by_party: false, draft: true, amends: None,
            })?;
            Ok((case.id, contact))
        }).expect("seed");
        let seed: Vec<_> = all_ops(&replicas[0]).into_iter().map(remote).collect();
        for r in replicas.iter_mut().skip(1) {
            r.apply_remote(&seed, None).expect("seed apply");
        }

        for s in &steps {
            match s {
                Step::EditSummary(r, v) => {
                    let summary = format!("summary {v} from {r}");
                    replicas[*r].write(|w| w.edit_case(case, CaseEdit { summary: Some(summary), ..Default::default() })).expect("edit");
                }
                Step::EditNotes(r, v) => {
                    replicas[*r].write(|w| w.save_draft(contact, &format!("notes {v} from {r}"))).expect("notes");
                }
                Step::Advance(r) => {
                    let status = replicas[*r].case_detail(case).expect("case").case.status;
                    if status == CaseStatus::Referred {
                        replicas[*r].write(|w| w.change_status(case, CaseStatus::Contacting, None)).expect("status");
                    }
                }
                Step::Deliver { from, to, picks } => {
                    let ops = all_ops(&replicas[*from]);
                    let batch: Vec<_> = picks.iter().map(|i| remote(ops[i.index(ops.len())].clone())).collect();
                    replicas[*to].apply_remote(&batch, None).expect("deliver");
                }
            }
        }

        // Finally everyone gets everything: a random prefix twice (duplicates), then all ops in
        // reverse order, so the last delivery order differs from the writing order.
        let everything: Vec<_> = replicas.iter().flat_map(all_ops).collect();
        for r in replicas.iter_mut() {
            let dupes: Vec<_> = finale.iter().map(|i| remote(everything[i.index(everything.len())].clone())).collect();
            r.apply_remote(&dupes, None).expect("dupes");
            let rest: Vec<_> = everything.iter().rev().cloned().map(remote).collect();
            r.apply_remote(&rest, None).expect("all");
        }
        let first = snapshot(&replicas[0]);
        for r in &replicas[1..] {
            prop_assert_eq!(&snapshot(r), &first);
        }
        let unique: std::collections::BTreeSet<_> = everything.iter().map(|o| o.op_id).collect();
        for r in &replicas {
            prop_assert_eq!(all_ops(r).len(), unique.len(), "every replica holds every op exactly once");
        }
    }
}
