//! `casebook-hub retention show | set | unset | hold | release | due | purge | status`: how long
//! closed cases are kept, legal holds, and erasing what is due.

use anyhow::{Context, bail};
use casebook_domain::retention::{Retention, outcome_key};
use casebook_hub::Storage;
use casebook_hub::state::now_ms;
use casebook_hub::storage::{CaseRetention, Tombstone};
use chrono::{Local, NaiveDate};
use clap::Subcommand;
use serde_json::json;

use crate::audit_cmd::when;

/// The retention subcommands.
#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// The periods set (default and by outcome) and the legal holds.
    Show {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Keep cases closed with OUTCOME for YEARS after closure (or every other outcome, with
    /// --default YEARS).
    Set {
        /// The outcome, as recorded when cases are closed (letter case and spaces do not count).
        #[arg(required_unless_present = "default", conflicts_with = "default")]
        outcome: Option<String>,
        /// Years after closure.
        #[arg(required_unless_present = "default", conflicts_with = "default")]
        years: Option<u32>,
        /// Years after closure for every outcome without a period of its own.
        #[arg(long, value_name = "YEARS")]
        default: Option<u32>,
    },
    /// Remove an outcome's own period: the default applies to it again.
    Unset {
        /// The outcome.
        outcome: String,
    },
    /// Put a case under a legal hold: it is not erased, whatever its period, until released.
    Hold {
        /// The case id or reference.
        case: String,
        /// Why (kept with the hold, not in the audit trail).
        #[arg(long)]
        reason: String,
    },
    /// Release a case's legal hold.
    Release {
        /// The case id or reference.
        case: String,
    },
    /// Every closed or held case and when it is due to be erased.
    Due {
        /// Decide as on this day (YYYY-MM-DD) instead of today.
        #[arg(long, value_name = "YYYY-MM-DD")]
        now: Option<NaiveDate>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Erase every case that is due (or one), on the hub and, through purge orders, on every
    /// laptop.
    Purge {
        /// Decide as on this day instead of today; a day after today needs --force.
        #[arg(long, value_name = "YYYY-MM-DD")]
        now: Option<NaiveDate>,
        /// Only this case (id or reference).
        #[arg(long)]
        case: Option<String>,
        /// Erase --case before its period ends (an erasure request), or purge as on a future --now.
        #[arg(long)]
        force: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// The purge orders given and which devices have not confirmed them yet.
    Status {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs one retention subcommand.
pub fn run(storage: &mut Storage, command: RetentionCommand) -> anyhow::Result<()> {
    match command {
        RetentionCommand::Show { json } => show(storage, json),
        RetentionCommand::Set {
            outcome,
            years,
            default,
        } => {
            let years = default.or(years).context("give YEARS")?;
            storage.set_retention(outcome.as_deref(), Some(years), now_ms())?;
            match outcome {
                Some(o) => println!(
                    "cases closed with outcome {:?} are kept {years} years",
                    outcome_key(&o)
                ),
                None => println!("closed cases are kept {years} years unless their outcome has a period"),
            }
            Ok(())
        }
        RetentionCommand::Unset { outcome } => {
            storage.set_retention(Some(&outcome), None, now_ms())?;
            println!(
                "outcome {:?} follows the default period again",
                outcome_key(&outcome)
            );
            Ok(())
        }
        RetentionCommand::Hold { case, reason } => {
            storage.hold_case(&case, &reason, now_ms())?;
            println!("case {case} is under a legal hold: it will not be erased until released");
            Ok(())
        }
        RetentionCommand::Release { case } => {
            storage.release_case(&case, now_ms())?;
            println!("case {case} is released: its retention period applies again");
            Ok(())
        }
        RetentionCommand::Due { now, json } => due(storage, now.unwrap_or_else(today), json),
        RetentionCommand::Purge {
            now,
            case,
            force,
            json,
        } => purge(storage, now, case, force, json),
        RetentionCommand::Status { json } => status(storage, json),
    }
}

fn today() -> NaiveDate {
    Local::now().date_naive()
}

/// A day as people here read it: "27 Nov 2026".
fn day(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

fn show(storage: &Storage, json: bool) -> anyhow::Result<()> {
    let policy = storage.retention_policy()?;
    let holds = storage.legal_holds()?;
    if json {
        let holds: Vec<_> = holds
            .iter()
            .map(|h| {
                json!({"case_id": h.case_id, "reference": h.reference, "reason": h.reason,
                            "held_by": h.held_by, "held_at": when(h.held_at_ms), "held_at_ms": h.held_at_ms})
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "default_years": policy.default_years,
                "by_outcome": policy.by_outcome,
                "holds": holds,
            }))?
        );
        return Ok(());
    }
    println!(
        "closed cases are kept {} years after closure",
        policy.default_years
    );
    for (outcome, years) in &policy.by_outcome {
        println!("  outcome {outcome:?}: {years} years");
    }
    if holds.is_empty() {
        println!("no legal holds");
    }
    for h in &holds {
        let by = h.held_by.as_deref().unwrap_or("admin");
        println!(
            "legal hold: {}  since {} by {by}: {}",
            h.reference,
            when(h.held_at_ms),
            h.reason
        );
    }
    Ok(())
}

/// A case's retention in words and as JSON.
fn describe(c: &CaseRetention) -> (String, serde_json::Value) {
    let (state, due) = match c.retention {
        Retention::Open => ("open".to_owned(), None),
        Retention::Kept { due_on } => (format!("kept until {}", day(due_on)), Some(due_on)),
        Retention::Due { due_on } => (format!("due since {}", day(due_on)), Some(due_on)),
        Retention::Held { due_on } => ("under a legal hold".to_owned(), due_on),
    };
    let kind = match c.retention {
        Retention::Open => "open",
        Retention::Kept { .. } => "kept",
        Retention::Due { .. } => "due",
        Retention::Held { .. } => "held",
    };
    let value = json!({
        "case_id": c.case_id, "reference": c.reference, "state": kind,
        "received_on": c.received_on, "closed_on": c.closed_on, "years": c.years, "due_on": due,
    });
    (state, value)
}

fn due(storage: &mut Storage, today: NaiveDate, json: bool) -> anyhow::Result<()> {
    let cases: Vec<CaseRetention> = storage
        .retention_of_cases(today)?
        .into_iter()
        .filter(|c| !matches!(c.retention, Retention::Open))
        .collect();
    if json {
        let shown: Vec<_> = cases.iter().map(|c| describe(c).1).collect();
        println!("{}", serde_json::to_string_pretty(&shown)?);
        return Ok(());
    }
    if cases.is_empty() {
        println!("no closed cases");
    }
    for c in &cases {
        let closed = c.closed_on.map(day).unwrap_or_else(|| "-".to_owned());
        println!(
            "{}  closed {closed}, kept {} years: {}",
            c.reference,
            c.years,
            describe(c).0
        );
    }
    Ok(())
}

fn purge(
    storage: &mut Storage,
    now: Option<NaiveDate>,
    case: Option<String>,
    force: bool,
    json: bool,
) -> anyhow::Result<()> {
    let today = today();
    let on = now.unwrap_or(today);
    if on > today && !force {
        bail!(
            "--now {on} is after today: that would erase cases before their time; give --force if that is meant"
        );
    }
    let targets: Vec<String> = match case {
        Some(case) => vec![case],
        None => storage
            .retention_of_cases(on)?
            .into_iter()
            .filter(|c| matches!(c.retention, Retention::Due { .. }))
            .map(|c| c.case_id.to_string())
            .collect(),
    };
    let mut erased: Vec<Tombstone> = Vec::new();
    for target in &targets {
        erased.push(storage.purge_case(target, force, on, now_ms())?);
    }
    if json {
        println!("{}", serde_json::to_string_pretty(&erased)?);
    } else if erased.is_empty() {
        println!("nothing is due to be erased on {}", day(on));
    } else {
        for t in &erased {
            println!(
                "erased {} from the hub; {} device(s) told to erase it (see `retention status`)",
                t.reference,
                t.devices.len()
            );
        }
    }
    Ok(())
}

fn status(storage: &Storage, json: bool) -> anyhow::Result<()> {
    let tombstones = storage.tombstones()?;
    if json {
        println!("{}", serde_json::to_string_pretty(&tombstones)?);
        return Ok(());
    }
    if tombstones.is_empty() {
        println!("no case has been erased");
    }
    for t in &tombstones {
        let waiting: Vec<String> = t
            .devices
            .iter()
            .filter(|d| d.confirmed_at_ms.is_none())
            .map(|d| format!("{} ({})", d.name, d.user))
            .collect();
        let closed = t.closed_on.map(day).unwrap_or_else(|| "-".to_owned());
        let by = t.ordered_by.as_deref().unwrap_or("admin");
        let state = if waiting.is_empty() {
            format!("all {} device(s) confirmed", t.devices.len())
        } else {
            format!("waiting for {}", waiting.join(", "))
        };
        println!(
            "{}  closed {closed}, erased {} by {by}: {state}",
            t.reference,
            when(t.ordered_at_ms)
        );
    }
    Ok(())
}
