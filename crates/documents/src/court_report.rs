//! The report to the court: the referral, what took place, the agreement and the parties' own
//! words, marked as a draft on every page until a supervisor approves it.

use crate::date::british_date;
use crate::layout::Block;
use crate::render::{self, Chrome};
use crate::{CourtReport, DocumentError, agreement};

/// Printed on every page of a report that no supervisor has approved.
pub const DRAFT_MARK: &str = "DRAFT — not approved by a supervisor";

/// The report as A4 PDF bytes; a draft on every page while `approved_by` is `None`.
pub fn court_report(r: &CourtReport) -> Result<Vec<u8>, DocumentError> {
    let mut blocks = vec![
        Block::Title("Report to the court".into()),
        Block::Field("Reference".into(), r.reference.clone()),
        Block::Field("Court date".into(), court_date(r)),
        Block::Field("Prepared on".into(), british_date(r.prepared_on)),
        Block::Field("Facilitator".into(), r.facilitator.clone()),
        Block::Field(
            "Approval".into(),
            match &r.approved_by {
                Some((who, on)) => format!("Approved by {who} on {}", british_date(*on)),
                None => "Not yet approved by a supervisor".into(),
            },
        ),
        Block::Heading("Summary of the referral".into()),
        Block::Paragraph(r.summary_of_referral.clone()),
        Block::Heading("What took place".into()),
    ];
    if r.what_took_place.is_empty() {
        blocks.push(Block::Paragraph("No meetings or visits are recorded.".into()));
    }
    blocks.extend(r.what_took_place.iter().cloned().map(Block::Bullet));

    blocks.push(Block::Heading("Agreement".into()));
    if r.agreement.is_empty() {
        blocks.push(Block::Paragraph("No agreement has been recorded.".into()));
    }
    blocks.extend(r.agreement.iter().map(agreement::action_bullet));

    blocks.push(Block::Heading("In the parties' own words".into()));
    if r.parties_words.is_empty() {
        blocks.push(Block::Paragraph(
            "No party has agreed to share their own words with the court.".into(),
        ));
    }
    for party in &r.parties_words {
        blocks.push(Block::Label(party.role.clone()));
        blocks.push(Block::Paragraph(party.words.clone()));
    }

    let chrome = Chrome {
        kind: "Report to the court",
        reference: r.reference.clone(),
        draft_mark: r.approved_by.is_none().then_some(DRAFT_MARK),
        footer: format!("Prepared by {} on {}", r.facilitator, british_date(r.prepared_on)),
    };
    render::pdf(&chrome, &blocks)
}

/// The court date in British form, with what the hearing ends when it is known
/// ("10 Dec 2026 (sentencing adjourned)").
pub fn court_date(r: &CourtReport) -> String {
    match &r.court_date_is {
        Some(what) => format!("{} ({what})", british_date(r.court_date)),
        None => british_date(r.court_date),
    }
}
