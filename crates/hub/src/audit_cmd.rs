//! `casebook-hub audit verify | head | show`: the audit trail from the command line.

use std::collections::HashMap;

use anyhow::{Context, bail};
use casebook_domain::{CaseId, DeviceId, UserId};
use casebook_hub::Storage;
use casebook_hub::audit::AuditAction;
use casebook_hub::storage::{AuditEntry, AuditQuery, Verification};
use chrono::{Local, NaiveDate, TimeZone};
use clap::Subcommand;
use serde_json::{Value, json};

/// The audit subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the hash chain; name the first entry that does not match.
    Verify {
        /// A head printed earlier by `audit head` and kept elsewhere: also check that the
        /// chain still holds it (entries after it removed or rewritten would lose it).
        #[arg(long, value_name = "HASH")]
        head: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print the newest entry's hash, to keep somewhere the hub cannot rewrite.
    Head {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// List entries, oldest first: who saw or changed what, and what was refused.
    Show {
        /// Only entries about this case (id or reference).
        #[arg(long)]
        case: Option<String>,
        /// Only entries by this user (name).
        #[arg(long)]
        user: Option<String>,
        /// Only entries from this day on (YYYY-MM-DD, local time).
        #[arg(long, value_name = "YYYY-MM-DD")]
        from: Option<NaiveDate>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs one audit subcommand.
pub fn run(storage: &mut Storage, command: AuditCommand) -> anyhow::Result<()> {
    match command {
        AuditCommand::Verify { head, json } => verify(storage, head.as_deref(), json),
        AuditCommand::Head { json } => {
            let head = storage.audit_head()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&head)?);
            } else {
                let when = head.at_ms.map(|ms| format!(", {}", when(ms))).unwrap_or_default();
                println!("{}  (entry {}{when})", head.hash, head.seq);
            }
            Ok(())
        }
        AuditCommand::Show {
            case,
            user,
            from,
            json,
        } => {
            let query = AuditQuery {
                case: case.map(|c| storage.case_id_of(&c)).transpose()?,
                user: user.map(|u| storage.user_by_name(&u).map(|u| u.id)).transpose()?,
                from_ms: from.map(start_of_day).transpose()?,
            };
            let entries = storage.audit_entries(&query)?;
            let names = Names::load(storage)?;
            if json {
                let shown: Vec<Value> = entries.iter().map(|e| names.json(e)).collect();
                println!("{}", serde_json::to_string_pretty(&shown)?);
            } else if entries.is_empty() {
                println!("no audit entries match");
            } else {
                for entry in &entries {
                    println!("{}", names.line(entry));
                }
            }
            Ok(())
        }
    }
}

fn verify(storage: &mut Storage, expected: Option<&str>, json: bool) -> anyhow::Result<()> {
    let expected = expected.map(|h| h.trim().to_ascii_lowercase());
    let verification = storage.verify_audit(expected.as_deref())?;
    if json {
        println!("{}", serde_json::to_string_pretty(&verification)?);
    }
    match verification {
        Verification::Broken { seq, at_ms, reason } => {
            let at = at_ms
                .map(|ms| format!(", written {}", when(ms)))
                .unwrap_or_default();
            bail!(
                "the audit trail was altered at entry {seq}{at}: {reason}. Entries before it are intact; \
                 restore the hub database from a backup taken before the change and keep this output"
            )
        }
        Verification::Intact { head, expected_found } => {
            if expected_found == Some(false) {
                bail!(
                    "the chain is consistent but does not hold the head you kept ({}): entries were \
                     removed or rewritten after that head was printed",
                    expected.unwrap_or_default()
                );
            }
            if !json {
                let when = head.at_ms.map(|ms| format!(", {}", when(ms))).unwrap_or_default();
                println!(
                    "the audit trail is intact: {} entries; head {} (entry {}{when}){}",
                    head.seq,
                    head.hash,
                    head.seq,
                    if expected_found == Some(true) {
                        "; it holds the head you kept"
                    } else {
                        ""
                    }
                );
            }
            Ok(())
        }
    }
}

/// Names for the ids entries hold: staff and devices by name, cases by reference.
struct Names {
    users: HashMap<UserId, String>,
    devices: HashMap<DeviceId, String>,
    cases: HashMap<CaseId, String>,
}

impl Names {
    fn load(storage: &Storage) -> anyhow::Result<Self> {
        Ok(Self {
            users: storage.users()?.into_iter().map(|u| (u.id, u.name)).collect(),
            devices: storage
                .devices()?
                .into_iter()
                .map(|d| (d.device_id, d.name))
                .collect(),
            cases: storage.case_references()?,
        })
    }

    fn user(&self, id: UserId) -> String {
        self.users.get(&id).cloned().unwrap_or_else(|| id.to_string())
    }

    fn case(&self, id: CaseId) -> String {
        self.cases.get(&id).cloned().unwrap_or_else(|| id.to_string())
    }

    fn who(&self, entry: &AuditEntry) -> String {
        let body = &entry.body;
        match (body.user, body.device) {
            (Some(user), Some(device)) => {
                let device = self.devices.get(&device).map_or("?", String::as_str);
                format!("{} ({device})", self.user(user))
            }
            (Some(user), None) => self.user(user),
            (None, _) => match body.detail.get("operator").and_then(Value::as_str) {
                Some(operator) => format!("admin ({operator})"),
                None if body.action == AuditAction::Refused => "unknown caller".to_owned(),
                None => "admin".to_owned(),
            },
        }
    }

    fn line(&self, entry: &AuditEntry) -> String {
        let body = &entry.body;
        let cases: Vec<String> = body.cases.iter().map(|c| self.case(*c)).collect();
        let cases = if cases.is_empty() {
            String::new()
        } else {
            format!("  {}", cases.join(", "))
        };
        format!(
            "{:>6}  {}  {:<11} {}{cases}  {}",
            body.seq,
            when(body.at_ms),
            body.action.as_str(),
            self.who(entry),
            self.summary(&body.detail)
        )
    }

    /// The detail in a few words, with user ids as names.
    fn summary(&self, detail: &Value) -> String {
        let Some(map) = detail.as_object() else {
            return String::new();
        };
        map.iter()
            .filter(|(key, value)| *key != "operator" && !value.is_null())
            .map(|(key, value)| {
                let shown = match (key.as_str(), value) {
                    ("user" | "lead" | "co", Value::String(id)) => id
                        .parse::<UserId>()
                        .map_or_else(|_| id.clone(), |id| self.user(id)),
                    (_, Value::String(text)) => text.clone(),
                    _ => value.to_string(),
                };
                format!("{key}={shown}")
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn json(&self, entry: &AuditEntry) -> Value {
        let body = &entry.body;
        json!({
            "seq": body.seq,
            "at": when(body.at_ms),
            "at_ms": body.at_ms,
            "action": body.action,
            "user": body.user.map(|u| json!({"id": u, "name": self.user(u)})),
            "device": body.device.map(|d| json!({"id": d, "name": self.devices.get(&d)})),
            "cases": body.cases.iter().map(|c| json!({"id": c, "reference": self.case(*c)})).collect::<Vec<_>>(),
            "detail": body.detail,
            "hash": entry.hash,
        })
    }
}

/// A time as people here read it: "27 Nov 2026 14:05", local time.
pub fn when(ms: i64) -> String {
    Local
        .timestamp_millis_opt(ms)
        .single()
        .map_or_else(|| ms.to_string(), |t| t.format("%d %b %Y %H:%M").to_string())
}

fn start_of_day(day: NaiveDate) -> anyhow::Result<i64> {
    let midnight = day.and_hms_opt(0, 0, 0).context("no midnight that day")?;
    Local
        .from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.timestamp_millis())
        .context("that day has no local midnight")
}
