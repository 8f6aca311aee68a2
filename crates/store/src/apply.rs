//! Applying an operation to the tables. Local changes and (later) remote ones go through the
//! same function, so the op log alone can rebuild the store: `verify` replays it to prove so.

use casebook_domain::{Entity, Op, OpKind};
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
    }
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

/// Applies `op` to the tables (not to the op log). An update sets only the fields whose current
/// value is older (by HLC) than the op, so replicas converge whatever order ops arrive in.
pub(crate) fn apply(conn: &Connection, op: &Op) -> Result<(), StoreError> {
    op.validate()?;
    let table = table(op.entity);
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
            let sql = format!("INSERT INTO {table} ({}) VALUES ({marks})", cols.join(", "));
            conn.prepare_cached(&sql)?
                .execute(rusqlite::params_from_iter(vals))?;
        }
        OpKind::Update => {
            let hlc = op.hlc.to_string();
            let entity_id = op.entity_id.to_string();
            for (field, value) in &op.fields {
                let newer: Option<String> = conn
                    .prepare_cached(
                        "SELECT hlc FROM field_versions WHERE entity_id = ?1 AND field = ?2 AND hlc > ?3",
                    )?
                    .query_row(params![entity_id, field, hlc], |r| r.get(0))
                    .optional()?;
                if newer.is_some() {
                    continue;
                }
                let sql = format!("UPDATE {table} SET {field} = ?1 WHERE id = ?2");
                let changed = conn
                    .prepare_cached(&sql)?
                    .execute(params![to_sql(value), entity_id])?;
                if changed == 0 {
                    return Err(StoreError::NotFound {
                        what: op.entity.as_str(),
                        given: entity_id,
                    });
                }
                conn.prepare_cached(
                    "INSERT INTO field_versions (entity_id, field, op_id, hlc) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (entity_id, field) DO UPDATE SET op_id = excluded.op_id, hlc = excluded.hlc",
                )?
                .execute(params![entity_id, field, op.op_id.to_string(), hlc])?;
            }
        }
    }
    Ok(())
}

/// Appends `op` to the op log. `push_state` 0 marks a local op waiting to be pushed.
pub(crate) fn log(conn: &Connection, op: &Op, push_state: Option<i64>) -> Result<(), StoreError> {
    let fields = serde_json::to_string(&op.fields).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let replaces = if op.replaces.is_empty() {
        None
    } else {
        Some(serde_json::to_string(&op.replaces).map_err(|e| StoreError::Corrupt(e.to_string()))?)
    };
    conn.prepare_cached(
        "INSERT INTO ops (op_id, case_id, entity, entity_id, kind, fields, replaces, hlc, author, device,
                          schema_version, push_state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
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
    ])?;
    Ok(())
}

/// Reads the op log back, in the order it was written.
pub(crate) fn read_ops(conn: &Connection) -> Result<Vec<Op>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT op_id, case_id, entity, entity_id, kind, fields, replaces, hlc, author, device, schema_version
         FROM ops ORDER BY seq",
    )?;
    let rows = stmt.query_map([], |r| {
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
