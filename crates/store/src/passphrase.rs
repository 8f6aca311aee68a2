//! Judging a new passphrase: zxcvbn's estimate of how many guesses it takes, and its advice.
//! The CLI and the app both ask this module, so a passphrase one refuses the other refuses too.

use age::secrecy::{ExposeSecret, SecretString};

use crate::error::StoreError;

/// The lowest zxcvbn score (0–4) a new passphrase may have. 3 is about 10^10 guesses: an
/// offline attack on `store.key` must also pay scrypt's cost for each one.
pub const MIN_PASSPHRASE_SCORE: u8 = 3;

/// Words anyone guessing a Casebook user's passphrase tries first.
const CONTEXT_WORDS: &[&str] = &["casebook", "restorative", "justice", "facilitator"];

/// How hard a passphrase is to guess, and what would make it harder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassphraseStrength {
    /// zxcvbn's score: 0 (guessed at once) to 4 (more than 10^10 guesses).
    pub score: u8,
    /// What makes it easy to guess, when something stands out ("This is a very common password.").
    pub warning: Option<String>,
    /// What would make it harder to guess; empty when it is good enough.
    pub suggestions: Vec<String>,
}

impl PassphraseStrength {
    /// Whether a new store may be sealed with it.
    pub fn acceptable(&self) -> bool {
        self.score >= MIN_PASSPHRASE_SCORE
    }

    /// The warning and the suggestions, as sentences.
    pub fn feedback(&self) -> String {
        self.warning
            .iter()
            .chain(&self.suggestions)
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Estimates how hard `passphrase` is to guess for someone who also knows `user_inputs` (the
/// user's name, the hub's address...), Casebook's own words, and the login name of whoever runs
/// this. Only the first 100 characters count (zxcvbn's own bound on its work).
pub fn estimate_passphrase(passphrase: &str, user_inputs: &[&str]) -> PassphraseStrength {
    let login = login_name();
    let given: Vec<&str> = user_inputs.iter().copied().chain(login.as_deref()).collect();
    // Each input whole, by host or name ("hub.example.org" of "https://hub.example.org/") and
    // word by word ("hub", "example"): a guesser tries all of them.
    let parts = given.iter().flat_map(|g| {
        g.split(|c: char| c.is_whitespace() || matches!(c, '/' | ':' | '@'))
            .chain(g.split(|c: char| !c.is_alphanumeric()))
    });
    let words = parts.filter(|w| w.chars().count() >= 3);
    let inputs: Vec<&str> = CONTEXT_WORDS
        .iter()
        .copied()
        .chain(given.iter().copied())
        .chain(words)
        .filter(|w| !w.trim().is_empty())
        .collect();
    let entropy = zxcvbn::zxcvbn(passphrase, &inputs);
    let score = u8::from(entropy.score());
    let (warning, mut suggestions) = match entropy.feedback() {
        Some(f) => (
            f.warning().map(|w| w.to_string()),
            f.suggestions().iter().map(ToString::to_string).collect(),
        ),
        None => (None, Vec::new()),
    };
    if score < MIN_PASSPHRASE_SCORE && warning.is_none() && suggestions.is_empty() {
        suggestions.push("Add another word or two. Uncommon words are better.".to_owned());
    }
    PassphraseStrength {
        score,
        warning,
        suggestions,
    }
}

/// Refuses a new passphrase zxcvbn scores below [`MIN_PASSPHRASE_SCORE`], with its advice in the
/// error. `user_inputs` as for [`estimate_passphrase`].
pub fn check_new_passphrase(passphrase: &SecretString, user_inputs: &[&str]) -> Result<(), StoreError> {
    let strength = estimate_passphrase(passphrase.expose_secret(), user_inputs);
    if strength.acceptable() {
        return Ok(());
    }
    Err(StoreError::WeakPassphrase {
        score: strength.score,
        feedback: strength.feedback(),
    })
}

/// The login name of whoever runs this, which a guesser who knows the laptop tries early.
fn login_name() -> Option<String> {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok())
        .filter(|n| n.chars().count() >= 3)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("abc")]
    #[case("password1")]
    #[case("Summer2026!")]
    #[case("qwertyuiop")]
    #[case("casebook2026")]
    #[case("Restorative1")]
    #[case("letmein123")]
    fn easy_passphrases_are_refused_with_advice(#[case] given: &str) {
        let s = estimate_passphrase(given, &[]);
        assert!(!s.acceptable(), "{given:?} scored {}", s.score);
        assert!(!s.feedback().is_empty(), "{given:?}: no advice");
        let err = check_new_passphrase(&SecretString::from(given.to_owned()), &[]).unwrap_err();
        let StoreError::WeakPassphrase { feedback, .. } = &err else {
            panic!("{err}");
        };
        assert!(err.to_string().contains(feedback.as_str()), "{err}");
    }

    #[rstest]
    #[case("kettle orbit lantern meadow")]
    #[case("correct horse battery staple 7")]
    #[case("quiet otters juggle brass lanterns")]
    fn a_few_unrelated_words_are_accepted(#[case] given: &str) {
        let s = estimate_passphrase(given, &[]);
        assert!(s.acceptable(), "{given:?} scored {}: {}", s.score, s.feedback());
        check_new_passphrase(&SecretString::from(given.to_owned()), &[]).unwrap();
    }

    #[test]
    fn the_users_own_words_count_against_the_passphrase() {
        let given = "hub.example.org2026";
        let alone = estimate_passphrase(given, &[]);
        assert!(alone.acceptable(), "{}", alone.score);
        let known = estimate_passphrase(given, &["https://hub.example.org"]);
        assert!(known.score < alone.score, "{} vs {}", known.score, alone.score);
        assert!(!known.acceptable());
    }

    #[test]
    fn the_score_never_falls_as_words_are_added() {
        let mut last = 0;
        let mut p = String::from("kettle");
        for w in [" orbit", " lantern", " meadow", " violin"] {
            p.push_str(w);
            let s = estimate_passphrase(&p, &[]).score;
            assert!(s >= last, "{p}: {s} < {last}");
            last = s;
        }
        assert_eq!(last, 4);
    }
}
