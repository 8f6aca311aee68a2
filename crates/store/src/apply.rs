//! Applying an operation to the tables. Local changes and (later) remote ones go through the
//! same function, so the op log alone can rebuild the store: `verify` replays it to prove so.

use casebook_domain::merge::{FieldMerge, Version, is_text_field, merge_field};
use casebook_domain::{Entity, Op, OpId, OpKind};
use chrono::{DateTime, SecondsFormat};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params};

use crate::error::StoreError;

/// The table that holds an entity.
pub(crate) fn table(entity: Entity) -> &'static str {
    match entity {
        Entity::Case => "cases",
        Entity::Party => "parties",
        Entity::Contact => "contacts",
        Entity::Consent => "consents",
        Entity::StatusChange => "status_changes",
        Entity::SupervisionNote => "supervision_notes",
        Entity::RiskAssessment => "risk_assessments",
        Entity::SignOff => "sign_offs",
        Entity::Meeting => "meetings",
        Entity::MeetingCheck => "meeting_checks",
        Entity::Agreement => "agreements",
        Entity::CourtReport => "court_reports",
        Entity::Feedback => "feedback",
    }
}

/// Every record table, parents first: a record kind only points at kinds listed before it
/// (`Entity::ALL` is in that order), so deleting in reverse never breaks a foreign key.
pub(crate) fn tables() -> impl DoubleEndedIterator<Item = &'static str> {
    Entity::ALL.iter().map(|e| table(*e))
}

fn to_sql(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Integer(i64::from(*b)),
        serde_json::Value::Number(n) => n
            .as_i64()
            .map(Value::Integer)
            .or_else(|| n.as_f64().map(Value::Real))
            .unwrap_or(Value::Null),
        serde_json::Value::String(s) => Value::Text(s.clone()),
        other => Value::Text(other.to_string()),
    }
}

/// The op's wall time as the record's `created_at`, so a replay gives the same rows.
fn created_at(op: &Op) -> String {
    i64::try_from(op.hlc.wall_ms)
        .ok()
        .and_then(DateTime::from_timestamp_millis)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// What applying one op did.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Applied {
    /// Concurrent text edits recorded as conflicts.
    pub conflicts: usize,
}

/// The op that set a field's current value: its last edit, else the record's create op.
pub(crate) fn current_version(
    conn: &Connection,
    entity: Entity,
    entity_id: uuid::Uuid,
    field: &str,
) -> Result<Option<Version>, StoreError> {
    let entity_id = entity_id.to_string();
    let row: Option<(String, String)> = conn
        .prepare_cached("SELECT op_id, hlc FROM field_versions WHERE entity_id = ?1 AND field = ?2")?
        .query_row(params![entity_id, field], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let row = match row {
        Some(row) => Some(row),
        None => conn
            .prepare_cached(&format!(
                "SELECT t.created_op, o.hlc FROM {} t JOIN ops o ON o.op_id = t.created_op WHERE t.id = ?1",
                table(entity)
            ))?
            .query_row(params![entity_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?,
    };
    row.map(|(op_id, hlc)| {
        Ok(Version {
            op: op_id
                .parse()
                .map_err(|_| StoreError::Corrupt("bad op id in field versions".into()))?,
            hlc: hlc
                .parse()
                .map_err(|_| StoreError::Corrupt("bad hlc in field versions".into()))?,
        })
    })
    .transpose()
}

fn set_field(conn: &Connection, op: &Op, field: &str, value: &serde_json::Value) -> Result<(), StoreError> {
    let entity_id = op.entity_id.to_string();
    conn.prepare_cached(&format!(
        "UPDATE {} SET {field} = ?1 WHERE id = ?2",
        table(op.entity)
    ))?
    .execute(params![to_sql(value), entity_id])?;
    conn.prepare_cached(
        "INSERT INTO field_versions (entity_id, field, op_id, hlc) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (entity_id, field) DO UPDATE SET op_id = excluded.op_id, hlc = excluded.hlc",
    )?
    .execute(params![
        entity_id,
        field,
        op.op_id.to_string(),
        op.hlc.to_string()
    ])?;
    Ok(())
}

fn record_conflict(
    conn: &Connection,
    op: &Op,
    field: &str,
    winner: OpId,
    loser: OpId,
    loser_value: &Value,
) -> Result<usize, StoreError> {
    let value = match loser_value {
        Value::Null => None,
        Value::Text(t) => Some(t.clone()),
        Value::Integer(i) => Some(i.to_string()),
        Value::Real(r) => Some(r.to_string()),
        Value::Blob(_) => None,
    };
    Ok(conn
        .prepare_cached(
            "INSERT OR IGNORE INTO conflicts (id, case_id, entity, entity_id, field, winner_op, loser_op, loser_value,
                                              detected_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            OpId::new().to_string(),
            op.case_id.to_string(),
            op.entity.as_str(),
            op.entity_id.to_string(),
            field,
            winner.to_string(),
            loser.to_string(),
            value,
            chrono::Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
        ])?)
}

/// Whether the record `op` changes (or, for a create, its case) is here to be changed.
pub(crate) fn has_target(conn: &Connection, op: &Op) -> Result<bool, StoreError> {
    let (table, id) = match (op.kind, op.entity) {
        (OpKind::Create, Entity::Case) => return Ok(true),
        (OpKind::Create, _) => ("cases", op.case_id.as_uuid()),
        (OpKind::Update, entity) => (table(entity), op.entity_id),
    };
    Ok(conn
        .prepare_cached(&format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE id = ?1)"))?
        .query_row(params![id.to_string()], |r| r.get(0))?)
}

/// Applies `op` to the tables (not to the op log). A create of a record that already exists is
/// ignored; an update merges field by field (see [`merge_field`]), so replicas that apply the
/// same ops in any order end with the same records.
pub(crate) fn apply(conn: &Connection, op: &Op) -> Result<Applied, StoreError> {
    op.validate()?;
    crate::caseload::mark_stale(conn, &op.case_id.to_string())?;
    let table = table(op.entity);
    let mut applied = Applied::default();
    match op.kind {
        OpKind::Create => {
            let mut cols: Vec<&str> = vec!["id", "created_at", "created_by", "device_id", "created_op"];
            let mut vals: Vec<Value> = vec![
                Value::Text(op.entity_id.to_string()),
                Value::Text(created_at(op)),
                Value::Text(op.author.to_string()),
                Value::Text(op.device.to_string()),
                Value::Text(op.op_id.to_string()),
            ];
            if op.entity != Entity::Case {
                cols.push("case_id");
                vals.push(Value::Text(op.case_id.to_string()));
            }
            for (field, value) in &op.fields {
                cols.push(field);
                vals.push(to_sql(value));
            }
            let marks = vec!["?"; cols.len()].join(", ");
            let sql = format!(
                // The same record created twice keeps its first version; any other violation is
                // an error, never a silently missing record.
                "INSERT INTO {table} ({}) VALUES ({marks}) ON CONFLICT (id) DO NOTHING",
                cols.join(", ")
            );
            conn.prepare_cached(&sql)?
                .execute(rusqlite::params_from_iter(vals))?;
        }
        OpKind::Update => {
            let incoming = Version {
                op: op.op_id,
                hlc: op.hlc,
            };
            for (field, value) in &op.fields {
                let Some(current) = current_version(conn, op.entity, op.entity_id, field)? else {
                    // The record is not here (never received, or purged): nothing to change.
                    continue;
                };
                let replaced = op.replaces.get(field).copied();
                match merge_field(current, incoming, replaced, is_text_field(field)) {
                    FieldMerge::Skip => {}
                    FieldMerge::Apply => {
                        set_field(conn, op, field, value)?;
                        // An edit made over a conflict's winner settles that conflict everywhere.
                        if let Some(replaced) = replaced {
                            conn.prepare_cached(
                                "UPDATE conflicts SET resolved_at = ?1, resolution_op = ?2
                                 WHERE entity_id = ?3 AND field = ?4 AND winner_op = ?5 AND resolved_at IS NULL",
                            )?
                            .execute(params![
                                created_at(op),
                                op.op_id.to_string(),
                                op.entity_id.to_string(),
                                field,
                                replaced.to_string()
                            ])?;
                        }
                    }
                    FieldMerge::ApplyOverConflict { loser } => {
                        let old: Value = conn
                            .prepare_cached(&format!("SELECT {field} FROM {table} WHERE id = ?1"))?
                            .query_row(params![op.entity_id.to_string()], |r| r.get(0))?;
                        set_field(conn, op, field, value)?;
                        applied.conflicts += record_conflict(conn, op, field, op.op_id, loser, &old)?;
                    }
                    FieldMerge::KeepWithConflict => {
                        applied.conflicts +=
                            record_conflict(conn, op, field, current.op, op.op_id, &to_sql(value))?;
                    }
                }
            }
        }
    }
    Ok(applied)
}

/// Appends `op` to the op log. `push_state` 0 marks a local op waiting to be pushed.
pub(crate) fn log(
    conn: &Connection,
    op: &Op,
    push_state: Option<i64>,
    hub_seq: Option<u64>,
) -> Result<(), StoreError> {
    let fields = serde_json::to_string(&op.fields).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let replaces = if op.replaces.is_empty() {
        None
    } else {
        Some(serde_json::to_string(&op.replaces).map_err(|e| StoreError::Corrupt(e.to_string()))?)
    };
    conn.prepare_cached(
        "INSERT INTO ops (op_id, case_id, entity, entity_id, kind, fields, replaces, hlc, author, device,
                          schema_version, push_state, hub_seq)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        op.op_id.to_string(),
        op.case_id.to_string(),
        op.entity.as_str(),
        op.entity_id.to_string(),
        op.kind.as_str(),
        fields,
        replaces,
        op.hlc.to_string(),
        op.author.to_string(),
        op.device.to_string(),
        op.schema_version,
        push_state,
        hub_seq.and_then(|s| i64::try_from(s).ok()),
    ])?;
    Ok(())
}

/// Reads the op log back, in the order it was written.
pub(crate) fn read_ops(conn: &Connection) -> Result<Vec<Op>, StoreError> {
    read_ops_where(conn, "1", usize::MAX)
}

/// Reads the ops matching `condition` (a fixed SQL expression), in log order.
pub(crate) fn read_ops_where(
    conn: &Connection,
    condition: &str,
    limit: usize,
) -> Result<Vec<Op>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT op_id, case_id, entity, entity_id, kind, fields, replaces, hlc, author, device, schema_version
         FROM ops WHERE {condition} ORDER BY seq LIMIT ?1"
    ))?;
    let rows = stmt.query_map(params![i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, Option<String>>(6)?,
            r.get::<_, String>(7)?,
            r.get::<_, String>(8)?,
            r.get::<_, String>(9)?,
            r.get::<_, u32>(10)?,
        ))
    })?;
    let bad = |what: &str, e: &dyn std::fmt::Display| StoreError::Corrupt(format!("op log {what}: {e}"));
    let mut ops = Vec::new();
    for row in rows {
        let (op_id, case_id, entity, entity_id, kind, fields, replaces, hlc, author, device, schema_version) =
            row?;
        ops.push(Op {
            op_id: op_id.parse().map_err(|e| bad("op id", &e))?,
            case_id: case_id.parse().map_err(|e| bad("case id", &e))?,
            entity: entity.parse().map_err(|e| bad("entity", &e))?,
            entity_id: entity_id.parse().map_err(|e| bad("entity id", &e))?,
            kind: kind.parse().map_err(|e| bad("kind", &e))?,
            fields: serde_json::from_str(&fields).map_err(|e| bad("fields", &e))?,
            replaces: match replaces {
                Some(r) => serde_json::from_str(&r).map_err(|e| bad("replaces", &e))?,
                None => Default::default(),
            },
            hlc: hlc.parse().map_err(|e| bad("hlc", &e))?,
            author: author.parse().map_err(|e| bad("author", &e))?,
            device: device.parse().map_err(|e| bad("device", &e))?,
            schema_version,
        });
    }
    Ok(ops)
}
