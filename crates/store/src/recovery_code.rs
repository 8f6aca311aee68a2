//! The personal recovery code a person writes on paper: 130 random bits as 26 Crockford
//! base-32 symbols and two check symbols, shown in seven groups of four, read back forgiving
//! case, spaces, dashes and the letters people take for digits (O for 0, I and L for 1).

use age::secrecy::{ExposeSecret, SecretString};
use zeroize::Zeroizing;

use crate::error::StoreError;

/// Crockford's base 32: no I, L, O or U, so what is read aloud is what is typed.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Random symbols: 26 × 5 = 130 bits, beyond any guessing even without scrypt's cost.
const DATA: usize = 26;
/// Two check symbols after the random ones.
const LEN: usize = DATA + 2;
/// Symbols per group as shown.
const GROUP: usize = 4;
/// A prime below 32², so the check fits two symbols. With weights 1..=26 and symbol values
/// below 32, any one symbol changed or two neighbours swapped changes the sum modulo it.
const CHECK_MODULUS: u32 = 1021;

const _: () = assert!(DATA * 5 >= 128, "a recovery code holds at least 128 random bits");

/// A personal recovery code. Zeroized on drop; its `Debug` shows nothing of it.
pub struct RecoveryCode(SecretString);

impl std::fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryCode(..)")
    }
}

impl RecoveryCode {
    /// A new code from the operating system's random source.
    pub(crate) fn generate() -> Result<Self, StoreError> {
        let mut values = Zeroizing::new([0u8; LEN]);
        getrandom::fill(&mut values[..DATA])
            .map_err(|e| StoreError::Encrypt(format!("no randomness: {e}")))?;
        // 256 is a multiple of 32: masking keeps every symbol uniform.
        for v in &mut values[..DATA] {
            *v &= 31;
        }
        let check = checksum(&values[..DATA]);
        values[DATA] = u8::try_from(check / 32).unwrap_or(0);
        values[DATA + 1] = u8::try_from(check % 32).unwrap_or(0);
        Ok(Self::from_values(&values[..]))
    }

    /// Reads a code as a person typed it. Refuses, before any key is tried, what cannot be one.
    pub fn parse(typed: &str) -> Result<Self, StoreError> {
        let mistyped = |detail| StoreError::RecoveryCodeMistyped { detail };
        let mut values = Zeroizing::new([0u8; LEN]);
        let mut n = 0;
        for c in typed.chars().filter(|c| !c.is_whitespace() && *c != '-') {
            let v = symbol_value(c).ok_or(mistyped("it holds a character that is not in recovery codes"))?;
            let slot = values.get_mut(n).ok_or(mistyped("it is longer than a code"))?;
            *slot = v;
            n += 1;
        }
        if n < LEN {
            return Err(mistyped("it is shorter than a code"));
        }
        let check = u32::from(values[DATA]) * 32 + u32::from(values[DATA + 1]);
        if checksum(&values[..DATA]) != check {
            return Err(mistyped("a letter or digit in it is wrong"));
        }
        Ok(Self::from_values(&values[..]))
    }

    /// The code as shown to be written down: `7K3Q-M9XD-…`, seven groups of four.
    pub fn grouped(&self) -> Zeroizing<String> {
        let plain = self.0.expose_secret();
        let mut out = Zeroizing::new(String::with_capacity(LEN + LEN / GROUP));
        for (i, c) in plain.chars().enumerate() {
            if i > 0 && i % GROUP == 0 {
                out.push('-');
            }
            out.push(c);
        }
        out
    }

    /// The canonical form (28 symbols, upper case, no dashes): what `store.recovery` is sealed
    /// to, so every way of typing the same code opens it.
    pub(crate) fn secret(&self) -> &SecretString {
        &self.0
    }

    fn from_values(values: &[u8]) -> Self {
        let text: String = values
            .iter()
            .map(|v| char::from(ALPHABET[usize::from(*v & 31)]))
            .collect();
        Self(SecretString::from(text))
    }
}

/// The value of one typed symbol, Crockford's way: any case, O read as 0, I and L as 1.
fn symbol_value(c: char) -> Option<u8> {
    let c = match c.to_ascii_uppercase() {
        'O' => '0',
        'I' | 'L' => '1',
        other => other,
    };
    let byte = u8::try_from(c).ok()?;
    ALPHABET
        .iter()
        .position(|a| *a == byte)
        .and_then(|p| u8::try_from(p).ok())
}

fn checksum(data: &[u8]) -> u32 {
    data.iter()
        .zip(1u32..)
        .map(|(v, weight)| weight * u32::from(*v))
        .sum::<u32>()
        % CHECK_MODULUS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code() -> RecoveryCode {
        RecoveryCode::generate().expect("code")
    }

    #[test]
    fn a_shown_code_reads_back_as_itself() {
        let c = code();
        let shown = c.grouped();
        assert_eq!(shown.len(), 34, "{}", shown.len());
        assert_eq!(shown.split('-').count(), 7);
        assert!(shown.split('-').all(|g| g.len() == 4));
        let back = RecoveryCode::parse(&shown).expect("parse");
        assert_eq!(back.secret().expose_secret(), c.secret().expose_secret());
    }

    #[test]
    fn case_spaces_dashes_and_look_alike_letters_do_not_matter() {
        let c = code();
        let canonical = c.secret().expose_secret().to_owned();
        let lower_spaced: String = canonical
            .to_ascii_lowercase()
            .chars()
            .enumerate()
            .flat_map(|(i, ch)| {
                (if i % 3 == 0 { Some(' ') } else { None })
                    .into_iter()
                    .chain([ch])
            })
            .collect();
        let look_alike = canonical.replace('0', "o").replace('1', "l");
        for typed in [lower_spaced, look_alike, format!("  {}\n", c.grouped().as_str())] {
            let back = RecoveryCode::parse(&typed).expect("parse");
            assert_eq!(back.secret().expose_secret(), canonical.as_str(), "{typed:?}");
        }
    }

    #[test]
    fn any_one_wrong_symbol_or_swapped_pair_is_caught_before_any_key_is_tried() {
        let c = code();
        let canonical: Vec<char> = c.secret().expose_secret().chars().collect();
        for i in 0..LEN {
            for &other in ALPHABET {
                let other = char::from(other);
                if other == canonical[i] {
                    continue;
                }
                let mut typed = canonical.clone();
                typed[i] = other;
                let typed: String = typed.into_iter().collect();
                assert!(
                    matches!(
                        RecoveryCode::parse(&typed),
                        Err(StoreError::RecoveryCodeMistyped { .. })
                    ),
                    "symbol {i} changed to {other} was accepted"
                );
            }
            if i + 1 < LEN && canonical[i] != canonical[i + 1] {
                let mut typed = canonical.clone();
                typed.swap(i, i + 1);
                let typed: String = typed.into_iter().collect();
                assert!(
                    RecoveryCode::parse(&typed).is_err(),
                    "symbols {i} and {} swapped",
                    i + 1
                );
            }
        }
    }

    #[test]
    fn too_short_too_long_and_foreign_characters_are_refused() {
        let c = code();
        let canonical = c.secret().expose_secret().to_owned();
        for typed in [
            canonical[..LEN - 1].to_owned(),
            format!("{canonical}7"),
            canonical.replacen(&canonical[..1], "U", 1),
            canonical.replacen(&canonical[..1], "*", 1),
            String::new(),
        ] {
            let err = RecoveryCode::parse(&typed).expect_err(&typed);
            assert!(matches!(err, StoreError::RecoveryCodeMistyped { .. }), "{err}");
            assert!(
                !err.to_string().contains(&canonical[1..5]),
                "the message repeats the code"
            );
        }
    }

    #[test]
    fn codes_are_random_and_never_show_in_debug_output() {
        let (a, b) = (code(), code());
        assert_ne!(a.secret().expose_secret(), b.secret().expose_secret());
        assert_eq!(format!("{a:?}"), "RecoveryCode(..)");
    }
}
