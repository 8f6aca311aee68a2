//! `casebook-scratch-postgres`: starts a scratch PostgreSQL cluster (`casebook_testkit::postgres`),
//! prints the URL of its maintenance database on one line, and stops it (by the postmaster's
//! pid) when its standard input closes: the test command runs it as a coprocess and closes
//! the pipe at the end, or dies and the pipe closes anyway, so no cluster is left behind.
#![allow(clippy::print_stdout)]

use std::io::{Read, Write};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cluster = casebook_testkit::postgres::Cluster::start()?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", cluster.admin_url())?;
    stdout.flush()?;
    drop(stdout);
    // Until the pipe closes: every byte read is ignored.
    let mut sink = [0u8; 64];
    let mut stdin = std::io::stdin().lock();
    while stdin.read(&mut sink).map(|n| n > 0).unwrap_or(false) {}
    drop(cluster);
    Ok(())
}
