//! The passphrase strength hint under the field: the store's own judgement (zxcvbn), so the
//! hint and the refusal of a weak passphrase never disagree.

use casebook_store::estimate_passphrase;

use crate::dto::Strength;

/// Estimates how hard `passphrase` is to guess, with zxcvbn's advice when it is too easy.
/// `user_inputs` are words a guesser would know (the hub's address, this laptop's name).
pub fn estimate_with(passphrase: &str, user_inputs: &[&str]) -> Strength {
    let s = estimate_passphrase(passphrase, user_inputs);
    let acceptable = s.acceptable();
    let label = match s.score {
        0 => "Very weak",
        1 => "Weak",
        2 => "Fair",
        3 => "Good",
        _ => "Strong",
    };
    let mut suggestions = s.suggestions;
    if acceptable {
        suggestions.push(
            if s.score >= 4 {
                "Make sure you can remember it: without a recovery code or key it cannot be reset."
            } else {
                "Another unrelated word would make it strong."
            }
            .to_owned(),
        );
    }
    Strength {
        score: s.score,
        label: label.to_owned(),
        warning: s.warning,
        suggestions,
        acceptable,
    }
}

/// [`estimate_with`] knowing only Casebook's own words and the login name.
pub fn estimate(passphrase: &str) -> Strength {
    estimate_with(passphrase, &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_passphrases_are_not_acceptable_and_say_why() {
        for weak in ["abc", "password123", "aaaaaaaaaaaa", "casebook2026"] {
            let s = estimate(weak);
            assert!(!s.acceptable, "{weak:?} scored {}", s.score);
            assert!(s.score < 3);
            assert!(
                s.warning.is_some() || !s.suggestions.is_empty(),
                "{weak:?}: no advice"
            );
        }
    }

    #[test]
    fn the_hint_agrees_with_the_store() {
        for p in ["abc", "correct horse", "kettle orbit lantern meadow"] {
            let hint = estimate(p);
            let store =
                casebook_store::check_new_passphrase(&casebook_store::SecretString::from(p.to_owned()), &[]);
            assert_eq!(hint.acceptable, store.is_ok(), "{p:?}");
        }
    }

    #[test]
    fn several_unrelated_words_are_strong() {
        let s = estimate("kettle orbit lantern meadow");
        assert_eq!((s.score, s.label.as_str(), s.acceptable), (4, "Strong", true));
        assert!(s.warning.is_none());
    }
}
