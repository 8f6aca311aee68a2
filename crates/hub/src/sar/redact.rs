//! Taking other people's names out of free text before it goes to a data subject: every other
//! party's full name, then each word of it, case-insensitively and only as whole words, becomes
//! "another party". The subject's own name and the staff's names are kept.
//!
//! Where the two clash, the other party wins: a staff name that shares a word with another
//! party's name is not protected in free text (so "Sam" is hidden when another party is "Sam
//! Green" and a facilitator is also "Sam"); a word of another party's name that is also a word
//! of the subject's own name ("Smith" for two siblings) is kept, since it tells the subject
//! nothing new. Names written differently (nicknames, misspellings) cannot be recognised: the
//! answer is read by a person before it is sent.

use casebook_documents::ANOTHER_PARTY;

/// Hides other parties' names in text; see the module's documentation for the rule.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// Other parties' full names, longest first, folded to lower case.
    hidden_names: Vec<Vec<char>>,
    /// Single words of other parties' names that may stand for them alone.
    hidden_words: Vec<Vec<char>>,
    /// The subject's and staff's names, kept where they appear whole.
    kept_names: Vec<Vec<char>>,
}

impl Redactor {
    /// A redactor hiding `others` (other parties' names) and keeping `subject` (the subject's
    /// own names) and `staff` (the service's staff) where they do not clash.
    pub fn new<'a>(
        others: impl IntoIterator<Item = &'a str>,
        subject: impl IntoIterator<Item = &'a str>,
        staff: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        let others: Vec<Vec<char>> = others.into_iter().map(fold).filter(|n| !n.is_empty()).collect();
        let subject: Vec<Vec<char>> = subject.into_iter().map(fold).filter(|n| !n.is_empty()).collect();
        let other_words: Vec<Vec<char>> = others.iter().flat_map(|n| words(n)).collect();
        let subject_words: Vec<Vec<char>> = subject.iter().flat_map(|n| words(n)).collect();

        let mut hidden_words: Vec<Vec<char>> = other_words
            .iter()
            .filter(|w| w.len() >= 2 && !subject_words.contains(w))
            .cloned()
            .collect();
        let clashes = |name: &Vec<char>| words(name).iter().any(|w| hidden_words.contains(w));
        let mut kept_names: Vec<Vec<char>> = subject.clone();
        kept_names.extend(
            staff
                .into_iter()
                .map(fold)
                .filter(|n| !n.is_empty() && !clashes(n)),
        );

        let mut hidden_names = others;
        for list in [&mut hidden_names, &mut hidden_words, &mut kept_names] {
            list.sort_by_key(|n| std::cmp::Reverse(n.len()));
            list.dedup();
        }
        Self {
            hidden_names,
            hidden_words,
            kept_names,
        }
    }

    /// `text` with every other party's name replaced by "another party".
    pub fn redact(&self, text: &str) -> String {
        let chars: Vec<char> = text.chars().collect();
        let folded: Vec<char> = chars.iter().map(|&c| fold_char(c)).collect();
        // What each character is: untouched, hidden (the start of a run to replace) or kept.
        let mut mark = vec![Mark::Free; chars.len()];
        mark_all(&folded, &self.hidden_names, Mark::Hidden, &mut mark);
        mark_all(&folded, &self.kept_names, Mark::Kept, &mut mark);
        mark_all(&folded, &self.hidden_words, Mark::Hidden, &mut mark);

        let mut out = String::with_capacity(text.len());
        let mut i = 0;
        while i < chars.len() {
            match mark[i] {
                Mark::HiddenStart => {
                    out.push_str(ANOTHER_PARTY);
                    i += 1;
                    while i < chars.len() && mark[i] == Mark::Hidden {
                        i += 1;
                    }
                }
                _ => {
                    out.push(chars[i]);
                    i += 1;
                }
            }
        }
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    Free,
    Kept,
    Hidden,
    HiddenStart,
}

/// Marks every whole-word occurrence of each pattern that overlaps nothing marked yet.
fn mark_all(text: &[char], patterns: &[Vec<char>], as_mark: Mark, mark: &mut [Mark]) {
    for pattern in patterns {
        let n = pattern.len();
        let mut at = 0;
        while n > 0 && at + n <= text.len() {
            let whole = text[at..at + n] == pattern[..]
                && (at == 0 || !text[at - 1].is_alphanumeric())
                && text.get(at + n).is_none_or(|c| !c.is_alphanumeric())
                && mark[at..at + n].iter().all(|m| *m == Mark::Free);
            if whole {
                mark[at..at + n].fill(as_mark);
                if as_mark == Mark::Hidden {
                    mark[at] = Mark::HiddenStart;
                }
                at += n;
            } else {
                at += 1;
            }
        }
    }
}

/// A name folded for comparison: lower case, runs of spaces as one.
fn fold(name: &str) -> Vec<char> {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .map(fold_char)
        .collect()
}

/// One character in lower case, as one character, so positions in the text stay aligned.
fn fold_char(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// The words of a folded name, as written and split at hyphens ("mary-jane", "mary", "jane").
fn words(name: &[char]) -> Vec<Vec<char>> {
    let trim = |w: &[char]| -> Vec<char> {
        let start = w.iter().position(|c| c.is_alphanumeric()).unwrap_or(w.len());
        let end = w
            .iter()
            .rposition(|c| c.is_alphanumeric())
            .map_or(start, |e| e + 1);
        w[start..end].to_vec()
    };
    let mut out = Vec::new();
    for word in name.split(|c| c.is_whitespace()) {
        out.push(trim(word));
        if word.contains(&'-') {
            out.extend(word.split(|c| *c == '-').map(trim));
        }
    }
    out.retain(|w| !w.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redactor(others: &[&str], subject: &[&str], staff: &[&str]) -> Redactor {
        Redactor::new(
            others.iter().copied(),
            subject.iter().copied(),
            staff.iter().copied(),
        )
    }

    #[test]
    fn another_partys_full_name_and_each_word_of_it_are_hidden_in_any_case() {
        let r = redactor(&["Bob Stone"], &["Ann Smith"], &["Femi"]);
        assert_eq!(
            r.redact("Ann said BOB STONE shouted; later bob apologised to Ann. Stone's letter came."),
            "Ann said another party shouted; later another party apologised to Ann. another party's letter came."
        );
    }

    #[test]
    fn only_whole_words_are_hidden() {
        let r = redactor(&["Al Bo"], &["Ann"], &[]);
        assert_eq!(
            r.redact("Albert and Bob met Al, then Bo."),
            "Albert and Bob met another party, then another party."
        );
    }

    #[test]
    fn staff_names_and_the_subjects_own_name_are_kept() {
        let r = redactor(&["Jo Smith"], &["Alex Smith"], &["Femi Adeyemi"]);
        assert_eq!(
            r.redact("Femi Adeyemi visited Alex Smith; Jo Smith was out. Smith family home."),
            "Femi Adeyemi visited Alex Smith; another party was out. Smith family home."
        );
    }

    #[test]
    fn a_staff_name_that_clashes_with_another_partys_name_is_not_protected() {
        let r = redactor(&["Sam Green"], &["Ann"], &["Sam"]);
        assert_eq!(
            r.redact("Sam said the meeting can go ahead"),
            "another party said the meeting can go ahead"
        );
        // A longer staff name without a shared word stays.
        let r = redactor(&["Sam Green"], &["Ann"], &["Samantha Okafor"]);
        assert_eq!(
            r.redact("Samantha Okafor saw Sam."),
            "Samantha Okafor saw another party."
        );
    }

    #[test]
    fn names_with_hyphens_and_accents_are_found() {
        let r = redactor(&["Zoë Mary-Jane"], &["Ann"], &[]);
        assert_eq!(
            r.redact("ZOË came; mary-jane too; Mary waited"),
            "another party came; another party too; another party waited"
        );
    }

    #[test]
    fn text_without_names_is_unchanged() {
        let r = redactor(&["Bob Stone"], &["Ann"], &["Femi"]);
        let text = "Ann talked about the evening, the broken window and how she sleeps now.\nNext: letters.";
        assert_eq!(r.redact(text), text);
        assert_eq!(Redactor::default().redact(text), text);
    }
}
