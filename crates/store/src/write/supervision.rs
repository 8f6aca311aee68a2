//! Supervisors' notes on a case.

use casebook_domain::supervision::{check_may_supervise, validate_note};
use casebook_domain::{CaseId, Entity, OpKind, SupervisionNoteId};
use serde_json::json;

use super::{Writer, fields};
use crate::error::StoreError;
use crate::read;

impl Writer<'_> {
    /// Adds a supervisor's note to a case (append-only, dated today). Refused unless this
    /// store's user is enrolled as a supervisor (the hub refuses anyone else's), and, like every
    /// other record, on a closed case: reopen it first.
    pub fn add_supervision_note(
        &mut self,
        case: CaseId,
        text: &str,
    ) -> Result<SupervisionNoteId, StoreError> {
        check_may_supervise(read::enrolled_role(&self.tx)?)?;
        self.ensure_open(case)?;
        validate_note(text)?;
        let id = SupervisionNoteId::new();
        self.emit(
            case,
            Entity::SupervisionNote,
            id.as_uuid(),
            OpKind::Create,
            fields([("text", json!(text.trim())), ("date", json!(self.today))]),
        )?;
        Ok(id)
    }
}
