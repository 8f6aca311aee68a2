//! What Casebook's desktop app does, without a window: the session (create, join, unlock,
//! auto-lock), one method per thing a user can do, and the background sync. `src-tauri` only
//! forwards the ui's calls here, so all of it is tested without a window.
#![forbid(unsafe_code)]

pub mod agreement;
mod app;
mod background;
pub mod caseload;
mod casework;
mod conflicts;
pub mod dashboard;
mod document_model;
pub mod documents;
pub mod dto;
mod error;
pub mod feedback;
pub mod handover;
pub mod locale;
mod may;
pub mod meeting;
pub mod problems;
pub mod recovery;
mod risk;
pub mod sar;
mod settings;
mod signoffs;
pub mod strength;
mod visits;

#[cfg(test)]
mod bindings;

pub use app::{App, AppEvent, Emitter};
pub use casebook_domain::CaseStatus;
pub use casebook_domain::agreement::ActionStatus;
pub use casebook_domain::case::Transition;
pub use casebook_domain::meeting::{MeetingKind, PlanSection};
pub use casebook_domain::risk::SignOffDecision;
pub use casebook_domain::{
    AgreementId, CaseId, ConsentId, ContactId, FeedbackId, MeetingId, PartyId, RiskAssessmentId,
};
pub use casebook_store::dashboard::Dashboard;
pub use casebook_store::feedback::FeedbackView;
pub use casebook_store::meeting::MeetingView;
pub use casebook_store::model;
pub use casebook_store::report::{AgreementView, CourtReportData};
pub use casebook_store::risk::RiskAssessment;
pub use casebook_store::signoffs::{Awaiting, WaitingSignOff};
pub use casebook_store::{ConflictView, StorePaths};
pub use error::{AppError, ErrorCode};
pub use settings::{AppOptions, DEFAULT_AUTO_LOCK_MINUTES};
