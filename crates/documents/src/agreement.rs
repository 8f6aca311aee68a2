//! The written agreement handed to the parties: who took part, each action with who does it by
//! when, the review dates and how it was agreed.

use crate::date::british_date;
use crate::layout::Block;
use crate::render::{self, Chrome};
use crate::{AgreementAction, AgreementDoc, DocumentError};

/// The agreement as A4 PDF bytes.
pub fn agreement(a: &AgreementDoc) -> Result<Vec<u8>, DocumentError> {
    let mut blocks = vec![
        Block::Title("Restorative agreement".into()),
        Block::Field("Reference".into(), a.reference.clone()),
        Block::Field("Meeting on".into(), british_date(a.meeting_on)),
        Block::Field("Taking part".into(), a.parties.join(", ")),
        Block::Heading("What was agreed".into()),
    ];
    if a.actions.is_empty() {
        blocks.push(Block::Paragraph("No actions were agreed.".into()));
    }
    blocks.extend(a.actions.iter().map(action_bullet));

    blocks.push(Block::Heading("Reviews".into()));
    if a.reviews.is_empty() {
        blocks.push(Block::Paragraph("No review is planned.".into()));
    }
    blocks.extend(
        a.reviews
            .iter()
            .map(|d| Block::Bullet(format!("Review on {}", british_date(*d)))),
    );

    blocks.push(Block::Heading("How it was agreed".into()));
    blocks.extend(a.how_agreed.iter().cloned().map(Block::Bullet));

    blocks.push(Block::Heading("Signed".into()));
    for party in &a.parties {
        blocks.push(Block::Space(18.0));
        blocks.push(Block::Field(
            party.clone(),
            "Signature ______________________   Date ____________".into(),
        ));
    }

    let chrome = Chrome {
        kind: "Restorative agreement",
        reference: a.reference.clone(),
        draft_mark: None,
        footer: format!("Agreed on {}", british_date(a.meeting_on)),
    };
    render::pdf(&chrome, &blocks)
}

/// One agreed action as a list item: what, who, by when and where it stands.
pub(crate) fn action_bullet(action: &AgreementAction) -> Block {
    Block::Bullet(format!(
        "{} — {}, by {} ({})",
        action.what,
        action.by_whom,
        british_date(action.by_when),
        action.status
    ))
}
