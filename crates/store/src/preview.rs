//! What the rules would say about an action before it is taken, so the app can warn first
//! instead of refusing after.

use casebook_domain::consent::{check_contact_allowed, check_minor_participation};
use casebook_domain::{CaseId, PartyId};

use crate::error::StoreError;
use crate::{Store, read};

impl Store {
    /// Why recording a contact with `party_ids` would be refused now (empty: it would not be).
    /// Each message names the party and the decision, in the words the refusal would use.
    pub fn contact_warnings(
        &self,
        case: CaseId,
        party_ids: &[PartyId],
        initiated_by_party: bool,
    ) -> Result<Vec<String>, StoreError> {
        let parties = read::party_facts(&self.conn, case)?;
        let events = read::consent_events(&self.conn, case)?;
        let mut warnings = Vec::new();
        for id in party_ids {
            let party = parties
                .iter()
                .find(|p| p.id == *id)
                .ok_or_else(|| StoreError::NotFound {
                    what: "party of this case",
                    given: id.to_string(),
                })?;
            if let Err(e) = check_contact_allowed(&[party], &events, initiated_by_party) {
                warnings.push(e.to_string());
            }
            if let Err(e) = check_minor_participation(party, &parties, &events) {
                warnings.push(e.to_string());
            }
        }
        Ok(warnings)
    }
}
