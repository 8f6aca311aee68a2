//! `casebook-hub backup` and `casebook-hub restore`: the arguments, reading recipients,
//! identities and passphrases, the audit entries, and what is printed.

use std::path::{Path, PathBuf};

use age::secrecy::SecretString;
use anyhow::{Context, bail};
use casebook_hub::HubKey;
use casebook_hub::Storage;
use casebook_hub::audit::AuditAction;
use casebook_hub::backup::{self, Seal, Unseal};
use casebook_hub::state::now_ms;
use casebook_hub::storage::{DatabaseUrl, Verification};
use clap::Args;
use serde_json::json;
use zeroize::Zeroizing;

/// `backup --out FILE`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// Where to write the backup (replaced atomically if it exists).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Encrypt to this age recipient (`age1…`); repeat for several. Keep the identity offline.
    #[arg(
        long = "recipient",
        value_name = "AGE_RECIPIENT",
        required_unless_present = "passphrase_file"
    )]
    recipients: Vec<String>,
    /// Encrypt to the passphrase in this file (its first line) instead.
    #[arg(long, value_name = "FILE", conflicts_with = "recipients")]
    passphrase_file: Option<PathBuf>,
    /// Print JSON (the backup's manifest).
    #[arg(long)]
    json: bool,
}

/// `restore --in FILE`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup to restore.
    #[arg(long = "in", value_name = "FILE")]
    input: PathBuf,
    /// An age identity file (`AGE-SECRET-KEY-1…` lines) whose key the backup was encrypted to.
    #[arg(long, value_name = "FILE", required_unless_present = "passphrase_file")]
    identity: Option<PathBuf>,
    /// The file holding the passphrase the backup was encrypted with (its first line).
    #[arg(long, value_name = "FILE", conflicts_with = "identity")]
    passphrase_file: Option<PathBuf>,
    /// Print JSON (the backup's manifest).
    #[arg(long)]
    json: bool,
}

/// Takes a backup of the hub open in `storage` (it may be serving) and records it in the
/// audit trail.
pub fn backup(storage: &mut Storage, args: BackupArgs) -> anyhow::Result<()> {
    let seal = match &args.passphrase_file {
        Some(file) => Seal::Passphrase(passphrase(file)?),
        None => Seal::Recipients(
            args.recipients
                .iter()
                .map(|r| {
                    r.trim()
                        .parse::<age::x25519::Recipient>()
                        .map_err(|e| anyhow::anyhow!("{r:?} is not an age recipient (age1…): {e}"))
                })
                .collect::<anyhow::Result<_>>()?,
        ),
    };
    let manifest = backup::write(storage, &args.out, &seal, now_ms())
        .with_context(|| format!("cannot write the backup {}", args.out.display()))?;
    let sealed_to = match &seal {
        Seal::Recipients(r) => json!({"recipients": r.iter().map(ToString::to_string).collect::<Vec<_>>()}),
        Seal::Passphrase(_) => json!("passphrase"),
    };
    storage.record_admin(
        AuditAction::Backup,
        json!({
            "file": args.out.display().to_string(),
            "sealed_to": sealed_to,
            "audit_seq": manifest.audit_seq,
            "db_bytes": manifest.db_bytes,
        }),
        now_ms(),
    )?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&manifest)?);
    } else {
        println!(
            "backup written to {}: {} bytes of database, {} audit entries, head {}",
            args.out.display(),
            manifest.db_bytes,
            manifest.audit_seq,
            manifest.audit_head
        );
    }
    Ok(())
}

/// Restores a backup into the data dir `data` (which must hold no hub), opens it (migrating
/// it if the backup is older), checks its audit trail against the head the backup recorded,
/// and records the restore as the trail's next entry.
pub fn restore(data: &Path, args: RestoreArgs, operator: Option<String>) -> anyhow::Result<()> {
    let unseal = unseal(&args)?;
    let manifest = backup::restore(&args.input, data, &unseal)
        .with_context(|| format!("cannot restore {}", args.input.display()))?;
    // The key is in hub.key now, not in CASEBOOK_HUB_KEY: open with the file.
    let mut storage = Storage::open(data, None)
        .with_context(|| format!("the restored hub in {} does not open", data.display()))?;
    storage.set_operator(operator);
    let place = data.display().to_string();
    verify_restored(&mut storage, &manifest, &place)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&manifest)?);
    } else {
        println!(
            "restored into {place}: backup of {}, {} audit entries, its head verified. The hub key is in {place}/hub.key; \
             move it to CASEBOOK_HUB_KEY if you keep it there.",
            crate::audit_cmd::when(manifest.created_at_ms),
            manifest.audit_seq,
        );
    }
    Ok(())
}

/// Restores a PostgreSQL backup into the empty database at `url` (in one transaction), writes
/// its hub key to `key_file` (a new file) unless CASEBOOK_HUB_KEY holds it already, and checks
/// and records it as [`restore`] does.
pub fn restore_database(
    url: &DatabaseUrl,
    key_file: Option<&Path>,
    args: RestoreArgs,
    operator: Option<String>,
) -> anyhow::Result<()> {
    let unseal = unseal(&args)?;
    let (manifest, key) = backup::restore_database(&args.input, url, &unseal)
        .with_context(|| format!("cannot restore {} into {url}", args.input.display()))?;
    let mut key_note = "the hub key is the one in CASEBOOK_HUB_KEY".to_owned();
    match std::env::var("CASEBOOK_HUB_KEY") {
        Ok(given) if HubKey::from_hex(&given).is_ok_and(|given| given.same_as(&key)) => {}
        Ok(_) => bail!(
            "restored into {url}, but its data is sealed under the key in the backup, not the one in CASEBOOK_HUB_KEY: \
             take the key from the backup (age -d ... | tar -x hub.key) and give that to every hub process"
        ),
        Err(_) => {
            let file = key_file.context(
                "restored; give --key-file FILE (a new file) for the hub key from the backup, or set CASEBOOK_HUB_KEY to it",
            )?;
            casebook_hub::storage::key::write_new_key_file(file, &key)
                .with_context(|| format!("cannot write the hub key to {}", file.display()))?;
            key_note = format!("the hub key is in {}", file.display());
        }
    }
    let mut storage =
        Storage::connect(url, key).with_context(|| format!("the restored hub in {url} does not open"))?;
    storage.set_operator(operator);
    let place = url.to_string();
    verify_restored(&mut storage, &manifest, &place)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&manifest)?);
    } else {
        println!(
            "restored into {place}: backup of {}, {} audit entries, its head verified; {key_note}.",
            crate::audit_cmd::when(manifest.created_at_ms),
            manifest.audit_seq,
        );
    }
    Ok(())
}

/// What opens the backup: the identity file or the passphrase of `args`.
fn unseal(args: &RestoreArgs) -> anyhow::Result<Unseal> {
    Ok(match (&args.identity, &args.passphrase_file) {
        (_, Some(file)) => Unseal::Passphrase(passphrase(file)?),
        (Some(file), None) => Unseal::Identities(
            age::IdentityFile::from_file(file.display().to_string())
                .with_context(|| format!("cannot read the identity file {}", file.display()))?
                .into_identities()
                .with_context(|| format!("{} holds no usable age identity", file.display()))?,
        ),
        (None, None) => bail!("give --identity FILE or --passphrase-file FILE"),
    })
}

/// Checks the restored hub's audit trail against the head the backup recorded and records the
/// restore as the trail's next entry; an error if the trail does not verify.
fn verify_restored(storage: &mut Storage, manifest: &backup::Manifest, place: &str) -> anyhow::Result<()> {
    let verification = storage.verify_audit(Some(&manifest.audit_head))?;
    let intact = matches!(
        verification,
        Verification::Intact {
            expected_found: Some(true),
            ..
        }
    );
    storage.record_admin(
        AuditAction::Restore,
        json!({
            "backup_created_at_ms": manifest.created_at_ms,
            "backup_hub_version": manifest.hub_version,
            "backup_audit_seq": manifest.audit_seq,
            "backup_audit_head": manifest.audit_head,
            "audit_intact": intact,
        }),
        now_ms(),
    )?;
    if !intact {
        bail!(
            "the hub was restored into {place}, but its audit trail does not verify against the head the backup recorded; \
             run `casebook-hub audit verify` and keep its output"
        );
    }
    Ok(())
}

/// The first line of `file`, as a passphrase.
fn passphrase(file: &Path) -> anyhow::Result<SecretString> {
    let text = Zeroizing::new(
        std::fs::read_to_string(file)
            .with_context(|| format!("cannot read the passphrase file {}", file.display()))?,
    );
    let line = text.lines().next().unwrap_or("").to_owned();
    if line.is_empty() {
        bail!("the passphrase file {} is empty", file.display());
    }
    Ok(SecretString::from(line))
}
