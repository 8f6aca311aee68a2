//! A forgotten passphrase, answered in the app: what can open this laptop's store without it,
//! a new passphrase set with a personal recovery code or the organisation's recovery key, and
//! making that code while the passphrase is still known. The store does the cryptography
//! (`casebook_store::recovery`); this module shapes what the window asks and is told.

use casebook_store::{ExposeSecret, RecoveryCode, RecoveryMethod, SecretString, Store, StoreError};
use serde::Serialize;

use crate::app::{App, check_pair};
use crate::dto::AppState;
use crate::error::AppError;

/// What opens this laptop's store if its passphrase is forgotten.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum RecoveryWay {
    /// Nothing: only the hub, which holds what was synced, can help.
    None,
    /// The organisation's recovery key, which a coordinator holds.
    OrganisationKey,
    /// A personal recovery code made on this laptop and written on paper.
    PersonalCode,
}

impl From<RecoveryMethod> for RecoveryWay {
    fn from(m: RecoveryMethod) -> Self {
        match m {
            RecoveryMethod::None => Self::None,
            RecoveryMethod::OrganisationKey => Self::OrganisationKey,
            RecoveryMethod::PersonalCode => Self::PersonalCode,
        }
    }
}

/// A personal recovery code, to be shown once: seven groups of four, dash-separated.
#[derive(Serialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
pub struct NewRecoveryCode {
    /// `7K3Q-M9XD-…`: the only copy Casebook ever gives out.
    pub code: String,
}

impl Drop for NewRecoveryCode {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.code);
    }
}

impl std::fmt::Debug for NewRecoveryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewRecoveryCode(..)")
    }
}

/// The form field a recovery error belongs beside.
const CODE_FIELD: &str = "code";
const KEY_FIELD: &str = "key";
const PASSPHRASE_FIELD: &str = "passphrase";

/// Said when nothing can open the store without its passphrase: what is safe, what is not.
const ONLY_THE_HUB: &str = "Nothing on this laptop can open Casebook without the passphrase: no recovery code was made \
     and no organisation recovery key protects it. The cases that were synced are safe on your service's hub: ask \
     your coordinator for a new enrollment code, then set this laptop up again. Changes not synced yet cannot be \
     recovered.";

impl App {
    /// What can open the store if its passphrase is forgotten (locked or not).
    pub fn recovery_way(&self) -> Result<RecoveryWay, AppError> {
        Ok(Store::recovery_method(self.paths())?.into())
    }

    /// Sets a new passphrase (typed twice) with what opens `store.recovery`: the personal
    /// recovery code or the organisation's recovery key, whichever the store was sealed to.
    /// The store is then open, everything kept; an enrolled store tells its hub at the next
    /// sync. A wrong or mistyped `secret` changes nothing and is said beside its field.
    pub fn recover(&self, secret: String, passphrase: String, confirm: String) -> Result<AppState, AppError> {
        let secret = SecretString::from(secret);
        if self.state().phase == crate::dto::AppPhase::Unlocked {
            return Err(AppError::invalid(
                "Casebook is open already: lock it first to set a new passphrase this way.",
            ));
        }
        let way = self.recovery_way()?;
        let field = match way {
            RecoveryWay::None => return Err(AppError::invalid(ONLY_THE_HUB)),
            RecoveryWay::PersonalCode => CODE_FIELD,
            RecoveryWay::OrganisationKey => KEY_FIELD,
        };
        if secret.expose_secret().trim().is_empty() {
            let what = match way {
                RecoveryWay::PersonalCode => "Type your recovery code, as written on the paper.",
                _ => "Paste the organisation's recovery key (the line starting AGE-SECRET-KEY-1).",
            };
            return Err(AppError::in_field(field, what));
        }
        // A mistyped code is said before anything about the new passphrase: it is cheap to
        // check and the paper is at hand.
        let code = match way {
            RecoveryWay::PersonalCode => {
                Some(RecoveryCode::parse(secret.expose_secret()).map_err(|e| in_field(CODE_FIELD, e))?)
            }
            _ => None,
        };
        let new = check_pair(passphrase, confirm, &[])?;
        let opened = match &code {
            Some(code) => Store::recover_with_code(self.paths(), code, &new),
            None => Store::recover(self.paths(), &key_line(&secret), &new),
        };
        drop((code, secret));
        let store = opened.map_err(|e| in_field(field, e))?;
        tracing::info!(with = field, "passphrase reset in the app");
        self.install(store)
    }

    /// Makes a personal recovery code (`passphrase` proves who asks), replacing any code made
    /// before. Refused when the organisation's recovery key protects the store.
    pub fn new_recovery_code(&self, passphrase: String) -> Result<NewRecoveryCode, AppError> {
        if passphrase.is_empty() {
            return Err(AppError::in_field(PASSPHRASE_FIELD, "Enter your passphrase."));
        }
        let passphrase = SecretString::from(passphrase);
        self.touch();
        let code = self.with_store(|store| {
            store.new_recovery_code(&passphrase).map_err(|e| match e {
                StoreError::WrongPassphrase => AppError {
                    field: Some(PASSPHRASE_FIELD.to_owned()),
                    ..e.into()
                },
                StoreError::OrganisationRecovery => AppError::invalid(
                    "Your organisation's recovery key protects this laptop, so it needs no personal recovery code: \
                     if you forget your passphrase, your coordinator can reset it.",
                ),
                other => other.into(),
            })
        })?;
        let shown = code.grouped();
        Ok(NewRecoveryCode {
            code: shown.as_str().to_owned(),
        })
    }
}

/// The `AGE-SECRET-KEY-1…` line of what was pasted (a whole key file, comments included, will
/// do); else all of it, for the store to refuse with its own words.
fn key_line(pasted: &SecretString) -> SecretString {
    let text = pasted.expose_secret();
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| l.to_ascii_uppercase().starts_with("AGE-SECRET-KEY-"))
        .unwrap_or(text.trim());
    SecretString::from(line.to_owned())
}

/// A store's refusal of a code or key: beside `field` when the code or key is at fault, in the
/// window's words where the store's would name a command.
fn in_field(field: &str, e: StoreError) -> AppError {
    match e {
        StoreError::RecoveryCodeMistyped { .. }
        | StoreError::RecoveryCodeWrong
        | StoreError::RecoveryKeyWrong { .. } => AppError::in_field(field, e.to_string()),
        StoreError::NoRecoveryFile | StoreError::NoRecoveryCode => AppError::invalid(ONLY_THE_HUB),
        StoreError::OrganisationRecovery => AppError::invalid(
            "Your organisation's recovery key protects this laptop, not a personal code: ask your coordinator, who \
             holds that key. Nothing was changed.",
        ),
        other => other.into(),
    }
}
