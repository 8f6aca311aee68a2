//! The audit trail's SQL: appending to the chain (inside the transaction of what it records,
//! when there is one), verifying it, its head, and the entries a question asks for.

use casebook_domain::{CaseId, UserId};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use super::{Sqlite, parse};
use crate::audit::{AuditEvent, EntryBody, GENESIS, chain_hash};
use crate::error::HubError;

/// The newest entry of the chain: keep its hash somewhere the hub cannot rewrite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditHead {
    /// How many entries the chain holds.
    pub seq: u64,
    /// The newest entry's hash ([`GENESIS`] for an empty chain).
    pub hash: String,
    /// When the newest entry was written.
    pub at_ms: Option<i64>,
}

/// What `audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Verification {
    /// Every entry follows from the one before; the head is `head`.
    Intact {
        /// The chain's head.
        head: AuditHead,
        /// The head kept elsewhere was found in the chain (`None`: none was given).
        expected_found: Option<bool>,
    },
    /// The first entry that does not follow from the one before.
    Broken {
        /// Its place (or the place where an entry is missing).
        seq: u64,
        /// When it claims to have been written, if it can be read.
        at_ms: Option<i64>,
        /// What does not match.
        reason: String,
    },
}

/// Which entries `audit show` lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditQuery {
    /// Only entries about this case.
    pub case: Option<CaseId>,
    /// Only entries by this user.
    pub user: Option<UserId>,
    /// Only entries written at or after this time, ms since the Unix epoch.
    pub from_ms: Option<i64>,
}

/// An entry as `audit show` lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    /// The entry.
    #[serde(flatten)]
    pub body: EntryBody,
    /// Its hash.
    pub hash: String,
}

/// Appends `events` to the chain on `conn`, which must be inside a write transaction (so the
/// head read here is still the head when the entries land). Returns the new head's hash.
pub(super) fn append(conn: &Connection, events: &[AuditEvent], now_ms: i64) -> Result<String, HubError> {
    let (mut seq, mut prev) = head_on(conn)?;
    for event in events {
        seq += 1;
        let body = EntryBody::new(seq, now_ms, event);
        let text = serde_json::to_string(&body)?;
        let hash = chain_hash(&prev, &text);
        conn.prepare_cached(
            "INSERT INTO audit (seq, at_ms, action, user_id, device_id, entry_json, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            to_i64(seq),
            now_ms,
            event.action.as_str(),
            event.user.map(|u| u.to_string()),
            event.device.map(|d| d.to_string()),
            text,
            prev,
            hash
        ])?;
        let mut index = conn.prepare_cached("INSERT INTO audit_cases (seq, case_id) VALUES (?1, ?2)")?;
        for case in &event.cases {
            index.execute(params![to_i64(seq), case.to_string()])?;
        }
        prev = hash;
    }
    Ok(prev)
}

fn head_on(conn: &Connection) -> Result<(u64, String), HubError> {
    let head = conn
        .prepare_cached("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
        .optional()?;
    Ok(head.map_or((0, GENESIS.to_owned()), |(seq, hash)| (to_u64(seq), hash)))
}

impl Sqlite {
    /// Another connection to the same database, which may write: the audit writer's, so that
    /// recording a pull never waits for the writer's lock, only briefly for SQLite's.
    pub fn audit_connection(&self) -> Result<Sqlite, HubError> {
        let conn = super::open_keyed(&self.path, &self.key)?;
        conn.execute_batch(
            "PRAGMA busy_timeout = 10000;
             PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;
             PRAGMA secure_delete = ON;",
        )?;
        Ok(Sqlite {
            conn,
            hub: self.hub,
            path: self.path.clone(),
            key: super::HubKey::from_hex(self.key.hex())?,
            key_in_dir: self.key_in_dir,
            operator: None,
        })
    }

    /// Appends `events` to the audit trail in one transaction of their own.
    pub fn append_audit(&mut self, events: &[AuditEvent], now_ms: i64) -> Result<(), HubError> {
        if events.is_empty() {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        append(&tx, events, now_ms)?;
        tx.commit()?;
        Ok(())
    }

    /// The chain's newest entry.
    pub fn audit_head(&self) -> Result<AuditHead, HubError> {
        let head = self
            .conn
            .query_row(
                "SELECT seq, hash, at_ms FROM audit ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?)),
            )
            .optional()?;
        Ok(match head {
            Some((seq, hash, at_ms)) => AuditHead {
                seq: to_u64(seq),
                hash,
                at_ms: Some(at_ms),
            },
            None => AuditHead {
                seq: 0,
                hash: GENESIS.to_owned(),
                at_ms: None,
            },
        })
    }

    /// Recomputes the chain from its first entry and names the first entry that does not
    /// follow; with `expected`, also says whether that hash (a head kept elsewhere) is in it.
    pub fn verify_audit(&mut self, expected: Option<&str>) -> Result<Verification, HubError> {
        // One snapshot: a hub serving meanwhile appends after it, never into it.
        let tx = self.conn.transaction()?;
        let verification = walk(&tx, expected)?;
        tx.commit()?;
        Ok(verification)
    }

    /// The entries `query` asks for, oldest first.
    pub fn audit_entries(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, HubError> {
        let mut stmt = self.conn.prepare(
            "SELECT a.entry_json, a.hash FROM audit a
             WHERE (?1 IS NULL OR a.seq IN (SELECT seq FROM audit_cases WHERE case_id = ?1))
               AND (?2 IS NULL OR a.user_id = ?2)
               AND (?3 IS NULL OR a.at_ms >= ?3)
             ORDER BY a.seq",
        )?;
        let raw = stmt
            .query_map(
                params![
                    query.case.map(|c| c.to_string()),
                    query.user.map(|u| u.to_string()),
                    query.from_ms
                ],
                |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)),
            )?
            .collect::<Result<Vec<_>, _>>()?;
        raw.into_iter()
            .map(|(text, hash)| {
                Ok(AuditEntry {
                    body: serde_json::from_str(&text)?,
                    hash,
                })
            })
            .collect()
    }

    /// A case's id from its id or its reference, for `audit show --case`.
    pub fn case_id_of(&self, given: &str) -> Result<CaseId, HubError> {
        let id: String = self
            .conn
            .query_row(
                "SELECT id FROM cases WHERE id = ?1 OR reference = ?1
                 UNION ALL SELECT case_id FROM purged_cases WHERE case_id = ?1 OR reference = ?1",
                [given.trim()],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| HubError::NoSuchCase(given.to_owned()))?;
        parse(&id)
    }
}

/// Walks the chain in order, checking each entry against the one before and its index rows.
fn walk(conn: &Connection, expected: Option<&str>) -> Result<Verification, HubError> {
    let mut entries = conn.prepare(
        "SELECT seq, at_ms, action, user_id, device_id, entry_json, prev_hash, hash FROM audit ORDER BY seq",
    )?;
    let mut rows = entries.query([])?;
    let mut index = conn.prepare("SELECT seq, case_id FROM audit_cases ORDER BY seq, case_id")?;
    let mut indexed = index.query([])?;
    let mut next_index: Option<(u64, String)> = index_row(indexed.next()?)?;
    let mut head = AuditHead {
        seq: 0,
        hash: GENESIS.to_owned(),
        at_ms: None,
    };
    let mut found = expected.map(|_| false);
    while let Some(row) = rows.next()? {
        let stored = StoredEntry {
            seq: to_u64(row.get(0)?),
            at_ms: row.get(1)?,
            action: row.get(2)?,
            user: row.get(3)?,
            device: row.get(4)?,
            text: row.get(5)?,
            prev_hash: row.get(6)?,
            hash: row.get(7)?,
        };
        let mut cases = Vec::new();
        while let Some((seq, case)) = next_index.take() {
            if seq > stored.seq {
                next_index = Some((seq, case));
                break;
            }
            if seq < stored.seq {
                return Ok(broken(seq, None, "an index row names an entry that is not there"));
            }
            cases.push(case);
            next_index = index_row(indexed.next()?)?;
        }
        let seq = head.seq + 1;
        if let Err(reason) = stored.check(seq, &head.hash, &cases) {
            return Ok(broken(seq, Some(stored.at_ms), reason));
        }
        found = found.map(|f| f || expected == Some(stored.hash.as_str()));
        head = AuditHead {
            seq,
            hash: stored.hash,
            at_ms: Some(stored.at_ms),
        };
    }
    if let Some((seq, _)) = next_index {
        return Ok(broken(seq, None, "an index row names an entry that is not there"));
    }
    Ok(Verification::Intact {
        head,
        expected_found: found,
    })
}

fn index_row(row: Option<&rusqlite::Row<'_>>) -> Result<Option<(u64, String)>, HubError> {
    Ok(match row {
        Some(r) => Some((to_u64(r.get(0)?), r.get(1)?)),
        None => None,
    })
}

/// An audit row as stored, before it is believed (on either backend).
pub(super) struct StoredEntry {
    pub(super) seq: u64,
    pub(super) at_ms: i64,
    pub(super) action: String,
    pub(super) user: Option<String>,
    pub(super) device: Option<String>,
    pub(super) text: String,
    pub(super) prev_hash: String,
    pub(super) hash: String,
}

impl StoredEntry {
    /// Whether this row is entry `seq` following the entry whose hash is `prev`, and its query
    /// columns and index rows (`cases`, sorted) say what its hashed text says.
    pub(super) fn check(&self, seq: u64, prev: &str, cases: &[String]) -> Result<(), &'static str> {
        if self.seq != seq {
            return Err("an entry is missing before this place");
        }
        if self.prev_hash != prev {
            return Err("it does not name the previous entry's hash");
        }
        if chain_hash(prev, &self.text) != self.hash {
            return Err("its hash does not match its contents");
        }
        let body: EntryBody = serde_json::from_str(&self.text).map_err(|_| "its contents cannot be read")?;
        let same_columns = body.seq == self.seq
            && body.at_ms == self.at_ms
            && body.action.as_str() == self.action
            && body.user.map(|u| u.to_string()) == self.user
            && body.device.map(|d| d.to_string()) == self.device;
        if !same_columns {
            return Err("its columns do not say what its hashed contents say");
        }
        let mut named: Vec<String> = body.cases.iter().map(ToString::to_string).collect();
        named.sort();
        if named != cases {
            return Err("the index of its cases does not match its hashed contents");
        }
        Ok(())
    }
}

pub(super) fn broken(seq: u64, at_ms: Option<i64>, reason: &str) -> Verification {
    Verification::Broken {
        seq,
        at_ms,
        reason: reason.to_owned(),
    }
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn to_u64(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

impl Sqlite {
    /// Records an admin command that changes nothing else the storage knows of (the demo).
    pub fn record_admin(
        &mut self,
        action: crate::audit::AuditAction,
        extra: serde_json::Value,
        now_ms: i64,
    ) -> Result<(), HubError> {
        let event = AuditEvent::new(action, self.admin_detail(extra));
        self.append_audit(&[event], now_ms)
    }

    /// Every case's reference by id (erased cases' from their tombstones), to show audit
    /// entries; nothing else is read.
    pub fn case_references(&self) -> Result<std::collections::HashMap<CaseId, String>, HubError> {
        let mut stmt = self.conn.prepare(
            "SELECT id, reference FROM cases UNION ALL SELECT case_id, reference FROM purged_cases",
        )?;
        let raw = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        raw.into_iter()
            .map(|(id, reference)| Ok((parse(&id)?, reference)))
            .collect()
    }
}
