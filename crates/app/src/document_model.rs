//! The model of each printable document, gathered from the store (`casebook-documents` makes
//! the PDF from it), and the same model laid out for the window's preview: what the preview
//! says is what the PDF says.

use casebook_documents::{AgreementAction, AgreementDoc, CourtReport, DRAFT_MARK, british_date};
use casebook_domain::CaseId;
use casebook_store::Store;

use crate::documents::{DocumentKind, DocumentPreview, PreviewField, PreviewSection};
use crate::error::{AppError, ErrorCode};

/// One document's model, ready for the PDF or the preview.
pub(crate) enum Model {
    Agreement(AgreementDoc),
    Court(CourtReport),
}

fn field(label: &str, value: impl Into<String>) -> PreviewField {
    PreviewField {
        label: label.to_owned(),
        value: value.into(),
    }
}

fn section(heading: &str, lines: Vec<String>, if_empty: &str) -> PreviewSection {
    PreviewSection {
        heading: heading.to_owned(),
        lines: if lines.is_empty() {
            vec![if_empty.to_owned()]
        } else {
            lines
        },
    }
}

/// An action as the PDF lists it.
fn action_line(a: &AgreementAction) -> String {
    format!(
        "{} — {}, by {} ({})",
        a.what,
        a.by_whom,
        british_date(a.by_when),
        a.status
    )
}

fn agreement_model(store: &Store, case: CaseId) -> Result<AgreementDoc, AppError> {
    store.agreement_document(case)?.ok_or_else(|| {
        AppError::new(
            ErrorCode::NotFound,
            "No agreement is recorded for this case yet: record it after the meeting is held.",
        )
    })
}

/// The model of `kind` for `case`, prepared today.
pub(crate) fn model(store: &Store, case: CaseId, kind: DocumentKind) -> Result<Model, AppError> {
    let today = chrono::Local::now().date_naive();
    Ok(match kind {
        DocumentKind::Agreement => Model::Agreement(agreement_model(store, case)?),
        DocumentKind::CourtReport => Model::Court(store.court_report_document(case, today)?),
    })
}

/// The preview: the same fields, headings and lines the PDF prints, in its order.
pub(crate) fn preview(m: &Model, suggested_path: String) -> DocumentPreview {
    match m {
        Model::Agreement(a) => DocumentPreview {
            kind: DocumentKind::Agreement,
            title: "Restorative agreement".into(),
            draft_mark: None,
            fields: vec![
                field("Reference", a.reference.clone()),
                field("Meeting on", british_date(a.meeting_on)),
                field("Taking part", a.parties.join(", ")),
            ],
            sections: vec![
                section(
                    "What was agreed",
                    a.actions.iter().map(action_line).collect(),
                    "No actions were agreed.",
                ),
                section(
                    "Reviews",
                    a.reviews
                        .iter()
                        .map(|d| format!("Review on {}", british_date(*d)))
                        .collect(),
                    "No review is planned.",
                ),
                section("How it was agreed", a.how_agreed.clone(), ""),
                section(
                    "Signed",
                    a.parties
                        .iter()
                        .map(|p| format!("{p}: signature and date"))
                        .collect(),
                    "",
                ),
            ],
            suggested_path,
        },
        Model::Court(r) => DocumentPreview {
            kind: DocumentKind::CourtReport,
            title: "Report to the court".into(),
            draft_mark: r.approved_by.is_none().then(|| DRAFT_MARK.to_owned()),
            fields: vec![
                field("Reference", r.reference.clone()),
                field("Court date", casebook_documents::court_date(r)),
                field("Prepared on", british_date(r.prepared_on)),
                field("Facilitator", r.facilitator.clone()),
                field(
                    "Approval",
                    match &r.approved_by {
                        Some((who, on)) => format!("Approved by {who} on {}", british_date(*on)),
                        None => "Not yet approved by a supervisor".into(),
                    },
                ),
            ],
            sections: vec![
                section("Summary of the referral", vec![r.summary_of_referral.clone()], ""),
                section(
                    "What took place",
                    r.what_took_place.clone(),
                    "No meetings or visits are recorded.",
                ),
                section(
                    "Agreement",
                    r.agreement.iter().map(action_line).collect(),
                    "No agreement has been recorded.",
                ),
                section(
                    "In the parties' own words",
                    r.parties_words
                        .iter()
                        .map(|w| format!("{}: {}", w.role, w.words))
                        .collect(),
                    "No party has agreed to share their own words with the court.",
                ),
            ],
            suggested_path,
        },
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, m, d).unwrap_or_default()
    }

    #[test]
    fn the_preview_says_what_the_pdf_says() {
        let a = AgreementDoc {
            reference: "P-7KQ2MZ".into(),
            meeting_on: day(1, 5),
            parties: vec!["Ann".into(), "Bob".into()],
            actions: vec![AgreementAction {
                what: "Repair the fence".into(),
                by_whom: "Bob".into(),
                by_when: day(2, 1),
                status: "open".into(),
            }],
            reviews: vec![day(3, 1)],
            how_agreed: vec!["Read back and agreed aloud.".into()],
        };
        let p = preview(&Model::Agreement(a), "/x.pdf".into());
        assert_eq!(p.fields[1].value, "5 Jan 2027");
        assert_eq!(
            p.sections[0].lines,
            ["Repair the fence — Bob, by 1 Feb 2027 (open)"]
        );
        assert_eq!(p.sections[1].lines, ["Review on 1 Mar 2027"]);
        assert!(p.draft_mark.is_none());
    }
}
