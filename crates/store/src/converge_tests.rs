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
    crate::verify::rebuilt()
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
    /// Replica `to` receives one of the hostile ops (see `hostile`).
    Hostile { to: usize, which: usize },
}

/// Ops no honest laptop writes, each aimed at a record it must not change: a null in a field
/// every case has, a consent for a party that does not exist, this case's id with the other
/// case's party, a case planted under an id that is not its own, a second create of an existing
/// party, and a visit to a case nobody holds.
fn hostile(
    template: &casebook_domain::Op,
    case: casebook_domain::CaseId,
    party: uuid::Uuid,
    other_party: uuid::Uuid,
) -> Vec<casebook_domain::Op> {
    use casebook_domain::{CaseId, Entity, OpId, OpKind};
    use serde_json::json;
    let forge =
        |case_id: CaseId, entity: Entity, entity_id: uuid::Uuid, kind: OpKind, fields: serde_json::Value| {
            casebook_domain::Op {
                op_id: OpId::new(),
                case_id,
                entity,
                entity_id,
                kind,
                fields: serde_json::from_value(fields).expect("object"),
                replaces: Default::default(),
                ..template.clone()
            }
        };
    let stranger = CaseId::new();
    vec![
        forge(
            case,
            Entity::Case,
            case.as_uuid(),
            OpKind::Update,
            json!({"reference": null}),
        ),
        forge(
            case,
            Entity::Consent,
            uuid::Uuid::now_v7(),
            OpKind::Create,
            json!({"party_id": uuid::Uuid::now_v7(), "scope": "contact", "decision": "withdrawn",
                     "method": "verbal", "date": "2026-11-27"}),
        ),
        forge(
            case,
            Entity::Party,
            other_party,
            OpKind::Update,
            json!({"name": "Mallory"}),
        ),
        forge(
            stranger,
            Entity::Case,
            uuid::Uuid::now_v7(),
            OpKind::Create,
            json!({"reference": "P-000000", "kind": "restorative_justice", "stage": "out_of_court",
                     "status": "referred", "source": "police", "summary": "planted", "received_on": "2026-11-27"}),
        ),
        forge(
            case,
            Entity::Party,
            party,
            OpKind::Create,
            json!({"role": "victim", "name": "Impostor"}),
        ),
        forge(
            stranger,
            Entity::Party,
            uuid::Uuid::now_v7(),
            OpKind::Create,
            json!({"role": "victim", "name": "Nobody"}),
        ),
    ]
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
        (0usize..3, 0usize..6).prop_map(|(to, which)| Step::Hostile { to, which }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn three_replicas_converge_whatever_the_order_and_hostile_ops_change_nothing(steps in proptest::collection::vec(step(), 1..30),
                                                  finale in proptest::collection::vec(any::<proptest::sample::Index>(), 0..20)) {
        let user = UserId::new();
        let mut replicas = vec![replica(user), replica(user), replica(user)];
        // A shared starting point: a case with a party and a draft visit, known to everyone.
        let case = replicas[0].write(|w| {
            let case = w.create_case(NewCase {
                kind: casebook_domain::CaseKind::RestorativeMediation,
                stage: casebook_domain::JusticeStage::NotApplicable,
                source: casebook_domain::ReferralSource::Housing,
                referrer: None,
                summary: "start".into(),
                court_date: None,
                pre_sentence: None,
                received_on: None,
            })?;
            let party = w.add_party(case.id, NewParty { role: PartyRole::Party, name: "P".into(), phone: None, minor: false, guardian_of: None })?;
            let contact = w.add_contact(case.id, NewContact {
                shareable: None,
                party_ids: vec![party], kind: ContactKind::Visit, date: chrono::NaiveDate::MIN, notes: String::new(),
                initiated_by_party: false, draft: true, amends: None,
            })?;
            // Another case on the same laptops, whose records the hostile ops reach for.
            let other = w.create_case(NewCase {
                kind: casebook_domain::CaseKind::RestorativeJustice,
                stage: casebook_domain::JusticeStage::OutOfCourt,
                source: casebook_domain::ReferralSource::Police,
                referrer: None,
                summary: "other".into(),
                court_date: None,
                pre_sentence: None,
                received_on: None,
            })?;
            let other_party = w.add_party(other.id, NewParty { role: PartyRole::Victim, name: "Q".into(), phone: None, minor: false, guardian_of: None })?;
            Ok((case.id, contact, party, other.id, other_party))
        }).expect("seed");
        let (case, contact, party, other, other_party) = (case.0, case.1, case.2, case.3, case.4);
        let seed: Vec<_> = all_ops(&replicas[0]).into_iter().map(remote).collect();
        for r in replicas.iter_mut().skip(1) {
            r.apply_remote(&seed, None).expect("seed apply");
        }
        let attacks = hostile(&seed[0].op, case, party.as_uuid(), other_party.as_uuid());

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
                Step::Hostile { to, which } => {
                    let counts = replicas[*to].apply_remote(&[remote(attacks[*which].clone())], None)
                        .expect("a hostile op never fails the page");
                    prop_assert_eq!(counts.applied, 0, "a hostile op was applied");
                }
            }
        }

        // Finally everyone gets everything: a random prefix twice (duplicates), then all ops in
        // reverse order, so the last delivery order differs from the writing order.
        let everything: Vec<_> = replicas.iter().flat_map(all_ops).collect();
        for r in replicas.iter_mut() {
            let dupes: Vec<_> = finale.iter().map(|i| remote(everything[i.index(everything.len())].clone())).collect();
            r.apply_remote(&dupes, None).expect("dupes");
            let mut rest: Vec<_> = everything.iter().rev().cloned().map(remote).collect();
            rest.extend(attacks.iter().cloned().map(remote));
            r.apply_remote(&rest, None).expect("all");
        }
        let first = snapshot(&replicas[0]);
        for r in &replicas[1..] {
            prop_assert_eq!(&snapshot(r), &first);
        }
        for r in &replicas {
            // Only the two honest cases, and each record where its own create op put it.
            let cases: Vec<String> = r.conn.prepare("SELECT id FROM cases ORDER BY id").expect("sql")
                .query_map([], |row| row.get(0)).expect("rows").collect::<Result<_, _>>().expect("ids");
            let mut honest = vec![case.to_string(), other.to_string()];
            honest.sort();
            prop_assert_eq!(cases, honest);
            let names: Vec<(String, String)> = r.conn.prepare("SELECT case_id, name FROM parties ORDER BY name").expect("sql")
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?))).expect("rows").collect::<Result<_, _>>().expect("parties");
            prop_assert_eq!(names, vec![(case.to_string(), "P".to_owned()), (other.to_string(), "Q".to_owned())]);
            prop_assert!(r.verify().expect("verify").ok);
        }
        let unique: std::collections::BTreeSet<_> = everything.iter().map(|o| o.op_id).collect();
        for r in &replicas {
            prop_assert_eq!(all_ops(r).len(), unique.len(), "every replica holds every op exactly once");
        }
    }
}
