//! The audit trail on PostgreSQL: the same hash chain as on SQLite, each entry's JSON sealed,
//! appended under the one-row `audit_head` lock so processes append one after another.

use std::collections::{BTreeMap, HashMap};

use casebook_domain::CaseId;
use postgres::Transaction;
use uuid::Uuid;

use super::{Postgres, snapshot, to_i64, to_u64};
use crate::audit::{AuditAction, AuditEvent, EntryBody, GENESIS, chain_hash};
use crate::error::HubError;
use crate::storage::audit::{StoredEntry, broken};
use crate::storage::{AuditEntry, AuditHead, AuditQuery, Verification};

impl Postgres {
    /// Appends `events` to the chain inside `tx` (the transaction of what they record, when
    /// there is one). Returns the new head's hash. Two round trips whatever the number of events
    /// and cases: a push holds `op_seq` while it appends, so every one counts.
    pub(super) fn append(
        &self,
        tx: &mut Transaction<'_>,
        events: &[AuditEvent],
        now_ms: i64,
    ) -> Result<String, HubError> {
        let head = self
            .cached(tx)
            .query_one("SELECT seq, hash FROM audit_head FOR UPDATE", &[])?;
        let (mut seq, mut prev): (u64, String) = (to_u64(head.try_get(0)?), head.try_get(1)?);
        let mut rows = AuditRows::default();
        for event in events {
            seq += 1;
            let text = serde_json::to_string(&EntryBody::new(seq, now_ms, event))?;
            let hash = chain_hash(&prev, &text);
            rows.seq.push(to_i64(seq));
            rows.action.push(event.action.as_str());
            rows.user.push(event.user.map(|u| u.0));
            rows.device.push(event.device.map(|d| d.0));
            rows.entry
                .push(self.seal(text.as_bytes(), "audit", "entry", &seq.to_string())?);
            rows.prev_hash.push(std::mem::replace(&mut prev, hash.clone()));
            rows.hash.push(hash);
            for case in &event.cases {
                rows.case_seq.push(to_i64(seq));
                rows.case_id.push(case.0);
            }
        }
        let at_ms = vec![now_ms; rows.seq.len()];
        // Entries, their cases and the head in one statement: the foreign key of audit_cases is
        // checked at its end, when the entries are there.
        self.cached(tx).execute(
            "WITH entries AS (
                 INSERT INTO audit (seq, at_ms, action, user_id, device_id, entry, prev_hash, hash)
                 SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::text[], $4::uuid[], $5::uuid[],
                                      $6::bytea[], $7::text[], $8::text[])),
             cases AS (
                 INSERT INTO audit_cases (seq, case_id)
                 SELECT * FROM UNNEST($9::bigint[], $10::uuid[]) ON CONFLICT DO NOTHING)
             UPDATE audit_head SET seq = $11, hash = $12",
            &[
                &rows.seq,
                &at_ms,
                &rows.action,
                &rows.user,
                &rows.device,
                &rows.entry,
                &rows.prev_hash,
                &rows.hash,
                &rows.case_seq,
                &rows.case_id,
                &to_i64(seq),
                &prev,
            ],
        )?;
        Ok(prev)
    }

    /// See [`crate::storage::Storage::append_audit`].
    pub fn append_audit(&mut self, events: &[AuditEvent], now_ms: i64) -> Result<(), HubError> {
        if events.is_empty() {
            return Ok(());
        }
        self.run(|client| {
            let mut tx = client.transaction()?;
            self.append(&mut tx, events, now_ms)?;
            tx.commit()?;
            Ok(())
        })
    }

    /// See [`crate::storage::Storage::record_admin`].
    pub fn record_admin(
        &mut self,
        action: AuditAction,
        extra: serde_json::Value,
        now_ms: i64,
    ) -> Result<(), HubError> {
        let event = AuditEvent::new(action, self.admin_detail(extra));
        self.append_audit(&[event], now_ms)
    }

    /// See [`crate::storage::Storage::audit_head`].
    pub fn audit_head(&self) -> Result<AuditHead, HubError> {
        self.run(|client| {
            let row = client.query_opt(
                "SELECT seq, hash, at_ms FROM audit ORDER BY seq DESC LIMIT 1",
                &[],
            )?;
            Ok(match row {
                Some(row) => AuditHead {
                    seq: to_u64(row.try_get(0)?),
                    hash: row.try_get(1)?,
                    at_ms: Some(row.try_get(2)?),
                },
                None => AuditHead {
                    seq: 0,
                    hash: GENESIS.to_owned(),
                    at_ms: None,
                },
            })
        })
    }

    /// See [`crate::storage::Storage::audit_entries`].
    pub fn audit_entries(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, HubError> {
        let rows = self.run(|client| {
            Ok(client.query(
                "SELECT a.seq, a.entry, a.hash FROM audit a
                 WHERE ($1::uuid IS NULL OR a.seq IN (SELECT seq FROM audit_cases WHERE case_id = $1))
                   AND ($2::uuid IS NULL OR a.user_id = $2)
                   AND ($3::bigint IS NULL OR a.at_ms >= $3)
                 ORDER BY a.seq",
                &[&query.case.map(|c| c.0), &query.user.map(|u| u.0), &query.from_ms],
            )?)
        })?;
        rows.iter()
            .map(|row| {
                let seq: i64 = row.try_get(0)?;
                let text =
                    self.open_text(&row.try_get::<_, Vec<u8>>(1)?, "audit", "entry", &seq.to_string())?;
                Ok(AuditEntry {
                    body: serde_json::from_str(&text)?,
                    hash: row.try_get(2)?,
                })
            })
            .collect()
    }

    /// See [`crate::storage::Storage::case_id_of`].
    pub fn case_id_of(&self, given: &str) -> Result<CaseId, HubError> {
        let given = given.trim();
        let by_id = given.parse::<Uuid>().ok();
        let found = self.run(|client| {
            Ok(client.query_opt(
                "SELECT id FROM cases WHERE id = $1 OR reference = $2
                 UNION ALL SELECT case_id FROM purged_cases WHERE case_id = $1 OR reference = $2",
                &[&by_id, &given],
            )?)
        })?;
        match found {
            Some(row) => Ok(CaseId(row.try_get(0)?)),
            None => Err(HubError::NoSuchCase(given.to_owned())),
        }
    }

    /// See [`crate::storage::Storage::case_references`].
    pub fn case_references(&self) -> Result<HashMap<CaseId, String>, HubError> {
        self.run(|client| {
            client
                .query(
                    "SELECT id, reference FROM cases UNION ALL SELECT case_id, reference FROM purged_cases",
                    &[],
                )?
                .iter()
                .map(|row| Ok((CaseId(row.try_get(0)?), row.try_get(1)?)))
                .collect()
        })
    }

    /// See [`crate::storage::Storage::verify_audit`]. One snapshot: a hub serving meanwhile
    /// appends after it, never into it.
    pub fn verify_audit(&mut self, expected: Option<&str>) -> Result<Verification, HubError> {
        let (entries, index) = self.run(|client| {
            let mut tx = snapshot(client)?;
            let entries = tx.query(
                "SELECT seq, at_ms, action, user_id, device_id, entry, prev_hash, hash FROM audit ORDER BY seq",
                &[],
            )?;
            let index = tx.query("SELECT seq, case_id FROM audit_cases", &[])?;
            tx.commit()?;
            Ok((entries, index))
        })?;
        let mut cases: BTreeMap<u64, Vec<String>> = BTreeMap::new();
        for row in &index {
            let case: Uuid = row.try_get(1)?;
            cases
                .entry(to_u64(row.try_get(0)?))
                .or_default()
                .push(case.to_string());
        }
        let mut head = AuditHead {
            seq: 0,
            hash: GENESIS.to_owned(),
            at_ms: None,
        };
        let mut found = expected.map(|_| false);
        for row in &entries {
            let seq = head.seq + 1;
            let stored_seq = to_u64(row.try_get(0)?);
            let at_ms: i64 = row.try_get(1)?;
            let Ok(text) = self.open_text(
                &row.try_get::<_, Vec<u8>>(5)?,
                "audit",
                "entry",
                &stored_seq.to_string(),
            ) else {
                return Ok(broken(
                    seq,
                    Some(at_ms),
                    "its sealed contents do not open: altered or moved",
                ));
            };
            let stored = StoredEntry {
                seq: stored_seq,
                at_ms,
                action: row.try_get(2)?,
                user: row.try_get::<_, Option<Uuid>>(3)?.map(|u| u.to_string()),
                device: row.try_get::<_, Option<Uuid>>(4)?.map(|d| d.to_string()),
                text,
                prev_hash: row.try_get(6)?,
                hash: row.try_get(7)?,
            };
            let mut named = cases.remove(&stored.seq).unwrap_or_default();
            named.sort();
            if let Err(reason) = stored.check(seq, &head.hash, &named) {
                return Ok(broken(seq, Some(stored.at_ms), reason));
            }
            found = found.map(|f| f || expected == Some(stored.hash.as_str()));
            head = AuditHead {
                seq,
                hash: stored.hash,
                at_ms: Some(stored.at_ms),
            };
        }
        if let Some((seq, _)) = cases.into_iter().next() {
            return Ok(broken(seq, None, "an index row names an entry that is not there"));
        }
        Ok(Verification::Intact {
            head,
            expected_found: found,
        })
    }
}

/// The columns of the entries one append writes, for one `UNNEST` each.
#[derive(Default)]
struct AuditRows<'a> {
    seq: Vec<i64>,
    action: Vec<&'a str>,
    user: Vec<Option<Uuid>>,
    device: Vec<Option<Uuid>>,
    entry: Vec<Vec<u8>>,
    prev_hash: Vec<String>,
    hash: Vec<String>,
    case_seq: Vec<i64>,
    case_id: Vec<Uuid>,
}
