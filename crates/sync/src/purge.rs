//! Purge orders from the hub: each case erased there under the retention policy is erased
//! here too, then the hub is told so. Idempotent: an order whose confirmation was lost comes
//! again with the next pull, finds nothing, and is confirmed as "not held".

use std::collections::BTreeSet;

use casebook_domain::CaseId;
use casebook_protocol::PurgeConfirmation;

use crate::access::StoreAccess;
use crate::client::HubClient;
use crate::error::SyncError;
use crate::round::SyncReport;

/// Erases every case in `orders` from the store, then confirms them all to the hub in one
/// request. A case this laptop never held is confirmed too: the hub waits for every device.
pub(crate) async fn carry_out(
    store: &impl StoreAccess,
    client: &HubClient,
    orders: &BTreeSet<CaseId>,
    report: &mut SyncReport,
) -> Result<(), SyncError> {
    if orders.is_empty() {
        return Ok(());
    }
    let mut confirmations = Vec::with_capacity(orders.len());
    for case in orders {
        let held = store.with(|s| s.erase_case(*case))?;
        report.cases_erased += usize::from(held);
        confirmations.push(PurgeConfirmation { case_id: *case, held });
    }
    client.purged(confirmations).await?;
    tracing::info!(
        orders = orders.len(),
        erased = report.cases_erased,
        "purge orders carried out"
    );
    Ok(())
}
