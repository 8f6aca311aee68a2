//! The information barrier: what one party's words may reach. Each contact has private notes
//! and a *shareable summary*: what the party agreed may be passed on. A preparation brief for a
//! party holds only the other parties' shareable summaries, and only of those who have given
//! consent to share with the other party; a court report holds only the words of parties who
//! have given consent to share with the court. Private notes never leave through either.

use crate::consent::{ConsentDecision, ConsentEvent, ConsentScope, current_decision};
use crate::ids::PartyId;
use crate::party::PartyFacts;

/// One contact's shareable summary and the parties seen.
#[derive(Debug, Clone)]
pub struct Shareable<'a> {
    /// The parties seen in the contact.
    pub parties: &'a [PartyId],
    /// What they agreed may be passed on.
    pub text: &'a str,
}

/// Whose words may go where, and what they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Words {
    /// The party whose words they are.
    pub party: PartyId,
    /// Their shareable summaries, oldest first.
    pub texts: Vec<String>,
}

fn consented(consents: &[ConsentEvent], party: PartyId, scope: ConsentScope) -> bool {
    current_decision(consents, party, scope).is_some_and(|e| e.decision == ConsentDecision::Given)
}

fn words_of(party: PartyId, shareables: &[Shareable<'_>]) -> Vec<String> {
    shareables
        .iter()
        .filter(|s| s.parties.contains(&party) && !s.text.trim().is_empty())
        .map(|s| s.text.trim().to_owned())
        .collect()
}

/// What a preparation brief for `for_party` may show: the shareable summaries of every other
/// party whose current consent to share with the other party is `given`.
pub fn brief(
    for_party: PartyId,
    parties: &[PartyFacts],
    consents: &[ConsentEvent],
    shareables: &[Shareable<'_>],
) -> Vec<Words> {
    parties
        .iter()
        .filter(|p| p.id != for_party && consented(consents, p.id, ConsentScope::ShareWithOtherParty))
        .map(|p| Words {
            party: p.id,
            texts: words_of(p.id, shareables),
        })
        .filter(|w| !w.texts.is_empty())
        .collect()
}

/// The parties' words a court report may quote: of those whose consent to share with the court
/// is `given`.
pub fn for_court(
    parties: &[PartyFacts],
    consents: &[ConsentEvent],
    shareables: &[Shareable<'_>],
) -> Vec<Words> {
    parties
        .iter()
        .filter(|p| consented(consents, p.id, ConsentScope::ShareWithCourt))
        .map(|p| Words {
            party: p.id,
            texts: words_of(p.id, shareables),
        })
        .filter(|w| !w.texts.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::consent::ConsentMethod;
    use crate::hlc::Hlc;
    use crate::ids::{ConsentId, DeviceId};
    use crate::party::PartyRole;

    fn party(name: &str, role: PartyRole) -> PartyFacts {
        PartyFacts {
            id: PartyId::new(),
            name: name.into(),
            role,
            minor: false,
            guardian_of: None,
        }
    }

    fn consent(party: PartyId, scope: ConsentScope, decision: ConsentDecision, t: u64) -> ConsentEvent {
        ConsentEvent {
            id: ConsentId::new(),
            party,
            scope,
            decision,
            method: ConsentMethod::Written,
            date: NaiveDate::from_ymd_opt(2026, 11, 2).expect("date"),
            hlc: Hlc {
                wall_ms: t,
                counter: 0,
                device: DeviceId(uuid::Uuid::nil()),
            },
        }
    }

    #[test]
    fn a_brief_holds_only_the_other_consenting_parties_shareable_words() {
        let (ann, bob, cat) = (
            party("Ann", PartyRole::Victim),
            party("Bob", PartyRole::Harmer),
            party("Cat", PartyRole::Supporter),
        );
        let parties = [ann.clone(), bob.clone(), cat.clone()];
        let consents = [
            consent(
                ann.id,
                ConsentScope::ShareWithOtherParty,
                ConsentDecision::Given,
                1,
            ),
            consent(
                cat.id,
                ConsentScope::ShareWithOtherParty,
                ConsentDecision::Given,
                1,
            ),
            consent(
                cat.id,
                ConsentScope::ShareWithOtherParty,
                ConsentDecision::Withdrawn,
                2,
            ),
        ];
        let (a, b, c) = ([ann.id], [bob.id], [cat.id]);
        let shareables = [
            Shareable {
                parties: &a,
                text: "Ann wants to know why her house.",
            },
            Shareable {
                parties: &b,
                text: "Bob is sorry.",
            },
            Shareable {
                parties: &c,
                text: "Cat will come along.",
            },
            Shareable {
                parties: &a,
                text: "  ",
            },
        ];
        let for_bob = brief(bob.id, &parties, &consents, &shareables);
        assert_eq!(
            for_bob,
            vec![Words {
                party: ann.id,
                texts: vec!["Ann wants to know why her house.".into()]
            }],
            "Cat withdrew her consent; Bob's own words are not his brief"
        );
        assert!(
            brief(ann.id, &parties, &consents, &shareables).is_empty(),
            "Bob never consented"
        );
    }

    #[test]
    fn the_court_hears_only_parties_who_consented_to_it() {
        let (ann, bob) = (party("Ann", PartyRole::Victim), party("Bob", PartyRole::Harmer));
        let consents = [
            consent(bob.id, ConsentScope::ShareWithCourt, ConsentDecision::Given, 1),
            consent(
                ann.id,
                ConsentScope::ShareWithOtherParty,
                ConsentDecision::Given,
                1,
            ),
        ];
        let (a, b) = ([ann.id], [bob.id]);
        let shareables = [
            Shareable {
                parties: &a,
                text: "It frightened me.",
            },
            Shareable {
                parties: &b,
                text: "I will pay for the window.",
            },
        ];
        let words = for_court(&[ann, bob.clone()], &consents, &shareables);
        assert_eq!(words.len(), 1);
        assert_eq!(words[0].party, bob.id);
    }
}
