//! `casebook contact ...`: visits, calls, letters, video and office meetings, kept as drafts
//! until finalised, after which they never change (a correction amends them).

use casebook_store::Store;
use casebook_store::model::NewContact;
use serde_json::json;

use crate::args::ContactCommand;
use crate::input::notes;
use crate::output::Out;

/// Runs one `casebook contact` command.
pub fn run(store: &mut Store, out: &Out, cmd: ContactCommand) -> anyhow::Result<()> {
    match cmd {
        ContactCommand::Add {
            case,
            party,
            kind,
            date,
            notes: text,
            initiated_by_party,
            draft,
            amends,
            shareable,
        } => {
            let text = notes(text)?;
            let id = store.write(|w| {
                let case = w.resolve_case(&case)?;
                let party_ids = party
                    .iter()
                    .map(|p| w.resolve_party(case, p))
                    .collect::<Result<Vec<_>, _>>()?;
                let amends = amends.map(|a| w.resolve_contact(&a)).transpose()?;
                w.add_contact(
                    case,
                    NewContact {
                        party_ids,
                        kind,
                        date,
                        notes: text,
                        initiated_by_party,
                        draft,
                        amends,
                        shareable,
                    },
                )
            })?;
            let state = if draft { "draft" } else { "finalised" };
            out.created(
                json!({"id": id, "state": state}),
                &format!("Recorded {kind} ({state}): {id}."),
            )?;
        }
        ContactCommand::Edit { contact, notes: text } => {
            let text = notes(text)?;
            let id = store.write(|w| {
                let id = w.resolve_contact(&contact)?;
                w.save_draft(id, &text)?;
                Ok(id)
            })?;
            out.created(json!({"id": id}), "Draft saved.")?;
        }
        ContactCommand::Finalise { contact } => {
            let id = store.write(|w| {
                let id = w.resolve_contact(&contact)?;
                w.finalise_contact(id)?;
                Ok(id)
            })?;
            out.created(
                json!({"id": id, "state": "finalised"}),
                "Contact finalised: it can no longer change.",
            )?;
        }
    }
    Ok(())
}
