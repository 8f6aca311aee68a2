//! Casebook's sync client. It pushes before it pulls, applies what the hub sends through the
//! store's merge, fetches the whole history of cases newly in scope, drops cases that left
//! scope once their own changes are on the hub, and obeys a wipe. Every step is safe to repeat:
//! a crash or a lost answer at any point is mended by the next sync.
#![forbid(unsafe_code)]

mod access;
mod backoff;
mod client;
mod error;
mod handover;
mod purge;
mod round;
mod sar;

pub use access::{StoreAccess, SyncProgress};
pub use backoff::Backoff;
pub use client::HubClient;
pub use error::SyncError;
pub use handover::{HandoverOutcome, handover};
pub use round::{SyncReport, enroll, sync_once, sync_shared};
pub use sar::SarAnswer;
