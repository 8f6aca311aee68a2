//! The judgement, rule by rule: every role × record kind × op kind, and each refusal.

use std::collections::BTreeMap;

use rstest::rstest;
use serde_json::{Value, json};

use super::*;
use crate::case::provisional_reference;
use crate::hlc::Hlc;
use crate::ids::{DeviceId, OpId};
use crate::op::SCHEMA_VERSION;

const NOW: u64 = 1_800_000_000_000;

fn op(case: CaseId, entity: Entity, entity_id: Uuid, kind: OpKind, fields: Value) -> Op {
    let device = DeviceId::new();
    let fields: BTreeMap<String, Value> = serde_json::from_value(fields).expect("object");
    Op {
        op_id: OpId::new(),
        case_id: case,
        entity,
        entity_id,
        kind,
        fields,
        replaces: BTreeMap::new(),
        hlc: Hlc {
            wall_ms: NOW,
            counter: 0,
            device,
        },
        author: UserId::new(),
        device,
        schema_version: SCHEMA_VERSION,
    }
}

/// A well-formed op of each entity and kind, on `case`, whose references point at `party`
/// and `contact`.
fn sample(
    case: CaseId,
    author: UserId,
    entity: Entity,
    kind: OpKind,
    party: Uuid,
    contact: Uuid,
    risk: Uuid,
) -> Op {
    let create = kind == OpKind::Create;
    let (id, fields) = match entity {
        Entity::Case if create => (
            case.as_uuid(),
            json!({"reference": provisional_reference(case), "kind": "restorative_justice",
                   "stage": "out_of_court", "status": "referred", "source": "police",
                   "summary": "A broken window", "received_on": "2026-11-27", "lead": author}),
        ),
        Entity::Case => (case.as_uuid(), json!({"summary": "A broken fence"})),
        Entity::Party if create => (Uuid::now_v7(), json!({"role": "victim", "name": "Ann"})),
        Entity::Party => (party, json!({"phone": "0161 000"})),
        Entity::Contact if create => (
            Uuid::now_v7(),
            json!({"kind": "visit", "date": "2026-11-27", "state": "draft",
                   "party_ids": serde_json::to_string(&[party.to_string()]).expect("json")}),
        ),
        Entity::Contact => (contact, json!({"notes": "Talked about the window."})),
        Entity::Consent => (
            Uuid::now_v7(),
            json!({"party_id": party, "scope": "contact", "decision": "given", "method": "verbal",
                   "date": "2026-11-27"}),
        ),
        Entity::StatusChange => (
            Uuid::now_v7(),
            json!({"from_status": "referred", "to_status": "contacting", "transition": "advance",
                   "date": "2026-11-27"}),
        ),
        Entity::SupervisionNote => (
            Uuid::now_v7(),
            json!({"text": "Well prepared.", "date": "2026-11-27"}),
        ),
        Entity::RiskAssessment if create => (
            Uuid::now_v7(),
            json!({"rating": "medium", "factors": r#"{"violence": {"level": "low", "note": ""}}"#}),
        ),
        Entity::RiskAssessment => (risk, json!({"mitigations": "Separate waiting rooms."})),
        Entity::Meeting if create => (
            Uuid::now_v7(),
            json!({"kind": "conference", "planned_on": "2026-12-10", "planned_time": "14:00",
                   "attendees": serde_json::to_string(&[party.to_string()]).expect("json")}),
        ),
        Entity::Meeting => (risk, json!({"venue": "Town hall, room 2"})),
        Entity::MeetingCheck => (
            Uuid::now_v7(),
            json!({"meeting": risk, "item": "venue_checked", "date": "2026-11-27"}),
        ),
        Entity::Agreement if create => (
            Uuid::now_v7(),
            json!({"made_on": "2026-12-10",
                   "actions": r#"[{"what": "Repair the fence", "by": "Bob", "due": "2027-01-15", "status": "open"}]"#}),
        ),
        Entity::Agreement => (risk, json!({"review_on": "2027-01-20"})),
        Entity::CourtReport if create => (Uuid::now_v7(), json!({"what_took_place": "Two visits each."})),
        Entity::CourtReport => (risk, json!({"what_took_place": "A conference."})),
        Entity::Feedback => (
            Uuid::now_v7(),
            json!({"party": party, "satisfaction": "satisfied", "recommend": true,
                   "words": "It helped.", "date": "2026-12-20"}),
        ),
        Entity::SignOff => (
            Uuid::now_v7(),
            json!({"risk_assessment": risk, "submission": Uuid::now_v7(), "decision": "approved",
                   "date": "2026-11-27"}),
        ),
    };
    let mut o = op(case, entity, id, kind, fields);
    o.author = author;
    o
}

struct World {
    case: CaseId,
    party: Uuid,
    contact: Uuid,
    risk: Uuid,
}

impl World {
    fn new() -> Self {
        Self {
            case: CaseId::new(),
            party: Uuid::now_v7(),
            contact: Uuid::now_v7(),
            risk: Uuid::now_v7(),
        }
    }

    fn known(&self, entity: Entity, id: Uuid) -> Option<Known> {
        let hit = (entity == Entity::Case && id == self.case.as_uuid())
            || (entity == Entity::Party && id == self.party)
            || (entity == Entity::Contact && id == self.contact)
            || (matches!(
                entity,
                Entity::RiskAssessment | Entity::Meeting | Entity::Agreement | Entity::CourtReport
            ) && id == self.risk);
        hit.then_some(Known {
            entity,
            case_id: self.case,
            finalised: false,
        })
    }

    /// The facts a judge would gather for `op` in this world.
    fn facts(&self, op: &Op, authority: Authority, standing: Standing) -> Facts {
        let target = if op.kind == OpKind::Create && op.entity != Entity::Case {
            None
        } else {
            self.known(op.entity, op.entity_id)
        };
        Facts {
            authority,
            standing,
            target,
            references: references(op)
                .into_iter()
                .map(|r| (r, self.known(r.entity, r.id)))
                .collect(),
            now_ms: Some(NOW),
            named: Vec::new(),
        }
    }
}

fn user(role: Role) -> (UserId, Authority) {
    let id = UserId::new();
    (id, Authority::User { id, role })
}

/// Every role × record kind × op kind: what the permission table allows is accepted on a case
/// the author holds, and everything else is refused with `role_may_not`.
#[test]
fn every_role_writes_exactly_what_its_table_allows() {
    let mut allowed = 0;
    for role in Role::ALL {
        for entity in Entity::ALL {
            for kind in OpKind::ALL {
                if *kind == OpKind::Update && entity.is_append_only() {
                    continue;
                }
                let w = World::new();
                let (id, authority) = user(*role);
                let o = sample(w.case, id, *entity, *kind, w.party, w.contact, w.risk);
                let standing = if *entity == Entity::Case && *kind == OpKind::Create {
                    Standing::UnknownCase
                } else {
                    Standing::Holds
                };
                let mut facts = w.facts(&o, authority, standing);
                if *entity == Entity::Case && *kind == OpKind::Create {
                    facts.target = None;
                }
                let verdict = judge(&o, &facts);
                if may_write(*role, *entity, *kind) {
                    allowed += 1;
                    assert_eq!(verdict, Verdict::Accept, "{role} {kind} {entity}");
                } else {
                    assert!(
                        matches!(&verdict, Verdict::Refuse(r) if r.code() == "role_may_not"),
                        "{role} {kind} {entity}: {verdict:?}"
                    );
                }
            }
        }
    }
    // Facilitators: 7 kinds × 2 + 4 creates; supervisors 2; coordinators 1.
    assert_eq!(allowed, 21);
}

#[test]
fn only_the_hub_sets_the_reference_and_it_may_allocate() {
    let w = World::new();
    let (id, fac) = user(Role::Facilitator);
    for field in HUB_OWNED_FIELDS.iter().chain(ALLOCATION_FIELDS) {
        let o = op(
            w.case,
            Entity::Case,
            w.case.as_uuid(),
            OpKind::Update,
            json!({*field: id}),
        );
        let refused = if HUB_OWNED_FIELDS.contains(field) {
            Refusal::HubOwnedField { field }
        } else {
            Refusal::MayNotAllocate {
                role: Role::Facilitator,
            }
        };
        assert_eq!(
            judge(&o, &w.facts(&o, fac, Standing::Holds)),
            Verdict::Refuse(refused)
        );
        assert_eq!(
            judge(&o, &w.facts(&o, Authority::Hub, Standing::Outsider)),
            Verdict::Accept
        );
    }
    let summary = op(
        w.case,
        Entity::Case,
        w.case.as_uuid(),
        OpKind::Update,
        json!({"summary": "x"}),
    );
    assert_eq!(
        judge(&summary, &w.facts(&summary, Authority::Hub, Standing::Holds)),
        Verdict::Refuse(Refusal::NotHubWork)
    );
}

/// What the judge knows of the facilitator an allocation names: their role and whether they
/// are of the author's team, or nothing (no such user).
type NamedAs = Option<(Role, bool)>;

/// Who may move a case to whom: coordinators any case to any facilitator, a supervisor their
/// team's cases within their team, nobody else; and only to facilitators the judge knows.
#[rstest]
#[case::coordinator_accepted(Role::Coordinator, Standing::Holds, Some((Role::Facilitator, false)), None)]
#[case::supervisor_within_the_team(Role::Supervisor, Standing::Holds, Some((Role::Facilitator, true)), None)]
#[case::facilitator_refused(Role::Facilitator, Standing::Holds, Some((Role::Facilitator, true)), Some("may_not_allocate"))]
#[case::admin_refused(Role::Admin, Standing::Holds, Some((Role::Facilitator, true)), Some("may_not_allocate"))]
#[case::supervisor_of_another_team(Role::Supervisor, Standing::Outsider, Some((Role::Facilitator, true)), Some("not_your_case"))]
#[case::supervisor_whose_team_lost_it(Role::Supervisor, Standing::HeldUntil(NOW + 1), Some((Role::Facilitator, true)), Some("not_your_case"))]
#[case::supervisor_to_another_teams_facilitator(Role::Supervisor, Standing::Holds, Some((Role::Facilitator, false)), Some("other_team"))]
#[case::unknown_user(Role::Coordinator, Standing::Holds, None, Some("unknown_user"))]
#[case::not_a_facilitator(Role::Coordinator, Standing::Holds, Some((Role::Supervisor, false)), Some("not_a_facilitator"))]
fn who_may_allocate_a_case(
    #[case] role: Role,
    #[case] standing: Standing,
    #[case] named_as: NamedAs,
    #[case] refused: Option<&str>,
    #[values("lead", "co")] field: &str,
) {
    let w = World::new();
    let (author, authority) = user(role);
    let (lead, co) = (UserId::new(), UserId::new());
    let facilitator = Named {
        role: Role::Facilitator,
        in_authors_team: true,
    };
    let mut o = op(
        w.case,
        Entity::Case,
        w.case.as_uuid(),
        OpKind::Update,
        json!({"lead": lead, "co": co}),
    );
    o.author = author;
    let mut facts = w.facts(&o, authority, standing);
    let known = named_as.map(|(role, in_authors_team)| Named {
        role,
        in_authors_team,
    });
    // The case in question is in `field`; the other field names a facilitator who fits.
    facts.named = if field == "lead" {
        vec![(lead, known), (co, Some(facilitator))]
    } else {
        vec![(lead, Some(facilitator)), (co, known)]
    };
    let verdict = judge(&o, &facts);
    match refused {
        None => assert_eq!(verdict, Verdict::Accept),
        Some(code) => {
            assert!(
                matches!(&verdict, Verdict::Refuse(r) if r.code() == code),
                "{field}: {verdict:?}"
            );
        }
    }
}

#[test]
fn a_coordinator_enters_a_referral_already_allocated_and_an_allocation_always_has_a_lead() {
    let w = World::new();
    let (coordinator, authority) = user(Role::Coordinator);
    let (lead, co) = (UserId::new(), UserId::new());
    let facilitator = Some(Named {
        role: Role::Facilitator,
        in_authors_team: false,
    });
    let mut o = sample(
        w.case,
        coordinator,
        Entity::Case,
        OpKind::Create,
        w.party,
        w.contact,
        w.risk,
    );
    o.fields.insert("lead".into(), json!(lead));
    o.fields.insert("co".into(), json!(co));
    let mut facts = Facts {
        target: None,
        ..w.facts(&o, authority, Standing::UnknownCase)
    };
    facts.named = vec![(lead, facilitator), (co, facilitator)];
    assert_eq!(named(&o), vec![lead, co]);
    assert_eq!(judge(&o, &facts), Verdict::Accept);
    facts.named = vec![(lead, facilitator)];
    assert_eq!(
        judge(&o, &facts),
        Verdict::Refuse(Refusal::UnknownUser { field: "co" })
    );
    // Naming themselves is what every referral does; it allocates nothing.
    o.fields.insert("lead".into(), json!(coordinator));
    o.fields.remove("co");
    facts.named = Vec::new();
    assert_eq!(judge(&o, &facts), Verdict::Accept);

    let unlead = op(
        w.case,
        Entity::Case,
        w.case.as_uuid(),
        OpKind::Update,
        json!({"lead": null}),
    );
    assert_eq!(
        judge(&unlead, &w.facts(&unlead, authority, Standing::Holds)),
        Verdict::Refuse(Refusal::NoLead)
    );
    // An allocation carries nothing else: a coordinator does not edit the referral with it.
    let mixed = op(
        w.case,
        Entity::Case,
        w.case.as_uuid(),
        OpKind::Update,
        json!({"lead": lead, "summary": "x"}),
    );
    let mut facts = w.facts(&mixed, authority, Standing::Holds);
    facts.named = vec![(lead, facilitator)];
    assert!(matches!(
        judge(&mixed, &facts),
        Verdict::Refuse(Refusal::RoleMayNot { .. })
    ));
}

#[test]
fn a_new_case_names_its_author_and_its_provisional_reference() {
    let w = World::new();
    let (id, fac) = user(Role::Facilitator);
    let mut o = sample(
        w.case,
        id,
        Entity::Case,
        OpKind::Create,
        w.party,
        w.contact,
        w.risk,
    );
    let facts = |o: &Op| Facts {
        target: None,
        ..w.facts(o, fac, Standing::UnknownCase)
    };
    assert_eq!(judge(&o, &facts(&o)), Verdict::Accept);
    o.fields.insert("lead".into(), json!(UserId::new()));
    assert_eq!(judge(&o, &facts(&o)), Verdict::Refuse(Refusal::BadNewCase));
    o.fields.insert("lead".into(), json!(id));
    o.fields.insert("reference".into(), json!("RH-2026-0001"));
    assert_eq!(judge(&o, &facts(&o)), Verdict::Refuse(Refusal::BadNewCase));
    o.fields
        .insert("reference".into(), json!(provisional_reference(w.case)));
    o.entity_id = Uuid::now_v7();
    assert_eq!(judge(&o, &facts(&o)), Verdict::Refuse(Refusal::CaseIdMismatch));
}

#[test]
fn nothing_but_a_case_create_opens_an_unknown_case() {
    let w = World::new();
    let (id, fac) = user(Role::Facilitator);
    let o = sample(
        w.case,
        id,
        Entity::Party,
        OpKind::Create,
        w.party,
        w.contact,
        w.risk,
    );
    assert_eq!(
        judge(&o, &w.facts(&o, fac, Standing::UnknownCase)),
        Verdict::Refuse(Refusal::UnknownCase)
    );
}

#[test]
fn a_late_note_is_flagged_and_a_later_one_refused() {
    let w = World::new();
    let (id, fac) = user(Role::Facilitator);
    let o = sample(
        w.case,
        id,
        Entity::Contact,
        OpKind::Create,
        w.party,
        w.contact,
        w.risk,
    );
    assert_eq!(
        judge(&o, &w.facts(&o, fac, Standing::HeldUntil(NOW + 1))),
        Verdict::Flag(LATE_NOTE)
    );
    assert_eq!(
        judge(&o, &w.facts(&o, fac, Standing::HeldUntil(NOW - 1))),
        Verdict::Refuse(Refusal::NotYourCase)
    );
    assert_eq!(
        judge(&o, &w.facts(&o, fac, Standing::Outsider)),
        Verdict::Refuse(Refusal::NotYourCase)
    );
}

#[test]
fn records_of_another_case_cannot_be_touched_or_pointed_at() {
    let mine = World::new();
    let theirs = World::new();
    let (id, fac) = user(Role::Facilitator);
    // An update of my case's party id, but the party lives in another case.
    let o = op(
        mine.case,
        Entity::Party,
        theirs.party,
        OpKind::Update,
        json!({"name": "Bob"}),
    );
    let mut facts = mine.facts(&o, fac, Standing::Holds);
    facts.target = theirs.known(Entity::Party, theirs.party);
    assert_eq!(
        judge(&o, &facts),
        Verdict::Refuse(Refusal::OtherCase(Entity::Party))
    );
    // Another case's record dressed as mine: the case id is the wrong one for the case record.
    let o = op(
        mine.case,
        Entity::Case,
        theirs.case.as_uuid(),
        OpKind::Update,
        json!({"summary": "x"}),
    );
    assert_eq!(
        judge(&o, &mine.facts(&o, fac, Standing::Holds)),
        Verdict::Refuse(Refusal::CaseIdMismatch)
    );
    // A consent naming another case's party.
    let mut o = sample(
        mine.case,
        id,
        Entity::Consent,
        OpKind::Create,
        theirs.party,
        mine.contact,
        mine.risk,
    );
    o.author = id;
    let mut facts = mine.facts(&o, fac, Standing::Holds);
    facts.references = references(&o)
        .into_iter()
        .map(|r| (r, theirs.known(r.entity, r.id)))
        .collect();
    assert_eq!(
        judge(&o, &facts),
        Verdict::Refuse(Refusal::ReferenceIntoOtherCase {
            field: "party_id",
            entity: Entity::Party
        })
    );
    // A consent naming a party that does not exist.
    let o = sample(
        mine.case,
        id,
        Entity::Consent,
        OpKind::Create,
        Uuid::now_v7(),
        mine.contact,
        mine.risk,
    );
    assert_eq!(
        judge(&o, &mine.facts(&o, fac, Standing::Holds)),
        Verdict::Refuse(Refusal::Dangling {
            field: "party_id",
            entity: Entity::Party
        })
    );
}

#[test]
fn creates_are_new_and_updates_have_a_record() {
    let w = World::new();
    let (id, fac) = user(Role::Facilitator);
    let o = sample(
        w.case,
        id,
        Entity::Party,
        OpKind::Create,
        w.party,
        w.contact,
        w.risk,
    );
    let mut facts = w.facts(&o, fac, Standing::Holds);
    facts.target = w.known(Entity::Party, w.party);
    assert_eq!(
        judge(&o, &facts),
        Verdict::Refuse(Refusal::AlreadyExists(Entity::Party))
    );
    let o = op(
        w.case,
        Entity::Party,
        Uuid::now_v7(),
        OpKind::Update,
        json!({"name": "Bob"}),
    );
    assert_eq!(
        judge(&o, &w.facts(&o, fac, Standing::Holds)),
        Verdict::Refuse(Refusal::UnknownRecord(Entity::Party))
    );
}

#[test]
fn a_finalised_contact_never_changes_and_only_it_can_be_amended() {
    let w = World::new();
    let (id, fac) = user(Role::Facilitator);
    let o = sample(
        w.case,
        id,
        Entity::Contact,
        OpKind::Update,
        w.party,
        w.contact,
        w.risk,
    );
    let mut facts = w.facts(&o, fac, Standing::Holds);
    facts.target = facts.target.map(|k| Known { finalised: true, ..k });
    assert_eq!(judge(&o, &facts), Verdict::Refuse(Refusal::Finalised));
    // The received copy is judged the same way: a finalised record stays as it is everywhere.
    facts.authority = Authority::Vetted;
    assert_eq!(judge(&o, &facts), Verdict::Refuse(Refusal::Finalised));

    let mut amendment = sample(
        w.case,
        id,
        Entity::Contact,
        OpKind::Create,
        w.party,
        w.contact,
        w.risk,
    );
    amendment.fields.insert("amends".into(), json!(w.contact));
    let facts = w.facts(&amendment, fac, Standing::Holds);
    assert_eq!(judge(&amendment, &facts), Verdict::Refuse(Refusal::AmendsDraft));
}

#[rstest]
#[case::null_in_a_required_field(Entity::Case, json!({"reference": null}))]
#[case::null_summary(Entity::Case, json!({"summary": null}))]
#[case::a_number_for_text(Entity::Case, json!({"summary": 42}))]
#[case::a_list_for_a_flag(Entity::Party, json!({"minor": ["yes"]}))]
#[case::an_unknown_status(Entity::Case, json!({"status": "exploded"}))]
#[case::an_id_that_is_not_one(Entity::Party, json!({"guardian_of": "someone"}))]
#[case::a_null_default(Entity::Party, json!({"minor": null}))]
fn poison_values_are_refused_as_malformed(#[case] entity: Entity, #[case] fields: Value) {
    let w = World::new();
    let (_, fac) = user(Role::Facilitator);
    let id = if entity == Entity::Case {
        w.case.as_uuid()
    } else {
        w.party
    };
    let o = op(w.case, entity, id, OpKind::Update, fields);
    for authority in [fac, Authority::Vetted] {
        let verdict = judge(&o, &w.facts(&o, authority, Standing::Holds));
        assert!(
            matches!(&verdict, Verdict::Refuse(r) if r.code() == "malformed"),
            "{verdict:?}"
        );
    }
}

#[test]
fn clocks_far_ahead_are_refused_and_the_edges_do_not_overflow() {
    let w = World::new();
    let (id, fac) = user(Role::Facilitator);
    let mut o = sample(
        w.case,
        id,
        Entity::Party,
        OpKind::Create,
        w.party,
        w.contact,
        w.risk,
    );
    o.hlc.wall_ms = NOW + MAX_CLOCK_AHEAD_MS;
    assert_eq!(judge(&o, &w.facts(&o, fac, Standing::Holds)), Verdict::Accept);
    for wall in [NOW + MAX_CLOCK_AHEAD_MS + 1, 1 << 63, u64::MAX] {
        o.hlc.wall_ms = wall;
        assert_eq!(
            judge(&o, &w.facts(&o, fac, Standing::Holds)),
            Verdict::Refuse(Refusal::ClockAhead)
        );
    }
    let mut facts = w.facts(&o, fac, Standing::Holds);
    facts.now_ms = Some(u64::MAX);
    assert_eq!(judge(&o, &facts), Verdict::Accept, "a judge at the end of time");
    facts.now_ms = None;
    assert_eq!(
        judge(&o, &facts),
        Verdict::Accept,
        "received ops are dated by the hub"
    );
}

#[test]
fn fields_over_a_mebibyte_are_refused() {
    let w = World::new();
    let (_, fac) = user(Role::Facilitator);
    let o = op(
        w.case,
        Entity::Contact,
        w.contact,
        OpKind::Update,
        json!({"notes": "x".repeat(MAX_FIELDS_BYTES)}),
    );
    assert!(matches!(
        judge(&o, &w.facts(&o, fac, Standing::Holds)),
        Verdict::Refuse(Refusal::TooLarge { .. })
    ));
    let o = op(
        w.case,
        Entity::Contact,
        w.contact,
        OpKind::Update,
        json!({"notes": "x".repeat(MAX_FIELDS_BYTES - 100)}),
    );
    assert_eq!(judge(&o, &w.facts(&o, fac, Standing::Holds)), Verdict::Accept);
}

#[test]
fn refusal_codes_are_unique() {
    let all = [
        Refusal::Malformed(OpError::AppendOnly(Entity::Consent)),
        Refusal::TooLarge { bytes: 0 },
        Refusal::ClockAhead,
        Refusal::CaseIdMismatch,
        Refusal::RoleMayNot {
            role: Role::Admin,
            verb: "create",
            entity: Entity::Case,
        },
        Refusal::HubOwnedField { field: "lead" },
        Refusal::BadNewCase,
        Refusal::NotHubWork,
        Refusal::UnknownCase,
        Refusal::NotYourCase,
        Refusal::AlreadyExists(Entity::Case),
        Refusal::UnknownRecord(Entity::Case),
        Refusal::OtherCase(Entity::Case),
        Refusal::Finalised,
        Refusal::Dangling {
            field: "party_id",
            entity: Entity::Party,
        },
        Refusal::ReferenceIntoOtherCase {
            field: "party_id",
            entity: Entity::Party,
        },
        Refusal::AmendsDraft,
        Refusal::MayNotAllocate { role: Role::Admin },
        Refusal::NoLead,
        Refusal::UnknownUser { field: "lead" },
        Refusal::NotAFacilitator { field: "lead" },
        Refusal::OtherTeam { field: "lead" },
    ];
    let codes: std::collections::BTreeSet<_> = all.iter().map(Refusal::code).collect();
    assert_eq!(codes.len(), all.len());
}
