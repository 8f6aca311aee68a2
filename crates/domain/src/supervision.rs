//! Supervision notes: a supervisor's append-only remarks on a case of their team.
//!
//! Who may write one is decided by the user's role, which the hub assigns; the same check runs
//! on the laptop (so a facilitator is told at once) and on the hub (which is what enforces it).

use crate::error::RuleError;
use crate::role::Role;

/// Checks that a user with `role` (`None`: not known, e.g. a store never enrolled) may write a
/// supervision note.
pub fn check_may_supervise(role: Option<Role>) -> Result<(), RuleError> {
    match role {
        Some(Role::Supervisor) => Ok(()),
        Some(other) => Err(RuleError::SupervisorsOnly {
            who: format!("the author is a {other}"),
        }),
        None => Err(RuleError::SupervisorsOnly {
            who: "this store is not enrolled with a hub, so its user's role is not known".into(),
        }),
    }
}

/// Checks a note's text before it is recorded.
pub fn validate_note(text: &str) -> Result<(), RuleError> {
    if text.trim().is_empty() {
        return Err(RuleError::Empty {
            field: "A supervision note",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_supervisors_write_notes() {
        assert_eq!(check_may_supervise(Some(Role::Supervisor)), Ok(()));
        for role in [
            Some(Role::Facilitator),
            Some(Role::Coordinator),
            Some(Role::Admin),
            None,
        ] {
            let err = check_may_supervise(role).expect_err("refused");
            assert!(err.to_string().starts_with("Only a supervisor"), "{err}");
        }
    }

    #[test]
    fn a_note_must_say_something() {
        assert_eq!(validate_note("Good work on the letter."), Ok(()));
        assert!(matches!(validate_note(" \n "), Err(RuleError::Empty { .. })));
    }
}
