//! `casebook-hub rotate-key`: a new hub key, written to its file before anything changes, and
//! every sealed value in the PostgreSQL database sealed again under it in one transaction.

use std::path::PathBuf;

use anyhow::Context;
use casebook_hub::state::now_ms;
use casebook_hub::storage::key::write_new_key_file;
use casebook_hub::{HubKey, Storage};
use clap::Args;

/// `rotate-key --new-key-file FILE`.
#[derive(Debug, Args)]
pub struct RotateKeyArgs {
    /// Where to write the new key (a new file, mode 0600). Start every hub process with it
    /// afterwards (`--key-file`, or its text in CASEBOOK_HUB_KEY).
    #[arg(long, value_name = "FILE")]
    new_key_file: PathBuf,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Rotates the key of the hub `storage` opened with the current key.
pub fn rotate(storage: &mut Storage, args: &RotateKeyArgs) -> anyhow::Result<()> {
    if !matches!(storage, Storage::Postgres(_)) {
        // Refused before a key file is made that nothing would use.
        storage.rotate_key(HubKey::random()?, now_ms())?;
    }
    let new = HubKey::random()?;
    // On disk first: if the rotation then fails, the database is unchanged and the file unused;
    // once it commits, the key that opens the database is already safe.
    write_new_key_file(&args.new_key_file, &new)
        .with_context(|| format!("cannot write the new key to {}", args.new_key_file.display()))?;
    let rotation = match storage.rotate_key(new, now_ms()) {
        Ok(rotation) => rotation,
        Err(e) => {
            // Nothing uses it: remove it so a second attempt can write the same path.
            let _ = std::fs::remove_file(&args.new_key_file);
            return Err(e.into());
        }
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rotation)?);
    } else {
        println!(
            "the hub key is rotated: {} values sealed again under key {}, whose key is in {}.\n\
             Start every hub process with --key-file {} (or its text in CASEBOOK_HUB_KEY); the old \
             key no longer opens this database. Backups taken before now carry the old key inside them \
             (encrypted) and restore as they are; destroy them on your usual schedule.",
            rotation.values,
            rotation.key_id,
            args.new_key_file.display(),
            args.new_key_file.display()
        );
    }
    Ok(())
}
