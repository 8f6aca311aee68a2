//! "Safe to hand in": the app's side of `casebook_sync::handover`. Everything is sent, the
//! hub's receipt is checked against this laptop's log, and only then is the store erased; the
//! receipt stays beside the erased store for the screen that follows, as an ordered wipe's
//! marker does, until the person starts again (`acknowledge_wipe`).

use casebook_store::{SecretString, Store};
use casebook_sync::{HandoverOutcome, SyncError};
use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::dto::AppState;
use crate::error::{AppError, ErrorCode};

/// The hub's receipt for a laptop handed in, as the window shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
pub struct HandoverReceipt {
    /// How many changes written on this laptop the hub certifies it holds.
    pub ops: u32,
    /// The digest of their ids, as both the hub and this laptop computed it.
    pub digest: String,
    /// When the hub gave the receipt (RFC 3339).
    pub at: String,
}

/// How "Hand in this laptop" ended when nothing went wrong on the way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum HandIn {
    /// The hub holds everything; the store is erased and the app has no store now.
    HandedOver {
        /// The hub's receipt.
        receipt: HandoverReceipt,
    },
    /// The hub lacked some changes it once took: they are being sent again, nothing erased.
    Incomplete {
        /// How many.
        missing: u32,
    },
}

/// What the marker beside an erased store holds after a handover.
#[derive(Serialize, Deserialize)]
struct Marker {
    handed_over: HandoverReceipt,
}

impl App {
    /// Hands this laptop in: `passphrase` confirms it is meant (and opens the store again if
    /// the hub cannot certify everything). Refused, nothing erased, while the hub has refused
    /// changes from here, cannot be reached or has revoked this laptop.
    pub async fn hand_in(&self, passphrase: String) -> Result<HandIn, AppError> {
        if passphrase.is_empty() {
            return Err(AppError::in_field(
                "passphrase",
                "Type your passphrase to confirm.",
            ));
        }
        let enrolled = self.with_store(|store| Ok(store.hub_link()?.is_some()))?;
        if !enrolled {
            return Err(SyncError::NotEnrolled.into());
        }
        self.touch();
        // No background round may use the store meanwhile, nor write to it: the receipt must
        // cover every change there is.
        let _one_at_a_time = self.round.lock().await;
        let passphrase = SecretString::from(passphrase);
        let own = self.reopen(&passphrase).await.map_err(|e| match e.code {
            ErrorCode::WrongPassphrase => AppError {
                field: Some("passphrase".to_owned()),
                ..e
            },
            _ => e,
        })?;
        let held = self
            .session
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .store
            .take();
        drop(held);
        tracing::info!("handing this laptop in");
        match casebook_sync::handover(own, false).await {
            Ok(HandoverOutcome::HandedOver { ops, digest, at_ms }) => {
                let receipt = HandoverReceipt {
                    ops: u32::try_from(ops).unwrap_or(u32::MAX),
                    digest,
                    at: chrono::DateTime::from_timestamp_millis(i64::try_from(at_ms).unwrap_or(i64::MAX))
                        .unwrap_or_default()
                        .to_rfc3339(),
                };
                let marker = serde_json::to_vec_pretty(&Marker {
                    handed_over: receipt.clone(),
                })
                .unwrap_or_default();
                self.erased(&marker, None);
                Ok(HandIn::HandedOver { receipt })
            }
            Ok(HandoverOutcome::Incomplete { missing }) => {
                self.carry_on(&passphrase).await?;
                Ok(HandIn::Incomplete {
                    missing: u32::try_from(missing).unwrap_or(u32::MAX),
                })
            }
            Err(e) => {
                tracing::warn!(error = %e, "handover refused; nothing erased");
                self.carry_on(&passphrase).await?;
                Err(refused(e))
            }
        }
    }

    /// The receipt of the handover that erased this laptop's store, until the person starts
    /// again; `None` after an ordered wipe or with a store here.
    pub fn handover_receipt(&self) -> Option<HandoverReceipt> {
        let bytes = std::fs::read(self.wiped_marker()).ok()?;
        serde_json::from_slice::<Marker>(&bytes)
            .ok()
            .map(|m| m.handed_over)
    }

    async fn reopen(&self, passphrase: &SecretString) -> Result<Store, AppError> {
        let paths = self.paths().clone();
        let passphrase = passphrase.clone();
        tokio::task::spawn_blocking(move || Store::open(&paths, &passphrase))
            .await
            .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?
            .map_err(AppError::from)
    }

    /// After a handover that erased nothing: the store open again, as it was.
    async fn carry_on(&self, passphrase: &SecretString) -> Result<AppState, AppError> {
        let store = self.reopen(passphrase).await?;
        self.install(store)
    }
}

/// Why nothing was erased, in the words of someone handing a laptop in.
fn refused(e: SyncError) -> AppError {
    let (code, message) = match &e {
        SyncError::RefusedOpsRemain { count } => (
            ErrorCode::HubRefused,
            format!(
                "The hub refused {} written on this laptop, so handing it in now would lose {}. Nothing was \
                 erased. They are listed under “Changes not synced”: ask your supervisor what to do with them.",
                if *count == 1 { "1 change".to_owned() } else { format!("{count} changes") },
                if *count == 1 { "it" } else { "them" },
            ),
        ),
        SyncError::Revoked => (
            ErrorCode::HubRefused,
            "The hub's administrator has revoked this laptop, so the hub cannot give a receipt for it. Nothing was \
             erased. Ask your administrator."
                .to_owned(),
        ),
        _ if e.is_transient() => (
            ErrorCode::HubUnreachable,
            format!(
                "{} Nothing was erased: the laptop can be handed in once the hub answers. Try again later.",
                crate::error::sync_message(&e)
            ),
        ),
        _ => {
            let AppError { code, message, .. } = e.into();
            if message.contains("Nothing was erased") {
                (code, message)
            } else {
                (code, format!("{message} Nothing was erased."))
            }
        }
    };
    AppError::new(code, message)
}
