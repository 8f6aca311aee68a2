//! The store itself: `casebook init`, `passphrase change`, `rekey`, `export`, `verify` and
//! `demo`. The cryptography and the checks are `casebook-store`'s; this shapes the answers.

use std::io::Write;
use std::path::Path;

use casebook_store::{SecretString, Store, StorePaths};
use serde_json::json;

use crate::output::Out;
use crate::secret;

/// `casebook init`: a new encrypted store under a new passphrase.
pub fn init(paths: &StorePaths, out: &Out) -> anyhow::Result<()> {
    let passphrase = secret::new_passphrase("CASEBOOK_PASSPHRASE", &[])?;
    let store = Store::create(paths, &passphrase)?;
    out.created(
        json!({"store": paths.dir, "device": store.actor().device}),
        &format!("Created an encrypted store in {}.", paths.dir.display()),
    )?;
    Ok(())
}

/// `casebook passphrase change`
pub fn change_passphrase(paths: &StorePaths, out: &Out) -> anyhow::Result<()> {
    let old = secret::passphrase("CASEBOOK_PASSPHRASE", "Current passphrase: ")?;
    let new = secret::new_passphrase("CASEBOOK_NEW_PASSPHRASE", &[])?;
    Store::change_passphrase(paths, &old, &new)?;
    out.passphrase_changed()?;
    Ok(())
}

/// `casebook rekey`: the store under a new random key, so old copies of store.key are useless.
pub fn rekey(paths: &StorePaths, out: &Out) -> anyhow::Result<()> {
    let passphrase = secret::passphrase("CASEBOOK_PASSPHRASE", "Passphrase: ")?;
    let report = Store::rekey(paths, &passphrase)?;
    let mut text = String::from(
        "The store has a new database key. Old copies of store.key (backups, other disks) no longer open it, with any passphrase.",
    );
    if report.recovery_code_retired {
        text.push_str(" Your personal recovery code opened the old key, so it no longer works: make a new one with `casebook recovery-code new`.");
    }
    out.created(
        json!({"rekeyed": true, "bytes": report.bytes, "recovery_code_retired": report.recovery_code_retired}),
        &text,
    )?;
    Ok(())
}

/// `casebook export`: everything, or one case, encrypted with age to the passphrase.
pub fn export(
    store: &Store,
    passphrase: &SecretString,
    out: &Out,
    file: &Path,
    case: Option<String>,
) -> anyhow::Result<()> {
    let case = case.map(|c| store.resolve_case(&c)).transpose()?;
    let summary = store.export(file, case, passphrase)?;
    out.created(
        json!({"file": file, "cases": summary.cases, "ops": summary.ops, "bytes": summary.bytes}),
        &format!(
            "Exported {} case(s) to {} (encrypted with age to your passphrase; `age -d` reads it).",
            summary.cases,
            file.display()
        ),
    )?;
    Ok(())
}

/// `casebook verify`: false when the store failed a check (the report says which).
pub fn verify(store: &Store, out: &Out) -> anyhow::Result<bool> {
    let report = store.verify()?;
    out.verify(&report)?;
    Ok(report.ok)
}

/// `casebook demo`: invented cases, for trying the app and for the benchmarks and crash tests.
pub fn demo(store: &mut Store, out: &Out, cases: usize, seed: u64) -> anyhow::Result<()> {
    let today = chrono::Local::now().date_naive();
    // One transaction per case, as `demo::generate` does, with a line on stderr after
    // the first commit and every hundredth: progress for a person, and evidence for
    // the crash tests that writes are under way.
    let mut rng = casebook_store::demo::Rng::new(seed);
    for n in 1..=cases {
        store.write(|w| casebook_store::demo::one_case(w, &mut rng, today))?;
        if n == 1 || n % 100 == 0 {
            let _ = writeln!(std::io::stderr(), "demo: {n} of {cases} cases written");
        }
    }
    let written = cases;
    out.created(
        json!({"cases": written}),
        &format!("Added {written} invented demo cases."),
    )?;
    Ok(())
}
