//! Where passphrases come from: the environment (scripts, tests) or a prompt without echo.

use std::io::IsTerminal;

use casebook_store::{ExposeSecret, SecretString, StoreError};

/// The passphrase from `var`, else asked on the terminal, else missing.
pub fn passphrase(var: &str, prompt: &str) -> Result<SecretString, StoreError> {
    if let Ok(value) = std::env::var(var) {
        return Ok(SecretString::from(value));
    }
    if !std::io::stdin().is_terminal() {
        return Err(StoreError::PassphraseMissing);
    }
    rpassword::prompt_password(prompt)
        .map(SecretString::from)
        .map_err(|_| StoreError::PassphraseMissing)
}

/// A new passphrase from `var`, else asked twice on the terminal.
pub fn new_passphrase(var: &str) -> anyhow::Result<SecretString> {
    if std::env::var_os(var).is_some() {
        return Ok(passphrase(var, "")?);
    }
    let first = passphrase(var, "New passphrase (a few words is best): ")?;
    casebook_store::check_new_passphrase(&first)?;
    let second = passphrase(var, "The same again: ")?;
    if first.expose_secret() != second.expose_secret() {
        anyhow::bail!("The two passphrases differ. Nothing was changed.");
    }
    Ok(first)
}
