//! Backups of a hub: one age-encrypted file holding a tar stream of `manifest.json`, `hub.key`
//! and `hub.db` (a consistent SQLCipher copy). Standard tools read it (`age -d -i id.txt
//! FILE | tar -x`), and `casebook-hub restore` puts it in place on a new machine.
//!
//! The manifest names the backend (`sqlcipher`); a second backend writes its own entries
//! under its own name and [`restore`] dispatches on it. The SQL is in `storage::backup`.

use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use age::secrecy::SecretString;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::error::HubError;
use crate::storage::{DB_FILE, HubKey, KEY_FILE, Sqlite, Storage, create_new_private};

/// The manifest's `format`.
pub const FORMAT: &str = "casebook-hub-backup";
/// The manifest's `version`: this hub writes and reads version 1.
pub const VERSION: u32 = 1;
/// The manifest's `backend` for the embedded database.
pub const BACKEND_SQLCIPHER: &str = "sqlcipher";
/// The manifest's `backend` for PostgreSQL: one entry per table, `pg/<table>.copy`.
pub const BACKEND_POSTGRES: &str = "postgres";
/// Where the PostgreSQL tables' copies are in the archive.
const PG_DIR: &str = "pg/";
/// The manifest's name inside the archive; the first entry.
pub const MANIFEST: &str = "manifest.json";

/// What a backup holds, written first in the archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`VERSION`].
    pub version: u32,
    /// Which storage backend the entries are for: [`BACKEND_SQLCIPHER`].
    pub backend: String,
    /// When the copy was taken, ms since the Unix epoch.
    pub created_at_ms: i64,
    /// The version of the hub that took it.
    pub hub_version: String,
    /// The copy's newest migration.
    pub schema_version: i64,
    /// How many audit entries the copy holds.
    pub audit_seq: u64,
    /// The copy's audit head: `audit verify --head` on the restored hub checks it.
    pub audit_head: String,
    /// The size of `hub.db` (on PostgreSQL: of every table's copy, in order) in bytes.
    pub db_bytes: u64,
    /// SHA-256 of `hub.db` (its encrypted bytes; on PostgreSQL, of the copies in order),
    /// checked on restore.
    pub db_sha256: String,
}

/// Whom a backup is encrypted to.
pub enum Seal {
    /// age recipients (`age1…`): the matching identities decrypt it.
    Recipients(Vec<age::x25519::Recipient>),
    /// A passphrase (age's scrypt).
    Passphrase(SecretString),
}

/// What opens a backup.
pub enum Unseal {
    /// age identities, e.g. from an identity file.
    Identities(Vec<Box<dyn age::Identity + Send + Sync>>),
    /// The passphrase it was sealed with.
    Passphrase(SecretString),
}

/// Why a backup or a restore failed.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The hub's storage failed.
    #[error(transparent)]
    Hub(#[from] HubError),
    /// A file could not be read or written.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// To which file.
        path: PathBuf,
        /// Why it failed.
        source: io::Error,
    },
    /// A hub is already there; restore never overwrites one.
    #[error("{0} already exists: restore only into a data dir without a hub. Nothing was changed.")]
    Exists(PathBuf),
    /// The identity or passphrase does not open the backup.
    #[error("this identity or passphrase does not open the backup. Nothing was changed.")]
    WrongIdentity,
    /// The file is not a backup this hub can read, or it was altered.
    #[error("the backup cannot be used: {0}. Nothing was changed.")]
    Damaged(String),
    /// age refused to encrypt.
    #[error("cannot encrypt the backup: {0}")]
    Encrypt(String),
}

fn io_err(action: &'static str, path: &Path) -> impl FnOnce(io::Error) -> BackupError {
    let path = path.to_path_buf();
    move |source| BackupError::Io { action, path, source }
}

/// Removes the files it holds when dropped, unless they were kept: no half-written backup or
/// restored copy is left behind by a failure.
struct Scratch(Vec<PathBuf>);

impl Drop for Scratch {
    fn drop(&mut self) {
        for path in &self.0 {
            if path.is_dir() {
                let _ = fs::remove_dir_all(path);
            } else {
                let _ = fs::remove_file(path);
            }
        }
    }
}

/// Writes a backup of `storage` to `out`, replacing it atomically (a temporary file in the
/// same dir, fsynced, renamed). The database copy is taken at one moment while the hub may
/// serve; on disk it only ever exists SQLCipher-encrypted, and then inside age.
pub fn write(storage: &Storage, out: &Path, seal: &Seal, now_ms: i64) -> Result<Manifest, BackupError> {
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = out
        .file_name()
        .ok_or_else(|| BackupError::Damaged(format!("{} is not a file name", out.display())))?
        .to_string_lossy()
        .into_owned();
    let pid = std::process::id();
    let (snapshot, partial) = (
        dir.join(format!(".{name}.snapshot-{pid}")),
        dir.join(format!(".{name}.partial-{pid}")),
    );
    let mut scratch = Scratch(vec![snapshot.clone(), partial.clone()]);
    // The data entries of the archive, each a scratch file: the encrypted SQLite copy, or one
    // copy per PostgreSQL table (only sealed values and ids in them, as in the database).
    let (backend, data, info) = match storage {
        Storage::Sqlite(db) => {
            let info = db.snapshot_to(&snapshot)?;
            (
                BACKEND_SQLCIPHER,
                vec![(DB_FILE.to_owned(), snapshot.clone())],
                info,
            )
        }
        Storage::Postgres(db) => {
            create_dir_private(&snapshot)?;
            let (files, info) = db.export(&snapshot)?;
            let data = files
                .into_iter()
                .map(|(table, path)| (format!("{PG_DIR}{table}.copy"), path))
                .collect();
            (BACKEND_POSTGRES, data, info)
        }
    };
    let (db_bytes, db_sha256) = digest(data.iter().map(|(_, path)| path.as_path()))?;
    let manifest = Manifest {
        format: FORMAT.to_owned(),
        version: VERSION,
        backend: backend.to_owned(),
        created_at_ms: now_ms,
        hub_version: env!("CARGO_PKG_VERSION").to_owned(),
        schema_version: info.schema_version,
        audit_seq: info.audit_head.seq,
        audit_head: info.audit_head.hash,
        db_bytes,
        db_sha256,
    };
    let file = create_new_private(&partial)?;
    let encryptor = match seal {
        Seal::Recipients(recipients) => {
            age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
                .map_err(|e| BackupError::Encrypt(e.to_string()))?
        }
        Seal::Passphrase(passphrase) => age::Encryptor::with_user_passphrase(passphrase.clone()),
    };
    let sealed = encryptor
        .wrap_output(BufWriter::new(file))
        .map_err(io_err("cannot write", &partial))?;
    let mut tar = tar::Builder::new(sealed);
    let mtime = u64::try_from(now_ms / 1000).unwrap_or(0);
    let manifest_json =
        serde_json::to_vec_pretty(&manifest).map_err(|e| BackupError::Encrypt(e.to_string()))?;
    let key_text = Zeroizing::new(format!("{}\n", storage.key_hex()));
    let mut written = append(&mut tar, MANIFEST, &manifest_json[..], manifest_json.len(), mtime)
        .and_then(|()| append(&mut tar, KEY_FILE, key_text.as_bytes(), key_text.len(), mtime));
    for (name, path) in &data {
        written = written.and_then(|()| {
            let file = File::open(path)?;
            let len = file.metadata()?.len();
            append(
                &mut tar,
                name,
                BufReader::new(file),
                usize::try_from(len).unwrap_or(usize::MAX),
                mtime,
            )
        });
    }
    let written = written
        .and_then(|()| tar.into_inner())
        .and_then(age::stream::StreamWriter::finish)
        .and_then(|buffered| buffered.into_inner().map_err(io::IntoInnerError::into_error))
        .and_then(|file| file.sync_all());
    written.map_err(io_err("cannot write", &partial))?;
    fs::rename(&partial, out).map_err(io_err("cannot put the backup in place at", out))?;
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    scratch.0.retain(|p| p != &partial);
    Ok(manifest)
}

fn append(
    tar: &mut tar::Builder<impl Write>,
    name: &str,
    data: impl Read,
    len: usize,
    mtime: u64,
) -> io::Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(u64::try_from(len).unwrap_or(u64::MAX));
    header.set_mode(0o600);
    header.set_mtime(mtime);
    header.set_entry_type(tar::EntryType::Regular);
    tar.append_data(&mut header, name, data)
}

/// The size and SHA-256 of files, one after the other.
fn digest<'a>(paths: impl Iterator<Item = &'a Path>) -> Result<(u64, String), BackupError> {
    let mut hasher = Hashing {
        inner: io::sink(),
        hasher: Sha256::new(),
    };
    let mut bytes = 0;
    for path in paths {
        let mut file = File::open(path).map_err(io_err("cannot read", path))?;
        bytes += io::copy(&mut file, &mut hasher).map_err(io_err("cannot read", path))?;
    }
    Ok((bytes, hex::encode(hasher.hasher.finalize())))
}

/// A writer that hashes what passes through it.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Restores the backup `input` into the data dir `dir`, which must hold no hub yet (no
/// `hub.db`, no `hub.key`); creates it if missing. Checks the manifest, the copy's digest and
/// that the key opens it before anything is put in place.
pub fn restore(input: &Path, dir: &Path, unseal: &Unseal) -> Result<Manifest, BackupError> {
    for existing in [dir.join(DB_FILE), dir.join(KEY_FILE)] {
        if existing.exists() {
            return Err(BackupError::Exists(existing));
        }
    }
    let mut archive = open_archive(input, unseal)?;
    // The restored copy is written beside its final place, then linked in.
    create_dir_private(dir)?;
    let restoring = dir.join(format!(".{DB_FILE}.restoring-{}", std::process::id()));
    let _scratch = Scratch(vec![restoring.clone()]);
    let damaged = |what: &str| BackupError::Damaged(what.to_owned());
    let (mut manifest, mut key, mut db) = (None::<Manifest>, None::<HubKey>, None::<(u64, String)>);
    let entries = archive.entries().map_err(|_| damaged("it holds no archive"))?;
    for entry in entries {
        let (name, mut entry) = named(entry)?;
        match (name.as_str(), &manifest) {
            (MANIFEST, None) => {
                let read = read_manifest(&mut entry)?;
                if read.backend != BACKEND_SQLCIPHER {
                    return Err(BackupError::Damaged(format!(
                        "it is a backup of the {} backend; restore it into a database (--database URL)",
                        read.backend
                    )));
                }
                manifest = Some(read);
            }
            (KEY_FILE, Some(_)) => key = Some(read_key(&mut entry)?),
            (DB_FILE, Some(_)) => {
                let file = create_new_private(&restoring)?;
                let mut hashing = Hashing {
                    inner: BufWriter::new(file),
                    hasher: Sha256::new(),
                };
                let bytes =
                    io::copy(&mut entry, &mut hashing).map_err(|_| damaged("its database is cut short"))?;
                let file = hashing.inner.into_inner().map_err(|e| BackupError::Io {
                    action: "cannot write",
                    path: restoring.clone(),
                    source: e.into_error(),
                })?;
                file.sync_all().map_err(io_err("cannot write", &restoring))?;
                db = Some((bytes, hex::encode(hashing.hasher.finalize())));
            }
            _ => {
                return Err(BackupError::Damaged(format!(
                    "it holds an unexpected entry {name:?}"
                )));
            }
        }
    }
    let (Some(manifest), Some(key), Some(db)) = (manifest.take(), key, db) else {
        return Err(damaged("it lacks its manifest, key or database"));
    };
    if db != (manifest.db_bytes, manifest.db_sha256.clone()) {
        return Err(damaged("its database does not match the digest in its manifest"));
    }
    Sqlite::check_restored(&restoring, &key)?;
    Sqlite::install_restored(dir, &restoring, &key)?;
    Ok(manifest)
}

/// The archive inside the age file `input`, opened with `unseal`.
fn open_archive(input: &Path, unseal: &Unseal) -> Result<tar::Archive<impl Read>, BackupError> {
    let file = File::open(input).map_err(io_err("cannot read", input))?;
    let decryptor = age::Decryptor::new_buffered(BufReader::new(file))
        .map_err(|_| BackupError::Damaged("it is not an age file".to_owned()))?;
    let opened = match unseal {
        Unseal::Identities(ids) if !decryptor.is_scrypt() => {
            decryptor.decrypt(ids.iter().map(|i| i.as_ref() as &dyn age::Identity))
        }
        Unseal::Passphrase(p) if decryptor.is_scrypt() => {
            let identity = age::scrypt::Identity::new(p.clone());
            decryptor.decrypt(std::iter::once(&identity as &dyn age::Identity))
        }
        _ => return Err(BackupError::WrongIdentity),
    };
    let reader = opened.map_err(|e| match e {
        age::DecryptError::NoMatchingKeys | age::DecryptError::DecryptionFailed => BackupError::WrongIdentity,
        other => BackupError::Damaged(format!("its age header cannot be read ({other})")),
    })?;
    Ok(tar::Archive::new(reader))
}

/// An entry of the archive and its name, or why it cannot be read.
fn named<R: Read>(entry: io::Result<tar::Entry<'_, R>>) -> Result<(String, tar::Entry<'_, R>), BackupError> {
    let damaged = |what: &str| BackupError::Damaged(what.to_owned());
    let entry = entry.map_err(|_| damaged("its archive is cut short or altered"))?;
    let name = entry
        .path()
        .map_err(|_| damaged("an entry has no readable name"))?
        .to_string_lossy()
        .into_owned();
    Ok((name, entry))
}

/// The manifest of `entry`, the archive's first, if it is a backup this hub reads.
fn read_manifest(entry: &mut impl Read) -> Result<Manifest, BackupError> {
    let damaged = |what: &str| BackupError::Damaged(what.to_owned());
    let mut text = Vec::new();
    entry
        .take(1 << 20)
        .read_to_end(&mut text)
        .map_err(|_| damaged("its manifest is cut short"))?;
    let read: Manifest =
        serde_json::from_slice(&text).map_err(|_| damaged("its manifest is not readable"))?;
    if read.format != FORMAT || read.version != VERSION {
        return Err(damaged(
            "it is not a casebook-hub backup of a version this hub reads",
        ));
    }
    Ok(read)
}

/// The hub key in `entry`.
fn read_key(entry: &mut impl Read) -> Result<HubKey, BackupError> {
    let mut text = Zeroizing::new(String::new());
    entry
        .take(256)
        .read_to_string(&mut text)
        .map_err(|_| BackupError::Damaged("its key is cut short".to_owned()))?;
    HubKey::from_hex(&text).map_err(|_| BackupError::Damaged("its key is not a hub key".to_owned()))
}

/// Restores the PostgreSQL backup `input` into the empty database at `url` (migrated first),
/// in one transaction: every table loaded, the digest and the key checked, then committed.
/// Returns the manifest and the hub key the data is sealed under.
pub fn restore_database(
    input: &Path,
    url: &crate::storage::DatabaseUrl,
    unseal: &Unseal,
) -> Result<(Manifest, HubKey), BackupError> {
    let damaged = |what: &str| BackupError::Damaged(what.to_owned());
    let mut archive = open_archive(input, unseal)?;
    let entries = archive.entries().map_err(|_| damaged("it holds no archive"))?;
    let (mut manifest, mut key, mut importer) = (None::<Manifest>, None::<HubKey>, None);
    let mut hashing = Hashing {
        inner: io::sink(),
        hasher: Sha256::new(),
    };
    let mut bytes = 0;
    for entry in entries {
        let (name, mut entry) = named(entry)?;
        match (name.as_str(), &manifest) {
            (MANIFEST, None) => {
                let read = read_manifest(&mut entry)?;
                if read.backend != BACKEND_POSTGRES {
                    return Err(BackupError::Damaged(format!(
                        "it is a backup of the {} backend; restore it into a data dir (--data DIR)",
                        read.backend
                    )));
                }
                let known = crate::storage::pg_schema::newest_known();
                if read.schema_version != known {
                    return Err(BackupError::Damaged(format!(
                        "it was taken at schema version {}, this hub's is {known}: restore it with the hub version that took it, then upgrade",
                        read.schema_version
                    )));
                }
                importer = Some(crate::storage::postgres::Importer::begin(url)?);
                manifest = Some(read);
            }
            (KEY_FILE, Some(_)) => key = Some(read_key(&mut entry)?),
            (table, Some(_)) if table.starts_with(PG_DIR) && table.ends_with(".copy") => {
                let Some(importer) = importer.as_mut() else {
                    return Err(damaged("its tables come before its manifest"));
                };
                let table = &table[PG_DIR.len()..table.len() - ".copy".len()];
                let mut reading = HashingRead {
                    inner: &mut entry,
                    hashing: &mut hashing,
                };
                bytes += importer.load(table, &mut reading)?;
            }
            _ => {
                return Err(BackupError::Damaged(format!(
                    "it holds an unexpected entry {name:?}"
                )));
            }
        }
    }
    let (Some(manifest), Some(key), Some(mut importer)) = (manifest, key, importer) else {
        return Err(damaged("it lacks its manifest, key or tables"));
    };
    if (bytes, hex::encode(hashing.hasher.finalize())) != (manifest.db_bytes, manifest.db_sha256.clone()) {
        return Err(damaged("its tables do not match the digest in its manifest"));
    }
    importer.check_key(&key)?;
    importer.commit()?;
    Ok((manifest, key))
}

/// A reader that hashes what is read through it.
struct HashingRead<'a, R> {
    inner: &'a mut R,
    hashing: &'a mut Hashing<io::Sink>,
}

impl<R: Read> Read for HashingRead<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hashing.hasher.update(&buf[..n]);
        Ok(n)
    }
}

fn create_dir_private(dir: &Path) -> Result<(), BackupError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder
        .create(dir)
        .map_err(io_err("cannot create the data dir", dir))
}
