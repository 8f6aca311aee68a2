//! The answer built from one case's ops: what is shown, what is counted, what is renamed.

use std::collections::BTreeMap;

use casebook_domain::{DeviceId, Hlc, OpId, OpKind, SCHEMA_VERSION};
use serde_json::{Value, json};

use super::*;

/// Ops of one case, each a create a tick after the one before.
struct Case {
    id: CaseId,
    staff: UserId,
    ops: Vec<Op>,
}

impl Case {
    fn add(&mut self, entity: Entity, fields: Value) -> Uuid {
        let id = if entity == Entity::Case {
            self.id.as_uuid()
        } else {
            Uuid::now_v7()
        };
        let device = DeviceId::new();
        self.ops.push(Op {
            op_id: OpId::new(),
            case_id: self.id,
            entity,
            entity_id: id,
            kind: OpKind::Create,
            fields: serde_json::from_value::<BTreeMap<String, Value>>(fields).expect("an object"),
            replaces: BTreeMap::new(),
            hlc: Hlc {
                wall_ms: 1 + self.ops.len() as u64,
                counter: 0,
                device,
            },
            author: self.staff,
            device,
            schema_version: SCHEMA_VERSION,
        });
        id
    }
}

#[test]
fn other_parties_records_are_counted_not_shown_and_agreed_actions_name_only_the_subject() {
    let mut c = Case {
        id: CaseId::new(),
        staff: UserId::new(),
        ops: Vec::new(),
    };
    c.add(
        Entity::Case,
        json!({"kind": "restorative_justice", "stage": "out_of_court",
        "status": "follow_up", "source": "police", "summary": "s", "received_on": "2026-10-01",
        "lead": c.staff}),
    );
    let ann = c.add(Entity::Party, json!({"name": "Ann Smith", "role": "victim"}));
    let bob = c.add(Entity::Party, json!({"name": "Bob Stone", "role": "harmer"}));
    let list = |ids: &[Uuid]| {
        serde_json::to_string(&ids.iter().map(Uuid::to_string).collect::<Vec<_>>()).expect("json")
    };
    c.add(
        Entity::Consent,
        json!({"party_id": bob, "scope": "direct_meeting", "decision": "given",
        "method": "verbal", "date": "2026-10-02"}),
    );
    c.add(
        Entity::Contact,
        json!({"kind": "visit", "date": "2026-10-03", "state": "finalised",
        "notes": "his words", "party_ids": list(&[bob])}),
    );
    let meeting = c.add(
        Entity::Meeting,
        json!({"kind": "conference", "planned_on": "2026-10-20",
        "held_on": "2026-10-20", "attendees": list(&[ann, bob]),
        "plan": r#"{"opening":"Welcome Ann and Bob"}"#}),
    );
    let actions = json!([
        {"what": "Write to Bob", "by": "ann smith", "due": "2026-11-01", "status": "done"},
        {"what": "Bob Stone will mend Ann's fence", "by": "Bob Stone", "due": "2026-11-15", "status": "open"},
        {"what": "Check in with both", "by": "the service", "due": "2026-12-01", "status": "open"},
    ]);
    c.add(
        Entity::Agreement,
        json!({"meeting": meeting, "made_on": "2026-10-20", "actions": actions.to_string()}),
    );
    c.add(
        Entity::Feedback,
        json!({"party": ann, "satisfaction": "very_satisfied", "recommend": true,
        "words": "Meeting Bob Stone helped me", "date": "2026-11-20"}),
    );
    c.add(
        Entity::Feedback,
        json!({"party": bob, "satisfaction": "neither", "words": "his feedback", "date": "2026-11-21"}),
    );

    let staff = HashMap::from([(c.staff, "Femi".to_owned())]);
    let request = RequestFacts {
        reference: "SAR-1".into(),
        parties: BTreeSet::from([ann]),
        received_on: NaiveDate::from_ymd_opt(2026, 11, 2).expect("date"),
        due_on: NaiveDate::from_ymd_opt(2026, 12, 2).expect("date"),
    };
    let input = CaseInput {
        case_id: c.id,
        reference: "RH-2026-0001".into(),
        ops: c.ops,
    };
    let answer = answer(&request, &[input], &staff, request.received_on);
    let case = &answer.cases[0];
    assert_eq!(answer.subject, "Ann Smith");
    assert!(case.consents.is_empty() && case.contacts.is_empty());
    let withheld: Vec<(&str, usize)> = case
        .withheld
        .iter()
        .map(|w| (w.record.as_str(), w.count))
        .collect();
    assert_eq!(
        withheld,
        [("consent", 1), ("contact", 1), ("feedback", 1), ("party", 1)]
    );
    assert_eq!(case.feedback.len(), 1, "her own feedback, not his");
    assert_eq!(case.feedback[0].satisfaction, "very satisfied");
    assert_eq!(case.feedback[0].recommend, Some(true));
    assert_eq!(
        case.feedback[0].words.as_deref(),
        Some("Meeting another party helped me")
    );
    assert_eq!(case.feedback[0].recorded_by, "Femi");
    assert_eq!(case.meetings[0].others_attending, 1);
    assert_eq!(case.meetings[0].plan[0].value, "Welcome Ann and another party");
    let by: Vec<&str> = case.agreement_actions.iter().map(|a| a.by.as_str()).collect();
    assert_eq!(by, ["ann smith", ANOTHER_PARTY, "the service"]);
    assert_eq!(
        case.agreement_actions[1].what,
        "another party will mend Ann's fence"
    );
    assert_eq!(case.staff[0].value, "Femi");
    let json = serde_json::to_string(&answer).expect("json").to_lowercase();
    assert!(
        !json.contains("bob") && !json.contains("his words") && !json.contains("his feedback"),
        "{json}"
    );
}
