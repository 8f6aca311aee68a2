//! Subject access from a coordinator's app: find the person's party records on the hub, open a
//! request, follow the register's deadlines, save the answer (`sar.json` and `sar.pdf`, the
//! bytes `casebook-hub sar export` writes) into a folder the coordinator picks, close it. The
//! hub holds every case and decides who may ask, so each step needs it; no part of an answer
//! touches a temporary folder.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use casebook_protocol::{SarOpenRequest, SarParty, SarRequestInfo};
use casebook_sync::{HubClient, SyncError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::error::{AppError, ErrorCode};

/// How long a step may wait for the hub: an answer covering many cases takes a while to build.
const TIMEOUT: Duration = Duration::from_secs(30);

/// A party record that may be the person asking, as the window lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
pub struct SarPartyView {
    /// The party record's id.
    pub party_id: String,
    /// The reference of its case.
    pub case_reference: String,
    /// The name as recorded.
    pub name: String,
    /// Their role in that case, as stored (`victim`, `harmer`, ...).
    pub role: String,
    /// Their phone number, if recorded: it tells two people of one name apart.
    pub phone: Option<String>,
    /// Recorded as under 18.
    pub minor: bool,
}

/// A request of the register, as the window shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
pub struct SarRequestView {
    /// "SAR-3".
    pub reference: String,
    /// When it was received.
    pub received_on: NaiveDate,
    /// When the answer is due.
    pub due_on: NaiveDate,
    /// Days until then by the hub's calendar: 0 on the day, negative once overdue.
    pub days_left: i64,
    /// Extended to three months (a complex request).
    pub extended: bool,
    /// Who asked.
    pub requester: Option<String>,
    /// How many party records and cases it covers.
    pub parties: u32,
    /// How many cases.
    pub cases: u32,
    /// When an answer was last written (RFC 3339).
    pub answered_at: Option<String>,
    /// Closed: answered or withdrawn.
    pub closed: bool,
}

/// A request to open: the party records that are the person, when it came and from whom.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
pub struct SarOpenInput {
    /// The ids of the party records chosen.
    pub parties: Vec<String>,
    /// The day it was received: the month runs from it.
    pub received_on: Option<NaiveDate>,
    /// Who asked (the person, or who acts for them).
    pub requester: Option<String>,
}

/// Where to save the answer to a request.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
pub struct SarSaveInput {
    /// "SAR-3".
    pub reference: String,
    /// The whole path of a folder: made if it does not exist (its parent must), and holding
    /// no `sar.json` or `sar.pdf` yet.
    pub folder: String,
}

/// An answer saved.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
pub struct SavedSar {
    /// The folder.
    pub folder: String,
    /// `sar.json` in it.
    pub json: String,
    /// `sar.pdf` in it.
    pub pdf: String,
    /// The request, with when the answer was written.
    pub request: SarRequestView,
}

impl App {
    /// The party records on the hub whose name contains `name`, in every case.
    pub async fn sar_find(&self, name: String) -> Result<Vec<SarPartyView>, AppError> {
        let name = name.trim().to_owned();
        if name.is_empty() {
            return Err(AppError::in_field(
                "name",
                "Type the person's name, or part of it.",
            ));
        }
        let found = self.sar_hub()?.sar_find(&name).await.map_err(refused)?;
        Ok(found.into_iter().map(party_view).collect())
    }

    /// Opens a request for the chosen party records; due one calendar month after it came.
    pub async fn sar_open(&self, input: SarOpenInput) -> Result<SarRequestView, AppError> {
        if input.parties.is_empty() {
            return Err(AppError::in_field(
                "parties",
                "Choose the records that are this person.",
            ));
        }
        let parties = input
            .parties
            .iter()
            .map(|p| p.trim().parse())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| AppError::in_field("parties", "Find the person again and choose their records."))?;
        let received_on = input
            .received_on
            .ok_or_else(|| AppError::in_field("received_on", "Enter the day the request was received."))?;
        if received_on > chrono::Local::now().date_naive() {
            return Err(AppError::in_field(
                "received_on",
                "The day received cannot be after today.",
            ));
        }
        let requester = input
            .requester
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty());
        let request = SarOpenRequest {
            parties,
            received_on,
            requester,
        };
        let opened = self.sar_hub()?.sar_open(&request).await.map_err(refused)?;
        tracing::info!(request = %opened.reference, "subject access request opened");
        Ok(request_view(opened))
    }

    /// The open requests, oldest first, with their deadlines.
    pub async fn sar_requests(&self) -> Result<Vec<SarRequestView>, AppError> {
        let list = self.sar_hub()?.sar_list().await.map_err(refused)?;
        Ok(list.into_iter().map(request_view).collect())
    }

    /// Fetches the answer to a request and writes `sar.json` and `sar.pdf` into the folder
    /// chosen (owner-only, never over existing files). Nothing is written unless the hub sent a
    /// whole, readable answer.
    pub async fn sar_save(&self, input: SarSaveInput) -> Result<SavedSar, AppError> {
        let folder = PathBuf::from(input.folder.trim());
        if !folder.is_absolute() {
            return Err(AppError::in_field(
                "folder",
                "Give the whole path of a folder, starting with / (for example /home/you/Documents/SAR-3).",
            ));
        }
        let (json, pdf) = (folder.join("sar.json"), folder.join("sar.pdf"));
        for file in [&json, &pdf] {
            if file.exists() {
                return Err(AppError::in_field(
                    "folder",
                    format!(
                        "{} already exists: choose another folder. Nothing was written.",
                        file.display()
                    ),
                ));
            }
        }
        let answer = self
            .sar_hub()?
            .sar_export(&input.reference)
            .await
            .map_err(refused)?;
        make_private_folder(&folder)?;
        write_private(&json, &answer.json)?;
        if let Err(e) = write_private(&pdf, &answer.pdf) {
            let _ = std::fs::remove_file(&json);
            return Err(e);
        }
        tracing::info!(request = %answer.request.reference, "subject access answer saved");
        Ok(SavedSar {
            folder: folder.display().to_string(),
            json: json.display().to_string(),
            pdf: pdf.display().to_string(),
            request: request_view(answer.request),
        })
    }

    /// Closes a request: answered, or withdrawn.
    pub async fn sar_close(&self, reference: String) -> Result<SarRequestView, AppError> {
        let closed = self.sar_hub()?.sar_close(&reference).await.map_err(refused)?;
        tracing::info!(request = %closed.reference, "subject access request closed");
        Ok(request_view(closed))
    }

    /// The hub this laptop syncs with, as this device.
    fn sar_hub(&self) -> Result<HubClient, AppError> {
        self.touch();
        let link = self.with_store(|store| Ok(store.hub_link()?))?.ok_or_else(|| {
            AppError::new(
                ErrorCode::NotEnrolled,
                "A subject access request is answered from the hub, and this laptop is not connected to one.",
            )
        })?;
        Ok(HubClient::new(&link.url, Some(link.token.clone()), TIMEOUT)?)
    }
}

/// A refusal or failure in the words of someone answering a request.
fn refused(e: SyncError) -> AppError {
    match &e {
        SyncError::Offline { .. } => AppError::new(
            ErrorCode::HubUnreachable,
            format!(
                "A subject access request needs the hub, and it cannot be reached: {} Nothing was opened or \
                 saved; try again when this laptop is online.",
                crate::error::sync_message(&e)
            ),
        ),
        SyncError::NotCoordinator => AppError::new(ErrorCode::HubRefused, e.to_string()),
        _ => e.into(),
    }
}

fn party_view(p: SarParty) -> SarPartyView {
    SarPartyView {
        party_id: p.party_id.to_string(),
        case_reference: p.reference,
        name: p.name,
        role: p.role,
        phone: p.phone,
        minor: p.minor,
    }
}

fn request_view(r: SarRequestInfo) -> SarRequestView {
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    SarRequestView {
        answered_at: r
            .exported_at_ms
            .and_then(chrono::DateTime::from_timestamp_millis)
            .map(|t| t.to_rfc3339()),
        closed: r.closed_at_ms.is_some(),
        reference: r.reference,
        received_on: r.received_on,
        due_on: r.due_on,
        days_left: r.days_left,
        extended: r.extended,
        requester: r.requester,
        parties: count(r.parties.len()),
        cases: count(r.cases.len()),
    }
}

/// Makes `folder` (its parent must exist) readable by its owner only, as the hub's command line
/// does: the answer is one person's special category data.
fn make_private_folder(folder: &Path) -> Result<(), AppError> {
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    match builder.create(folder) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && folder.is_dir() => Ok(()),
        Err(e) => Err(AppError::in_field(
            "folder",
            match e.kind() {
                std::io::ErrorKind::NotFound => format!(
                    "The folder that would hold {} does not exist. Nothing was written.",
                    folder.display()
                ),
                _ => format!(
                    "Could not make the folder {}: {e}. Nothing was written.",
                    folder.display()
                ),
            },
        )),
    }
}

/// Writes `bytes` to a new file at `path`, readable by its owner only; a half-written file is
/// removed again.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), AppError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let failed = |e: std::io::Error| {
        AppError::in_field(
            "folder",
            format!("Could not write {}: {e}. Nothing was kept.", path.display()),
        )
    };
    let mut file = options.open(path).map_err(failed)?;
    if let Err(e) = file.write_all(bytes).and_then(|()| file.sync_all()) {
        drop(file);
        let _ = std::fs::remove_file(path);
        return Err(failed(e));
    }
    Ok(())
}
