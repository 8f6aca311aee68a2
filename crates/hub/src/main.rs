//! The `casebook-hub` binary: logging to stderr, then the command line.
#![forbid(unsafe_code)]

mod audit_cmd;
mod cli;
mod sar_cmd;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    // The migration runner's chatter is noise on every admin command: warnings only, by default.
    let filter = EnvFilter::try_from_env("CASEBOOK_HUB_LOG")
        .unwrap_or_else(|_| EnvFilter::new("warn,casebook_hub=info"));
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(filter)
        .init();
    match cli::run(cli::Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("casebook-hub: {e:#}");
            ExitCode::FAILURE
        }
    }
}
