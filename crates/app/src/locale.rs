//! Which conventions the window writes dates and times in. The webview cannot tell a locale
//! that was chosen from one that was never set (WebKitGTK reports `en-US` for both), so the app
//! reads the process's locale here and hands the ui a language tag to format with.
//!
//! British ("27 Nov 2026", 24-hour clock) wherever the system says nothing (unset, `C`,
//! `POSIX`); an explicit system locale is honoured; Settings can choose British whatever the
//! system says. Documents for the court never come through here: they are always British.

use serde::{Deserialize, Serialize};

/// The tag used when nothing else decides: what people at a regional hub in England read.
pub const BRITISH: &str = "en-GB";

/// How the user chose to see dates, kept in the app's settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DateStyle {
    /// As the computer's locale says (British when it says nothing).
    #[default]
    System,
    /// "27 Nov 2026" and a 24-hour clock, whatever the computer says.
    British,
}

/// What the ui needs to write dates: the tag to format with and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
pub struct DateFormat {
    /// The user's choice.
    pub style: DateStyle,
    /// The BCP 47 tag the window formats dates and times with (`en-GB`, `fr-FR`).
    pub locale: String,
    /// The computer's own locale as a BCP 47 tag, when it sets one (for the Settings screen).
    pub system: Option<String>,
}

impl DateFormat {
    /// The format for `style` on a computer whose locale is `system`.
    pub fn resolve(style: DateStyle, system: Option<String>) -> Self {
        let locale = match (style, &system) {
            (DateStyle::System, Some(tag)) => tag.clone(),
            _ => BRITISH.to_owned(),
        };
        Self {
            style,
            locale,
            system,
        }
    }
}

/// The locale that governs dates for this process, from `LC_ALL`, `LC_TIME` and `LANG` in
/// POSIX's order of precedence.
pub fn system_locale() -> Option<String> {
    locale_from(|name| std::env::var(name).ok())
}

/// [`system_locale`] with the environment given, so the rule is tested without touching the
/// process's own.
pub fn locale_from(var: impl Fn(&str) -> Option<String>) -> Option<String> {
    // The first variable that is set (and not empty) decides, even when it says "C": a
    // `LC_ALL=C` run means "no locale", not "look further".
    let value = ["LC_ALL", "LC_TIME", "LANG"]
        .into_iter()
        .filter_map(&var)
        .find(|v| !v.trim().is_empty())?;
    bcp47(&value)
}

/// `fr_FR.UTF-8@euro` → `fr-FR`; `None` for `C`, `POSIX`, `C.UTF-8` and anything that is not a
/// language and optional region.
pub fn bcp47(posix: &str) -> Option<String> {
    let name = posix.trim();
    let name = name.split(['.', '@']).next().unwrap_or(name);
    if name.eq_ignore_ascii_case("C") || name.eq_ignore_ascii_case("POSIX") {
        return None;
    }
    let (language, region) = match name.split_once('_') {
        Some((l, r)) => (l, Some(r)),
        None => (name, None),
    };
    let language_ok = (2..=3).contains(&language.len()) && language.chars().all(|c| c.is_ascii_alphabetic());
    if !language_ok {
        return None;
    }
    let language = language.to_ascii_lowercase();
    match region {
        None => Some(language),
        Some(r) if r.len() == 2 && r.chars().all(|c| c.is_ascii_alphabetic()) => {
            Some(format!("{language}-{}", r.to_ascii_uppercase()))
        }
        Some(r) if r.len() == 3 && r.chars().all(|c| c.is_ascii_digit()) => Some(format!("{language}-{r}")),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn a_computer_that_says_nothing_gets_british_dates() {
        for pairs in [
            &[][..],
            &[("LANG", "")][..],
            &[("LANG", "C")][..],
            &[("LANG", "C.UTF-8")][..],
            &[("LANG", "POSIX")][..],
            &[("LC_ALL", "C"), ("LANG", "fr_FR.UTF-8")][..],
        ] {
            let system = locale_from(env(pairs));
            assert_eq!(system, None, "{pairs:?}");
            assert_eq!(DateFormat::resolve(DateStyle::System, system).locale, "en-GB");
        }
    }

    #[test]
    fn an_explicit_locale_is_honoured_in_posix_order() {
        assert_eq!(
            locale_from(env(&[("LANG", "en_US.UTF-8")])).as_deref(),
            Some("en-US")
        );
        assert_eq!(
            locale_from(env(&[("LC_TIME", "de_DE@euro"), ("LANG", "en_US.UTF-8")])).as_deref(),
            Some("de-DE")
        );
        assert_eq!(
            locale_from(env(&[("LC_ALL", "cy_GB.UTF-8"), ("LC_TIME", "de_DE")])).as_deref(),
            Some("cy-GB")
        );
        // An empty LC_ALL is unset, as the C library treats it.
        assert_eq!(
            locale_from(env(&[("LC_ALL", " "), ("LANG", "pl_PL")])).as_deref(),
            Some("pl-PL")
        );
        assert_eq!(bcp47("es_419.UTF-8").as_deref(), Some("es-419"));
        assert_eq!(bcp47("fr").as_deref(), Some("fr"));
    }

    #[test]
    fn what_is_not_a_locale_name_is_ignored() {
        for odd in ["en_GB-x", "english", "e_GB", "en_G1", "../../etc", "12_GB"] {
            assert_eq!(bcp47(odd), None, "{odd}");
        }
    }

    #[test]
    fn british_by_choice_wins_over_the_system() {
        let f = DateFormat::resolve(DateStyle::British, Some("en-US".into()));
        assert_eq!(f.locale, "en-GB");
        assert_eq!(f.system.as_deref(), Some("en-US"));
        assert_eq!(
            DateFormat::resolve(DateStyle::System, Some("en-US".into())).locale,
            "en-US"
        );
    }
}
