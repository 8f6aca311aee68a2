//! The hub's storage: one type, [`Storage`], over two backends, and every line of the hub's
//! SQL behind it. The embedded backend ([`Sqlite`]: one SQLCipher file in the data dir, in
//! `sqlite.rs` and the files named after each concern) is the default; the PostgreSQL backend
//! (`postgres/`) lets several hub processes share one database. Both give the same answers to
//! the same calls, and both send each op through the one judgement (`push.rs`).

mod admin;
mod audit;
mod backup;
pub mod blind;
mod facts;
mod handover;
mod health;
pub mod key;
mod ops;
pub mod pg_schema;
pub mod postgres;
mod purge;
mod push;
mod reader;
mod recovery;
mod retention;
mod sar;
pub mod seal;
mod sqlite;
mod sqlite_rekey;

use std::path::Path;
use std::str::FromStr;

use casebook_domain::{CaseId, DeviceId, Op, OpId, UserId};
use casebook_protocol::{OpResult, PurgeConfirmation, PurgeOrder, Role, UserInfo};
use chrono::NaiveDate;
use uuid::Uuid;

pub use admin::{CaseSummary, DeviceSummary, Enrollment};
pub use audit::{AuditEntry, AuditHead, AuditQuery, Verification};
pub use backup::{SnapshotInfo, create_new_private};
pub use blind::BlindIndex;
pub use handover::Handover;
pub use health::Readiness;
pub use key::{HubKey, KEY_FILE};
pub use ops::{HistoryPage, OwnOps, PullPage};
pub use postgres::{DatabaseUrl, Postgres, Rotation};
pub use purge::{DeviceConfirmation, Tombstone};
pub use reader::Reader;
pub use retention::{CaseRetention, LegalHold};
use sar::Step as SarStep;
pub use sar::{AskedBy, SarRequest};
pub use seal::{DataKey, SealError, Sealer};
pub use sqlite::{DB_FILE, Sqlite};
pub use sqlite_rekey::{FileRotation, NEW_KEY_FILE};

use crate::audit::AuditEvent;
use crate::error::HubError;
use crate::sar::CaseInput;
use crate::scope::Viewer;
use casebook_domain::retention::Policy;
use sqlite::{create_private_dir, open_keyed, user_from_row};

/// The hub's database, on one backend or the other. Sync: call it from a blocking thread.
#[derive(Debug)]
#[allow(
    clippy::large_enum_variant,
    reason = "one per connection, a handful per process: boxing would only add an indirection"
)]
pub enum Storage {
    /// One SQLCipher file in the data dir (the default).
    Sqlite(Sqlite),
    /// A PostgreSQL database several hub processes share.
    Postgres(Postgres),
}

/// Methods both backends answer, or only the embedded one (the PostgreSQL backend refuses
/// those with [`HubError::NotOnPostgres`] until it has them).
macro_rules! delegate {
    ($on:tt;) => {};
    ($on:tt; $(#[$a:meta])* fn $name:ident(&mut self $(, $arg:ident: $ty:ty)*) -> $ret:ty; $($rest:tt)*) => {
        $(#[$a])*
        pub fn $name(&mut self $(, $arg: $ty)*) -> $ret {
            delegate!(@call $on, self, $name, $($arg),*)
        }
        delegate!($on; $($rest)*);
    };
    ($on:tt; $(#[$a:meta])* fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty; $($rest:tt)*) => {
        $(#[$a])*
        pub fn $name(&self $(, $arg: $ty)*) -> $ret {
            delegate!(@call $on, self, $name, $($arg),*)
        }
        delegate!($on; $($rest)*);
    };
    (@call both, $s:ident, $name:ident, $($arg:ident),*) => {
        match $s {
            Storage::Sqlite(db) => db.$name($($arg),*),
            Storage::Postgres(db) => db.$name($($arg),*),
        }
    };
    (@call sqlite, $s:ident, $name:ident, $($arg:ident),*) => {
        match $s {
            Storage::Sqlite(db) => db.$name($($arg),*),
            Storage::Postgres(_) => Err(HubError::NotOnPostgres(stringify!($name))),
        }
    };
}

impl Storage {
    /// Opens (creating on first use) the embedded hub database in `dir`, migrated to this
    /// version.
    pub fn open(dir: &Path, key_from_env: Option<HubKey>) -> Result<Self, HubError> {
        Sqlite::open(dir, key_from_env).map(Self::Sqlite)
    }

    /// Connects to the hub's PostgreSQL database at `url`, migrating it to this version;
    /// values are sealed under `key`.
    pub fn connect(url: &DatabaseUrl, key: HubKey) -> Result<Self, HubError> {
        Postgres::connect(url, key).map(Self::Postgres)
    }

    /// The hub's own identity.
    pub fn hub_identity(&self) -> HubIdentity {
        match self {
            Self::Sqlite(db) => db.hub_identity(),
            Self::Postgres(db) => db.hub_identity(),
        }
    }

    /// Names who runs the admin commands on this connection (the system user of the command
    /// line), recorded with each of them in the audit trail.
    pub fn set_operator(&mut self, operator: Option<String>) {
        match self {
            Self::Sqlite(db) => db.set_operator(operator),
            Self::Postgres(db) => db.set_operator(operator),
        }
    }

    /// Another connection to the same database that only reads.
    pub fn reader(&self) -> Result<Reader, HubError> {
        Ok(Reader {
            storage: match self {
                Self::Sqlite(db) => Self::Sqlite(db.reader()?),
                Self::Postgres(db) => Self::Postgres(db.another()?),
            },
        })
    }

    /// Another connection to the same database, which may write: the audit writer's, so that
    /// recording a pull never waits for the writer's lock.
    pub fn audit_connection(&self) -> Result<Storage, HubError> {
        Ok(match self {
            Self::Sqlite(db) => Self::Sqlite(db.audit_connection()?),
            Self::Postgres(db) => Self::Postgres(db.another()?),
        })
    }

    /// The device whose token hashes to `token_hash`, noting that it was seen at `now_ms`.
    pub fn authenticate(&self, token_hash: &str, now_ms: i64) -> Result<Option<DeviceRow>, HubError> {
        let Some(found) = self.device_by_token(token_hash, now_ms)? else {
            return Ok(None);
        };
        if found.last_seen_stale {
            self.touch_device(found.device.id, now_ms)?;
        }
        Ok(Some(found.device))
    }

    /// The key in hex, to write beside a backup.
    pub(crate) fn key_hex(&self) -> &str {
        match self {
            Self::Sqlite(db) => db.key_hex(),
            Self::Postgres(db) => db.key_hex(),
        }
    }

    /// Whether several hub processes may share this database: then limits are counted in it.
    pub fn is_shared(&self) -> bool {
        matches!(self, Self::Postgres(_))
    }

    /// Counts an attempt of `client` against the shared limit `bucket`; see
    /// [`Postgres::allow_attempt`]. The embedded backend has one process: it counts in memory
    /// ([`crate::enroll::RateLimiter`]) and never calls this.
    pub fn allow_attempt(
        &mut self,
        bucket: &str,
        client: &str,
        max: u32,
        window_ms: i64,
        now_ms: i64,
    ) -> Result<bool, HubError> {
        match self {
            Self::Sqlite(_) => Err(HubError::Task(
                "the embedded hub counts attempts in memory".to_owned(),
            )),
            Self::Postgres(db) => db.allow_attempt(bucket, client, max, window_ms, now_ms),
        }
    }

    /// Spends a valid code on a new device; `None` if the code is unknown, used or expired.
    pub fn enroll(
        &mut self,
        code_hash: &str,
        device_name: &str,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<Option<Enrollment>, HubError> {
        self.enroll_from(code_hash, device_name, token_hash, now_ms, None)
    }

    /// Judges and stores each op unless already held, in one short transaction: a refused op
    /// is answered with its reason without holding back the ops after it.
    pub fn push(
        &mut self,
        author: &UserRow,
        from_device: Option<DeviceId>,
        ops: &[Op],
        now_ms: i64,
    ) -> Result<Vec<OpResult>, HubError> {
        self.push_as(author, from_device, ops, now_ms, false, 0)
    }

    /// Notes that an answer to `request` was written, with its audit entry (the request and its
    /// cases, never what the answer holds).
    pub fn sar_exported(&mut self, request: &SarRequest, by: AskedBy, now_ms: i64) -> Result<(), HubError> {
        self.sar_step(request, SarStep::Export, by, now_ms)
    }

    /// Extends `request` by two months (a complex request), from its received date.
    pub fn extend_sar(
        &mut self,
        request: &SarRequest,
        by: AskedBy,
        now_ms: i64,
    ) -> Result<SarRequest, HubError> {
        let due = crate::sar::due_on(request.received_on, true);
        self.sar_step(request, SarStep::Extend(due), by, now_ms)?;
        self.sar_request(&request.id.to_string())
    }

    /// Closes `request`: answered (or withdrawn); it leaves `sar list`.
    pub fn close_sar(&mut self, request: &SarRequest, by: AskedBy, now_ms: i64) -> Result<(), HubError> {
        self.sar_step(request, SarStep::Close, by, now_ms)
    }

    /// One step of an open request and its audit entry, in one transaction.
    fn sar_step(
        &mut self,
        request: &SarRequest,
        step: SarStep,
        by: AskedBy,
        now_ms: i64,
    ) -> Result<(), HubError> {
        match self {
            Self::Sqlite(db) => db.sar_step(request, step, by, now_ms),
            Self::Postgres(db) => db.sar_step(request, step, by, now_ms),
        }
    }

    /// Seals every value again under `new` (PostgreSQL; a data dir's file is re-encrypted by
    /// [`Sqlite::rotate_key`] instead, its new key taking the place of `hub.key`).
    pub fn rotate_key(&mut self, new: HubKey, now_ms: i64) -> Result<Rotation, HubError> {
        match self {
            Self::Postgres(db) => db.rotate_key(new, now_ms),
            Self::Sqlite(_) => Err(HubError::KeyRotation(
                "on a data dir the key is rotated in place (Sqlite::rotate_key), not sealed again".to_owned(),
            )),
        }
    }

    /// The embedded backend, for what only it does (a backup of its file).
    pub fn sqlite(&self) -> Result<&Sqlite, HubError> {
        match self {
            Self::Sqlite(db) => Ok(db),
            Self::Postgres(_) => Err(HubError::NotOnPostgres("this command")),
        }
    }

    delegate! { both;
        /// The device whose token hashes to `token_hash`, and whether noting that it was seen
        /// at `now_ms` is due.
        fn device_by_token(&self, token_hash: &str, now_ms: i64) -> Result<Option<FoundDevice>, HubError>;
        /// Notes that `device` was seen at `now_ms`, unless that was noted less than a minute ago.
        fn touch_device(&self, device: DeviceId, now_ms: i64) -> Result<(), HubError>;
        /// The database answers and its schema is this hub's.
        fn readiness(&self) -> Result<Readiness, HubError>;
        /// How many devices made an authenticated request since `since_ms`.
        fn devices_seen_since(&self, since_ms: i64) -> Result<u64, HubError>;
        /// The user named `name`.
        fn user_by_name(&self, name: &str) -> Result<UserRow, HubError>;
        /// Adds a user; names are unique.
        fn add_user(&mut self, name: &str, role: Role, team: Option<&str>, now_ms: i64) -> Result<UserRow, HubError>;
        /// Every user, by name.
        fn users(&self) -> Result<Vec<UserRow>, HubError>;
        /// Stores an enrollment code (by hash) for `user`, valid until `expires_ms`.
        fn add_code(&mut self, user: UserId, code_hash: &str, now_ms: i64, expires_ms: i64) -> Result<(), HubError>;
        /// [`Storage::enroll`] from the client address `client`, which the audit trail records.
        fn enroll_from(&mut self, code_hash: &str, device_name: &str, token_hash: &str, now_ms: i64, client: Option<&str>) -> Result<Option<Enrollment>, HubError>;
        /// Every case with its assignment and op counts.
        fn cases(&self) -> Result<Vec<CaseSummary>, HubError>;
        /// Reassigns a case (by id or reference) to `lead`, with `co` or none, as the hub's own op.
        fn assign(&mut self, case: &str, lead: &str, co: Option<&str>, now_ms: i64) -> Result<CaseId, HubError>;
        /// Every device, newest first.
        fn devices(&self) -> Result<Vec<DeviceSummary>, HubError>;
        /// Revokes a device; with `wipe`, it is also told to erase its store.
        fn revoke(&mut self, device: &str, wipe: bool, now_ms: i64) -> Result<(), HubError>;
        /// Appends `events` to the audit trail in one transaction of their own.
        fn append_audit(&mut self, events: &[AuditEvent], now_ms: i64) -> Result<(), HubError>;
        /// Records an admin command that changes nothing else the storage knows of (the demo).
        fn record_admin(&mut self, action: crate::audit::AuditAction, extra: serde_json::Value, now_ms: i64) -> Result<(), HubError>;
        /// [`Storage::push`], saying if it is a wiped device's last push and how many ops were unreadable.
        fn push_as(&mut self, author: &UserRow, from_device: Option<DeviceId>, ops: &[Op], now_ms: i64, drain: bool, unreadable: usize) -> Result<Vec<OpResult>, HubError>;
        /// Marks a device revoked with a wipe as drained: true for exactly one push, its last.
        fn begin_drain(&mut self, device: DeviceId, now_ms: i64) -> Result<bool, HubError>;
        /// The ops `viewer` may see after `cursor`, and how their scope changed against `held`.
        fn pull(&mut self, viewer: &Viewer, cursor: u64, held: &[CaseId], limit: u32, own: Option<OwnOps>) -> Result<PullPage, HubError>;
        /// How many ops `viewer` may see after `after`: the total of a progress indicator.
        fn remaining(&mut self, viewer: &Viewer, after: u64) -> Result<u64, HubError>;
        /// One page of the whole history of a case `viewer` may see; `None` if it may not.
        fn history(&mut self, viewer: &Viewer, case_id: CaseId, after: u64, limit: u32) -> Result<Option<HistoryPage>, HubError>;
        /// The purge orders `device` has not confirmed yet, oldest first.
        fn pending_purges(&self, device: DeviceId) -> Result<Vec<PurgeOrder>, HubError>;
        /// The recovery recipient (`age1…`) laptops seal their key to, if one was made.
        fn recovery_recipient(&self) -> Result<Option<String>, HubError>;
        /// Makes `recipient` the recovery recipient for laptops enrolled from now on (audited).
        fn set_recovery_recipient(&mut self, recipient: &str, now_ms: i64) -> Result<(), HubError>;
        /// Records that a laptop's store was opened with the recovery key (reported at its next sync).
        fn record_recovery(&mut self, device: &DeviceRow, recovered_at_ms: i64, now_ms: i64) -> Result<(), HubError>;
        /// Retires `device` with a receipt if the hub holds each of `op_ids` from it.
        fn handover(&mut self, device: &DeviceRow, op_ids: &[OpId], now_ms: i64) -> Result<Handover, HubError>;
        /// The chain's newest entry.
        fn audit_head(&self) -> Result<AuditHead, HubError>;
        /// The entries `query` asks for, oldest first.
        fn audit_entries(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, HubError>;
        /// A case's id from its id or its reference, for `audit show --case`.
        fn case_id_of(&self, given: &str) -> Result<CaseId, HubError>;
        /// Every case's reference by id (erased cases' from their tombstones).
        fn case_references(&self) -> Result<std::collections::HashMap<CaseId, String>, HubError>;
        /// Recomputes the audit chain and names the first entry that does not follow.
        fn verify_audit(&mut self, expected: Option<&str>) -> Result<Verification, HubError>;
    }

    delegate! { sqlite;
        /// Copies the database into `dest`, a new file (mode 0600), at one moment.
        fn snapshot_to(&self, dest: &Path) -> Result<SnapshotInfo, HubError>;
    }

    delegate! { both;
        /// Erases the case `given` if it is due on `today` (or, with `force`, closed at all),
        /// leaving a tombstone and a purge order for every active device. A case under a legal
        /// hold is never erased.
        fn purge_case(&mut self, given: &str, force: bool, today: NaiveDate, now_ms: i64) -> Result<Tombstone, HubError>;
        /// Every erased case with its devices' confirmations, newest first.
        fn tombstones(&self) -> Result<Vec<Tombstone>, HubError>;
        /// Records that `device` erased these cases (or never held them).
        fn confirm_purges(&mut self, device: &DeviceRow, confirmations: &[PurgeConfirmation], now_ms: i64) -> Result<usize, HubError>;
        /// The retention periods now set.
        fn retention_policy(&self) -> Result<Policy, HubError>;
        /// Sets (or removes) the retention period of `outcome` (`None`: every other outcome).
        fn set_retention(&mut self, outcome: Option<&str>, years: Option<u32>, now_ms: i64) -> Result<(), HubError>;
        /// Every legal hold, by reference.
        fn legal_holds(&self) -> Result<Vec<LegalHold>, HubError>;
        /// Puts the case `given` (id or reference) under a legal hold.
        fn hold_case(&mut self, given: &str, reason: &str, now_ms: i64) -> Result<CaseId, HubError>;
        /// Releases the legal hold of the case `given`; its period applies again. Audited.
        fn release_case(&mut self, given: &str, now_ms: i64) -> Result<CaseId, HubError>;
        /// What the policy says today of every case the hub holds, by reference.
        fn retention_of_cases(&mut self, today: NaiveDate) -> Result<Vec<CaseRetention>, HubError>;
        /// Every party op the hub holds, by case: enough to list who is a party where.
        fn party_ops(&self) -> Result<Vec<CaseInput>, HubError>;
        /// Every op of `cases`, by case.
        fn case_ops(&self, cases: &[CaseId]) -> Result<Vec<CaseInput>, HubError>;
        /// The cases the party records `parties` belong to.
        fn cases_of_parties(&self, parties: &[Uuid]) -> Result<Vec<CaseId>, HubError>;
        /// Opens a request for `parties`, received on `received`, due one calendar month later.
        fn open_sar(&mut self, parties: &[Uuid], received: NaiveDate, requester: Option<&str>, by: AskedBy, now_ms: i64) -> Result<SarRequest, HubError>;
        /// Requests, oldest first: the open ones, or all with `all`.
        fn sar_requests(&self, all: bool) -> Result<Vec<SarRequest>, HubError>;
        /// The request `given` ("SAR-3" or "3").
        fn sar_request(&self, given: &str) -> Result<SarRequest, HubError>;
    }
}

/// A user as the hub stores them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    /// The user's id.
    pub id: UserId,
    /// The user's name (unique on the hub).
    pub name: String,
    /// What they may see.
    pub role: Role,
    /// Their team.
    pub team: Option<String>,
}

impl UserRow {
    /// The part of the user that decides their scope.
    pub fn viewer(&self) -> Viewer {
        Viewer {
            id: self.id,
            role: self.role,
            team: self.team.clone(),
        }
    }

    /// The user as the wire shows them.
    pub fn info(&self) -> UserInfo {
        UserInfo {
            id: self.id,
            name: self.name.clone(),
            role: self.role,
            team: self.team.clone(),
        }
    }
}

/// An authenticated device and the user it acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRow {
    /// The device's id.
    pub id: DeviceId,
    /// The device's name.
    pub name: String,
    /// The user it acts for.
    pub user: UserRow,
    /// Revoked by an admin.
    pub revoked: bool,
    /// Revoked with an order to wipe.
    pub wipe: bool,
}

/// The hub's own identity, the author of the ops it writes (references, reassignments).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HubIdentity {
    /// The hub's user id.
    pub user: UserId,
    /// The hub's device id.
    pub device: DeviceId,
}

/// A device found by its token, before anything is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundDevice {
    /// The device and its user.
    pub device: DeviceRow,
    /// Its `last_seen` is more than a minute old: [`Storage::touch_device`] is due.
    pub last_seen_stale: bool,
}

/// Parses an id or enum stored as text.
fn parse<T: FromStr>(text: &str) -> Result<T, HubError> {
    text.parse()
        .map_err(|_| HubError::Database("unexpected stored value".to_owned()))
}

fn user_row(raw: (String, String, String, Option<String>)) -> Result<UserRow, HubError> {
    Ok(UserRow {
        id: parse(&raw.0)?,
        name: raw.1,
        role: parse(&raw.2)?,
        team: raw.3,
    })
}
