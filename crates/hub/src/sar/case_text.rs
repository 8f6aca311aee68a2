//! What staff wrote about a case as a whole (the referral, its outcome, risk assessments,
//! sign-offs, supervision notes, reports to the court) for an answer, and the labels people
//! read in place of stored names.

use std::fmt::Display;
use std::str::FromStr;

use casebook_documents::CaseText;
use casebook_domain::{Entity, UserId};
use chrono::NaiveDate;

use super::fold::Record;

/// What staff wrote about the case as a whole: the referral, its outcome, risk assessments,
/// sign-offs, supervision notes and reports to the court, redacted, oldest first.
pub(super) fn case_texts(
    records: &[Record],
    red: &dyn Fn(Option<&str>) -> Option<String>,
    name_of: &dyn Fn(UserId) -> String,
) -> Vec<CaseText> {
    let mut out = Vec::new();
    let mut push = |what: String, date: Option<NaiveDate>, by: Option<String>, text: Option<String>| {
        if let Some(text) = text {
            out.push(CaseText { what, date, by, text });
        }
    };
    for r in records {
        let by = Some(name_of(r.created_by));
        match r.entity {
            Entity::Case => {
                push(
                    "Summary of the referral".into(),
                    r.date("received_on"),
                    None,
                    red(r.text("summary")),
                );
                push("Outcome".into(), None, None, red(r.text("outcome")));
            }
            Entity::StatusChange => push("Outcome".into(), r.date("date"), by, red(r.text("outcome"))),
            Entity::RiskAssessment => {
                let factors = r
                    .text("factors")
                    .and_then(casebook_domain::risk::parse_factors)
                    .unwrap_or_default();
                let mut lines = vec![format!(
                    "Overall rating: {}",
                    label::<casebook_domain::risk::RiskLevel>(r.text("rating"))
                )];
                for (factor, assessed) in &factors {
                    let note = red(Some(&assessed.note))
                        .map(|n| format!(": {n}"))
                        .unwrap_or_default();
                    lines.push(format!(
                        "{}: {}{note}",
                        capitalised(factor.label()),
                        assessed.level.label()
                    ));
                }
                if let Some(plan) = red(r.text("mitigations")) {
                    lines.push(format!("Safety plan: {plan}"));
                }
                if let Some(change) = red(r.text("circumstances")) {
                    lines.push(format!("Change of circumstances: {change}"));
                }
                push(
                    "Risk assessment".into(),
                    r.date("submitted_on"),
                    by,
                    Some(lines.join("\n")),
                );
            }
            Entity::SignOff => push(
                "Supervisor's sign-off".into(),
                r.date("date"),
                by,
                red(r.text("note")),
            ),
            Entity::SupervisionNote => {
                push("Supervision note".into(), r.date("date"), by, red(r.text("text")))
            }
            Entity::CourtReport => push(
                "Report to the court".into(),
                r.date("submitted_on"),
                by,
                red(r.text("what_took_place")),
            ),
            _ => {}
        }
    }
    out
}

/// The label of a stored name of a closed set, or the stored text when it is not one.
pub(super) fn label<T: FromStr + Display>(stored: Option<&str>) -> String {
    let stored = stored.unwrap_or_default();
    stored
        .parse::<T>()
        .map_or_else(|_| stored.to_owned(), |v| v.to_string())
}

pub(super) fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
