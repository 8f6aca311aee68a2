//! The `casebook-hub` binary: logging to stderr, then the command line.
#![forbid(unsafe_code)]

mod audit_cmd;
mod backup_cmd;
mod cli;
mod key_cmd;
mod logging;
mod retention_cmd;
mod sar_cmd;
mod serve_cmd;

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::parse();
    logging::init(cli.log_format);
    match cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("casebook-hub: {e:#}");
            ExitCode::FAILURE
        }
    }
}
