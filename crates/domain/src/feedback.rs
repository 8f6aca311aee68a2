//! A party's feedback at follow-up: how satisfied they were with the process, whether they
//! would recommend it, and their own words. Asked for only with their consent to follow-up.

use crate::consent::ConsentDecision;
use crate::error::RuleError;

labelled_enum!(
    /// How satisfied a party was with the restorative process (the five-point scale of the
    /// Restorative Justice Council's participant questionnaire).
    Satisfaction {
        /// Very satisfied.
        VerySatisfied = "very_satisfied" / "very satisfied",
        /// Satisfied.
        Satisfied = "satisfied" / "satisfied",
        /// Neither satisfied nor dissatisfied.
        Neither = "neither" / "neither satisfied nor dissatisfied",
        /// Dissatisfied.
        Dissatisfied = "dissatisfied" / "dissatisfied",
        /// Very dissatisfied.
        VeryDissatisfied = "very_dissatisfied" / "very dissatisfied",
    }
);

impl Satisfaction {
    /// Whether this answer counts as satisfied in the service's figures.
    pub fn is_satisfied(self) -> bool {
        matches!(self, Satisfaction::VerySatisfied | Satisfaction::Satisfied)
    }
}

/// May the service record `party`'s feedback? Only while their latest decision on follow-up
/// feedback is `given`: feedback is asked for, never taken, and a withdrawal stops it.
pub fn check_feedback_allowed(party: &str, follow_up: Option<ConsentDecision>) -> Result<(), RuleError> {
    match follow_up {
        Some(ConsentDecision::Given) => Ok(()),
        Some(decision) => Err(RuleError::NoFollowUpConsent {
            party: party.to_owned(),
            why: format!("their consent to follow-up feedback is {}", decision.label()),
        }),
        None => Err(RuleError::NoFollowUpConsent {
            party: party.to_owned(),
            why: "they have not been asked for consent to follow-up feedback".to_owned(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use rstest::rstest;

    use super::*;

    #[rstest]
    #[case(Some(ConsentDecision::Given), true)]
    #[case(Some(ConsentDecision::Declined), false)]
    #[case(Some(ConsentDecision::Withdrawn), false)]
    #[case(None, false)]
    fn feedback_needs_follow_up_consent_in_force(
        #[case] decision: Option<ConsentDecision>,
        #[case] allowed: bool,
    ) {
        assert_eq!(check_feedback_allowed("Ann", decision).is_ok(), allowed);
    }

    #[test]
    fn a_refusal_says_whose_consent_and_why() {
        let e = check_feedback_allowed("Ann", Some(ConsentDecision::Withdrawn)).unwrap_err();
        assert_eq!(
            e.to_string(),
            "Ann's feedback cannot be recorded: their consent to follow-up feedback is withdrawn. Record their consent first."
        );
        let e = check_feedback_allowed("Bob", None).unwrap_err();
        assert!(e.to_string().contains("have not been asked"), "{e}");
    }

    #[test]
    fn only_the_top_two_answers_count_as_satisfied() {
        let satisfied: Vec<_> = Satisfaction::ALL.iter().filter(|s| s.is_satisfied()).collect();
        assert_eq!(
            satisfied,
            [&Satisfaction::VerySatisfied, &Satisfaction::Satisfied]
        );
    }
}
