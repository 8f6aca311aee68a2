//! After the meeting: `casebook agreement`, `casebook report` and `casebook brief`. Documents
//! are made offline by `casebook-documents` and written only where the user says.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use casebook_domain::agreement::{self, ActionStatus};
use casebook_domain::risk::{RiskState, SignOffDecision};
use casebook_store::Store;
use casebook_store::report::AgreementView;
use chrono::NaiveDate;
use clap::Subcommand;
use serde_json::json;

use crate::output::{Out, day};

/// `casebook agreement ...`
#[derive(Debug, Subcommand)]
pub enum AgreementCommand {
    /// Record the agreement reached (after the meeting is recorded as held).
    New {
        /// Case id or reference.
        case: String,
        /// The meeting it was reached at (id or unique prefix).
        #[arg(long, value_name = "MEETING")]
        meeting: Option<String>,
        /// An action: `WHAT|BY WHOM|YYYY-MM-DD` (repeat for each).
        #[arg(long = "action", value_name = "WHAT|PARTY|YYYY-MM-DD", required = true)]
        actions: Vec<String>,
        /// How each party agreed.
        #[arg(long, value_name = "TEXT", default_value = "")]
        how: String,
        /// The first follow-up review.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::args::date)]
        review: Option<NaiveDate>,
    },
    /// The case's agreements and how their actions stand.
    Show {
        /// Case id or reference.
        case: String,
    },
    /// A follow-up review of the case's latest agreement.
    Review {
        /// Case id or reference.
        case: String,
        /// How an action stands: `N=done`, `N=not-done` or `N=open` (N counts from 1).
        #[arg(long = "action", value_name = "N=STATUS")]
        actions: Vec<String>,
        /// The next review.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::args::date)]
        next: Option<NaiveDate>,
    },
}

/// `casebook report ...`
#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Write (or rewrite) what took place, for the pre-sentence report.
    Write {
        /// Case id or reference.
        case: String,
        /// What took place, or - to read it from standard input.
        #[arg(long, value_name = "TEXT|-")]
        text: String,
    },
    /// Submit the court report for a supervisor's approval (facilitator).
    Submit {
        /// Case id or reference.
        case: String,
    },
    /// Approve the submitted court report (supervisor).
    Approve {
        /// Case id or reference.
        case: String,
        /// A comment.
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
    },
    /// Return the submitted court report, saying what to change (supervisor).
    Return {
        /// Case id or reference.
        case: String,
        /// What should change.
        #[arg(long, value_name = "TEXT")]
        note: String,
    },
    /// Write the court report as a PDF: the approved one, or before approval one marked as a
    /// draft on every page.
    Court {
        /// Case id or reference.
        case: String,
        /// The PDF file to write.
        #[arg(long, value_name = "FILE.pdf")]
        out: std::path::PathBuf,
    },
    /// Write the case's latest agreement as a PDF for the parties.
    Agreement {
        /// Case id or reference.
        case: String,
        /// The PDF file to write.
        #[arg(long, value_name = "FILE.pdf")]
        out: std::path::PathBuf,
    },
}

fn status(given: &str) -> anyhow::Result<(usize, ActionStatus)> {
    let (n, s) = given
        .split_once('=')
        .with_context(|| format!("{given:?}: write --action N=STATUS, e.g. --action 1=done"))?;
    let n: usize = n
        .trim()
        .parse()
        .with_context(|| format!("{n:?} is not an action number"))?;
    let s = crate::args::domain::<ActionStatus>(s).map_err(anyhow::Error::msg)?;
    Ok((n, s))
}

fn print_agreement(w: &mut impl Write, a: &AgreementView) -> anyhow::Result<()> {
    writeln!(w, "Agreement {} made {}", a.id, day(a.made_on))?;
    for (i, action) in a.actions.iter().enumerate() {
        writeln!(
            w,
            "  {}. {} — {} by {} ({})",
            i + 1,
            action.what,
            action.by,
            day(action.due),
            action.status
        )?;
    }
    if !a.how_agreed.is_empty() {
        writeln!(w, "  How it was agreed: {}", a.how_agreed)?;
    }
    if let Some(on) = a.review_on {
        writeln!(w, "  Next review: {}", day(on))?;
    }
    if a.overdue > 0 {
        writeln!(w, "  {} action(s) overdue.", a.overdue)?;
    }
    Ok(())
}

/// Runs one `casebook agreement` command.
pub fn agreement(store: &mut Store, out: &Out, cmd: AgreementCommand) -> anyhow::Result<()> {
    match cmd {
        AgreementCommand::New {
            case,
            meeting,
            actions,
            how,
            review,
        } => {
            let actions = actions
                .iter()
                .map(|a| agreement::parse_action(a))
                .collect::<Result<Vec<_>, _>>()?;
            let id = store.write(|w| {
                let case = w.resolve_case(&case)?;
                let meeting = meeting.map(|m| w.resolve_meeting(&m)).transpose()?;
                w.record_agreement(case, meeting, actions, &how, review)
            })?;
            out.created(json!({"id": id}), &format!("Agreement {id} recorded."))
        }
        AgreementCommand::Show { case } => {
            let all = store.agreements(store.resolve_case(&case)?)?;
            if out.json {
                return out.print_json(&json!({"agreements": all}));
            }
            let mut stdout = std::io::stdout().lock();
            if all.is_empty() {
                writeln!(stdout, "No agreement recorded yet.")?;
            }
            for a in &all {
                print_agreement(&mut stdout, a)?;
            }
            Ok(())
        }
        AgreementCommand::Review { case, actions, next } => {
            let statuses = actions
                .iter()
                .map(|a| status(a))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let case_id = store.resolve_case(&case)?;
            let latest = store
                .agreements(case_id)?
                .into_iter()
                .next()
                .context("No agreement recorded for this case yet: `casebook agreement new`")?;
            store.write(|w| w.review_agreement(latest.id, &statuses, next))?;
            let now = store
                .agreements(case_id)?
                .into_iter()
                .next()
                .context("the agreement disappeared")?;
            if out.json {
                return out.print_json(&now);
            }
            let mut stdout = std::io::stdout().lock();
            writeln!(stdout, "Review recorded.")?;
            print_agreement(&mut stdout, &now)
        }
    }
}

/// Writes `bytes` to `file`, refusing to replace a file that exists.
fn write_new(file: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(file)
        .with_context(|| format!("Could not create {} (it must not exist yet)", file.display()))?;
    f.write_all(bytes)
        .with_context(|| format!("Could not write {}", file.display()))?;
    Ok(())
}

/// Runs one `casebook report` command.
pub fn report(store: &mut Store, out: &Out, cmd: ReportCommand) -> anyhow::Result<()> {
    let today = chrono::Local::now().date_naive();
    match cmd {
        ReportCommand::Write { case, text } => {
            let text = crate::input::notes(text)?;
            let id = store.write(|w| {
                let case = w.resolve_case(&case)?;
                w.write_court_report(case, &text)
            })?;
            out.created(
                json!({"id": id}),
                "Court report saved (submit it for approval when ready).",
            )
        }
        ReportCommand::Submit { case } => {
            let id = store.write(|w| {
                let case = w.resolve_case(&case)?;
                w.submit_court_report(case)
            })?;
            out.created(
                json!({"id": id, "state": "submitted"}),
                "Submitted: a supervisor of the team approves it after the next sync.",
            )
        }
        ReportCommand::Approve { case, note } => {
            let id = store.write(|w| {
                let case = w.resolve_case(&case)?;
                w.sign_off_court_report(case, SignOffDecision::Approved, note.as_deref())
            })?;
            out.created(json!({"id": id, "state": "approved"}), "Court report approved.")
        }
        ReportCommand::Return { case, note } => {
            let id = store.write(|w| {
                let case = w.resolve_case(&case)?;
                w.sign_off_court_report(case, SignOffDecision::Returned, Some(&note))
            })?;
            out.created(
                json!({"id": id, "state": "returned"}),
                "Court report returned to the facilitator.",
            )
        }
        ReportCommand::Court { case, out: file } => {
            let data = store.court_report(store.resolve_case(&case)?)?;
            let pdf =
                casebook_documents::court_report(&casebook_store::documents::court_report(&data, today))?;
            write_new(&file, &pdf)?;
            let draft = !matches!(data.state, RiskState::Approved { .. });
            out.created(
                json!({"file": file, "draft": draft, "bytes": pdf.len()}),
                &if draft {
                    format!(
                        "Wrote {} (a DRAFT: not approved by a supervisor).",
                        file.display()
                    )
                } else {
                    format!("Wrote {}.", file.display())
                },
            )
        }
        ReportCommand::Agreement { case, out: file } => {
            let doc = store
                .agreement_document(store.resolve_case(&case)?)?
                .context("No agreement recorded for this case yet: `casebook agreement new`")?;
            let pdf = casebook_documents::agreement(&doc)?;
            write_new(&file, &pdf)?;
            out.created(
                json!({"file": file, "bytes": pdf.len()}),
                &format!("Wrote {}.", file.display()),
            )
        }
    }
}

/// Runs `casebook brief`.
pub fn brief(store: &Store, out: &Out, case: &str, party: &str, file: Option<&Path>) -> anyhow::Result<()> {
    let case = store.resolve_case(case)?;
    let party = store.resolve_party(case, party)?;
    let data = store.preparation_brief(case, party)?;
    if let Some(file) = file {
        let today = chrono::Local::now().date_naive();
        let pdf =
            casebook_documents::preparation_brief(&store.preparation_brief_document(case, party, today)?)?;
        write_new(file, &pdf)?;
    }
    if out.json {
        return out.print_json(&data);
    }
    let mut w = std::io::stdout().lock();
    writeln!(w, "Preparation brief for {} ({})", data.for_party, data.reference)?;
    if data.shared.is_empty() {
        writeln!(w, "  Nothing the other parties agreed to share yet.")?;
    }
    for p in &data.shared {
        writeln!(w, "  From the {}:", p.role)?;
        for text in &p.words {
            writeln!(w, "    {text}")?;
        }
    }
    if let Some(file) = file {
        writeln!(w, "Wrote {}.", file.display())?;
    }
    Ok(())
}
