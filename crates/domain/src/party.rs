//! Parties to a case: who they are to the harm or conflict, and whether they are a minor.

use serde::{Deserialize, Serialize};

use crate::error::RuleError;
use crate::ids::PartyId;

labelled_enum!(
    /// A party's role in the case.
    PartyRole {
        /// The person harmed.
        Victim = "victim" / "victim",
        /// The person who caused the harm (the responsible person).
        Harmer = "harmer" / "responsible person",
        /// A party to a conflict (mediation).
        Party = "party" / "party in conflict",
        /// Someone supporting a party.
        Supporter = "supporter" / "supporter",
        /// A parent or guardian of a minor.
        Guardian = "guardian" / "parent or guardian",
        /// An interpreter.
        Interpreter = "interpreter" / "interpreter",
        /// Anyone else.
        Other = "other" / "other",
    }
);

/// What the rules need to know of a party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartyFacts {
    /// The party's id.
    pub id: PartyId,
    /// The name, for messages.
    pub name: String,
    /// Their role.
    pub role: PartyRole,
    /// Under 18: a guardian's consent is needed too.
    pub minor: bool,
    /// The minor this party is the guardian of, if any.
    pub guardian_of: Option<PartyId>,
}

/// Checks a new party against the parties already on the case.
pub fn validate_new_party(new: &PartyFacts, existing: &[PartyFacts]) -> Result<(), RuleError> {
    if new.name.trim().is_empty() {
        return Err(RuleError::Empty {
            field: "The party's name",
        });
    }
    if let Some(minor_id) = new.guardian_of {
        let minor = existing.iter().find(|p| p.id == minor_id);
        match minor {
            Some(m) if m.minor => {}
            Some(m) => {
                return Err(RuleError::GuardianOfNonMinor {
                    guardian: new.name.clone(),
                    minor: m.name.clone(),
                });
            }
            None => {
                return Err(RuleError::GuardianOfNonMinor {
                    guardian: new.name.clone(),
                    minor: minor_id.to_string(),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn party(name: &str, minor: bool, guardian_of: Option<PartyId>) -> PartyFacts {
        PartyFacts {
            id: PartyId::new(),
            name: name.into(),
            role: PartyRole::Other,
            minor,
            guardian_of,
        }
    }

    #[test]
    fn a_guardian_must_be_of_a_minor_on_the_case() {
        let adult = party("Sam", false, None);
        let child = party("Kai", true, None);
        let existing = vec![adult.clone(), child.clone()];
        assert_eq!(
            validate_new_party(&party("Jo", false, Some(child.id)), &existing),
            Ok(())
        );
        assert!(matches!(
            validate_new_party(&party("Jo", false, Some(adult.id)), &existing),
            Err(RuleError::GuardianOfNonMinor { .. })
        ));
        assert!(matches!(
            validate_new_party(&party("Jo", false, Some(PartyId::new())), &existing),
            Err(RuleError::GuardianOfNonMinor { .. })
        ));
        assert!(matches!(
            validate_new_party(&party(" ", false, None), &existing),
            Err(RuleError::Empty { .. })
        ));
    }
}
