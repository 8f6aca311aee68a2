//! The brief that prepares one party for a meeting, with what the others agreed to share.

use crate::date::british_date;
use crate::layout::Block;
use crate::render::{self, Chrome};
use crate::{DocumentError, PreparationBrief};

/// The brief as A4 PDF bytes.
pub fn preparation_brief(b: &PreparationBrief) -> Result<Vec<u8>, DocumentError> {
    let mut blocks = vec![
        Block::Title("Preparing for the meeting".into()),
        Block::Field("For".into(), b.for_party.clone()),
        Block::Field("Reference".into(), b.reference.clone()),
        Block::Field("Prepared on".into(), british_date(b.prepared_on)),
        Block::Heading("What the others have shared with you".into()),
    ];
    if b.shared_by_others.is_empty() {
        blocks.push(Block::Paragraph(
            "No one else taking part has shared anything with you yet. Your facilitator will \
             tell you if that changes before the meeting."
                .into(),
        ));
    } else {
        blocks.push(Block::Paragraph(
            "These are in their own words, and they agreed that you could read them before \
             the meeting."
                .into(),
        ));
    }
    for party in &b.shared_by_others {
        blocks.push(Block::Label(party.role.clone()));
        blocks.push(Block::Paragraph(party.words.clone()));
    }

    let chrome = Chrome {
        kind: "Preparing for the meeting",
        reference: b.reference.clone(),
        draft_mark: None,
        footer: format!("Prepared for {} on {}", b.for_party, british_date(b.prepared_on)),
    };
    render::pdf(&chrome, &blocks)
}
