//! Subject access requests from a coordinator's app: the hub's `/v1/sar` endpoints as typed
//! calls. The hub decides who may ask (coordinators only: anyone else gets
//! [`SyncError::NotCoordinator`]); an answer whose files cannot be read is a
//! [`SyncError::BadAnswer`], so nothing half-read is ever written to disk.

use base64::Engine;
use casebook_protocol::{
    SarExportResponse, SarListResponse, SarOpenRequest, SarPartiesResponse, SarParty, SarRequestInfo,
};

use crate::client::HubClient;
use crate::error::SyncError;

/// The answer to a request, read and checked: the bytes of `sar.json` and `sar.pdf`.
#[derive(Clone, PartialEq, Eq)]
pub struct SarAnswer {
    /// The request, with when this answer was written.
    pub request: SarRequestInfo,
    /// `sar.json`, byte for byte as the hub's command line writes it.
    pub json: Vec<u8>,
    /// `sar.pdf`.
    pub pdf: Vec<u8>,
}

impl std::fmt::Debug for SarAnswer {
    // The files hold a person's records: never in a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SarAnswer")
            .field("request", &self.request.reference)
            .field("json_bytes", &self.json.len())
            .field("pdf_bytes", &self.pdf.len())
            .finish()
    }
}

impl HubClient {
    /// The party records whose name contains `name`, in every case.
    pub async fn sar_find(&self, name: &str) -> Result<Vec<SarParty>, SyncError> {
        let mut url = reqwest::Url::parse("http://query.invalid/").map_err(|_| SyncError::BadUrl {
            url: self.url().to_owned(),
        })?;
        url.query_pairs_mut().append_pair("name", name);
        let path = format!("/v1/sar/parties?{}", url.query().unwrap_or_default());
        let found: SarPartiesResponse = self.call::<(), _>(reqwest::Method::GET, &path, None).await?;
        Ok(found.parties)
    }

    /// Opens a request for the party records in `request`.
    pub async fn sar_open(&self, request: &SarOpenRequest) -> Result<SarRequestInfo, SyncError> {
        self.call(reqwest::Method::POST, "/v1/sar", Some(request)).await
    }

    /// The open requests, oldest first.
    pub async fn sar_list(&self) -> Result<Vec<SarRequestInfo>, SyncError> {
        let list: SarListResponse = self.call::<(), _>(reqwest::Method::GET, "/v1/sar", None).await?;
        Ok(list.requests)
    }

    /// The answer to `reference` ("SAR-3"), its files checked: JSON that parses and a PDF.
    pub async fn sar_export(&self, reference: &str) -> Result<SarAnswer, SyncError> {
        let path = format!("/v1/sar/{}/export", segment(reference)?);
        let answer: SarExportResponse = self.call::<(), _>(reqwest::Method::GET, &path, None).await?;
        let bad = |detail: &str| SyncError::BadAnswer {
            url: self.url().to_owned(),
            detail: detail.to_owned(),
        };
        if serde_json::from_str::<serde_json::Value>(&answer.json).is_err() {
            return Err(bad("the answer's sar.json is not JSON"));
        }
        let pdf = base64::engine::general_purpose::STANDARD
            .decode(answer.pdf_base64.as_bytes())
            .map_err(|_| bad("the answer's sar.pdf is not base64"))?;
        if !pdf.starts_with(b"%PDF-") {
            return Err(bad("the answer's sar.pdf is not a PDF"));
        }
        Ok(SarAnswer {
            request: answer.request,
            json: answer.json.into_bytes(),
            pdf,
        })
    }

    /// Extends `reference` by two months (a complex request).
    pub async fn sar_extend(&self, reference: &str) -> Result<SarRequestInfo, SyncError> {
        let path = format!("/v1/sar/{}/extend", segment(reference)?);
        self.call::<(), _>(reqwest::Method::POST, &path, None).await
    }

    /// Closes `reference`: answered, or withdrawn.
    pub async fn sar_close(&self, reference: &str) -> Result<SarRequestInfo, SyncError> {
        let path = format!("/v1/sar/{}/close", segment(reference)?);
        self.call::<(), _>(reqwest::Method::POST, &path, None).await
    }
}

/// `reference` as one path segment: a request is named `SAR-3` or `3`, nothing else, so no
/// text can reach another path of the hub.
fn segment(reference: &str) -> Result<&str, SyncError> {
    let reference = reference.trim();
    let readable = !reference.is_empty()
        && reference.len() <= 20
        && reference.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !readable {
        return Err(SyncError::Hub {
            status: 400,
            code: "bad_request".to_owned(),
            message: "that is not a request's reference (such as SAR-3)".to_owned(),
        });
    }
    Ok(reference)
}
