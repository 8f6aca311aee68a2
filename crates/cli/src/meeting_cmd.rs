//! `casebook meeting ...`: preparing a restorative meeting and recording it.

use std::io::Write;

use casebook_domain::meeting::{MeetingKind, PlanSection};
use casebook_store::Store;
use casebook_store::meeting::{MeetingView, NewMeeting};
use chrono::NaiveDate;
use clap::Subcommand;
use serde_json::json;

use crate::output::{Out, day};

/// `casebook meeting ...`
#[derive(Debug, Subcommand)]
pub enum MeetingCommand {
    /// Plan a meeting between parties of a case.
    Plan {
        /// Case id or reference.
        case: String,
        /// conference, shuttle, letters or video.
        #[arg(long, value_parser = crate::args::domain::<MeetingKind>)]
        kind: MeetingKind,
        /// The day planned.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::args::date)]
        date: NaiveDate,
        /// The time planned, on a 24-hour clock.
        #[arg(long, value_name = "HH:MM")]
        time: Option<String>,
        /// Where (for a conference).
        #[arg(long, default_value = "")]
        venue: String,
        /// The parties attending, by name or id, comma-separated (supporters and interpreters too).
        #[arg(long, value_name = "PARTY[,PARTY...]", value_delimiter = ',', required = true)]
        attendees: Vec<String>,
    },
    /// Change a planned meeting's details; what is not given stays as it is.
    Edit {
        /// Meeting id (or a unique prefix).
        meeting: String,
        /// conference, shuttle, letters or video.
        #[arg(long, value_parser = crate::args::domain::<MeetingKind>)]
        kind: Option<MeetingKind>,
        /// The day planned.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::args::date)]
        date: Option<NaiveDate>,
        /// The time planned, on a 24-hour clock.
        #[arg(long, value_name = "HH:MM", conflicts_with = "no_time")]
        time: Option<String>,
        /// No time planned any more.
        #[arg(long)]
        no_time: bool,
        /// Where.
        #[arg(long)]
        venue: Option<String>,
        /// Who attends now, by name or id, comma-separated: the whole list, not additions.
        #[arg(long, value_name = "PARTY[,PARTY...]", value_delimiter = ',')]
        attendees: Option<Vec<String>>,
    },
    /// Write one section of the preparation plan (`-` reads the text from standard input).
    Prepare {
        /// Meeting id (or a unique prefix).
        meeting: String,
        /// opening, what-happened, who-affected, what-needed or agreement.
        #[arg(long, value_parser = crate::args::domain::<PlanSection>)]
        section: PlanSection,
        /// The text.
        #[arg(long)]
        text: String,
    },
    /// A meeting: whether it is ready, and what is missing and why.
    Show {
        /// Meeting id (or a unique prefix).
        meeting: String,
    },
    /// Confirm an item `show` lists as missing that a person vouches for (venue_checked,
    /// interpreter_booked, supporters_briefed, ground_rules_agreed, facts_acknowledged:PARTY).
    Confirm {
        /// Meeting id (or a unique prefix).
        meeting: String,
        /// The item, as `show` names it.
        item: String,
    },
    /// Record the meeting as held today (refused, with what is missing, unless it is ready).
    Held {
        /// Meeting id (or a unique prefix).
        meeting: String,
        /// Who took part, by name or id, comma-separated (default: everyone planned to attend).
        #[arg(long, value_name = "PARTY[,PARTY...]", value_delimiter = ',')]
        attended: Option<Vec<String>>,
    },
    /// Let a meeting that is not ready be held, saying why (a supervisor of the team).
    Override {
        /// Meeting id (or a unique prefix).
        meeting: String,
        /// Why it may go ahead.
        #[arg(long)]
        reason: String,
    },
    /// Call the meeting off, saying why.
    CallOff {
        /// Meeting id (or a unique prefix).
        meeting: String,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// The meetings of a case.
    List {
        /// Case id or reference.
        case: String,
    },
}

/// Runs one `casebook meeting` command.
pub fn run(store: &mut Store, out: &Out, cmd: MeetingCommand) -> anyhow::Result<()> {
    match cmd {
        MeetingCommand::Plan {
            case,
            kind,
            date,
            time,
            venue,
            attendees,
        } => {
            let (case_id, id) = store.write(|w| {
                let case_id = w.resolve_case(&case)?;
                let attendees = attendees
                    .iter()
                    .map(|a| w.resolve_party(case_id, a))
                    .collect::<Result<Vec<_>, _>>()?;
                let id = w.plan_meeting(
                    case_id,
                    NewMeeting {
                        kind,
                        planned_on: date,
                        planned_time: time,
                        venue,
                        attendees,
                    },
                )?;
                Ok((case_id, id))
            })?;
            let m = store.meeting(id)?;
            if out.json {
                return out.print_json(&json!({"id": id, "case_id": case_id, "ready": m.readiness.ready, "missing": m.readiness.missing}));
            }
            show(&m, &format!("Meeting {id} planned."))
        }
        MeetingCommand::Edit {
            meeting,
            kind,
            date,
            time,
            no_time,
            venue,
            attendees,
        } => {
            let (id, changed) = store.write(|w| {
                let id = w.resolve_meeting(&meeting)?;
                let now = w.meeting(id)?;
                let attendees = match attendees {
                    Some(given) => given
                        .iter()
                        .map(|a| w.resolve_party(now.case_id, a))
                        .collect::<Result<Vec<_>, _>>()?,
                    None => now.attendees.iter().map(|a| a.id).collect(),
                };
                let details = NewMeeting {
                    kind: kind.unwrap_or(now.kind),
                    planned_on: date.unwrap_or(now.planned_on),
                    planned_time: if no_time { None } else { time.or(now.planned_time) },
                    venue: venue.unwrap_or(now.venue),
                    attendees,
                };
                Ok((id, w.edit_meeting(id, details)?))
            })?;
            let m = store.meeting(id)?;
            if out.json {
                return out.print_json(&json!({
                    "id": id,
                    "changed": changed,
                    "ready": m.readiness.ready,
                    "missing": m.readiness.missing,
                }));
            }
            show(
                &m,
                if changed {
                    "Meeting changed."
                } else {
                    "Nothing to change."
                },
            )
        }
        MeetingCommand::Prepare {
            meeting,
            section,
            text,
        } => {
            let text = crate::input::notes(text)?;
            let id = store.write(|w| {
                let id = w.resolve_meeting(&meeting)?;
                w.save_meeting_plan(id, section, &text)?;
                Ok(id)
            })?;
            out.created(
                json!({"id": id}),
                &format!("Saved the {} section of the plan.", section.label()),
            )
        }
        MeetingCommand::Show { meeting } => {
            let m = store.meeting(store.resolve_meeting(&meeting)?)?;
            if out.json {
                return out.print_json(&m);
            }
            show(&m, "")
        }
        MeetingCommand::Confirm { meeting, item } => {
            let (id, check) = store.write(|w| {
                let id = w.resolve_meeting(&meeting)?;
                Ok((id, w.confirm_meeting_item(id, &item)?))
            })?;
            let m = store.meeting(id)?;
            if out.json {
                return out.print_json(
                    &json!({"id": check, "ready": m.readiness.ready, "missing": m.readiness.missing}),
                );
            }
            show(&m, "Confirmed.")
        }
        MeetingCommand::Held { meeting, attended } => {
            let (id, took_part) = store.write(|w| {
                let id = w.resolve_meeting(&meeting)?;
                let now = w.meeting(id)?;
                let attended = match attended {
                    Some(given) => given
                        .iter()
                        .map(|a| w.resolve_party(now.case_id, a))
                        .collect::<Result<Vec<_>, _>>()?,
                    None => now.attendees.iter().map(|a| a.id).collect(),
                };
                w.record_meeting_held(id, &attended)?;
                Ok((id, attended))
            })?;
            out.created(
                json!({"id": id, "held": true, "attended": took_part}),
                "Recorded as held today.",
            )
        }
        MeetingCommand::Override { meeting, reason } => {
            let (id, sign_off) = store.write(|w| {
                let id = w.resolve_meeting(&meeting)?;
                Ok((id, w.override_meeting(id, &reason)?))
            })?;
            out.created(
                json!({"id": sign_off, "meeting": id}),
                "Override recorded: the facilitator can record the meeting as held after the next sync.",
            )
        }
        MeetingCommand::CallOff { meeting, reason } => {
            let id = store.write(|w| {
                let id = w.resolve_meeting(&meeting)?;
                w.call_off_meeting(id, &reason)?;
                Ok(id)
            })?;
            out.created(json!({"id": id, "called_off": true}), "Called off.")
        }
        MeetingCommand::List { case } => {
            let all = store.meetings(store.resolve_case(&case)?)?;
            if out.json {
                return out.print_json(&all);
            }
            if all.is_empty() {
                writeln!(
                    std::io::stdout().lock(),
                    "No meeting planned yet: `casebook meeting plan`."
                )?;
            }
            for m in &all {
                show(m, "")?;
            }
            Ok(())
        }
    }
}

fn show(m: &MeetingView, heading: &str) -> anyhow::Result<()> {
    let mut w = std::io::stdout().lock();
    if !heading.is_empty() {
        writeln!(w, "{heading}")?;
    }
    let at = m
        .planned_time
        .as_deref()
        .map(|t| format!(" at {t}"))
        .unwrap_or_default();
    writeln!(
        w,
        "Meeting {}: {} on {}{at}",
        m.id,
        m.kind.label(),
        day(m.planned_on)
    )?;
    if !m.venue.is_empty() {
        writeln!(w, "  Venue: {}", m.venue)?;
    }
    let names: Vec<String> = m
        .attendees
        .iter()
        .map(|a| format!("{} ({})", a.name, a.role))
        .collect();
    writeln!(w, "  Attending: {}", names.join(", "))?;
    if let Some(on) = m.held_on {
        let names: Vec<&str> = m.took_part.iter().map(|a| a.name.as_str()).collect();
        writeln!(w, "  Held on {}; took part: {}.", day(on), names.join(", "))?;
    } else if let Some(why) = &m.called_off {
        writeln!(w, "  Called off: {why}")?;
    } else if let Some((who, why)) = &m.overridden {
        writeln!(w, "  May be held: overridden by {who}: {why}")?;
    } else if m.readiness.ready {
        writeln!(w, "  Ready to be held.")?;
    } else {
        writeln!(w, "  Not ready:")?;
        for missing in &m.readiness.missing {
            let how = if missing.confirmable {
                format!("  (confirm: casebook meeting confirm {} {})", m.id, missing.item)
            } else {
                String::new()
            };
            writeln!(w, "    - {}{how}", missing.text)?;
        }
    }
    for (section, text) in &m.plan {
        if !text.is_empty() {
            writeln!(w, "  {}: {}", section.label(), text)?;
        }
    }
    Ok(())
}
