//! Rotating the hub key on PostgreSQL: every sealed value opened with the old key and sealed
//! again under a data key of the new one (a new key id), the blind indexes recomputed, in one
//! transaction. Either all of it commits or none; a hub process started with the old key
//! afterwards is refused at start (`seal_keys` holds only the new key's probe).

use postgres::Transaction;
use postgres::types::{ToSql, Type};

use super::{PROBE, Postgres};
use crate::audit::{AuditAction, AuditEvent};
use crate::error::HubError;
use crate::storage::seal::row_aad;
use crate::storage::{BlindIndex, DataKey, HubKey, Sealer};

/// Rows re-sealed per round trip.
const BATCH: usize = 1000;

/// A table's sealed columns, and the column whose text names the row in their associated data.
#[derive(Debug, Clone, Copy)]
pub struct SealedTable {
    /// The table.
    pub table: &'static str,
    /// Names the row in `row_aad` (the op id for ops, the primary key elsewhere); unique.
    pub row: &'static str,
    /// Its type, to compare the text form back.
    pub row_type: &'static str,
    /// The sealed columns.
    pub columns: &'static [&'static str],
}

const fn sealed(
    table: &'static str,
    row: &'static str,
    row_type: &'static str,
    columns: &'static [&'static str],
) -> SealedTable {
    SealedTable {
        table,
        row,
        row_type,
        columns,
    }
}

/// Every sealed column of the schema (migrations/hub-postgres) but the probe of `seal_keys`,
/// which a rotation replaces. A column sealed later must be added here: a test
/// (tests/postgres_schema.rs) compares this list with the database's `bytea` columns.
pub const SEALED: &[SealedTable] = &[
    sealed("users", "id", "uuid", &["name"]),
    sealed("devices", "id", "uuid", &["name"]),
    sealed("ops", "op_id", "uuid", &["payload", "quarantine_reason"]),
    sealed("audit", "seq", "bigint", &["entry"]),
    sealed("legal_holds", "case_id", "uuid", &["reason", "held_by"]),
    sealed("purged_cases", "case_id", "uuid", &["ordered_by"]),
    sealed(
        "subject_access_requests",
        "id",
        "bigint",
        &["parties", "requester"],
    ),
];

/// What a rotation did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Rotation {
    /// The id of the data key everything is now sealed under.
    pub key_id: u32,
    /// How many values were sealed again.
    pub values: u64,
}

impl Postgres {
    /// Seals everything again under `new` and makes it this connection's key. Refused while
    /// another hub process is connected: it would go on sealing under the old key.
    pub fn rotate_key(&mut self, new: HubKey, now_ms: i64) -> Result<Rotation, HubError> {
        let event_detail = self.admin_detail(serde_json::json!({}));
        let (rotation, sealer) = self.run(|client| {
            let mut tx = client.transaction()?;
            // A process starting meanwhile waits here, then reads the new probe and is refused.
            tx.batch_execute("LOCK TABLE seal_keys IN ACCESS EXCLUSIVE MODE")?;
            tx.query_one("SELECT last FROM op_seq FOR UPDATE", &[])?;
            let others: i64 = tx
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity
                     WHERE datname = current_database() AND application_name = 'casebook-hub'
                       AND pid <> pg_backend_pid()",
                    &[],
                )?
                .try_get(0)?;
            if others > 0 {
                return Err(HubError::KeyRotation(format!(
                    "{others} other connection(s) of hub processes are open on this database; stop every \
                     hub process (they would go on sealing under the old key), then rotate"
                )));
            }
            let newest: i32 = tx
                .query_one("SELECT COALESCE(MAX(key_id), 0) FROM seal_keys", &[])?
                .try_get(0)?;
            let key_id = u32::try_from(newest).unwrap_or(0) + 1;
            let sealer = Sealer::new(DataKey::derive(&new, key_id), []);
            // The entry goes in first, under the old key: the pass below seals it again too.
            let mut detail = event_detail;
            detail["key_id"] = serde_json::json!(key_id);
            self.append(
                &mut tx,
                &[AuditEvent::new(AuditAction::KeyRotation, detail)],
                now_ms,
            )?;
            // The names' blind index first, while the names still open with the old key.
            self.reindex_names(&mut tx, &BlindIndex::derive(&new, "users.name"))?;
            let mut values = 0;
            for spec in SEALED {
                values += self.reseal(&mut tx, spec, &sealer)?;
            }
            // Attempt counters are keyed under the old key and last a minute: start afresh.
            tx.execute("DELETE FROM rate_limits", &[])?;
            let probe = sealer.seal(PROBE, &row_aad("seal_keys", "probe", &key_id.to_string()))?;
            tx.execute("DELETE FROM seal_keys", &[])?;
            tx.execute(
                "INSERT INTO seal_keys (key_id, probe, created_at) VALUES ($1, $2, $3)",
                &[&i32::try_from(key_id).unwrap_or(i32::MAX), &probe, &now_ms],
            )?;
            tx.commit()?;
            Ok((Rotation { key_id, values }, sealer))
        })?;
        self.names = BlindIndex::derive(&new, "users.name");
        self.clients = BlindIndex::derive(&new, "rate_limits.client");
        self.sealer = sealer;
        self.key = new;
        tracing::info!(
            key_id = rotation.key_id,
            values = rotation.values,
            "hub key rotated"
        );
        Ok(rotation)
    }

    /// Opens each sealed value of `spec` with this connection's key and seals it under `new`,
    /// `BATCH` rows per round trip; returns how many values it sealed again.
    fn reseal(&self, tx: &mut Transaction<'_>, spec: &SealedTable, new: &Sealer) -> Result<u64, HubError> {
        let SealedTable {
            table,
            row,
            row_type,
            columns,
        } = *spec;
        let rows: Vec<String> = tx
            .query(&format!("SELECT {row}::text FROM {table} ORDER BY {row}"), &[])?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<Result<_, _>>()?;
        let mut values = 0;
        for chunk in rows.chunks(BATCH) {
            let found = tx.query(
                &format!(
                    "SELECT {row}::text, {} FROM {table} WHERE {row} = ANY($1::text[]::{row_type}[])",
                    columns.join(", ")
                ),
                &[&chunk],
            )?;
            let mut ids = Vec::with_capacity(found.len());
            let mut sealed: Vec<Vec<Option<Vec<u8>>>> = vec![Vec::with_capacity(found.len()); columns.len()];
            for r in &found {
                let id: String = r.try_get(0)?;
                for (i, column) in columns.iter().enumerate() {
                    let old: Option<Vec<u8>> = r.try_get(i + 1)?;
                    let again = match old {
                        Some(old) => {
                            let aad = row_aad(table, column, &id);
                            values += 1;
                            Some(new.seal(&self.sealer.open(&old, &aad)?, &aad)?)
                        }
                        None => None,
                    };
                    sealed[i].push(again);
                }
                ids.push(id);
            }
            let sets: Vec<String> = columns
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{c} = u.c{i}"))
                .collect();
            let unnest: Vec<String> = (0..columns.len())
                .map(|i| format!("${}::bytea[]", i + 2))
                .collect();
            let names: Vec<String> = (0..columns.len()).map(|i| format!("c{i}")).collect();
            let sql = format!(
                "UPDATE {table} t SET {} FROM UNNEST($1::text[], {}) AS u (id, {})
                 WHERE t.{row} = u.id::{row_type}",
                sets.join(", "),
                unnest.join(", "),
                names.join(", ")
            );
            let mut params: Vec<&(dyn ToSql + Sync)> = vec![&ids];
            params.extend(sealed.iter().map(|c| c as &(dyn ToSql + Sync)));
            let statement = tx.prepare_typed(&sql, &[Type::TEXT_ARRAY])?;
            tx.execute(&statement, &params)?;
        }
        Ok(values)
    }

    /// Recomputes `users.name_index` under the new key's blind index (run before the names
    /// are sealed again: they are opened with this connection's key).
    fn reindex_names(&self, tx: &mut Transaction<'_>, names: &BlindIndex) -> Result<(), HubError> {
        let users = tx.query("SELECT id, name FROM users", &[])?;
        let mut ids = Vec::with_capacity(users.len());
        let mut indexes = Vec::with_capacity(users.len());
        for user in &users {
            let id: uuid::Uuid = user.try_get(0)?;
            let name = self.open_text(&user.try_get::<_, Vec<u8>>(1)?, "users", "name", &id.to_string())?;
            ids.push(id);
            indexes.push(names.of(name.as_bytes()).to_vec());
        }
        tx.execute(
            "UPDATE users t SET name_index = u.name_index
             FROM UNNEST($1::uuid[], $2::bytea[]) AS u (id, name_index) WHERE t.id = u.id",
            &[&ids, &indexes],
        )?;
        Ok(())
    }
}
