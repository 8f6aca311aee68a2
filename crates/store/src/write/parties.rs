//! Changes to a case's parties: adding one, and editing their name, phone or age.

use casebook_domain::party::{PartyFacts, validate_new_party};
use casebook_domain::{CaseId, Entity, OpKind, PartyId, RuleError};
use serde_json::json;

use super::{Fields, Writer, fields};
use crate::error::StoreError;
use crate::model::{NewParty, PartyEdit};
use crate::read;

impl Writer<'_> {
    /// Adds a party to a case.
    pub fn add_party(&mut self, case: CaseId, new: NewParty) -> Result<PartyId, StoreError> {
        self.ensure_open(case)?;
        let id = PartyId::new();
        let facts = PartyFacts {
            id,
            name: new.name.trim().to_owned(),
            role: new.role,
            minor: new.minor,
            guardian_of: new.guardian_of,
        };
        validate_new_party(&facts, &read::party_facts(&self.tx, case)?)?;
        self.emit(
            case,
            Entity::Party,
            id.as_uuid(),
            OpKind::Create,
            fields([
                ("role", json!(new.role.as_str())),
                ("name", json!(facts.name)),
                (
                    "phone",
                    json!(new.phone.as_deref().map(str::trim).filter(|p| !p.is_empty())),
                ),
                ("minor", json!(new.minor)),
                ("guardian_of", json!(new.guardian_of)),
            ]),
        )?;
        Ok(id)
    }

    /// Changes a party's name, phone or whether they are under 18, checked like a new party on
    /// the party as it would become; a party with a guardian on the case stays a minor. A closed
    /// case is refused: reopen it first.
    pub fn edit_party(&mut self, party: PartyId, edit: PartyEdit) -> Result<(), StoreError> {
        let (case, phone) = read::party_case_and_phone(&self.tx, party)?;
        self.ensure_open(case)?;
        let parties = read::party_facts(&self.tx, case)?;
        let current = parties
            .iter()
            .find(|p| p.id == party)
            .ok_or_else(|| StoreError::NotFound {
                what: "party",
                given: party.to_string(),
            })?;
        let others: Vec<PartyFacts> = parties.iter().filter(|p| p.id != party).cloned().collect();
        let facts = PartyFacts {
            name: edit
                .name
                .as_deref()
                .map_or(current.name.as_str(), str::trim)
                .to_owned(),
            minor: edit.minor.unwrap_or(current.minor),
            ..current.clone()
        };
        validate_new_party(&facts, &others)?;
        if !facts.minor
            && let Some(guardian) = others.iter().find(|p| p.guardian_of == Some(party))
        {
            return Err(RuleError::GuardianOfNonMinor {
                guardian: guardian.name.clone(),
                minor: facts.name,
            }
            .into());
        }
        let mut f = Fields::new();
        if facts.name != current.name {
            f.insert("name".into(), json!(facts.name));
        }
        if facts.minor != current.minor {
            f.insert("minor".into(), json!(facts.minor));
        }
        if let Some(new_phone) = edit.phone {
            let new_phone = Some(new_phone.trim().to_owned()).filter(|p| !p.is_empty());
            if new_phone != phone {
                f.insert("phone".into(), json!(new_phone));
            }
        }
        if !f.is_empty() {
            self.emit(case, Entity::Party, party.as_uuid(), OpKind::Update, f)?;
        }
        Ok(())
    }
}
