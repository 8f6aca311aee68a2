//! Handing a laptop in: push everything, get the hub's receipt for every op written here,
//! check it against the local log, and only then erase the store (key file overwritten first).

use casebook_protocol::handover_digest;
use casebook_store::Store;
use serde::Serialize;

use crate::client::HubClient;
use crate::error::SyncError;
use crate::round::{SyncReport, TIMEOUT, push_all};

/// How a handover ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum HandoverOutcome {
    /// The hub holds every op written here; the store is erased.
    HandedOver {
        /// How many ops the receipt covers.
        ops: u64,
        /// The receipt's digest, as both sides computed it.
        digest: String,
        /// When the hub issued it, ms since the Unix epoch.
        at_ms: u64,
    },
    /// The hub lacks some ops it once took (restored from an older backup): they are queued
    /// again and the store is kept; run the handover again.
    Incomplete {
        /// How many the hub lacks.
        missing: usize,
    },
}

/// Hands this laptop in. With `discard_refused`, ops the hub refused for good do not stop it
/// (they are lost with the store). On anything but [`HandoverOutcome::HandedOver`] the store
/// is kept as it was, apart from the ops queued again.
#[tracing::instrument(skip_all)]
pub async fn handover(mut store: Store, discard_refused: bool) -> Result<HandoverOutcome, SyncError> {
    let link = store.hub_link()?.ok_or(SyncError::NotEnrolled)?;
    let client = HubClient::new(&link.url, Some(link.token.clone()), TIMEOUT)?;
    let mut report = SyncReport::default();
    let wiped = push_all(&std::sync::Mutex::new(&mut store), &client, &mut report).await?;
    if wiped {
        // Told to wipe meanwhile: what it held went to the hub in its last push; `casebook
        // sync` erases it. A handover cannot be certified for a revoked device.
        return Err(SyncError::Revoked);
    }
    let refused = store.rejected_ops()?.len();
    if refused > 0 && !discard_refused {
        return Err(SyncError::RefusedOpsRemain { count: refused });
    }
    let ours = store.held_own_ops()?;
    let answer = client.handover(ours.clone()).await?;
    if !answer.missing.is_empty() {
        let queued = store.requeue(&answer.missing)?;
        tracing::warn!(
            missing = answer.missing.len(),
            queued,
            "the hub lacks ops it once held"
        );
        return Ok(HandoverOutcome::Incomplete {
            missing: answer.missing.len(),
        });
    }
    let receipt = answer.receipt.ok_or_else(|| SyncError::BadReceipt {
        detail: "it sent neither a receipt nor the ops it lacks".to_owned(),
    })?;
    let digest = handover_digest(&ours);
    let count = {
        let mut distinct = ours.clone();
        distinct.sort();
        distinct.dedup();
        u64::try_from(distinct.len()).unwrap_or(u64::MAX)
    };
    if receipt.device_id != link.device_id || receipt.ops != count || receipt.digest != digest {
        return Err(SyncError::BadReceipt {
            detail: format!(
                "it certifies {} ops, this laptop wrote {count}{}",
                receipt.ops,
                if receipt.device_id == link.device_id {
                    ""
                } else {
                    ", for another device"
                }
            ),
        });
    }
    store.wipe()?;
    tracing::info!(ops = count, "handed over; store erased");
    Ok(HandoverOutcome::HandedOver {
        ops: count,
        digest,
        at_ms: receipt.at_ms,
    })
}
