//! One command per use case, each a call into `casebook-app-core`. Store work runs on the
//! blocking pool: unlocking alone takes most of a second of scrypt.

use std::sync::Arc;

use casebook_app_core::ConflictView;
use casebook_app_core::dashboard::{FiguresExport, SavedFigures};
use casebook_app_core::dto::{
    AppState, CaseloadPage, CaseloadQuery, DraftSaved, KeepChoice, NewConsentInput, NewVisitInput,
    ReferralEdit, RiskInput, StatusMove, Strength, SyncView,
};
use casebook_app_core::locale::DateStyle;
use casebook_app_core::model::{CaseDetail, CreatedCase, NewCase, NewParty, PartyEdit};
use casebook_app_core::problems::SyncProblems;
use casebook_app_core::{
    App, AppError, CaseId, CaseStatus, ConsentId, ContactId, Dashboard, ErrorCode, PartyId, RiskAssessment,
    RiskAssessmentId, SignOffDecision, Transition, WaitingSignOff,
};
use tauri::State;

// The commands after the visits, and those of a laptop's accountability (recovery, handover),
// live in their own files; their names are listed below.
use crate::accountability_commands::*;
use crate::after_commands::*;

pub(crate) type Shared<'a> = State<'a, Arc<App>>;

/// Runs `f` off the async workers, so a slow disk or scrypt never stalls other commands.
pub(crate) async fn blocking<T: Send + 'static>(
    app: &Arc<App>,
    f: impl FnOnce(&App) -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    let app = Arc::clone(app);
    tauri::async_runtime::spawn_blocking(move || f(&app))
        .await
        .map_err(|e| {
            AppError::new(
                ErrorCode::Internal,
                format!("The action stopped unexpectedly: {e}"),
            )
        })?
}

#[tauri::command]
async fn app_state(app: Shared<'_>) -> Result<AppState, AppError> {
    Ok(app.state())
}

#[tauri::command]
async fn passphrase_strength(passphrase: String) -> Result<Strength, AppError> {
    Ok(casebook_app_core::strength::estimate(&passphrase))
}

#[tauri::command]
async fn create_store(app: Shared<'_>, passphrase: String, confirm: String) -> Result<AppState, AppError> {
    blocking(&app, move |a| a.create_store(passphrase, confirm)).await
}

#[tauri::command]
async fn join_hub(
    app: Shared<'_>,
    hub_url: String,
    code: String,
    passphrase: String,
    confirm: String,
) -> Result<AppState, AppError> {
    app.join_hub(hub_url, code, passphrase, confirm).await
}

#[tauri::command]
async fn unlock(app: Shared<'_>, passphrase: String) -> Result<AppState, AppError> {
    blocking(&app, move |a| a.unlock(passphrase)).await
}

#[tauri::command]
async fn lock(app: Shared<'_>) -> Result<AppState, AppError> {
    blocking(&app, |a| Ok(a.lock())).await
}

#[tauri::command]
async fn touch(app: Shared<'_>) -> Result<(), AppError> {
    app.touch();
    Ok(())
}

#[tauri::command]
async fn set_auto_lock(app: Shared<'_>, minutes: u32) -> Result<AppState, AppError> {
    blocking(&app, move |a| a.set_auto_lock(minutes)).await
}

#[tauri::command]
async fn set_date_style<R: tauri::Runtime>(
    handle: tauri::AppHandle<R>,
    app: Shared<'_>,
    style: DateStyle,
) -> Result<AppState, AppError> {
    let state = blocking(&app, move |a| a.set_date_style(style)).await?;
    crate::date_fields_in(&handle, state.dates.locale.clone());
    Ok(state)
}

#[tauri::command]
async fn acknowledge_wipe(app: Shared<'_>) -> Result<AppState, AppError> {
    Ok(app.acknowledge_wipe())
}

#[tauri::command]
async fn caseload(app: Shared<'_>, query: CaseloadQuery) -> Result<CaseloadPage, AppError> {
    blocking(&app, move |a| a.caseload(query)).await
}

#[tauri::command]
async fn case_detail(app: Shared<'_>, case_id: CaseId) -> Result<CaseDetail, AppError> {
    blocking(&app, move |a| a.case_detail(case_id)).await
}

#[tauri::command]
async fn create_case(app: Shared<'_>, input: NewCase) -> Result<CreatedCase, AppError> {
    blocking(&app, move |a| a.create_case(input)).await
}

#[tauri::command]
async fn add_party(app: Shared<'_>, case_id: CaseId, input: NewParty) -> Result<PartyId, AppError> {
    blocking(&app, move |a| a.add_party(case_id, input)).await
}

#[tauri::command]
async fn edit_referral(app: Shared<'_>, case_id: CaseId, input: ReferralEdit) -> Result<(), AppError> {
    blocking(&app, move |a| a.edit_referral(case_id, input)).await
}

#[tauri::command]
async fn edit_party(app: Shared<'_>, party_id: PartyId, input: PartyEdit) -> Result<(), AppError> {
    blocking(&app, move |a| a.edit_party(party_id, input)).await
}

#[tauri::command]
async fn status_moves(app: Shared<'_>, case_id: CaseId) -> Result<Vec<StatusMove>, AppError> {
    blocking(&app, move |a| a.status_moves(case_id)).await
}

#[tauri::command]
async fn change_status(
    app: Shared<'_>,
    case_id: CaseId,
    to: CaseStatus,
    outcome: Option<String>,
) -> Result<Transition, AppError> {
    blocking(&app, move |a| a.change_status(case_id, to, outcome)).await
}

#[tauri::command]
async fn amend_visit(app: Shared<'_>, case_id: CaseId, contact_id: ContactId) -> Result<ContactId, AppError> {
    blocking(&app, move |a| a.amend_visit(case_id, contact_id)).await
}

#[tauri::command]
async fn record_consent(
    app: Shared<'_>,
    case_id: CaseId,
    input: NewConsentInput,
) -> Result<ConsentId, AppError> {
    blocking(&app, move |a| a.record_consent(case_id, input)).await
}

#[tauri::command]
async fn visit_warnings(
    app: Shared<'_>,
    case_id: CaseId,
    party_ids: Vec<PartyId>,
    initiated_by_party: bool,
) -> Result<Vec<String>, AppError> {
    blocking(&app, move |a| {
        a.visit_warnings(case_id, party_ids, initiated_by_party)
    })
    .await
}

#[tauri::command]
async fn start_visit(app: Shared<'_>, case_id: CaseId, input: NewVisitInput) -> Result<ContactId, AppError> {
    blocking(&app, move |a| a.start_visit(case_id, input)).await
}

#[tauri::command]
async fn save_draft(app: Shared<'_>, contact_id: ContactId, notes: String) -> Result<DraftSaved, AppError> {
    blocking(&app, move |a| a.save_draft(contact_id, notes)).await
}

#[tauri::command]
async fn finalise_visit(app: Shared<'_>, contact_id: ContactId) -> Result<(), AppError> {
    blocking(&app, move |a| a.finalise_visit(contact_id)).await
}

#[tauri::command]
async fn add_supervision_note(app: Shared<'_>, case_id: CaseId, text: String) -> Result<String, AppError> {
    blocking(&app, move |a| a.add_supervision_note(case_id, text)).await
}

#[tauri::command]
async fn risk_assessments(app: Shared<'_>, case_id: CaseId) -> Result<Vec<RiskAssessment>, AppError> {
    blocking(&app, move |a| a.risk_assessments(case_id)).await
}

#[tauri::command]
async fn new_risk_assessment(
    app: Shared<'_>,
    case_id: CaseId,
    input: RiskInput,
) -> Result<RiskAssessmentId, AppError> {
    blocking(&app, move |a| a.new_risk_assessment(case_id, input)).await
}

#[tauri::command]
async fn edit_risk_assessment(
    app: Shared<'_>,
    risk_id: RiskAssessmentId,
    input: RiskInput,
) -> Result<(), AppError> {
    blocking(&app, move |a| a.edit_risk_assessment(risk_id, input)).await
}

#[tauri::command]
async fn submit_risk_assessment(app: Shared<'_>, risk_id: RiskAssessmentId) -> Result<(), AppError> {
    blocking(&app, move |a| a.submit_risk_assessment(risk_id)).await
}

#[tauri::command]
async fn sign_off_risk_assessment(
    app: Shared<'_>,
    risk_id: RiskAssessmentId,
    decision: SignOffDecision,
    note: Option<String>,
) -> Result<(), AppError> {
    blocking(&app, move |a| a.sign_off_risk_assessment(risk_id, decision, note)).await
}

#[tauri::command]
async fn change_of_circumstances(
    app: Shared<'_>,
    risk_id: RiskAssessmentId,
    what: String,
) -> Result<(), AppError> {
    blocking(&app, move |a| a.change_of_circumstances(risk_id, what)).await
}

#[tauri::command]
async fn signoffs(app: Shared<'_>) -> Result<Vec<WaitingSignOff>, AppError> {
    blocking(&app, |a| a.signoffs()).await
}

#[tauri::command]
async fn sign_off_court_report(
    app: Shared<'_>,
    case_id: CaseId,
    decision: SignOffDecision,
    note: Option<String>,
) -> Result<(), AppError> {
    blocking(&app, move |a| a.sign_off_court_report(case_id, decision, note)).await
}

#[tauri::command]
async fn dashboard(app: Shared<'_>, team: Option<String>) -> Result<Dashboard, AppError> {
    blocking(&app, move |a| a.dashboard(team)).await
}

#[tauri::command]
async fn save_figures(app: Shared<'_>, input: FiguresExport) -> Result<SavedFigures, AppError> {
    blocking(&app, move |a| a.save_figures(input)).await
}

#[tauri::command]
async fn sync_status(app: Shared<'_>) -> Result<SyncView, AppError> {
    blocking(&app, |a| a.sync_status()).await
}

#[tauri::command]
async fn sync_now(app: Shared<'_>) -> Result<SyncView, AppError> {
    app.sync_now().await
}

#[tauri::command]
async fn conflicts(app: Shared<'_>) -> Result<Vec<ConflictView>, AppError> {
    blocking(&app, |a| a.conflicts()).await
}

#[tauri::command]
async fn sync_problems(app: Shared<'_>) -> Result<SyncProblems, AppError> {
    blocking(&app, |a| a.sync_problems()).await
}

#[tauri::command]
async fn resolve_conflict(app: Shared<'_>, id: String, keep: KeepChoice) -> Result<(), AppError> {
    blocking(&app, move |a| a.resolve_conflict(id, keep)).await
}

/// The ui's commands. This list is the one source of their names: build.rs reads it to make
/// each command's permission, and `command_list`'s test checks the capability, `ui/src/lib/api.ts`
/// and `ui/src/lib/devMock.ts` against it.
pub fn handler<R: tauri::Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        app_state,
        passphrase_strength,
        create_store,
        join_hub,
        unlock,
        lock,
        touch,
        set_auto_lock,
        set_date_style,
        acknowledge_wipe,
        recovery_way,
        recover,
        new_recovery_code,
        hand_in,
        handover_receipt,
        sar_find,
        sar_open,
        sar_requests,
        sar_save,
        sar_close,
        caseload,
        case_detail,
        create_case,
        add_party,
        edit_referral,
        edit_party,
        status_moves,
        change_status,
        amend_visit,
        record_consent,
        visit_warnings,
        start_visit,
        save_draft,
        finalise_visit,
        add_supervision_note,
        risk_assessments,
        new_risk_assessment,
        edit_risk_assessment,
        submit_risk_assessment,
        sign_off_risk_assessment,
        change_of_circumstances,
        signoffs,
        sign_off_court_report,
        dashboard,
        save_figures,
        sync_status,
        sync_now,
        conflicts,
        resolve_conflict,
        sync_problems,
        meetings,
        meeting,
        plan_meeting,
        edit_meeting,
        save_meeting_plan,
        confirm_meeting_item,
        record_meeting_held,
        override_meeting,
        call_off_meeting,
        agreements,
        record_agreement,
        review_agreement,
        feedback,
        record_feedback,
        court_report,
        write_court_report,
        submit_court_report,
        document_preview,
        save_document,
    ]
}
