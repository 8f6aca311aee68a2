//! `casebook-bench`: measures the store against raw SQLite on the same machine in the same run
//! and prints a table of ratios (or one JSON object).
#![forbid(unsafe_code)]

mod store;

use clap::{Parser, Subcommand};

/// Casebook benchmarks.
#[derive(Debug, Parser)]
#[command(name = "casebook-bench", about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The encrypted local store: write, read, unlock, caseload, search, timeline.
    Store(store::Options),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Store(options) => store::run(&options),
    }
}
