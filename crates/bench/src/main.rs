//! `casebook-bench`: measures the store against raw SQLite, sync against the real hub, on the
//! same machine in the same run, and the hub's processes under thousands of syncing laptops;
//! prints a table (or one JSON object).
#![forbid(unsafe_code)]

mod hub_load;
mod measure;
mod store;
mod sync;

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
    /// Sync with the real hub over loopback HTTP: push, pull, and a no-op sync on a big hub.
    Sync(sync::Options),
    /// The `casebook-hub` binary under load: thousands of laptops syncing on a schedule.
    HubLoad(hub_load::Options),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Store(options) => store::run(&options),
        Command::Sync(options) => sync::run(&options),
        Command::HubLoad(options) => hub_load::run(&options),
    }
}
