//! The commands of the process after the visits: meetings and their readiness, the agreement
//! and its reviews, the court report and the printable documents. Each a call into
//! `casebook-app-core`, listed with the others in `commands.rs`'s `generate_handler!`.

use casebook_app_core::agreement::{AgreementInput, ReviewInput};
use casebook_app_core::documents::{DocumentKind, DocumentPreview, SavedDocument};
use casebook_app_core::feedback::FeedbackInput;
use casebook_app_core::meeting::{MeetingInput, PlanSaved};
use casebook_app_core::{
    AgreementId, AgreementView, AppError, CaseId, CourtReportData, FeedbackId, FeedbackView, MeetingId,
    MeetingView, PartyId, PlanSection,
};

use crate::commands::{Shared, blocking};

#[tauri::command]
pub(crate) async fn meetings(app: Shared<'_>, case_id: CaseId) -> Result<Vec<MeetingView>, AppError> {
    blocking(&app, move |a| a.meetings(case_id)).await
}

#[tauri::command]
pub(crate) async fn meeting(app: Shared<'_>, meeting_id: MeetingId) -> Result<MeetingView, AppError> {
    blocking(&app, move |a| a.meeting(meeting_id)).await
}

#[tauri::command]
pub(crate) async fn plan_meeting(
    app: Shared<'_>,
    case_id: CaseId,
    input: MeetingInput,
) -> Result<MeetingId, AppError> {
    blocking(&app, move |a| a.plan_meeting(case_id, input)).await
}

#[tauri::command]
pub(crate) async fn edit_meeting(
    app: Shared<'_>,
    meeting_id: MeetingId,
    input: MeetingInput,
) -> Result<bool, AppError> {
    blocking(&app, move |a| a.edit_meeting(meeting_id, input)).await
}

#[tauri::command]
pub(crate) async fn save_meeting_plan(
    app: Shared<'_>,
    meeting_id: MeetingId,
    section: PlanSection,
    text: String,
) -> Result<PlanSaved, AppError> {
    blocking(&app, move |a| a.save_meeting_plan(meeting_id, section, text)).await
}

#[tauri::command]
pub(crate) async fn confirm_meeting_item(
    app: Shared<'_>,
    meeting_id: MeetingId,
    item: String,
) -> Result<MeetingView, AppError> {
    blocking(&app, move |a| a.confirm_meeting_item(meeting_id, item)).await
}

#[tauri::command]
pub(crate) async fn record_meeting_held(
    app: Shared<'_>,
    meeting_id: MeetingId,
    attended: Vec<PartyId>,
) -> Result<(), AppError> {
    blocking(&app, move |a| a.record_meeting_held(meeting_id, attended)).await
}

#[tauri::command]
pub(crate) async fn override_meeting(
    app: Shared<'_>,
    meeting_id: MeetingId,
    reason: String,
) -> Result<(), AppError> {
    blocking(&app, move |a| a.override_meeting(meeting_id, reason)).await
}

#[tauri::command]
pub(crate) async fn call_off_meeting(
    app: Shared<'_>,
    meeting_id: MeetingId,
    why: String,
) -> Result<(), AppError> {
    blocking(&app, move |a| a.call_off_meeting(meeting_id, why)).await
}

#[tauri::command]
pub(crate) async fn agreements(app: Shared<'_>, case_id: CaseId) -> Result<Vec<AgreementView>, AppError> {
    blocking(&app, move |a| a.agreements(case_id)).await
}

#[tauri::command]
pub(crate) async fn record_agreement(
    app: Shared<'_>,
    case_id: CaseId,
    input: AgreementInput,
) -> Result<AgreementId, AppError> {
    blocking(&app, move |a| a.record_agreement(case_id, input)).await
}

#[tauri::command]
pub(crate) async fn review_agreement(
    app: Shared<'_>,
    agreement_id: AgreementId,
    input: ReviewInput,
) -> Result<(), AppError> {
    blocking(&app, move |a| a.review_agreement(agreement_id, input)).await
}

#[tauri::command]
pub(crate) async fn court_report(
    app: Shared<'_>,
    case_id: CaseId,
) -> Result<Option<CourtReportData>, AppError> {
    blocking(&app, move |a| a.court_report(case_id)).await
}

#[tauri::command]
pub(crate) async fn write_court_report(
    app: Shared<'_>,
    case_id: CaseId,
    what_took_place: String,
) -> Result<(), AppError> {
    blocking(&app, move |a| a.write_court_report(case_id, what_took_place)).await
}

#[tauri::command]
pub(crate) async fn submit_court_report(app: Shared<'_>, case_id: CaseId) -> Result<(), AppError> {
    blocking(&app, move |a| a.submit_court_report(case_id)).await
}

#[tauri::command]
pub(crate) async fn document_preview(
    app: Shared<'_>,
    case_id: CaseId,
    kind: DocumentKind,
) -> Result<DocumentPreview, AppError> {
    blocking(&app, move |a| a.document_preview(case_id, kind)).await
}

#[tauri::command]
pub(crate) async fn save_document(
    app: Shared<'_>,
    case_id: CaseId,
    kind: DocumentKind,
    path: String,
) -> Result<SavedDocument, AppError> {
    blocking(&app, move |a| a.save_document(case_id, kind, path)).await
}

#[tauri::command]
pub(crate) async fn feedback(app: Shared<'_>, case_id: CaseId) -> Result<Vec<FeedbackView>, AppError> {
    blocking(&app, move |a| a.feedback(case_id)).await
}

#[tauri::command]
pub(crate) async fn record_feedback(
    app: Shared<'_>,
    case_id: CaseId,
    input: FeedbackInput,
) -> Result<FeedbackId, AppError> {
    blocking(&app, move |a| a.record_feedback(case_id, input)).await
}
