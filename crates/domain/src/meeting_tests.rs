//! Readiness, rule by rule, and the property that no missing consent or stale risk assessment
//! ever leaves a meeting ready.

use proptest::prelude::*;

use super::*;
use crate::consent::ConsentMethod;
use crate::hlc::Hlc;
use crate::ids::{ConsentId, DeviceId};

fn d(day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, day).expect("date")
}

fn party(name: &str, role: PartyRole) -> PartyFacts {
    PartyFacts {
        id: PartyId::new(),
        name: name.into(),
        role,
        minor: false,
        guardian_of: None,
    }
}

fn consent(party: PartyId, scope: ConsentScope, decision: ConsentDecision, wall_ms: u64) -> ConsentEvent {
    ConsentEvent {
        id: ConsentId::new(),
        party,
        scope,
        decision,
        method: ConsentMethod::Verbal,
        date: d(2),
        hlc: Hlc {
            wall_ms,
            counter: 0,
            device: DeviceId(uuid::Uuid::nil()),
        },
    }
}

/// A conference between Ann (victim) and Bob (responsible) where everything is in order.
struct Ready {
    parties: Vec<PartyFacts>,
    consents: Vec<ConsentEvent>,
    contacts: Vec<(NaiveDate, Vec<PartyId>)>,
    checks: Vec<Check>,
    risk: RiskStanding,
    kind: MeetingKind,
}

impl Ready {
    fn new(kind: MeetingKind) -> Self {
        let (ann, bob) = (party("Ann", PartyRole::Victim), party("Bob", PartyRole::Harmer));
        let mut consents = Vec::new();
        for p in [&ann, &bob] {
            for s in [ConsentScope::Participation, kind.consent_scope()] {
                consents.push(consent(p.id, s, ConsentDecision::Given, 1));
            }
        }
        let mut checks: Vec<Check> = [CheckItem::VenueChecked, CheckItem::GroundRulesAgreed]
            .into_iter()
            .map(|item| Check { item, party: None })
            .collect();
        checks.push(Check {
            item: CheckItem::FactsAcknowledged,
            party: Some(bob.id),
        });
        Self {
            contacts: vec![(d(10), vec![ann.id]), (d(11), vec![bob.id])],
            parties: vec![ann, bob],
            consents,
            checks,
            risk: RiskStanding::Current { submitted_on: d(9) },
            kind,
        }
    }

    fn ids(&self) -> Vec<PartyId> {
        self.parties
            .iter()
            .filter(|p| is_principal(p.role) || p.role != PartyRole::Guardian)
            .map(|p| p.id)
            .collect()
    }

    fn readiness(&self) -> Readiness {
        let attendees = self.ids();
        readiness(&MeetingFacts {
            kind: self.kind,
            attendees: &attendees,
            parties: &self.parties,
            consents: &self.consents,
            risk: self.risk,
            contacts: &self.contacts,
            checks: &self.checks,
        })
    }

    fn missing(&self) -> Vec<String> {
        self.readiness().missing.into_iter().map(|m| m.item).collect()
    }
}

#[test]
fn a_prepared_conference_is_ready() {
    let r = Ready::new(MeetingKind::Conference).readiness();
    assert!(r.ready, "{r:?}");
    assert!(r.missing.is_empty());
}

#[test]
fn a_withdrawn_consent_makes_it_not_ready_and_says_whose() {
    let mut w = Ready::new(MeetingKind::Conference);
    let ann = w.parties[0].id;
    w.consents.push(consent(
        ann,
        ConsentScope::DirectMeeting,
        ConsentDecision::Withdrawn,
        2,
    ));
    let r = w.readiness();
    assert!(!r.ready);
    assert_eq!(r.missing.len(), 1, "{r:?}");
    assert_eq!(r.missing[0].item, format!("consent:direct_meeting:{ann}"));
    assert!(
        r.missing[0]
            .text
            .starts_with("Ann's consent to a direct meeting is withdrawn"),
        "{r:?}"
    );
    assert!(!r.missing[0].confirmable);
}

#[test]
fn the_kind_of_meeting_decides_which_consent_counts() {
    let mut w = Ready::new(MeetingKind::Conference);
    // Consent to letters is not consent to meeting face to face.
    w.kind = MeetingKind::Letters;
    let missing = w.missing();
    assert_eq!(
        missing.len(),
        2,
        "both parties lack consent to indirect: {missing:?}"
    );
    assert!(missing.iter().all(|m| m.starts_with("consent:indirect:")));
}

#[test]
fn a_minor_needs_a_guardians_consent() {
    let mut w = Ready::new(MeetingKind::Shuttle);
    w.parties[1].minor = true;
    let bob = w.parties[1].id;
    assert_eq!(w.missing(), vec![format!("guardian_consent:{bob}")]);
    let mut mum = party("Mum", PartyRole::Guardian);
    mum.guardian_of = Some(bob);
    w.consents.push(consent(
        mum.id,
        ConsentScope::Participation,
        ConsentDecision::Given,
        1,
    ));
    w.parties.push(mum);
    assert_eq!(w.missing(), Vec::<String>::new());
}

#[test]
fn every_principal_party_is_visited_after_the_risk_assessment_was_submitted() {
    let mut w = Ready::new(MeetingKind::Shuttle);
    w.risk = RiskStanding::Current { submitted_on: d(11) };
    let ann = w.parties[0].id;
    assert_eq!(
        w.missing(),
        vec![format!("visit_since_risk:{ann}")],
        "Ann was seen on the 10th"
    );
    w.contacts.push((d(11), vec![ann]));
    assert!(w.readiness().ready, "a visit on the day of submission counts");
}

#[test]
fn a_risk_assessment_that_is_missing_or_not_current_blocks_the_meeting() {
    let mut w = Ready::new(MeetingKind::Shuttle);
    w.risk = RiskStanding::None;
    let missing = w.missing();
    assert_eq!(missing[0], "risk_assessment");
    w.risk = RiskStanding::NotCurrent {
        why: NotCurrent::Expired,
        submitted_on: Some(d(9)),
    };
    let r = w.readiness();
    assert_eq!(r.missing.len(), 1, "visits since the 9th still count: {r:?}");
    assert!(r.missing[0].text.contains("90 days"), "{r:?}");
}

#[test]
fn what_only_a_person_can_tell_is_confirmed_by_one() {
    let mut w = Ready::new(MeetingKind::Conference);
    w.checks.clear();
    let bob = w.parties[1].id;
    let r = w.readiness();
    let items: Vec<(&str, bool)> = r
        .missing
        .iter()
        .map(|m| (m.item.as_str(), m.confirmable))
        .collect();
    assert_eq!(
        items,
        vec![
            (format!("facts_acknowledged:{bob}").as_str(), true),
            ("venue_checked", true),
            ("ground_rules_agreed", true)
        ]
    );
    // Video: no venue to check; letters: no ground rules either.
    w.kind = MeetingKind::Video;
    for p in w.parties.clone() {
        w.consents.push(consent(
            p.id,
            ConsentScope::DirectMeeting,
            ConsentDecision::Given,
            1,
        ));
    }
    assert!(!w.missing().contains(&"venue_checked".to_owned()));
}

#[test]
fn interpreters_and_supporters_bring_their_own_items_but_need_no_consent_of_their_own() {
    let mut w = Ready::new(MeetingKind::Conference);
    w.parties.push(party("Ivan", PartyRole::Interpreter));
    w.parties.push(party("Sue", PartyRole::Supporter));
    assert_eq!(w.missing(), vec!["interpreter_booked", "supporters_briefed"]);
}

#[test]
fn times_are_read_on_a_24_hour_clock() {
    assert!(is_time("09:30") && is_time("18:05"));
    assert!(!is_time("9:30") && !is_time("6:30 PM") && !is_time("25:00"));
    assert!(is_plan(r#"{"opening": "Welcome", "agreement": ""}"#));
    assert!(!is_plan(r#"{"chitchat": "x"}"#));
}

proptest! {
    /// Readiness is false whenever any required consent's latest event is not `given`, and
    /// whenever the risk assessment is not current, whatever else is in order.
    #[test]
    fn never_ready_without_every_consent_and_a_current_assessment(
        kind in prop::sample::select(MeetingKind::ALL.to_vec()),
        // For each of the four required (party, scope) pairs, a history of decisions.
        histories in prop::collection::vec(
            prop::collection::vec(prop::sample::select(vec![
                ConsentDecision::Given, ConsentDecision::Declined, ConsentDecision::Withdrawn,
            ]), 0..4),
            4,
        ),
        risk_current in any::<bool>(),
        why in prop::sample::select(vec![NotCurrent::NotApproved, NotCurrent::CircumstancesChanged, NotCurrent::Expired]),
    ) {
        let mut w = Ready::new(kind);
        w.consents.clear();
        let pairs: Vec<(PartyId, ConsentScope)> = w.parties.iter()
            .flat_map(|p| [(p.id, ConsentScope::Participation), (p.id, kind.consent_scope())])
            .collect();
        let mut all_given = true;
        for ((party, scope), history) in pairs.iter().zip(&histories) {
            for (i, decision) in history.iter().enumerate() {
                w.consents.push(consent(*party, *scope, *decision, i as u64 + 1));
            }
            all_given &= history.last() == Some(&ConsentDecision::Given);
        }
        if kind == MeetingKind::Video {
            w.checks.retain(|c| c.item != CheckItem::VenueChecked);
        }
        w.risk = if risk_current {
            RiskStanding::Current { submitted_on: d(9) }
        } else {
            RiskStanding::NotCurrent { why, submitted_on: Some(d(9)) }
        };
        let r = w.readiness();
        if !all_given || !risk_current {
            prop_assert!(!r.ready, "ready with a consent or the assessment missing: {:?}", r);
        } else {
            prop_assert!(r.ready, "everything in order but not ready: {:?}", r);
        }
    }
}

#[test]
fn who_took_part_is_someone_the_meeting_was_prepared_for() {
    let (ann, bob, cat) = (PartyId::new(), PartyId::new(), PartyId::new());
    assert!(check_attended(&[ann, bob], &[ann]).is_ok());
    assert!(check_attended(&[ann, bob], &[bob, ann]).is_ok());
    let none = check_attended(&[ann, bob], &[]).unwrap_err();
    assert!(none.to_string().contains("at least one"), "{none}");
    let stranger = check_attended(&[ann, bob], &[ann, cat]).unwrap_err();
    assert!(
        stranger.to_string().contains("change the details first"),
        "{stranger}"
    );
}
