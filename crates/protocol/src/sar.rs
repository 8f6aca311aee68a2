//! Subject access requests answered from a coordinator's app: find the person's party records,
//! open a request, list the register, fetch the answer (`sar.json` and `sar.pdf`), close it.
//! The same steps as `casebook-hub sar` on the hub's command line, and the same answer bytes.

use casebook_domain::CaseId;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// `GET /v1/sar/parties?name=`: part of a name, any letter case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SarFindQuery {
    /// Part of the name (1 to 200 characters; letter case and extra spaces do not matter).
    pub name: String,
}

/// A party record that may be the person asking: one per case they take part in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SarParty {
    /// The party record's id: what a request is opened for.
    #[schema(value_type = String)]
    pub party_id: Uuid,
    /// The case it belongs to.
    #[schema(value_type = String)]
    pub case_id: CaseId,
    /// The case's reference.
    pub reference: String,
    /// The name as recorded.
    pub name: String,
    /// Their role in that case (`victim`, `harmer`, ...).
    pub role: String,
    /// Their phone number, if recorded: it tells two people of one name apart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Recorded as under 18.
    pub minor: bool,
}

/// The party records whose name contains what was asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SarPartiesResponse {
    /// In case order.
    pub parties: Vec<SarParty>,
    /// The hub's clock, in ms since the Unix epoch.
    pub hub_time_ms: u64,
}

/// `POST /v1/sar`: open a request for these party records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SarOpenRequest {
    /// The party records that are the person (1 to 100).
    #[schema(value_type = Vec<String>)]
    pub parties: Vec<Uuid>,
    /// The day the request was received (not after today): the month runs from it.
    #[schema(value_type = String, format = Date)]
    pub received_on: NaiveDate,
    /// Who asked (the person, or who acts for them), for the register only (at most 200
    /// characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requester: Option<String>,
}

/// A subject access request as the register holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SarRequestInfo {
    /// How people name it: "SAR-3".
    pub reference: String,
    /// The party records that are the person asking.
    #[schema(value_type = Vec<String>)]
    pub parties: Vec<Uuid>,
    /// The cases those records belong to.
    #[schema(value_type = Vec<String>)]
    pub cases: Vec<CaseId>,
    /// When it was received.
    #[schema(value_type = String, format = Date)]
    pub received_on: NaiveDate,
    /// When the answer is due: one calendar month later, three when extended.
    #[schema(value_type = String, format = Date)]
    pub due_on: NaiveDate,
    /// Days from today (the hub's) until it is due: 0 on the day, negative once overdue.
    pub days_left: i64,
    /// Extended by two months (a complex request).
    pub extended: bool,
    /// Who asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requester: Option<String>,
    /// When it was opened, ms since the Unix epoch.
    pub opened_at_ms: i64,
    /// When an answer was last written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exported_at_ms: Option<i64>,
    /// When it was closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at_ms: Option<i64>,
}

/// `GET /v1/sar`: the open requests, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SarListResponse {
    /// Each open request with its deadline.
    pub requests: Vec<SarRequestInfo>,
    /// The hub's clock, in ms since the Unix epoch.
    pub hub_time_ms: u64,
}

/// `GET /v1/sar/{reference}/export`: the answer, byte for byte what `casebook-hub sar export`
/// writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SarExportResponse {
    /// The request, with when this answer was written.
    pub request: SarRequestInfo,
    /// The text of `sar.json`.
    pub json: String,
    /// The bytes of `sar.pdf`, base64 (standard alphabet, padded).
    pub pdf_base64: String,
    /// The hub's clock, in ms since the Unix epoch.
    pub hub_time_ms: u64,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn sar_messages_keep_their_field_names() {
        let party = Uuid::nil();
        let open = SarOpenRequest {
            parties: vec![party],
            received_on: NaiveDate::from_ymd_opt(2026, 11, 27).expect("a date"),
            requester: None,
        };
        assert_eq!(
            serde_json::to_value(&open).expect("json"),
            json!({"parties": [party.to_string()], "received_on": "2026-11-27"})
        );
    }
}
