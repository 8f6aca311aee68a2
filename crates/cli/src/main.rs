//! `casebook`: the command-line adapter over the encrypted local store. It parses, calls one
//! store function, and shapes the answer; the rules live in the crates. This file starts it,
//! hands each command to its `*_cmd` module, and turns errors into the exit codes scripts rely on.
#![forbid(unsafe_code)]

mod after_cmd;
mod args;
mod case_cmd;
mod contact_cmd;
mod feedback_cmd;
mod figures_cmd;
mod input;
mod meeting_cmd;
mod output;
mod recovery_cmd;
mod risk_cmd;
mod secret;
mod signoffs_cmd;
mod store_cmd;
mod sync_cmd;

use std::process::ExitCode;

use anyhow::Context;
use casebook_store::{SecretString, Store, StoreError, StorePaths};
use clap::Parser;

use crate::args::{Cli, Command, ConflictCommand, PassphraseCommand, RecoveryCodeCommand};
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

/// Opens the store; the passphrase comes back too, for the commands that seal or export with it.
fn unlock(paths: &StorePaths) -> anyhow::Result<(Store, SecretString)> {
    let passphrase = secret::passphrase("CASEBOOK_PASSPHRASE", "Passphrase: ")?;
    let store = Store::open(paths, &passphrase)?;
    Ok((store, passphrase))
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let paths = store_paths(&cli)?;
    let out = Out { json: cli.json };
    match cli.command {
        Command::Init => store_cmd::init(&paths, &out)?,
        Command::Case(cmd) => case_cmd::run(&mut unlock(&paths)?.0, &out, cmd)?,
        Command::Party(cmd) => case_cmd::party(&mut unlock(&paths)?.0, &out, cmd)?,
        Command::Agreement(cmd) => after_cmd::agreement(&mut unlock(&paths)?.0, &out, cmd)?,
        Command::Feedback(cmd) => feedback_cmd::run(&mut unlock(&paths)?.0, &out, cmd)?,
        Command::Report(cmd) => after_cmd::report(&mut unlock(&paths)?.0, &out, cmd)?,
        Command::Figures(args) => figures_cmd::run(&unlock(&paths)?.0, &out, args)?,
        Command::Signoffs => signoffs_cmd::run(&unlock(&paths)?.0, &out)?,
        Command::Brief {
            case,
            for_party,
            out: file,
        } => after_cmd::brief(&unlock(&paths)?.0, &out, &case, &for_party, file.as_deref())?,
        Command::Meeting(cmd) => meeting_cmd::run(&mut unlock(&paths)?.0, &out, cmd)?,
        Command::Risk(cmd) => risk_cmd::run(&mut unlock(&paths)?.0, &out, cmd)?,
        Command::Contact(cmd) => contact_cmd::run(&mut unlock(&paths)?.0, &out, cmd)?,
        Command::Consent(cmd) => case_cmd::consent(&mut unlock(&paths)?.0, &out, cmd)?,
        Command::Search { text, limit } => case_cmd::search(&unlock(&paths)?.0, &out, &text, limit)?,
        Command::Passphrase(PassphraseCommand::Change) => store_cmd::change_passphrase(&paths, &out)?,
        Command::Rekey => store_cmd::rekey(&paths, &out)?,
        Command::Export { out: file, case } => {
            let (store, passphrase) = unlock(&paths)?;
            store_cmd::export(&store, &passphrase, &out, &file, case)?;
        }
        Command::Verify => {
            if !store_cmd::verify(&unlock(&paths)?.0, &out)? {
                return Ok(ExitCode::from(exit::OTHER));
            }
        }
        Command::Enroll { hub, code, name } => sync_cmd::enroll(&paths, &out, &hub, &code, name)?,
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
        Command::Demo { cases, seed } => store_cmd::demo(&mut unlock(&paths)?.0, &out, cases, seed)?,
    }
    Ok(ExitCode::SUCCESS)
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
