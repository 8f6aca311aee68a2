//! A passphrase strength estimate for the hint under the field: length matters most, then
//! variety; a few unrelated words beat a short jumble.

use casebook_store::MIN_PASSPHRASE_CHARS;

use crate::dto::Strength;

/// Estimates how hard `passphrase` is to guess and what would make it stronger.
pub fn estimate(passphrase: &str) -> Strength {
    let chars = passphrase.chars().count();
    let words = passphrase
        .split_whitespace()
        .filter(|w| w.chars().count() >= 3)
        .count();
    let classes = [
        passphrase.chars().any(|c| c.is_lowercase()),
        passphrase.chars().any(|c| c.is_uppercase()),
        passphrase.chars().any(|c| c.is_ascii_digit()),
        passphrase.chars().any(|c| !c.is_alphanumeric()),
    ]
    .iter()
    .filter(|&&b| b)
    .count();
    let distinct = {
        let mut seen: Vec<char> = passphrase.chars().collect();
        seen.sort_unstable();
        seen.dedup();
        seen.len()
    };
    let acceptable = chars >= MIN_PASSPHRASE_CHARS;
    let score: u8 = if !acceptable {
        0
    } else if distinct < 5 || is_common(passphrase) {
        1
    } else if chars >= 20 && words >= 4 || chars >= 24 {
        4
    } else if chars >= 16 && (words >= 3 || classes >= 3) {
        3
    } else if chars >= 12 || classes >= 3 {
        2
    } else {
        1
    };
    let (label, hint) = match score {
        0 => (
            "Too short",
            format!(
                "Use at least {MIN_PASSPHRASE_CHARS} characters. Three or four unrelated words work well."
            ),
        ),
        1 => (
            "Weak",
            "Easy to guess. Add more words: a short sentence nobody would connect with you.".to_owned(),
        ),
        2 => (
            "Fair",
            "Acceptable. Another word or two would make it much stronger.".to_owned(),
        ),
        3 => (
            "Good",
            "Good. A fourth unrelated word would make it strong.".to_owned(),
        ),
        _ => (
            "Strong",
            "Strong. Make sure you can remember it: it cannot be recovered.".to_owned(),
        ),
    };
    Strength {
        score,
        label: label.to_owned(),
        hint,
        acceptable,
    }
}

/// Passphrases that appear in every guessing list.
fn is_common(passphrase: &str) -> bool {
    const COMMON: &[&str] = &[
        "password",
        "passw0rd",
        "12345678",
        "123456789",
        "qwertyuiop",
        "iloveyou",
        "letmein",
        "casebook",
        "restorative",
        "welcome1",
        "football",
        "abcdefgh",
    ];
    let lower = passphrase.to_lowercase();
    COMMON.iter().any(|c| lower.starts_with(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_passphrases_are_refused_and_say_how_long() {
        let s = estimate("abc");
        assert_eq!((s.score, s.acceptable), (0, false));
        assert!(s.hint.contains(&MIN_PASSPHRASE_CHARS.to_string()));
    }

    #[test]
    fn common_and_repetitive_passphrases_are_weak() {
        assert_eq!(estimate("password123").score, 1);
        assert_eq!(estimate("aaaaaaaaaaaa").score, 1);
    }

    #[test]
    fn several_unrelated_words_are_strong() {
        assert_eq!(estimate("kettle orbit lantern meadow").score, 4);
        assert!(estimate("kettle orbit lantern").score >= 3);
    }

    #[test]
    fn the_score_never_falls_as_words_are_added() {
        let mut last = 0;
        let mut p = String::from("kettle");
        for w in [" orbit", " lantern", " meadow", " violin"] {
            p.push_str(w);
            let s = estimate(&p).score;
            assert!(s >= last, "{p}: {s} < {last}");
            last = s;
        }
    }
}
