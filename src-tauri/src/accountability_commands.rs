//! The commands of accountability: a forgotten passphrase reset with a recovery code or the
//! organisation's key, making that code, handing the laptop in, and a coordinator answering a
//! subject access request through the hub. Each a call into `casebook-app-core`, listed with
//! the others in `commands.rs`'s `generate_handler!`.

use casebook_app_core::AppError;
use casebook_app_core::dto::AppState;
use casebook_app_core::handover::{HandIn, HandoverReceipt};
use casebook_app_core::recovery::{NewRecoveryCode, RecoveryWay};
use casebook_app_core::sar::{SarOpenInput, SarPartyView, SarRequestView, SarSaveInput, SavedSar};

use crate::commands::{Shared, blocking};

#[tauri::command]
pub(crate) async fn recovery_way(app: Shared<'_>) -> Result<RecoveryWay, AppError> {
    blocking(&app, |a| a.recovery_way()).await
}

#[tauri::command]
pub(crate) async fn recover(
    app: Shared<'_>,
    secret: String,
    passphrase: String,
    confirm: String,
) -> Result<AppState, AppError> {
    blocking(&app, move |a| a.recover(secret, passphrase, confirm)).await
}

#[tauri::command]
pub(crate) async fn new_recovery_code(
    app: Shared<'_>,
    passphrase: String,
) -> Result<NewRecoveryCode, AppError> {
    blocking(&app, move |a| a.new_recovery_code(passphrase)).await
}

#[tauri::command]
pub(crate) async fn hand_in(app: Shared<'_>, passphrase: String) -> Result<HandIn, AppError> {
    app.hand_in(passphrase).await
}

#[tauri::command]
pub(crate) async fn handover_receipt(app: Shared<'_>) -> Result<Option<HandoverReceipt>, AppError> {
    Ok(app.handover_receipt())
}

#[tauri::command]
pub(crate) async fn sar_find(app: Shared<'_>, name: String) -> Result<Vec<SarPartyView>, AppError> {
    app.sar_find(name).await
}

#[tauri::command]
pub(crate) async fn sar_open(app: Shared<'_>, input: SarOpenInput) -> Result<SarRequestView, AppError> {
    app.sar_open(input).await
}

#[tauri::command]
pub(crate) async fn sar_requests(app: Shared<'_>) -> Result<Vec<SarRequestView>, AppError> {
    app.sar_requests().await
}

#[tauri::command]
pub(crate) async fn sar_save(app: Shared<'_>, input: SarSaveInput) -> Result<SavedSar, AppError> {
    app.sar_save(input).await
}

#[tauri::command]
pub(crate) async fn sar_close(app: Shared<'_>, reference: String) -> Result<SarRequestView, AppError> {
    app.sar_close(reference).await
}
