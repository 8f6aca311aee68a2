//! The commands of a laptop's accountability: a forgotten passphrase reset with a recovery
//! code or the organisation's key, making that code, and handing the laptop in. Each a call
//! into `casebook-app-core`, listed with the others in `commands.rs`'s `generate_handler!`.

use casebook_app_core::AppError;
use casebook_app_core::dto::AppState;
use casebook_app_core::handover::{HandIn, HandoverReceipt};
use casebook_app_core::recovery::{NewRecoveryCode, RecoveryWay};

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
