//! Conflicts: two concurrent edits of one text field, kept until a person chooses.

use casebook_domain::{CaseId, Entity};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use crate::error::StoreError;
use crate::{Store, read};

/// An open conflict: two concurrent edits of one text field.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConflictView {
    /// The conflict id.
    pub id: String,
    /// The case.
    pub case_id: CaseId,
    /// The case's reference.
    pub reference: String,
    /// `case`, `party`, `contact`.
    pub entity: String,
    /// The record.
    pub entity_id: String,
    /// The field.
    pub field: String,
    /// The value shown now (the later edit).
    pub current: Option<String>,
    /// The other edit's text.
    pub other: Option<String>,
    /// Whether the shown value was written on this device.
    pub current_is_mine: bool,
    /// Whether the other value was written on this device.
    pub other_is_mine: bool,
}

/// Which side of a conflict to keep.
#[derive(Debug, Clone)]
pub enum Keep {
    /// The text written on this device.
    Mine,
    /// The text written elsewhere.
    Theirs,
    /// A merged text.
    Text(String),
}

impl Store {
    /// Open conflicts, oldest first.
    pub fn conflicts(&self) -> Result<Vec<ConflictView>, StoreError> {
        let mut stmt = self.conn.prepare(
            "SELECT k.id, k.case_id, c.reference, k.entity, k.entity_id, k.field, k.loser_value,
                    w.device, l.device, k.winner_op
             FROM conflicts k JOIN cases c ON c.id = k.case_id
             LEFT JOIN ops w ON w.op_id = k.winner_op LEFT JOIN ops l ON l.op_id = k.loser_op
             WHERE k.resolved_at IS NULL ORDER BY k.detected_at",
        )?;
        let me = self.actor.device.to_string();
        let hub_me = self.hub_link()?.map(|l| l.device_id.to_string());
        let mine = |d: Option<String>| d.is_some_and(|d| d == me || Some(&d) == hub_me.as_ref());
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                read::parse::<CaseId>(r, 1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, Option<String>>(7)?,
                r.get::<_, Option<String>>(8)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, case_id, reference, entity, entity_id, field, other, winner_dev, loser_dev) = row?;
            let entity_kind: Entity = entity
                .parse()
                .map_err(|_| StoreError::Corrupt("conflict entity".into()))?;
            // The field name is interpolated below: only the entity's own fields may be.
            if !entity_kind.fields().contains(&field.as_str()) {
                continue;
            }
            let current: Option<String> = self
                .conn
                .query_row(
                    &format!(
                        "SELECT {field} FROM {} WHERE id = ?1",
                        crate::apply::table(entity_kind)
                    ),
                    params![entity_id],
                    |r| r.get(0),
                )
                .optional()?
                .flatten();
            out.push(ConflictView {
                id,
                case_id,
                reference,
                entity,
                entity_id,
                field,
                current,
                other,
                current_is_mine: mine(winner_dev),
                other_is_mine: mine(loser_dev),
            });
        }
        Ok(out)
    }

    /// Resolves a conflict by writing the chosen text as a new edit (which settles the same
    /// conflict on every other replica when it arrives there).
    pub fn resolve_conflict(&mut self, id: &str, keep: Keep) -> Result<(), StoreError> {
        let conflict = self
            .conflicts()?
            .into_iter()
            .find(|c| c.id == id || (id.len() >= 6 && c.id.starts_with(id)))
            .ok_or_else(|| StoreError::NotFound {
                what: "open conflict",
                given: id.to_owned(),
            })?;
        let text = match keep {
            Keep::Text(t) => t,
            Keep::Mine if conflict.other_is_mine && !conflict.current_is_mine => {
                conflict.other.clone().unwrap_or_default()
            }
            Keep::Mine => conflict.current.clone().unwrap_or_default(),
            Keep::Theirs if conflict.other_is_mine && !conflict.current_is_mine => {
                conflict.current.clone().unwrap_or_default()
            }
            Keep::Theirs => conflict.other.clone().unwrap_or_default(),
        };
        let entity: Entity = conflict
            .entity
            .parse()
            .map_err(|_| StoreError::Corrupt("conflict entity".into()))?;
        let entity_id: uuid::Uuid = conflict
            .entity_id
            .parse()
            .map_err(|_| StoreError::Corrupt("conflict record id".into()))?;
        let field = conflict.field.clone();
        let conflict_id = conflict.id.clone();
        self.write(|w| {
            let op = w.set_text(conflict.case_id, entity, entity_id, &field, &text)?;
            w.tx.execute(
                "UPDATE conflicts SET resolved_at = ?1, resolution_op = ?2 WHERE id = ?3",
                params![chrono::Utc::now().to_rfc3339(), op.to_string(), conflict_id],
            )?;
            Ok(())
        })
    }
}
