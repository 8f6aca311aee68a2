//! `casebook-hub rotate-key`: on PostgreSQL, a new hub key written to its file before anything
//! changes, and every sealed value sealed again under it in one transaction; on a data dir, the
//! SQLCipher file re-encrypted under a new key that then replaces `hub.key` (crash-safe, see
//! `storage/sqlite_rekey.rs`).

use std::path::{Path, PathBuf};

use anyhow::Context;
use casebook_hub::state::now_ms;
use casebook_hub::storage::key::write_new_key_file;
use casebook_hub::storage::{KEY_FILE, Sqlite};
use casebook_hub::{HubKey, Storage};
use clap::Args;

/// `rotate-key [--new-key-file FILE]`.
#[derive(Debug, Args)]
pub struct RotateKeyArgs {
    /// With --database: where to write the new key (a new file, mode 0600). Start every hub
    /// process with it afterwards (`--key-file`, or its text in CASEBOOK_HUB_KEY). On a data
    /// dir the new key replaces its hub.key instead.
    #[arg(long, value_name = "FILE")]
    new_key_file: Option<PathBuf>,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// Rotates the key of the hub `storage` opened with the current key.
pub fn rotate(storage: &mut Storage, args: &RotateKeyArgs) -> anyhow::Result<()> {
    match storage {
        Storage::Sqlite(db) => rotate_data_dir(db, args),
        Storage::Postgres(_) => {
            let file = args.new_key_file.as_deref().context(
                "with --database, give --new-key-file FILE: where to write the new key every hub process will need",
            )?;
            rotate_database(storage, file, args.json)
        }
    }
}

fn rotate_data_dir(db: &mut Sqlite, args: &RotateKeyArgs) -> anyhow::Result<()> {
    if args.new_key_file.is_some() {
        anyhow::bail!(
            "on a data dir the new key replaces {KEY_FILE} in it; --new-key-file is for a hub on PostgreSQL (--database). \
             Nothing was changed."
        );
    }
    let rotation = db.rotate_key(HubKey::random()?, now_ms())?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rotation)?);
    } else {
        println!(
            "the hub key is rotated: the database ({} bytes) is re-encrypted under a new key, which is now the \
             data dir's {KEY_FILE}; the old key no longer opens it. Start the hub again as before. Backups taken \
             before now carry the old key inside them (encrypted) and restore as they are; destroy them on your \
             usual schedule.",
            rotation.bytes
        );
    }
    Ok(())
}

fn rotate_database(storage: &mut Storage, file: &Path, json: bool) -> anyhow::Result<()> {
    let new = HubKey::random()?;
    // On disk first: if the rotation then fails, the database is unchanged and the file unused;
    // once it commits, the key that opens the database is already safe.
    write_new_key_file(file, &new)
        .with_context(|| format!("cannot write the new key to {}", file.display()))?;
    let rotation = match storage.rotate_key(new, now_ms()) {
        Ok(rotation) => rotation,
        Err(e) => {
            // Nothing uses it: remove it so a second attempt can write the same path.
            let _ = std::fs::remove_file(file);
            return Err(e.into());
        }
    };
    if json {
        println!("{}", serde_json::to_string_pretty(&rotation)?);
    } else {
        println!(
            "the hub key is rotated: {} values sealed again under key {}, whose key is in {}.\n\
             Start every hub process with --key-file {} (or its text in CASEBOOK_HUB_KEY); the old \
             key no longer opens this database. Backups taken before now carry the old key inside them \
             (encrypted) and restore as they are; destroy them on your usual schedule.",
            rotation.values,
            rotation.key_id,
            file.display(),
            file.display()
        );
    }
    Ok(())
}
