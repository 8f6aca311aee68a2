//! Consent events (append-only) and what they add up to: the current decision of each party
//! for each scope is the latest event, and the rules that depend on it.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::RuleError;
use crate::hlc::Hlc;
use crate::ids::{ConsentId, PartyId};
use crate::party::{PartyFacts, PartyRole};

labelled_enum!(
    /// What a consent covers.
    ConsentScope {
        /// Taking part in the restorative process at all.
        Participation = "participation" / "taking part",
        /// Sharing information with a named agency.
        InfoSharing = "info_sharing" / "information sharing with an agency",
        /// Being contacted by the service.
        Contact = "contact" / "contact by the service",
        /// A direct (face-to-face) meeting.
        DirectMeeting = "direct_meeting" / "a direct meeting",
        /// Indirect communication: letters, shuttle mediation.
        Indirect = "indirect" / "indirect communication",
        /// Sharing specific information with the other party.
        ShareWithOtherParty = "share_with_other_party" / "sharing information with the other party",
        /// Follow-up feedback.
        FollowUp = "follow_up" / "follow-up feedback",
        /// Passing the party's own words to the court in a pre-sentence report.
        ShareWithCourt = "share_with_court" / "sharing their words with the court",
    }
);

labelled_enum!(
    /// The party's decision.
    ConsentDecision {
        /// Consent given.
        Given = "given" / "given",
        /// Consent refused.
        Declined = "declined" / "declined",
        /// Consent given earlier and now taken back.
        Withdrawn = "withdrawn" / "withdrawn",
    }
);

labelled_enum!(
    /// How the decision was recorded.
    ConsentMethod {
        /// Said aloud.
        Verbal = "verbal" / "verbal",
        /// In writing.
        Written = "written" / "written",
        /// A signed consent form.
        Signed = "signed" / "signed form",
    }
);

/// One consent event, as the rules need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentEvent {
    /// The event's id.
    pub id: ConsentId,
    /// Whose decision.
    pub party: PartyId,
    /// What it covers.
    pub scope: ConsentScope,
    /// The decision.
    pub decision: ConsentDecision,
    /// How it was recorded.
    pub method: ConsentMethod,
    /// The day the decision was made.
    pub date: NaiveDate,
    /// When it was recorded: orders events, so the latest wins on every replica.
    pub hlc: Hlc,
}

/// The current decision of one party for one scope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentConsent {
    /// The decision in force.
    pub decision: ConsentDecision,
    /// How it was recorded.
    pub method: ConsentMethod,
    /// The day it was made.
    pub date: NaiveDate,
    /// The event that set it.
    pub event: ConsentId,
}

/// The current consent of every party for every scope: the latest event by HLC wins.
pub fn current_consents(events: &[ConsentEvent]) -> BTreeMap<(PartyId, ConsentScope), CurrentConsent> {
    let mut latest: BTreeMap<(PartyId, ConsentScope), &ConsentEvent> = BTreeMap::new();
    for e in events {
        let slot = latest.entry((e.party, e.scope)).or_insert(e);
        if e.hlc > slot.hlc {
            *slot = e;
        }
    }
    latest
        .into_iter()
        .map(|(k, e)| {
            (
                k,
                CurrentConsent {
                    decision: e.decision,
                    method: e.method,
                    date: e.date,
                    event: e.id,
                },
            )
        })
        .collect()
}

/// The current decision of one party for one scope, if any was recorded.
pub fn current_decision(
    events: &[ConsentEvent],
    party: PartyId,
    scope: ConsentScope,
) -> Option<&ConsentEvent> {
    events
        .iter()
        .filter(|e| e.party == party && e.scope == scope)
        .max_by_key(|e| e.hlc)
}

/// May the service record a new contact with these parties? Not with a party whose consent
/// to contact is declined or withdrawn, unless that party initiated the contact.
pub fn check_contact_allowed(
    seen: &[&PartyFacts],
    events: &[ConsentEvent],
    initiated_by_party: bool,
) -> Result<(), RuleError> {
    if initiated_by_party {
        return Ok(());
    }
    for party in seen {
        if let Some(e) = current_decision(events, party.id, ConsentScope::Contact)
            && e.decision != ConsentDecision::Given
        {
            return Err(RuleError::ContactConsentRefused {
                party: party.name.clone(),
                decision: e.decision,
                when: e.date,
            });
        }
    }
    Ok(())
}

/// May this minor take part? Needs the minor's own consent to participate and a guardian's.
/// `parties` are all the parties of the case (to find the guardians).
pub fn check_minor_participation(
    minor: &PartyFacts,
    parties: &[PartyFacts],
    events: &[ConsentEvent],
) -> Result<(), RuleError> {
    if !minor.minor {
        return Ok(());
    }
    let given = |id| {
        current_decision(events, id, ConsentScope::Participation)
            .is_some_and(|e| e.decision == ConsentDecision::Given)
    };
    let guardians: Vec<&PartyFacts> = parties
        .iter()
        .filter(|p| p.guardian_of == Some(minor.id) && p.role == PartyRole::Guardian)
        .collect();
    let own = given(minor.id);
    let guardian = guardians.iter().any(|g| given(g.id));
    let missing = match (own, guardian, guardians.is_empty()) {
        (true, true, _) => return Ok(()),
        (true, false, true) => {
            "a parent or guardian's consent, and no guardian is recorded on the case yet".to_owned()
        }
        (true, false, false) => "a parent or guardian's consent".to_owned(),
        (false, true, _) => format!("{}'s own consent", minor.name),
        (false, false, true) => format!(
            "{}'s own consent and a parent or guardian's (no guardian is recorded on the case yet)",
            minor.name
        ),
        (false, false, false) => format!("{}'s own consent and a parent or guardian's", minor.name),
    };
    Err(RuleError::MinorConsentMissing {
        party: minor.name.clone(),
        missing,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::DeviceId;

    fn party(name: &str, role: PartyRole, minor: bool, guardian_of: Option<PartyId>) -> PartyFacts {
        PartyFacts {
            id: PartyId::new(),
            name: name.into(),
            role,
            minor,
            guardian_of,
        }
    }

    struct Log {
        device: DeviceId,
        tick: u64,
        events: Vec<ConsentEvent>,
    }

    impl Log {
        fn new() -> Self {
            Self {
                device: DeviceId::new(),
                tick: 0,
                events: vec![],
            }
        }
        fn record(&mut self, party: &PartyFacts, scope: ConsentScope, decision: ConsentDecision, day: u32) {
            self.tick += 1;
            self.events.push(ConsentEvent {
                id: ConsentId::new(),
                party: party.id,
                scope,
                decision,
                method: ConsentMethod::Verbal,
                date: NaiveDate::from_ymd_opt(2026, 11, day).expect("date"),
                hlc: Hlc {
                    wall_ms: self.tick,
                    counter: 0,
                    device: self.device,
                },
            });
        }
    }

    #[test]
    fn the_latest_event_is_the_current_consent() {
        let ann = party("Ann", PartyRole::Victim, false, None);
        let mut log = Log::new();
        log.record(&ann, ConsentScope::Contact, ConsentDecision::Given, 1);
        log.record(&ann, ConsentScope::Contact, ConsentDecision::Withdrawn, 9);
        log.record(&ann, ConsentScope::DirectMeeting, ConsentDecision::Given, 3);
        let now = current_consents(&log.events);
        assert_eq!(
            now[&(ann.id, ConsentScope::Contact)].decision,
            ConsentDecision::Withdrawn
        );
        assert_eq!(
            now[&(ann.id, ConsentScope::DirectMeeting)].decision,
            ConsentDecision::Given
        );
        assert_eq!(now.len(), 2);
    }

    #[test]
    fn latest_is_by_recording_order_not_slice_order() {
        let ann = party("Ann", PartyRole::Victim, false, None);
        let mut log = Log::new();
        log.record(&ann, ConsentScope::Contact, ConsentDecision::Given, 1);
        log.record(&ann, ConsentScope::Contact, ConsentDecision::Declined, 2);
        log.events.reverse();
        assert_eq!(
            current_decision(&log.events, ann.id, ConsentScope::Contact).map(|e| e.decision),
            Some(ConsentDecision::Declined)
        );
    }

    #[test]
    fn withdrawn_contact_consent_refuses_a_new_contact_naming_party_scope_and_date() {
        let ann = party("Ann Example", PartyRole::Victim, false, None);
        let mut log = Log::new();
        log.record(&ann, ConsentScope::Contact, ConsentDecision::Given, 1);
        log.record(&ann, ConsentScope::Contact, ConsentDecision::Withdrawn, 12);
        let err = check_contact_allowed(&[&ann], &log.events, false).expect_err("refused");
        let msg = err.to_string();
        assert!(
            msg.contains("Ann Example")
                && msg.contains("withdrawn")
                && msg.contains("contact by the service")
        );
        assert!(msg.contains("2026-11-12"), "{msg}");
        assert_eq!(check_contact_allowed(&[&ann], &log.events, true), Ok(()));
    }

    #[test]
    fn declined_contact_consent_refuses_and_new_consent_lifts_it() {
        let ann = party("Ann", PartyRole::Victim, false, None);
        let bob = party("Bob", PartyRole::Harmer, false, None);
        let mut log = Log::new();
        log.record(&bob, ConsentScope::Contact, ConsentDecision::Declined, 2);
        assert_eq!(check_contact_allowed(&[&ann], &log.events, false), Ok(()));
        assert!(check_contact_allowed(&[&ann, &bob], &log.events, false).is_err());
        log.record(&bob, ConsentScope::Contact, ConsentDecision::Given, 5);
        assert_eq!(check_contact_allowed(&[&ann, &bob], &log.events, false), Ok(()));
    }

    #[test]
    fn a_minor_needs_their_own_and_a_guardians_consent() {
        let kai = party("Kai", PartyRole::Harmer, true, None);
        let mum = party("Mum", PartyRole::Guardian, false, Some(kai.id));
        let parties = vec![kai.clone(), mum.clone()];
        let mut log = Log::new();
        let err = check_minor_participation(&kai, &parties, &log.events).expect_err("nobody consented");
        assert!(
            err.to_string()
                .contains("Kai's own consent and a parent or guardian's")
        );
        log.record(&kai, ConsentScope::Participation, ConsentDecision::Given, 1);
        let err = check_minor_participation(&kai, &parties, &log.events).expect_err("guardian missing");
        assert!(err.to_string().contains("a parent or guardian's consent"));
        log.record(&mum, ConsentScope::Participation, ConsentDecision::Given, 2);
        assert_eq!(check_minor_participation(&kai, &parties, &log.events), Ok(()));
        log.record(&kai, ConsentScope::Participation, ConsentDecision::Withdrawn, 3);
        assert!(check_minor_participation(&kai, &parties, &log.events).is_err());
    }

    #[test]
    fn a_minor_without_a_recorded_guardian_is_told_so() {
        let kai = party("Kai", PartyRole::Harmer, true, None);
        let mut log = Log::new();
        log.record(&kai, ConsentScope::Participation, ConsentDecision::Given, 1);
        let err = check_minor_participation(&kai, std::slice::from_ref(&kai), &log.events)
            .expect_err("no guardian");
        assert!(err.to_string().contains("no guardian is recorded"));
    }

    #[test]
    fn adults_need_no_guardian() {
        let ann = party("Ann", PartyRole::Victim, false, None);
        assert_eq!(
            check_minor_participation(&ann, std::slice::from_ref(&ann), &[]),
            Ok(())
        );
    }
}
