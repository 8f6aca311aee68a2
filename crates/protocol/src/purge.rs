//! Purge orders: a case erased on the hub under the retention policy must be erased from every
//! laptop too. Pull answers carry the orders a device has not confirmed; the device erases the
//! cases and confirms with `POST /v1/purged`.

use casebook_domain::CaseId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An order to erase a case from this device: its records, op log rows, search index entries,
/// drafts and unsent changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PurgeOrder {
    /// The case erased on the hub.
    #[schema(value_type = String)]
    pub case_id: CaseId,
    /// When the hub erased it, ms since the Unix epoch.
    pub ordered_at_ms: u64,
}

/// One case a device erased, or never held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PurgeConfirmation {
    /// The case of the order.
    #[schema(value_type = String)]
    pub case_id: CaseId,
    /// Whether the device held anything of it before erasing.
    pub held: bool,
}

/// `POST /v1/purged`: the purge orders this device carried out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PurgedRequest {
    /// One confirmation per order carried out.
    pub purged: Vec<PurgeConfirmation>,
}

/// The hub's answer to a purge confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PurgedResponse {
    /// How many orders this confirmed (orders confirmed before, or never given, are ignored).
    pub confirmed: u64,
    /// The hub's clock, in ms since the Unix epoch.
    pub hub_time_ms: u64,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn purge_messages_keep_their_field_names() {
        let case_id = CaseId::new();
        let order = PurgeOrder {
            case_id,
            ordered_at_ms: 5,
        };
        assert_eq!(
            serde_json::to_value(order).expect("json"),
            json!({"case_id": case_id.to_string(), "ordered_at_ms": 5})
        );
        let request = PurgedRequest {
            purged: vec![PurgeConfirmation { case_id, held: true }],
        };
        assert_eq!(
            serde_json::to_value(&request).expect("json"),
            json!({"purged": [{"case_id": case_id.to_string(), "held": true}]})
        );
    }
}
