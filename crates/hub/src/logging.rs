//! Where the binary's log goes and how it reads: stderr, filtered by `CASEBOOK_HUB_LOG`, as
//! text for a person (the default) or as JSON lines for a log collector (`--log-format json`).

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// One line of text per event, coloured on a terminal.
    #[default]
    Human,
    /// One JSON object per line: `timestamp`, `level`, `target`, `fields` (with `message`).
    Json,
}

/// Installs the process's subscriber; call it once, before anything logs.
pub fn init(format: LogFormat) {
    // The migration runner's chatter is noise on every admin command: warnings only, by default.
    let filter = EnvFilter::try_from_env("CASEBOOK_HUB_LOG")
        .unwrap_or_else(|_| EnvFilter::new("warn,casebook_hub=info"));
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(filter);
    match format {
        LogFormat::Human => builder.with_ansi(std::io::stderr().is_terminal()).init(),
        // No colour codes in JSON, and spans' fields flattened into each line.
        LogFormat::Json => builder.json().with_ansi(false).with_current_span(false).init(),
    }
}
