//! Contacts and visits: recording one (after the consent checks), autosaving a draft's notes,
//! and finalising it.

use casebook_domain::consent::{check_contact_allowed, check_minor_participation};
use casebook_domain::contact::{ensure_editable, validate_contact};
use casebook_domain::{CaseId, ContactId, ContactState, Entity, OpKind};
use rusqlite::params;
use serde_json::json;

use super::{Writer, fields};
use crate::error::StoreError;
use crate::model::NewContact;
use crate::read;

impl Writer<'_> {
    /// Records a contact, checking consent first: the service may not contact a party who
    /// declined or withdrew consent to contact (unless they initiated it), nor a minor without
    /// their own and a guardian's consent to take part.
    pub fn add_contact(&mut self, case: CaseId, new: NewContact) -> Result<ContactId, StoreError> {
        self.ensure_open(case)?;
        let state = if new.draft {
            ContactState::Draft
        } else {
            ContactState::Finalised
        };
        validate_contact(new.party_ids.len(), &new.notes, state)?;
        let parties = read::party_facts(&self.tx, case)?;
        let mut seen = Vec::new();
        for id in &new.party_ids {
            let party = parties
                .iter()
                .find(|p| p.id == *id)
                .ok_or_else(|| StoreError::NotFound {
                    what: "party of this case",
                    given: id.to_string(),
                })?;
            seen.push(party);
        }
        let events = read::consent_events(&self.tx, case)?;
        check_contact_allowed(&seen, &events, new.initiated_by_party)?;
        for party in &seen {
            check_minor_participation(party, &parties, &events)?;
        }
        if let Some(original) = new.amends {
            let (original_case, original_state, _) = read::contact_state(&self.tx, original)?;
            if original_case != case || original_state != ContactState::Finalised {
                return Err(StoreError::NotFound {
                    what: "finalised contact of this case",
                    given: original.to_string(),
                });
            }
        }
        let id = ContactId::new();
        let party_ids: Vec<String> = new.party_ids.iter().map(ToString::to_string).collect();
        self.emit(
            case,
            Entity::Contact,
            id.as_uuid(),
            OpKind::Create,
            fields([
                ("kind", json!(new.kind.as_str())),
                ("date", json!(new.date)),
                ("notes", json!(new.notes)),
                ("state", json!(state.as_str())),
                ("initiated_by_party", json!(new.initiated_by_party)),
                ("party_ids", json!(read::ids_text(&party_ids)?)),
                ("amends", json!(new.amends)),
                (
                    "finalised_on",
                    json!((state == ContactState::Finalised).then_some(self.today)),
                ),
                (
                    "shareable",
                    json!(new.shareable.as_deref().map(str::trim).filter(|s| !s.is_empty())),
                ),
            ]),
        )?;
        Ok(id)
    }

    /// Replaces the notes of a draft contact (the app's autosave). Refused once finalised.
    pub fn save_draft(&mut self, contact: ContactId, notes: &str) -> Result<(), StoreError> {
        let (case, state, finalised_on) = read::contact_state(&self.tx, contact)?;
        ensure_editable(state, finalised_on)?;
        self.emit(
            case,
            Entity::Contact,
            contact.as_uuid(),
            OpKind::Update,
            fields([("notes", json!(notes))]),
        )?;
        Ok(())
    }

    /// Finalises a draft: from now on it never changes.
    pub fn finalise_contact(&mut self, contact: ContactId) -> Result<(), StoreError> {
        let (case, state, finalised_on) = read::contact_state(&self.tx, contact)?;
        ensure_editable(state, finalised_on)?;
        let notes: String = self
            .tx
            .prepare_cached("SELECT notes FROM contacts WHERE id = ?1")?
            .query_row(params![contact.to_string()], |r| r.get(0))?;
        validate_contact(1, &notes, ContactState::Finalised)?;
        self.emit(
            case,
            Entity::Contact,
            contact.as_uuid(),
            OpKind::Update,
            fields([
                ("state", json!(ContactState::Finalised.as_str())),
                ("finalised_on", json!(self.today)),
            ]),
        )?;
        Ok(())
    }
}
