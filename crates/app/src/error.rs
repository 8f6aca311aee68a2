//! Errors as the ui receives them: a code it can act on and a message written for the user.

use casebook_store::StoreError;
use casebook_sync::SyncError;
use serde::Serialize;

/// What went wrong, for the ui to act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The passphrase does not open the store.
    WrongPassphrase,
    /// The two passphrases typed differ.
    PassphraseMismatch,
    /// The new passphrase is too weak.
    WeakPassphrase,
    /// There is no store yet.
    NoStore,
    /// A store already exists here.
    StoreExists,
    /// The store's files are damaged or not a Casebook store.
    StoreDamaged,
    /// The store is locked.
    Locked,
    /// A field is missing or malformed.
    InvalidInput,
    /// A rule of the restorative process refused the action.
    Rule,
    /// The record named does not exist here.
    NotFound,
    /// This user may only read this (a supervisor on a facilitator's case).
    ReadOnly,
    /// The hub cannot be reached.
    HubUnreachable,
    /// The hub refused (enrollment code, revoked device, newer protocol...).
    HubRefused,
    /// The store is not connected to a hub.
    NotEnrolled,
    /// The hub ordered this laptop wiped.
    Wiped,
    /// Anything else (a bug); the message says what.
    Internal,
}

/// An error crossing to the ui as `{ code, message }`.
#[derive(Debug, Clone, Serialize, thiserror::Error)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
#[error("{message}")]
pub struct AppError {
    /// What kind of error.
    pub code: ErrorCode,
    /// What happened and what to do, for the user.
    pub message: String,
    /// The form field at fault, when one is (`summary`, `court_date`, `outcome`, `name`...), so
    /// the ui can put the message beside it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(any(test, feature = "ts"), ts(optional))]
    pub field: Option<String>,
}

impl AppError {
    /// An error with this code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            field: None,
        }
    }

    /// A missing or malformed value of the form field `field`.
    pub fn in_field(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: Some(field.to_owned()),
            ..Self::invalid(message)
        }
    }

    /// A missing or malformed field, named.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidInput, message)
    }

    /// The store is locked.
    pub fn locked() -> Self {
        Self::new(ErrorCode::Locked, "Casebook is locked. Unlock it to carry on.")
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        let code = match &e {
            StoreError::WrongPassphrase => ErrorCode::WrongPassphrase,
            StoreError::WeakPassphrase { .. } => ErrorCode::WeakPassphrase,
            StoreError::NoStore { .. } => ErrorCode::NoStore,
            StoreError::AlreadyExists { .. } => ErrorCode::StoreExists,
            StoreError::KeyFileDamaged { .. }
            | StoreError::Plaintext
            | StoreError::NotAStore
            | StoreError::Damaged { .. }
            | StoreError::NewerSchema { .. }
            | StoreError::Corrupt(_) => ErrorCode::StoreDamaged,
            StoreError::NotFound { .. } | StoreError::Ambiguous { .. } => ErrorCode::NotFound,
            StoreError::Rule(_) | StoreError::Refused(_) => ErrorCode::Rule,
            StoreError::InvalidOp(_) => ErrorCode::InvalidInput,
            _ => ErrorCode::Internal,
        };
        Self::new(code, e.to_string())
    }
}

impl From<SyncError> for AppError {
    fn from(e: SyncError) -> Self {
        let e = match e {
            SyncError::Store(inner) => return inner.into(),
            other => other,
        };
        let code = match &e {
            SyncError::NotEnrolled => ErrorCode::NotEnrolled,
            SyncError::Locked => ErrorCode::Locked,
            SyncError::BadUrl { .. } | SyncError::InsecureUrl { .. } => ErrorCode::InvalidInput,
            SyncError::Offline { .. } | SyncError::BadAnswer { .. } | SyncError::RateLimited => {
                ErrorCode::HubUnreachable
            }
            _ if e.is_transient() => ErrorCode::HubUnreachable,
            _ => ErrorCode::HubRefused,
        };
        Self::new(code, sync_message(&e))
    }
}

/// A sync error in the app's words: the command line's advice ("run `casebook enroll`") does
/// not fit a window.
pub(crate) fn sync_message(e: &SyncError) -> String {
    match e {
        SyncError::NotEnrolled => "This laptop is not connected to a hub.".to_owned(),
        SyncError::Unauthorized => {
            "The hub does not recognise this laptop. Ask your administrator for a new enrollment code."
                .to_owned()
        }
        _ => e.to_string(),
    }
}
