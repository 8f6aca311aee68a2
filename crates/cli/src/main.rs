//! `casebook`: the command-line adapter over the encrypted local store. It parses, calls one
//! store function, and shapes the answer; the rules live in the crates.
#![forbid(unsafe_code)]

mod after_cmd;
mod args;
mod feedback_cmd;
mod figures_cmd;
mod meeting_cmd;
mod output;
mod recovery_cmd;
mod risk_cmd;
mod secret;
mod signoffs_cmd;
mod sync_cmd;

use std::io::{Read, Write};
use std::process::ExitCode;

use anyhow::Context;
use casebook_store::model::{CaseEdit, NewCase, NewConsent, NewContact, NewParty};
use casebook_store::{CaseFilter, SecretString, Store, StoreError, StorePaths};
use clap::Parser;
use serde_json::json;

use crate::args::{
    CaseCommand, Cli, Command, ConflictCommand, ConsentCommand, ContactCommand, PartyCommand,
    PassphraseCommand, RecoveryCodeCommand,
};
use crate::output::Out;

/// Exit codes promised to scripts.
mod exit {
    pub const RULE: u8 = 5;
    pub const NOT_FOUND: u8 = 4;
    pub const LOCKED: u8 = 3;
    pub const USAGE: u8 = 2;
    pub const OTHER: u8 = 1;
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CASEBOOK_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        // A reader that stopped early (`| head`) is not an error.
        Err(err)
            if err
                .downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("casebook: {err:#}");
            ExitCode::from(exit_code(&err))
        }
    }
}

fn exit_code(err: &anyhow::Error) -> u8 {
    // Asked for what cannot be counted (a backwards period, a team this laptop cannot tell).
    if err
        .downcast_ref::<casebook_domain::figures::PeriodError>()
        .is_some()
        || err
            .downcast_ref::<casebook_store::figures::FiguresError>()
            .is_some()
    {
        return exit::USAGE;
    }
    match err.downcast_ref::<StoreError>() {
        Some(
            StoreError::WrongPassphrase
            | StoreError::PassphraseMissing
            | StoreError::RecoveryCodeWrong
            | StoreError::RecoveryCodeMistyped { .. },
        ) => exit::LOCKED,
        Some(StoreError::NotFound { .. } | StoreError::NoStore { .. }) => exit::NOT_FOUND,
        Some(StoreError::Rule(_) | StoreError::Refused(_)) => exit::RULE,
        Some(StoreError::Ambiguous { .. } | StoreError::WeakPassphrase { .. }) => exit::USAGE,
        _ => exit::OTHER,
    }
}

fn store_paths(cli: &Cli) -> anyhow::Result<StorePaths> {
    match &cli.store {
        Some(dir) => Ok(StorePaths::new(dir)),
        None => StorePaths::platform_default()
            .context("No home directory to keep the store in: pass --store DIR or set CASEBOOK_STORE"),
    }
}

fn unlock(paths: &StorePaths) -> anyhow::Result<(Store, SecretString)> {
    let passphrase = secret::passphrase("CASEBOOK_PASSPHRASE", "Passphrase: ")?;
    let store = Store::open(paths, &passphrase)?;
    Ok((store, passphrase))
}

pub(crate) fn notes(text: String) -> anyhow::Result<String> {
    if text != "-" {
        return Ok(text);
    }
    let mut buf = String::new();
    std::io::stdin()
        .read_to_string(&mut buf)
        .context("Could not read the notes from standard input")?;
    Ok(buf)
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let paths = store_paths(&cli)?;
    let out = Out { json: cli.json };
    match cli.command {
        Command::Init => {
            let passphrase = secret::new_passphrase("CASEBOOK_PASSPHRASE", &[])?;
            let store = Store::create(&paths, &passphrase)?;
            out.created(
                json!({"store": paths.dir, "device": store.actor().device}),
                &format!("Created an encrypted store in {}.", paths.dir.display()),
            )?;
        }
        Command::Case(cmd) => {
            let (mut store, _) = unlock(&paths)?;
            case(&mut store, &out, cmd)?;
        }
        Command::Party(PartyCommand::Add {
            case,
            role,
            name,
            phone,
            minor,
            guardian_of,
        }) => {
            let (mut store, _) = unlock(&paths)?;
            let id = store.write(|w| {
                let case = w.resolve_case(&case)?;
                let guardian_of = guardian_of.map(|g| w.resolve_party(case, &g)).transpose()?;
                w.add_party(
                    case,
                    NewParty {
                        role,
                        name,
                        phone,
                        minor,
                        guardian_of,
                    },
                )
            })?;
            out.created(json!({"id": id}), &format!("Added party {id}."))?;
        }
        Command::Agreement(cmd) => {
            let (mut store, _) = unlock(&paths)?;
            after_cmd::agreement(&mut store, &out, cmd)?;
        }
        Command::Feedback(cmd) => {
            let (mut store, _) = unlock(&paths)?;
            feedback_cmd::run(&mut store, &out, cmd)?;
        }
        Command::Report(cmd) => {
            let (mut store, _) = unlock(&paths)?;
            after_cmd::report(&mut store, &out, cmd)?;
        }
        Command::Figures(args) => {
            let (store, _) = unlock(&paths)?;
            figures_cmd::run(&store, &out, args)?;
        }
        Command::Signoffs => signoffs_cmd::run(&unlock(&paths)?.0, &out)?,
        Command::Brief {
            case,
            for_party,
            out: file,
        } => {
            let (store, _) = unlock(&paths)?;
            after_cmd::brief(&store, &out, &case, &for_party, file.as_deref())?;
        }
        Command::Meeting(cmd) => {
            let (mut store, _) = unlock(&paths)?;
            meeting_cmd::run(&mut store, &out, cmd)?;
        }
        Command::Risk(cmd) => {
            let (mut store, _) = unlock(&paths)?;
            risk_cmd::run(&mut store, &out, cmd)?;
        }
        Command::Contact(cmd) => {
            let (mut store, _) = unlock(&paths)?;
            contact(&mut store, &out, cmd)?;
        }
        Command::Consent(ConsentCommand::Record {
            case,
            party,
            scope,
            decision,
            method,
            date,
            note,
        }) => {
            let (mut store, _) = unlock(&paths)?;
            let id = store.write(|w| {
                let case = w.resolve_case(&case)?;
                let party = w.resolve_party(case, &party)?;
                w.record_consent(
                    case,
                    NewConsent {
                        party,
                        scope,
                        decision,
                        method,
                        date,
                        note,
                    },
                )
            })?;
            out.created(
                json!({"id": id}),
                &format!("Recorded: consent to {scope} {decision}."),
            )?;
        }
        Command::Consent(ConsentCommand::Show { case }) => {
            let (store, _) = unlock(&paths)?;
            let detail = store.case_detail(store.resolve_case(&case)?)?;
            out.consents(&detail)?;
        }
        Command::Search { text, limit } => {
            let (store, _) = unlock(&paths)?;
            out.search(&store.search(&text, limit)?)?;
        }
        Command::Passphrase(PassphraseCommand::Change) => {
            let old = secret::passphrase("CASEBOOK_PASSPHRASE", "Current passphrase: ")?;
            let new = secret::new_passphrase("CASEBOOK_NEW_PASSPHRASE", &[])?;
            Store::change_passphrase(&paths, &old, &new)?;
            out.passphrase_changed()?;
        }
        Command::Rekey => {
            let passphrase = secret::passphrase("CASEBOOK_PASSPHRASE", "Passphrase: ")?;
            let report = Store::rekey(&paths, &passphrase)?;
            let mut text = String::from(
                "The store has a new database key. Old copies of store.key (backups, other disks) no longer open it, with any passphrase.",
            );
            if report.recovery_code_retired {
                text.push_str(" Your personal recovery code opened the old key, so it no longer works: make a new one with `casebook recovery-code new`.");
            }
            out.created(
                json!({"rekeyed": true, "bytes": report.bytes, "recovery_code_retired": report.recovery_code_retired}),
                &text,
            )?;
        }
        Command::Export { out: file, case } => {
            let (store, passphrase) = unlock(&paths)?;
            let case = case.map(|c| store.resolve_case(&c)).transpose()?;
            let summary = store.export(&file, case, &passphrase)?;
            out.created(
                json!({"file": file, "cases": summary.cases, "ops": summary.ops, "bytes": summary.bytes}),
                &format!(
                    "Exported {} case(s) to {} (encrypted with age to your passphrase; `age -d` reads it).",
                    summary.cases,
                    file.display()
                ),
            )?;
        }
        Command::Verify => {
            let (store, _) = unlock(&paths)?;
            let report = store.verify()?;
            out.verify(&report)?;
            if !report.ok {
                return Ok(ExitCode::from(exit::OTHER));
            }
        }
        Command::Enroll { hub, code, name } => {
            // Joining a hub on a new laptop creates the store first.
            let (mut store, passphrase) = if paths.exists() {
                unlock(&paths)?
            } else {
                let inputs = [hub.as_str(), name.as_deref().unwrap_or_default()];
                let passphrase = secret::new_passphrase("CASEBOOK_PASSPHRASE", &inputs)?;
                (Store::create(&paths, &passphrase)?, passphrase)
            };
            let had_code = recovery_cmd::has_personal_code(&paths);
            sync_cmd::enroll(&mut store, &out, &hub, &code, name)?;
            recovery_cmd::seal_after_enroll(&store, &passphrase, had_code)?;
        }
        Command::Recover { identity, code } => {
            recovery_cmd::recover(&paths, &out, identity.as_deref(), code)?
        }
        Command::RecoveryCode(RecoveryCodeCommand::New) => {
            let (store, passphrase) = unlock(&paths)?;
            recovery_cmd::new_code(&store, &passphrase, &out)?;
        }
        Command::Sync => sync_cmd::sync(unlock(&paths)?.0, &out)?,
        Command::Status => sync_cmd::status(&unlock(&paths)?.0, &out)?,
        Command::Handover { discard_refused } => {
            if !sync_cmd::handover(unlock(&paths)?.0, &out, discard_refused)? {
                return Ok(ExitCode::from(exit::OTHER));
            }
        }
        Command::Conflicts => sync_cmd::conflicts(&unlock(&paths)?.0, &out)?,
        Command::Conflict(ConflictCommand::Resolve { conflict, keep }) => {
            sync_cmd::resolve(&mut unlock(&paths)?.0, &out, &conflict, keep)?;
        }
        Command::Demo { cases, seed } => {
            let (mut store, _) = unlock(&paths)?;
            let today = chrono::Local::now().date_naive();
            // One transaction per case, as `demo::generate` does, with a line on stderr after
            // the first commit and every hundredth: progress for a person, and evidence for
            // the crash tests that writes are under way.
            let mut rng = casebook_store::demo::Rng::new(seed);
            for n in 1..=cases {
                store.write(|w| casebook_store::demo::one_case(w, &mut rng, today))?;
                if n == 1 || n % 100 == 0 {
                    let _ = writeln!(std::io::stderr(), "demo: {n} of {cases} cases written");
                }
            }
            let written = cases;
            out.created(
                json!({"cases": written}),
                &format!("Added {written} invented demo cases."),
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn case(store: &mut Store, out: &Out, cmd: CaseCommand) -> anyhow::Result<()> {
    match cmd {
        CaseCommand::New(a) => {
            let created = store.write(|w| {
                let new = NewCase {
                    kind: a.kind,
                    stage: a.stage,
                    source: a.source,
                    referrer: a.referrer,
                    summary: a.summary,
                    court_date: a.court_date,
                    pre_sentence: a.pre_sentence,
                    received_on: a.received,
                };
                match &a.lead {
                    Some(lead) => {
                        let lead = w.resolve_person(lead)?;
                        let co = a.co.as_deref().map(|c| w.resolve_person(c)).transpose()?;
                        w.create_allocated_case(new, lead, co)
                    }
                    None => w.create_case(new),
                }
            })?;
            out.created(
                json!({"id": created.id, "reference": created.reference}),
                &format!("Created case {} ({}).", created.reference, created.id),
            )?;
        }
        CaseCommand::List { all } => out.cases(&store.list_cases(CaseFilter { include_closed: all })?)?,
        CaseCommand::Show { case } => {
            let id = store.resolve_case(&case)?;
            out.case(&store.case_detail(id)?)?;
        }
        CaseCommand::Edit {
            case,
            summary,
            court_date,
            no_court_date,
            stage,
            pre_sentence,
        } => {
            let id = store.write(|w| {
                let id = w.resolve_case(&case)?;
                w.edit_case(
                    id,
                    CaseEdit {
                        summary,
                        court_date: if no_court_date {
                            Some(None)
                        } else {
                            court_date.map(Some)
                        },
                        stage,
                        pre_sentence: pre_sentence.map(|c| c.0),
                    },
                )?;
                Ok(id)
            })?;
            out.created(json!({"id": id}), "Case updated.")?;
        }
        CaseCommand::Status { case, to, outcome } => {
            let (id, transition) = store.write(|w| {
                let id = w.resolve_case(&case)?;
                Ok((id, w.change_status(id, to, outcome.as_deref())?))
            })?;
            out.created(
                json!({"id": id, "status": to, "transition": transition}),
                &format!("Case is now {to}."),
            )?;
        }
        CaseCommand::Assign { case, to, co } => {
            let (id, lead, co) = store.write(|w| {
                let id = w.resolve_case(&case)?;
                let lead = w.resolve_person(&to)?;
                let co = co.as_deref().map(|c| w.resolve_person(c)).transpose()?;
                w.allocate(id, lead, co)?;
                Ok((id, lead, co))
            })?;
            out.created(
                json!({"id": id, "lead": lead, "co": co}),
                "Case allocated; it moves at the next sync.",
            )?;
        }
        CaseCommand::Supervise { case, text } => {
            let text = notes(text)?;
            let (case_id, id) = store.write(|w| {
                let case_id = w.resolve_case(&case)?;
                Ok((case_id, w.add_supervision_note(case_id, &text)?))
            })?;
            out.created(
                json!({"id": id, "case_id": case_id}),
                &format!("Supervision note {id} added."),
            )?;
        }
    }
    Ok(())
}

fn contact(store: &mut Store, out: &Out, cmd: ContactCommand) -> anyhow::Result<()> {
    match cmd {
        ContactCommand::Add {
            case,
            party,
            kind,
            date,
            notes: text,
            initiated_by_party,
            draft,
            amends,
            shareable,
        } => {
            let text = notes(text)?;
            let id = store.write(|w| {
                let case = w.resolve_case(&case)?;
                let party_ids = party
                    .iter()
                    .map(|p| w.resolve_party(case, p))
                    .collect::<Result<Vec<_>, _>>()?;
                let amends = amends.map(|a| w.resolve_contact(&a)).transpose()?;
                w.add_contact(
                    case,
                    NewContact {
                        party_ids,
                        kind,
                        date,
                        notes: text,
                        initiated_by_party,
                        draft,
                        amends,
                        shareable,
                    },
                )
            })?;
            let state = if draft { "draft" } else { "finalised" };
            out.created(
                json!({"id": id, "state": state}),
                &format!("Recorded {kind} ({state}): {id}."),
            )?;
        }
        ContactCommand::Edit { contact, notes: text } => {
            let text = notes(text)?;
            let id = store.write(|w| {
                let id = w.resolve_contact(&contact)?;
                w.save_draft(id, &text)?;
                Ok(id)
            })?;
            out.created(json!({"id": id}), "Draft saved.")?;
        }
        ContactCommand::Finalise { contact } => {
            let id = store.write(|w| {
                let id = w.resolve_contact(&contact)?;
                w.finalise_contact(id)?;
                Ok(id)
            })?;
            out.created(
                json!({"id": id, "state": "finalised"}),
                "Contact finalised: it can no longer change.",
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use casebook_domain::RuleError;

    #[test]
    fn errors_map_to_the_promised_exit_codes() {
        let code = |e: StoreError| exit_code(&anyhow::Error::from(e));
        assert_eq!(code(StoreError::WrongPassphrase), exit::LOCKED);
        assert_eq!(code(StoreError::PassphraseMissing), exit::LOCKED);
        assert_eq!(
            code(StoreError::NotFound {
                what: "case",
                given: "x".into()
            }),
            exit::NOT_FOUND
        );
        assert_eq!(code(StoreError::Rule(RuleError::CourtDateRequired)), exit::RULE);
        assert_eq!(code(StoreError::NotAStore), exit::OTHER);
    }
}
