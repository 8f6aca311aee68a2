//! Writing on a case's timeline: a visit record from its first draft (checked against the
//! consents before it is made, saved at every pause in typing) to its finalising, and a
//! supervisor's supervision notes. Amending a finalised visit is in `casework.rs`.

use casebook_domain::{CaseId, ContactId, PartyId};
use casebook_store::model::NewContact;

use crate::app::{App, nonempty};
use crate::dto::{DraftSaved, NewVisitInput};
use crate::error::AppError;

impl App {
    /// What the consent rules would say about a visit with these parties, before it is made.
    pub fn visit_warnings(
        &self,
        case: CaseId,
        party_ids: Vec<PartyId>,
        initiated_by_party: bool,
    ) -> Result<Vec<String>, AppError> {
        self.with_store(|store| Ok(store.contact_warnings(case, &party_ids, initiated_by_party)?))
    }

    /// Starts a visit record: a draft holding what has been typed so far.
    pub fn start_visit(&self, case: CaseId, input: NewVisitInput) -> Result<ContactId, AppError> {
        if input.party_ids.is_empty() {
            return Err(AppError::invalid("Choose at least one party you saw."));
        }
        self.change(
            |a| a.write_visits,
            |store| {
                Ok(store.write(|w| {
                    w.add_contact(
                        case,
                        NewContact {
                            shareable: None,
                            party_ids: input.party_ids,
                            kind: input.kind,
                            date: input.date,
                            notes: input.notes,
                            initiated_by_party: input.initiated_by_party,
                            draft: true,
                            amends: input.amends,
                        },
                    )
                })?)
            },
        )
    }

    /// Saves a draft's notes (every pause in typing).
    pub fn save_draft(&self, contact: ContactId, notes: String) -> Result<DraftSaved, AppError> {
        let chars = u32::try_from(notes.chars().count()).unwrap_or(u32::MAX);
        self.change(
            |a| a.write_visits,
            |store| Ok(store.write(|w| w.save_draft(contact, &notes))?),
        )?;
        Ok(DraftSaved {
            contact_id: contact,
            chars,
            saved_at: chrono::Utc::now().to_rfc3339(),
        })
    }

    /// Finalises a visit record: it never changes again (amend it instead).
    pub fn finalise_visit(&self, contact: ContactId) -> Result<(), AppError> {
        self.change(
            |a| a.write_visits,
            |store| Ok(store.write(|w| w.finalise_contact(contact))?),
        )
    }

    /// Adds a supervision note to a case of the team (supervisors only; the store and the hub
    /// both refuse anyone else).
    pub fn add_supervision_note(&self, case: CaseId, text: String) -> Result<String, AppError> {
        let text =
            nonempty(Some(text)).ok_or_else(|| AppError::invalid("Write the supervision note first."))?;
        let id = self.supervise(
            "Only supervisors add supervision notes.",
            |a| a.supervise,
            |store| Ok(store.write(|w| w.add_supervision_note(case, &text))?),
        )?;
        Ok(id.to_string())
    }
}
