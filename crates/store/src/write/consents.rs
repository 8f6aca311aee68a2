//! A party's consent decisions, recorded append-only.

use casebook_domain::{CaseId, ConsentId, Entity, OpKind};
use serde_json::json;

use super::{Writer, fields};
use crate::error::StoreError;
use crate::model::NewConsent;
use crate::read;

impl Writer<'_> {
    /// Records a consent decision (append-only: the latest event is the current consent).
    pub fn record_consent(&mut self, case: CaseId, new: NewConsent) -> Result<ConsentId, StoreError> {
        self.ensure_open(case)?;
        if !read::party_facts(&self.tx, case)?
            .iter()
            .any(|p| p.id == new.party)
        {
            return Err(StoreError::NotFound {
                what: "party of this case",
                given: new.party.to_string(),
            });
        }
        let id = ConsentId::new();
        self.emit(
            case,
            Entity::Consent,
            id.as_uuid(),
            OpKind::Create,
            fields([
                ("party_id", json!(new.party)),
                ("scope", json!(new.scope.as_str())),
                ("decision", json!(new.decision.as_str())),
                ("method", json!(new.method.as_str())),
                ("date", json!(new.date.unwrap_or(self.today))),
                (
                    "note",
                    json!(new.note.as_deref().map(str::trim).filter(|n| !n.is_empty())),
                ),
            ]),
        )?;
        Ok(id)
    }
}
