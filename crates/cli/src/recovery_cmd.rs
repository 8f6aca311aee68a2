//! `casebook recover` and `casebook recovery-code`: a forgotten passphrase reset with the
//! organisation's recovery key or a personal recovery code, making that code, and what becomes
//! of it when the store enrolls.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use casebook_store::{
    ExposeSecret, RecoveryCode, RecoveryMethod, SecretString, Store, StoreError, StorePaths,
};
use serde_json::json;

use crate::output::Out;
use crate::secret;

/// Where a code comes from without a terminal (scripts, tests), as passphrases do.
const CODE_VAR: &str = "CASEBOOK_RECOVERY_CODE";

const WRITE_IT_DOWN: &str = "Write it down on paper now: it is shown only this once. Keep the paper apart from this laptop \
     (not in a file on it, not in its bag). If you forget your passphrase, `casebook recover --code` with this code \
     sets a new one and nothing is lost. Any code made before no longer works.";

/// `casebook recovery-code new`: shows the new code once, with what to do with it.
pub fn new_code(store: &Store, passphrase: &SecretString, out: &Out) -> anyhow::Result<()> {
    let code = store.new_recovery_code(passphrase)?;
    let shown = code.grouped();
    // Written straight to stdout, never into a String of our own that would outlive it.
    let mut stdout = std::io::stdout().lock();
    if out.json {
        let advice = serde_json::to_string(WRITE_IT_DOWN)?;
        writeln!(
            stdout,
            "{{\n  \"code\": \"{}\",\n  \"advice\": {advice}\n}}",
            shown.as_str()
        )?;
    } else {
        writeln!(
            stdout,
            "Your personal recovery code:\n\n    {}\n\n{WRITE_IT_DOWN}",
            shown.as_str()
        )?;
    }
    stdout.flush()?;
    Ok(())
}

/// `casebook recover --identity FILE | --code`: sets a new passphrase with what opens
/// `store.recovery`.
pub fn recover(paths: &StorePaths, out: &Out, identity: Option<&Path>, code: bool) -> anyhow::Result<()> {
    let store = match identity {
        Some(file) if !code => Store::recover(paths, &organisation_key(file)?, &new_passphrase()?)?,
        _ => {
            // Said before anything is typed: a code cannot help a store sealed otherwise.
            match Store::recovery_method(paths)? {
                RecoveryMethod::None => return Err(StoreError::NoRecoveryCode.into()),
                RecoveryMethod::OrganisationKey => return Err(StoreError::OrganisationRecovery.into()),
                RecoveryMethod::PersonalCode => {}
            }
            let typed = secret::passphrase(CODE_VAR, "Recovery code: ").map_err(|e| match e {
                StoreError::PassphraseMissing => anyhow::anyhow!(
                    "The recovery code is needed: run this in a terminal to type it, or set {CODE_VAR}."
                ),
                other => other.into(),
            })?;
            let code = RecoveryCode::parse(typed.expose_secret())?;
            drop(typed);
            Store::recover_with_code(paths, &code, &new_passphrase()?)?
        }
    };
    let hub_told = store.unreported_recovery()?.is_some();
    let mut text = String::from("The store opens with the new passphrase; nothing was lost.");
    if hub_told {
        text.push_str(" The hub records the recovery at the next sync.");
    }
    if code {
        text.push_str(
            " Your recovery code still works: make a new one (`casebook recovery-code new`) if anyone else may have seen it.",
        );
    }
    out.created(json!({"recovered": true, "hub_told": hub_told}), &text)
}

/// Whether the store in `paths` has a personal recovery code, asked before it enrolls.
pub fn has_personal_code(paths: &StorePaths) -> bool {
    matches!(Store::recovery_method(paths), Ok(RecoveryMethod::PersonalCode))
}

/// After enrollment: the organisation's recovery key, when the hub has one, takes over from a
/// personal code, and the person is told what recovers their store now.
pub fn seal_after_enroll(store: &Store, passphrase: &SecretString, had_code: bool) -> anyhow::Result<()> {
    match store.hub_link()?.and_then(|l| l.recovery_recipient) {
        Some(recipient) => {
            Store::seal_recovery(store.paths(), passphrase, &recipient)?;
            if had_code {
                eprintln!(
                    "Your personal recovery code no longer works: from now on the organisation's recovery key, held by \
                     your coordinator, recovers this store."
                );
            }
        }
        None if had_code => {
            eprintln!(
                "This hub has no organisation recovery key, so your personal recovery code still recovers this store."
            );
        }
        None => {}
    }
    Ok(())
}

fn organisation_key(file: &Path) -> anyhow::Result<SecretString> {
    let text = SecretString::from(
        std::fs::read_to_string(file)
            .with_context(|| format!("Could not read the recovery key file {}", file.display()))?,
    );
    let line = text
        .expose_secret()
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .with_context(|| format!("{} holds no AGE-SECRET-KEY-1… line", file.display()))?;
    Ok(SecretString::from(line.to_owned()))
}

fn new_passphrase() -> anyhow::Result<SecretString> {
    secret::new_passphrase("CASEBOOK_NEW_PASSPHRASE", &[])
}
