//! Users, enrollment codes, devices and case assignments on PostgreSQL: what the admin
//! commands and enrollment change. Names are sealed; `users.name_index` finds one.

use casebook_domain::{CaseId, DeviceId, UserId};
use casebook_protocol::Role;
use uuid::Uuid;

use super::push::PgTx;
use super::{Postgres, to_u64};
use crate::audit::{AuditAction, AuditEvent};
use crate::error::HubError;
use crate::storage::{CaseSummary, DeviceRow, DeviceSummary, Enrollment, UserRow};

impl Postgres {
    /// See [`crate::storage::Storage::add_user`].
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
        let sealed = self.seal(name.as_bytes(), "users", "name", &user.id.to_string())?;
        let index = self.names.of(name.as_bytes());
        self.run(|client| {
            let mut tx = client.transaction()?;
            let inserted = tx.execute(
                "INSERT INTO users (id, name, name_index, role, team, created_at) VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (name_index) DO NOTHING",
                &[
                    &user.id.0,
                    &sealed,
                    &&index[..],
                    &role.as_str(),
                    &user.team,
                    &now_ms,
                ],
            )?;
            if inserted == 0 {
                return Err(HubError::UserExists(name.to_owned()));
            }
            self.append(&mut tx, &[event], now_ms)?;
            tx.commit()?;
            Ok(user)
        })
    }

    /// See [`crate::storage::Storage::users`].
    pub fn users(&self) -> Result<Vec<UserRow>, HubError> {
        let rows = self.run(|client| Ok(client.query("SELECT id, name, role, team FROM users", &[])?))?;
        let mut users = rows
            .iter()
            .map(|row| self.user_row(row))
            .collect::<Result<Vec<_>, _>>()?;
        users.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(users)
    }

    /// See [`crate::storage::Storage::add_code`].
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
        self.run(|client| {
            let mut tx = client.transaction()?;
            tx.execute(
                "INSERT INTO enrollment_codes (code_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
                &[&code_hash, &user.0, &now_ms, &expires_ms],
            )?;
            self.append(&mut tx, &[event], now_ms)?;
            tx.commit()?;
            Ok(())
        })
    }

    /// See [`crate::storage::Storage::enroll_from`]. The code is spent with one `UPDATE ...
    /// RETURNING`: two processes given the same code at once enroll one device, not two.
    pub fn enroll_from(
        &mut self,
        code_hash: &str,
        device_name: &str,
        token_hash: &str,
        now_ms: i64,
        client_address: Option<&str>,
    ) -> Result<Option<Enrollment>, HubError> {
        let device = DeviceId::new();
        let sealed = self.seal(device_name.as_bytes(), "devices", "name", &device.to_string())?;
        self.run(|client| {
            let mut tx = client.transaction()?;
            let spent = tx.query_opt(
                "UPDATE enrollment_codes SET used_at = $1 WHERE code_hash = $2 AND used_at IS NULL AND expires_at > $1
                 RETURNING user_id",
                &[&now_ms, &code_hash],
            )?;
            let Some(spent) = spent else { return Ok(None) };
            let user_id: Uuid = spent.try_get(0)?;
            let row = tx.query_one(
                "SELECT id, name, role, team FROM users WHERE id = $1",
                &[&user_id],
            )?;
            let user = self.user_row(&row)?;
            tx.execute(
                "INSERT INTO devices (id, user_id, name, token_hash, created_at, last_seen) VALUES ($1, $2, $3, $4, $5, $5)",
                &[&device.0, &user_id, &sealed, &token_hash, &now_ms],
            )?;
            tx.execute(
                "UPDATE enrollment_codes SET device_id = $1 WHERE code_hash = $2",
                &[&device.0, &code_hash],
            )?;
            let event = AuditEvent::new(
                AuditAction::Enroll,
                serde_json::json!({ "client": client_address }),
            )
            .by(user.id, Some(device));
            self.append(&mut tx, &[event], now_ms)?;
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
        })
    }

    /// See [`crate::storage::Storage::cases`].
    pub fn cases(&self) -> Result<Vec<CaseSummary>, HubError> {
        let names: std::collections::HashMap<UserId, String> =
            self.users()?.into_iter().map(|u| (u.id, u.name)).collect();
        let rows = self.run(|client| {
            Ok(client.query(
                "SELECT c.id, c.reference, c.lead, c.co, c.team,
                    (SELECT count(*) FROM ops o WHERE o.case_id = c.id),
                    (SELECT count(*) FROM ops o WHERE o.case_id = c.id AND o.quarantined)
             FROM cases c ORDER BY c.reference",
                &[],
            )?)
        })?;
        let name_of = |id: Option<Uuid>| id.and_then(|id| names.get(&UserId(id)).cloned());
        rows.iter()
            .map(|row| {
                Ok(CaseSummary {
                    case_id: CaseId(row.try_get(0)?),
                    reference: row.try_get(1)?,
                    lead: name_of(row.try_get(2)?),
                    co: name_of(row.try_get(3)?),
                    team: row.try_get(4)?,
                    ops: to_u64(row.try_get(5)?),
                    quarantined: to_u64(row.try_get(6)?),
                })
            })
            .collect()
    }

    /// See [`crate::storage::Storage::assign`].
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
        let by_id = case.trim().parse::<Uuid>().ok();
        self.run(|client| {
            let mut tx = client.transaction()?;
            let mut log = PgTx::lock(&mut tx, self)?;
            let found = log.tx.query_opt(
                "SELECT id FROM cases WHERE id = $1 OR reference = $2",
                &[&by_id, &case],
            )?;
            let case_id = CaseId(
                found
                    .ok_or_else(|| HubError::NoSuchCase(case.to_owned()))?
                    .try_get(0)?,
            );
            let after = crate::storage::push::assign(&mut log, hub, case_id, &lead, co.map(|c| c.id), now_ms)?;
            log.finish()?;
            let event = AuditEvent::new(
                AuditAction::Assign,
                serde_json::json!({"operator": operator, "lead": after.lead, "co": after.co, "team": after.team}),
            )
            .about([case_id]);
            self.append(&mut tx, &[event], now_ms)?;
            tx.commit()?;
            Ok(case_id)
        })
    }

    /// See [`crate::storage::Storage::devices`].
    pub fn devices(&self) -> Result<Vec<DeviceSummary>, HubError> {
        let rows = self.run(|client| {
            Ok(client.query(
                "SELECT d.id, d.name, u.id, u.name, u.role, u.team, d.created_at, d.last_seen,
                    d.revoked_at IS NOT NULL, d.wipe, d.handed_over_at
             FROM devices d JOIN users u ON u.id = d.user_id ORDER BY d.created_at DESC, d.id",
                &[],
            )?)
        })?;
        rows.iter()
            .map(|row| {
                let id: Uuid = row.try_get(0)?;
                let name: Vec<u8> = row.try_get(1)?;
                let user_id: Uuid = row.try_get(2)?;
                let user_name: Vec<u8> = row.try_get(3)?;
                Ok(DeviceSummary {
                    device_id: DeviceId(id),
                    name: self.open_text(&name, "devices", "name", &id.to_string())?,
                    user: self.open_text(&user_name, "users", "name", &user_id.to_string())?,
                    created_at_ms: row.try_get(6)?,
                    last_seen_ms: row.try_get(7)?,
                    revoked: row.try_get(8)?,
                    wipe: row.try_get(9)?,
                    handed_over_ms: row.try_get(10)?,
                })
            })
            .collect()
    }

    /// See [`crate::storage::Storage::revoke`].
    pub fn revoke(&mut self, device: &str, wipe: bool, now_ms: i64) -> Result<(), HubError> {
        let id = device.trim().to_ascii_lowercase();
        let Ok(uuid) = id.parse::<Uuid>() else {
            return Err(HubError::NoSuchDevice(device.to_owned()));
        };
        let event = AuditEvent::new(
            AuditAction::Revoke,
            self.admin_detail(serde_json::json!({"device": id, "wipe": wipe})),
        );
        self.run(|client| {
            let mut tx = client.transaction()?;
            let changed = tx.execute(
                "UPDATE devices SET revoked_at = COALESCE(revoked_at, $1), wipe = (wipe OR $2) WHERE id = $3",
                &[&now_ms, &wipe, &uuid],
            )?;
            if changed == 0 {
                return Err(HubError::NoSuchDevice(device.to_owned()));
            }
            self.append(&mut tx, &[event], now_ms)?;
            tx.commit()?;
            Ok(())
        })
    }
}
