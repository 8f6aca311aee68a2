//! The enrollment kept in the store: the hub link, adopting the hub's device id, and the team
//! directory.

use age::secrecy::SecretString;
use casebook_domain::{DeviceId, Role, UserId};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::Store;
use crate::error::StoreError;
use crate::model::Person;

/// This device's enrollment with a hub, kept inside the encrypted store.
#[derive(Clone, Serialize, Deserialize)]
pub struct HubLink {
    /// The hub's base URL.
    pub url: String,
    /// The device token (bearer); never printed.
    #[serde(with = "secret_text")]
    pub token: SecretString,
    /// The device id the hub gave this store.
    pub device_id: DeviceId,
    /// The enrolled user.
    pub user_id: UserId,
    /// Their name.
    pub user_name: String,
    /// Their role, as the hub assigned it.
    pub role: Role,
    /// Their team.
    pub team: Option<String>,
    /// The organisation's recovery recipient the hub gave at enrollment, if any.
    #[serde(default)]
    pub recovery_recipient: Option<String>,
}

impl std::fmt::Debug for HubLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubLink")
            .field("url", &self.url)
            .field("device_id", &self.device_id)
            .finish_non_exhaustive()
    }
}

mod secret_text {
    use age::secrecy::{ExposeSecret, SecretString};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(s: &SecretString, ser: S) -> Result<S::Ok, S::Error> {
        ser.serialize_str(s.expose_secret())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SecretString, D::Error> {
        String::deserialize(d).map(SecretString::from)
    }
}

impl Store {
    /// The hub this store is enrolled with, if any.
    pub fn hub_link(&self) -> Result<Option<HubLink>, StoreError> {
        self.meta("hub")?
            .map(|json| {
                serde_json::from_str(&json).map_err(|_| StoreError::Corrupt("stored hub link".into()))
            })
            .transpose()
    }

    /// Records the enrollment. Ops written before it (never pushed) are re-attributed to the
    /// enrolled user, so the hub accepts them as theirs.
    pub fn link_hub(&mut self, link: &HubLink) -> Result<(), StoreError> {
        let old = self.actor.user;
        let new = link.user_id;
        let json = serde_json::to_string(link).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for (k, v) in [
            ("hub", json),
            ("user_id", new.to_string()),
            ("hub_device_id", link.device_id.to_string()),
        ] {
            tx.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![k, v],
            )?;
        }
        if old != new {
            let (old_s, new_s) = (old.to_string(), new.to_string());
            tx.execute(
                "UPDATE ops SET author = ?2, fields = replace(fields, ?1, ?2) WHERE push_state = 0 AND author = ?1",
                params![old_s, new_s],
            )?;
            for table in crate::apply::tables() {
                tx.execute(
                    &format!("UPDATE {table} SET created_by = ?2 WHERE created_by = ?1"),
                    params![old_s, new_s],
                )?;
            }
            tx.execute(
                "UPDATE cases SET lead = ?2 WHERE lead = ?1",
                params![old_s, new_s],
            )?;
        }
        adopt_device(&tx, self.actor.device, link.device_id)?;
        tx.commit()?;
        self.actor.user = new;
        self.use_device(link.device_id);
        tracing::info!(device = %link.device_id, "enrolled with a hub");
        Ok(())
    }

    /// Writes from now on under the device id the hub gave this store, if it has one.
    pub(crate) fn adopt_hub_device(&mut self) -> Result<(), StoreError> {
        let Some(hub_device) = self.hub_link()?.map(|l| l.device_id) else {
            return Ok(());
        };
        if hub_device == self.actor.device {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        adopt_device(&tx, self.actor.device, hub_device)?;
        tx.commit()?;
        self.use_device(hub_device);
        Ok(())
    }

    fn use_device(&mut self, device: DeviceId) {
        self.actor.device = device;
        self.clock = casebook_domain::Clock::new(device, self.clock.last());
    }

    /// Records the team directory the hub sent (who each user id on a case is): each person is
    /// added or, if already known, renamed. Nobody is removed: a name stays useful for as long
    /// as a held case mentions that user.
    pub fn record_people(&mut self, people: &[Person]) -> Result<(), StoreError> {
        if people.is_empty() {
            return Ok(());
        }
        let now = chrono::Utc::now().to_rfc3339();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for p in people {
            tx.prepare_cached(
                "INSERT INTO people (id, name, role, team, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role,
                                                team = excluded.team, updated_at = excluded.updated_at
                 WHERE name <> excluded.name OR role <> excluded.role
                       OR team IS NOT excluded.team",
            )?
            .execute(params![p.id.to_string(), p.name, p.role, p.team, now])?;
        }
        tx.commit()?;
        tracing::debug!(people = people.len(), "team directory recorded");
        Ok(())
    }
}

/// Moves this store's identity from its own device id to the one the hub gave it: the hub
/// takes an op only from the device it names, so ops not yet pushed are rewritten too.
fn adopt_device(tx: &rusqlite::Transaction<'_>, old: DeviceId, new: DeviceId) -> Result<(), StoreError> {
    if old == new {
        return Ok(());
    }
    let (old, new) = (old.to_string(), new.to_string());
    tx.execute(
        "UPDATE ops SET device = ?2, hlc = replace(hlc, ?1, ?2) WHERE push_state = 0 AND device = ?1",
        params![old, new],
    )?;
    tx.execute(
        "UPDATE field_versions SET hlc = replace(hlc, ?1, ?2)
         WHERE op_id IN (SELECT op_id FROM ops WHERE push_state = 0 AND device = ?2)",
        params![old, new],
    )?;
    for table in crate::apply::tables() {
        tx.execute(
            &format!("UPDATE {table} SET device_id = ?2 WHERE device_id = ?1"),
            params![old, new],
        )?;
    }
    tx.execute(
        "UPDATE meta SET value = ?2 WHERE key = 'device_id' AND value = ?1",
        params![old, new],
    )?;
    tx.execute(
        "UPDATE meta SET value = replace(value, ?1, ?2) WHERE key = 'hlc'",
        params![old, new],
    )?;
    Ok(())
}
