//! Casebook's sync wire format: the JSON bodies the client and the hub exchange, and the
//! protocol version both sides check on every request.
//!
//! Only serde types live here, so the client and the hub cannot drift apart. Field names and
//! enum tags are frozen once released: add optional fields, never rename.
#![forbid(unsafe_code)]

pub mod error;
pub mod messages;
pub mod purge;
pub mod sar;
pub mod version;

pub use error::{ErrorBody, ErrorCode};
pub use messages::{
    DEFAULT_PAGE_LIMIT, EnrollRequest, EnrollResponse, HandoverReceipt, HandoverRequest, HandoverResponse,
    HistoryQuery, HistoryResponse, MAX_PAGE_LIMIT, MAX_PUSH_OPS, OpOutcome, OpResult, Person, PullRequest,
    PullResponse, PulledOp, PushRequest, PushResponse, RecoveredRequest, RecoveredResponse, Role,
    StatusResponse, UnknownRole, UserInfo, handover_digest, page_limit,
};
pub use purge::{PurgeConfirmation, PurgeOrder, PurgedRequest, PurgedResponse};
pub use sar::{
    SarExportResponse, SarFindQuery, SarListResponse, SarOpenRequest, SarPartiesResponse, SarParty,
    SarRequestInfo,
};
pub use version::{
    MAX_PROTOCOL_VERSION, MIN_PROTOCOL_VERSION, PROTOCOL_HEADER, PROTOCOL_VERSION, VersionCheck,
    check_version,
};
