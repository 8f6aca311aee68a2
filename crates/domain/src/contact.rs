//! Contacts with parties (visits, calls, letters, ...): a draft until finalised, never changed
//! after; corrections are amendments that reference the original.

use chrono::NaiveDate;

use crate::error::RuleError;

labelled_enum!(
    /// How the contact happened.
    ContactKind {
        /// A home visit.
        Visit = "visit" / "home visit",
        /// A phone call.
        Call = "call" / "phone call",
        /// A letter.
        Letter = "letter" / "letter",
        /// A video call.
        Video = "video" / "video call",
        /// A meeting at the office.
        Office = "office" / "office meeting",
    }
);

labelled_enum!(
    /// Whether a contact can still change.
    ContactState {
        /// Still being written; autosaved.
        Draft = "draft" / "draft",
        /// Final: never changes again.
        Finalised = "finalised" / "finalised",
    }
);

/// Checks that a contact may still be edited: only drafts may.
pub fn ensure_editable(state: ContactState, finalised_on: Option<NaiveDate>) -> Result<(), RuleError> {
    match (state, finalised_on) {
        (ContactState::Draft, _) => Ok(()),
        (ContactState::Finalised, Some(finalised)) => Err(RuleError::ContactFinalised { finalised }),
        (ContactState::Finalised, None) => Err(RuleError::ContactFinalised {
            finalised: NaiveDate::MIN,
        }),
    }
}

/// Checks the content of a contact before it is recorded.
pub fn validate_contact(party_count: usize, notes: &str, state: ContactState) -> Result<(), RuleError> {
    if party_count == 0 {
        return Err(RuleError::NoPartySeen);
    }
    // A draft may be empty (the facilitator has only just opened the form); a final note may not.
    if state == ContactState::Finalised && notes.trim().is_empty() {
        return Err(RuleError::Empty {
            field: "The notes of a finalised contact",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_drafts_are_editable() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 2);
        assert_eq!(ensure_editable(ContactState::Draft, None), Ok(()));
        assert_eq!(
            ensure_editable(ContactState::Finalised, day),
            Err(RuleError::ContactFinalised {
                finalised: day.expect("date")
            })
        );
    }

    #[test]
    fn a_contact_names_a_party_and_a_final_one_has_notes() {
        assert_eq!(
            validate_contact(0, "x", ContactState::Draft),
            Err(RuleError::NoPartySeen)
        );
        assert_eq!(validate_contact(1, "", ContactState::Draft), Ok(()));
        assert!(validate_contact(1, " ", ContactState::Finalised).is_err());
        assert_eq!(
            validate_contact(2, "met at home", ContactState::Finalised),
            Ok(())
        );
    }
}
