//! What can go wrong with the local store, in words a facilitator can act on.

use std::path::PathBuf;

use casebook_domain::{OpError, RuleError};
use thiserror::Error;

/// An error of the local store. Messages say what happened and what to do next, and never
/// contain key material or the text of a record.
#[derive(Debug, Error)]
pub enum StoreError {
    /// No store in the directory.
    #[error("There is no Casebook store in {}. Create one with `casebook init`.", dir.display())]
    NoStore {
        /// The store directory.
        dir: PathBuf,
    },
    /// `init` on a directory that already has a store (or part of one).
    #[error("A Casebook store already exists in {} ({file}). Nothing was changed.", dir.display())]
    AlreadyExists {
        /// The store directory.
        dir: PathBuf,
        /// The file that is already there.
        file: &'static str,
    },
    /// No passphrase was given.
    #[error("A passphrase is needed to unlock the store: set CASEBOOK_PASSPHRASE or run in a terminal.")]
    PassphraseMissing,
    /// The new passphrase is too easy to guess to protect the store.
    #[error(
        "The new passphrase is too easy to guess (strength {score} of 4; Casebook needs 3). {feedback} Nothing was changed."
    )]
    WeakPassphrase {
        /// zxcvbn's score, 0 to 4.
        score: u8,
        /// zxcvbn's warning and suggestions.
        feedback: String,
    },
    /// The passphrase does not open `store.key`.
    #[error("The passphrase is wrong. Nothing was changed.")]
    WrongPassphrase,
    /// `store.key` is not a readable key file.
    #[error(
        "store.key is damaged or is not a Casebook key file ({detail}). Nothing was changed: restore store.key from a backup."
    )]
    KeyFileDamaged {
        /// What is wrong, without any key material.
        detail: String,
    },
    /// The store has no `store.recovery` to recover with.
    #[error(
        "This store has no recovery file (store.recovery): it was enrolled before the hub had a recovery key, or \
         never enrolled and no personal recovery code was made. It cannot be opened without its passphrase."
    )]
    NoRecoveryFile,
    /// The recovery key given does not open `store.recovery`.
    #[error("The recovery key does not open this store: {detail}. Nothing was changed.")]
    RecoveryKeyWrong {
        /// Why, without key material.
        detail: String,
    },
    /// A personal recovery code was given, but none was ever made for this store.
    #[error(
        "No personal recovery code was made for this store (`casebook recovery-code new` makes one while the \
         passphrase is known), so none can open it. Nothing was changed."
    )]
    NoRecoveryCode,
    /// The recovery code is well formed but does not open `store.recovery`.
    #[error(
        "The recovery code does not open this store: it is another store's code, or one replaced by a newer code. \
         Nothing was changed."
    )]
    RecoveryCodeWrong,
    /// What was typed cannot be a recovery code (a character mistyped, missing or extra).
    #[error(
        "That is not a recovery code as Casebook printed it: {detail}. A code is 28 letters and digits in seven \
         groups of four; check it against the paper. Nothing was changed."
    )]
    RecoveryCodeMistyped {
        /// What is wrong with it, without any of its characters.
        detail: &'static str,
    },
    /// The store is recovered with the organisation's key, so a personal code is not for it.
    #[error(
        "This store is enrolled with a hub whose organisation recovery key recovers it: ask your coordinator, who \
         holds that key (`casebook recover --identity FILE`). A personal recovery code is not used for it. \
         Nothing was changed."
    )]
    OrganisationRecovery,
    /// `store.recovery` is not a readable recovery file.
    #[error(
        "store.recovery is damaged ({detail}), so it cannot open the store. Nothing was changed. While the passphrase \
         is known, `casebook rekey` (organisation key) or `casebook recovery-code new` (personal code) writes it again."
    )]
    RecoveryFileDamaged {
        /// What is wrong, without any key material.
        detail: String,
    },
    /// `store.db` is an unencrypted SQLite file.
    #[error(
        "store.db is an unencrypted SQLite database, not a Casebook store. Nothing was changed; move it away before creating a store here."
    )]
    Plaintext,
    /// `store.db` cannot be decrypted with the key from `store.key`.
    #[error(
        "store.db is not a Casebook store, or not the one store.key belongs to: it cannot be decrypted. Nothing was changed."
    )]
    NotAStore,
    /// The file is shorter than its pages or a page fails its integrity check.
    #[error("The store is damaged: {detail}. Nothing was changed: restore store.db from a backup.")]
    Damaged {
        /// What is damaged.
        detail: String,
    },
    /// The store's schema is newer than this program.
    #[error(
        "This store was written by a newer version of Casebook (schema {found}; this version knows up to {known}). Update Casebook: the store was not touched."
    )]
    NewerSchema {
        /// The schema version in the file.
        found: i64,
        /// The newest schema this build knows.
        known: i64,
    },
    /// Nothing matches what the user named.
    #[error("No {what} matches {given:?}.")]
    NotFound {
        /// A case, a party, a contact.
        what: &'static str,
        /// What the user typed.
        given: String,
    },
    /// More than one record matches what the user named.
    #[error("{given:?} matches more than one {what}: {candidates}. Use the id.")]
    Ambiguous {
        /// A case, a party.
        what: &'static str,
        /// What the user typed.
        given: String,
        /// The matches, by id.
        candidates: String,
    },
    /// Another program has the store open, so its key cannot be changed now.
    #[error(
        "The store is open in another program (the Casebook app, or another `casebook` command). Close it and try again. Nothing was changed."
    )]
    InUse,
    /// A rule of the restorative process refused the change.
    #[error(transparent)]
    Rule(#[from] RuleError),
    /// The judgement of ops refused a change: not this user's to make, or not possible here.
    #[error("This change is not allowed: {0}. Nothing was changed.")]
    Refused(#[from] casebook_domain::judgement::Refusal),
    /// An operation is not valid (a bug, or data from a newer version).
    #[error("An operation was refused: {0}")]
    InvalidOp(#[from] OpError),
    /// Reading or writing a file failed.
    #[error("Could not {action} {}: {source}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Encrypting an export or a key failed.
    #[error("Encryption failed: {0}")]
    Encrypt(String),
    /// The database refused an operation. The text is redacted of anything that could be key
    /// material.
    #[error("The database refused the operation ({code}): {message}")]
    Database {
        /// SQLite's error code name.
        code: String,
        /// SQLite's message, redacted.
        message: String,
    },
    /// A stored value could not be read back.
    #[error("A stored value could not be read: {0}")]
    Corrupt(String),
}

impl StoreError {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> StoreError {
        let path = path.into();
        move |source| StoreError::Io { action, path, source }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match &e {
            rusqlite::Error::SqliteFailure(f, msg) => match f.code {
                ErrorCode::DatabaseCorrupt => StoreError::Damaged {
                    detail: format!(
                        "a page failed its integrity check ({})",
                        redact(msg.as_deref().unwrap_or(""))
                    ),
                },
                ErrorCode::NotADatabase => StoreError::NotAStore,
                code => StoreError::Database {
                    code: format!("{code:?}"),
                    message: redact(msg.as_deref().unwrap_or("")),
                },
            },
            other => StoreError::Database {
                code: "Error".into(),
                message: redact(&other.to_string()),
            },
        }
    }
}

impl From<refinery::Error> for StoreError {
    fn from(e: refinery::Error) -> Self {
        StoreError::Database {
            code: "Migration".into(),
            message: redact(&e.to_string()),
        }
    }
}

/// Removes anything that could be key material (long runs of hex digits) from a message that
/// came from SQLite, and caps its length.
pub(crate) fn redact(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(300));
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= 16 {
            out.push_str("[redacted]");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for ch in message.chars().take(300) {
        if ch.is_ascii_hexdigit() {
            run.push(ch);
        } else {
            flush(&mut run, &mut out);
            out.push(ch);
        }
    }
    flush(&mut run, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_removes_hex_runs_but_keeps_words() {
        let key = "ab".repeat(32);
        let msg = format!("near \"x'{key}'\": syntax error at 42");
        let r = redact(&msg);
        assert!(!r.contains(&key[..16]), "{r}");
        assert!(r.contains("syntax error at 42"));
        assert!(r.contains("[redacted]"));
    }
}
