//! Why a sync did not complete, in words a facilitator can act on. Nothing committed is ever
//! lost by any of these: the next sync carries on where this one stopped.

use casebook_store::StoreError;
use thiserror::Error;

/// A sync or enrollment that did not complete.
#[derive(Debug, Error)]
pub enum SyncError {
    /// The store is not enrolled with a hub.
    #[error("This store is not connected to a hub yet: run `casebook enroll --hub URL --code CODE`.")]
    NotEnrolled,
    /// The hub address is not a usable URL.
    #[error("{url:?} is not a hub address: use the form https://hub.example.org.")]
    BadUrl {
        /// What was given.
        url: String,
    },
    /// A plain `http://` address of another computer: refused before any connection is made.
    #[error(
        "{url} is not encrypted (http://): your device token and case notes would cross the network in clear. \
         Use the hub's https:// address ({https}); plain http:// is only for a hub on this computer (localhost)."
    )]
    InsecureUrl {
        /// What was given.
        url: String,
        /// The same address with https://.
        https: String,
    },
    /// The hub cannot be reached.
    #[error(
        "The hub at {url} cannot be reached ({detail}). Your changes are kept here and will be sent on the next sync."
    )]
    Offline {
        /// The hub.
        url: String,
        /// Connection refused, timed out, ...
        detail: String,
    },
    /// The hub answered something that is not a Casebook answer.
    #[error(
        "The hub at {url} gave an answer Casebook cannot read ({detail}). Nothing was changed here; try again later or tell your administrator."
    )]
    BadAnswer {
        /// The hub.
        url: String,
        /// What was wrong with it.
        detail: String,
    },
    /// This version of Casebook is outside the hub's protocol window.
    #[error("{0}")]
    UpdateRequired(String),
    /// The hub does not know this device's token.
    #[error(
        "The hub does not recognise this device. Ask your administrator for a new enrollment code and run `casebook enroll` again."
    )]
    Unauthorized,
    /// The enrollment code was refused.
    #[error(
        "The enrollment code was not accepted: it is wrong, already used or expired (codes last 72 hours). Ask your administrator for a new one."
    )]
    InvalidCode,
    /// The device was revoked (without a wipe).
    #[error(
        "This device was revoked by the hub's administrator: syncing has stopped. The data on this laptop is kept."
    )]
    Revoked,
    /// Too many attempts.
    #[error(
        "The hub is refusing attempts from this address for a while (too many). Wait a minute and try again."
    )]
    RateLimited,
    /// Only a coordinator may do this (answer a subject access request).
    #[error(
        "Only a coordinator can answer a subject access request. Nothing was opened or saved; ask your service's coordinator."
    )]
    NotCoordinator,
    /// Any other error answer.
    #[error("The hub refused the request ({status} {code}): {message}")]
    Hub {
        /// HTTP status.
        status: u16,
        /// The hub's error code.
        code: String,
        /// The hub's message.
        message: String,
    },
    /// A handover would lose ops the hub refused for good.
    #[error(
        "The hub refused {count} change(s) written on this laptop (see `casebook status`); handing in now would \
         lose them. Nothing was erased. Ask your supervisor, then run `casebook handover --discard-refused`."
    )]
    RefusedOpsRemain {
        /// How many.
        count: usize,
    },
    /// The hub's receipt does not describe this laptop's log: the store is kept.
    #[error(
        "The hub's receipt does not match this laptop's changes ({detail}). Nothing was erased; ask your administrator."
    )]
    BadReceipt {
        /// What differs.
        detail: String,
    },
    /// The app locked the store while the sync ran; it carries on after the next unlock.
    #[error("The store was locked before the sync finished. It carries on after you unlock.")]
    Locked,
    /// The local store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl SyncError {
    /// Whether retrying later may help (the app's background loop backs off and retries these).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            SyncError::Offline { .. } | SyncError::BadAnswer { .. } | SyncError::RateLimited
        ) || matches!(self, SyncError::Hub { status, .. } if *status >= 500)
    }
}
