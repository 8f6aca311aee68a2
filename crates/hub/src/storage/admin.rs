//! Users, enrollment codes, devices and case assignments: what the admin commands change.

use casebook_domain::{CaseId, DeviceId, UserId};
use casebook_protocol::Role;
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::Serialize;

use super::audit::append;
use super::{DeviceRow, Sqlite, UserRow, parse, user_from_row, user_row};
use crate::audit::{AuditAction, AuditEvent};
use crate::error::HubError;

/// A device just enrolled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrollment {
    /// The new device and its user.
    pub device: DeviceRow,
}

/// A case as `case list` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseSummary {
    /// The case id.
    pub case_id: CaseId,
    /// The human reference.
    pub reference: String,
    /// The lead facilitator's name.
    pub lead: Option<String>,
    /// The co-facilitator's name.
    pub co: Option<String>,
    /// The team.
    pub team: Option<String>,
    /// How many ops the hub holds for it.
    pub ops: u64,
    /// How many of them are flagged for review.
    pub quarantined: u64,
}

/// A device as `device list` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeviceSummary {
    /// The device id.
    pub device_id: DeviceId,
    /// The device's name.
    pub name: String,
    /// Its user's name.
    pub user: String,
    /// When it enrolled, ms since the Unix epoch.
    pub created_at_ms: i64,
    /// When it last synced.
    pub last_seen_ms: Option<i64>,
    /// Revoked.
    pub revoked: bool,
    /// Revoked with an order to wipe.
    pub wipe: bool,
    /// Handed in cleanly: the hub held every op it had written, and it erased its store.
    pub handed_over_ms: Option<i64>,
}

/// `cases`' columns: id, reference, lead, co, team, ops, quarantined ops.
type CaseColumns = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    i64,
);

/// `devices`' columns: id, name, user, created, last seen, revoked, wipe, handed over.
type DeviceColumns = (String, String, String, i64, Option<i64>, bool, bool, Option<i64>);

impl Sqlite {
    /// Adds a user; names are unique.
    pub fn add_user(
        &mut self,
        name: &str,
        role: Role,
        team: Option<&str>,
        now_ms: i64,
    ) -> Result<UserRow, HubError> {
        let user = UserRow {
            id: UserId::new(),
            name: name.to_owned(),
            role,
            team: team.map(str::to_owned),
        };
        let event = AuditEvent::new(
            AuditAction::UserAdd,
            self.admin_detail(serde_json::json!({"user": user.id, "role": role.as_str(), "team": user.team})),
        );
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let inserted = tx.execute(
            "INSERT INTO users (id, name, role, team, created_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (name) DO NOTHING",
            params![user.id.to_string(), user.name, role.as_str(), user.team, now_ms],
        )?;
        if inserted == 0 {
            return Err(HubError::UserExists(name.to_owned()));
        }
        append(&tx, &[event], now_ms)?;
        tx.commit()?;
        Ok(user)
    }

    /// Every user, by name.
    pub fn users(&self) -> Result<Vec<UserRow>, HubError> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, name, role, team FROM users ORDER BY name")?;
        let raw = stmt
            .query_map([], |r| user_from_row(r, 0))?
            .collect::<Result<Vec<_>, _>>()?;
        raw.into_iter().map(user_row).collect()
    }

    /// Stores an enrollment code (by hash) for `user`, valid until `expires_ms`.
    pub fn add_code(
        &mut self,
        user: UserId,
        code_hash: &str,
        now_ms: i64,
        expires_ms: i64,
    ) -> Result<(), HubError> {
        let event = AuditEvent::new(
            AuditAction::CodeIssued,
            self.admin_detail(serde_json::json!({"user": user, "expires_at_ms": expires_ms})),
        );
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO enrollment_codes (code_hash, user_id, created_at, expires_at) VALUES (?1, ?2, ?3, ?4)",
            params![code_hash, user.to_string(), now_ms, expires_ms],
        )?;
        append(&tx, &[event], now_ms)?;
        tx.commit()?;
        Ok(())
    }

    /// [`Storage::enroll`](super::Storage::enroll) from the client address `client`, which the audit trail records.
    pub fn enroll_from(
        &mut self,
        code_hash: &str,
        device_name: &str,
        token_hash: &str,
        now_ms: i64,
        client: Option<&str>,
    ) -> Result<Option<Enrollment>, HubError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let user = tx
            .query_row(
                "SELECT u.id, u.name, u.role, u.team FROM enrollment_codes c JOIN users u ON u.id = c.user_id
                 WHERE c.code_hash = ?1 AND c.used_at IS NULL AND c.expires_at > ?2",
                params![code_hash, now_ms],
                |r| user_from_row(r, 0),
            )
            .optional()?;
        let Some(user) = user else { return Ok(None) };
        let user = user_row(user)?;
        let device = DeviceId::new();
        tx.execute(
            "INSERT INTO devices (id, user_id, name, token_hash, created_at, last_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            params![device.to_string(), user.id.to_string(), device_name, token_hash, now_ms],
        )?;
        tx.execute(
            "UPDATE enrollment_codes SET used_at = ?1, device_id = ?2 WHERE code_hash = ?3",
            params![now_ms, device.to_string(), code_hash],
        )?;
        let event = AuditEvent::new(AuditAction::Enroll, serde_json::json!({ "client": client }))
            .by(user.id, Some(device));
        append(&tx, &[event], now_ms)?;
        tx.commit()?;
        Ok(Some(Enrollment {
            device: DeviceRow {
                id: device,
                name: device_name.to_owned(),
                user,
                revoked: false,
                wipe: false,
            },
        }))
    }

    /// Every case with its assignment and op counts.
    pub fn cases(&self) -> Result<Vec<CaseSummary>, HubError> {
        let mut stmt = self.conn.prepare(
            "SELECT c.id, c.reference, l.name, co.name, c.team,
                    (SELECT count(*) FROM ops o WHERE o.case_id = c.id),
                    (SELECT count(*) FROM ops o WHERE o.case_id = c.id AND o.quarantine_reason IS NOT NULL)
             FROM cases c LEFT JOIN users l ON l.id = c.lead LEFT JOIN users co ON co.id = c.co
             ORDER BY c.reference",
        )?;
        let raw = stmt
            .query_map([], |r| CaseColumns::try_from(r))?
            .collect::<Result<Vec<_>, _>>()?;
        raw.into_iter()
            .map(|(id, reference, lead, co, team, ops, quarantined)| {
                Ok(CaseSummary {
                    case_id: parse(&id)?,
                    reference,
                    lead,
                    co,
                    team,
                    ops: u64::try_from(ops).unwrap_or(0),
                    quarantined: u64::try_from(quarantined).unwrap_or(0),
                })
            })
            .collect()
    }

    /// Reassigns a case (by id or reference) to `lead`, with `co` or none; the case moves to the
    /// lead's team. The hub records the new lead as an op so clients learn of it.
    pub fn assign(
        &mut self,
        case: &str,
        lead: &str,
        co: Option<&str>,
        now_ms: i64,
    ) -> Result<CaseId, HubError> {
        let lead = self.user_by_name(lead)?;
        let co = co.map(|name| self.user_by_name(name)).transpose()?;
        let (hub, operator) = (self.hub, self.operator.clone());
        let mut tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let id: String = tx
            .query_row(
                "SELECT id FROM cases WHERE id = ?1 OR reference = ?1",
                [case],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| HubError::NoSuchCase(case.to_owned()))?;
        let case_id: CaseId = parse(&id)?;
        let after = super::push::assign(&mut tx, hub, case_id, &lead, co.map(|c| c.id), now_ms)?;
        let event = AuditEvent::new(
            AuditAction::Assign,
            serde_json::json!({"operator": operator, "lead": after.lead, "co": after.co, "team": after.team}),
        )
        .about([case_id]);
        append(&tx, &[event], now_ms)?;
        tx.commit()?;
        Ok(case_id)
    }

    /// Every device, newest first.
    pub fn devices(&self) -> Result<Vec<DeviceSummary>, HubError> {
        let mut stmt = self.conn.prepare(
            "SELECT d.id, d.name, u.name, d.created_at, d.last_seen, d.revoked_at IS NOT NULL, d.wipe, d.handed_over_at
             FROM devices d JOIN users u ON u.id = d.user_id ORDER BY d.created_at DESC, d.id",
        )?;
        let raw = stmt
            .query_map([], |r| DeviceColumns::try_from(r))?
            .collect::<Result<Vec<_>, _>>()?;
        raw.into_iter()
            .map(
                |(id, name, user, created_at_ms, last_seen_ms, revoked, wipe, handed_over_ms)| {
                    Ok(DeviceSummary {
                        device_id: parse(&id)?,
                        name,
                        user,
                        created_at_ms,
                        last_seen_ms,
                        revoked,
                        wipe,
                        handed_over_ms,
                    })
                },
            )
            .collect()
    }

    /// Revokes a device; with `wipe`, it is also told to erase its store.
    pub fn revoke(&mut self, device: &str, wipe: bool, now_ms: i64) -> Result<(), HubError> {
        let id = device.trim().to_ascii_lowercase();
        let event = AuditEvent::new(
            AuditAction::Revoke,
            self.admin_detail(serde_json::json!({"device": id, "wipe": wipe})),
        );
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let changed = tx.execute(
            "UPDATE devices SET revoked_at = COALESCE(revoked_at, ?1), wipe = (wipe OR ?2) WHERE id = ?3",
            params![now_ms, wipe, id],
        )?;
        if changed == 0 {
            return Err(HubError::NoSuchDevice(device.to_owned()));
        }
        append(&tx, &[event], now_ms)?;
        tx.commit()?;
        Ok(())
    }
}
