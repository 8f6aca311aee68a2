//! Text arguments that may instead be read from standard input (`-`), so long notes need not
//! sit in the shell's history.

use std::io::Read;

use anyhow::Context;

/// The text given, or standard input when it is `-`.
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
