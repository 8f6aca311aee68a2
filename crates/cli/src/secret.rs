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

/// A new passphrase from `var`, else asked twice on the terminal; refused when too easy to
/// guess for someone who knows `user_inputs` (the hub's address, this laptop's name).
pub fn new_passphrase(var: &str, user_inputs: &[&str]) -> anyhow::Result<SecretString> {
    if std::env::var_os(var).is_some() {
        let given = passphrase(var, "")?;
        casebook_store::check_new_passphrase(&given, user_inputs)?;
        return Ok(given);
    }
    let first = passphrase(var, "New passphrase (a few words is best): ")?;
    casebook_store::check_new_passphrase(&first, user_inputs)?;
    let second = passphrase(var, "The same again: ")?;
    if first.expose_secret() != second.expose_secret() {
        anyhow::bail!("The two passphrases differ. Nothing was changed.");
    }
    Ok(first)
}
