//! The printable documents in the app: the agreement for the parties and the pre-sentence
//! court report, made offline as PDF by `casebook-documents` from one model per document.
//!
//! The window cannot show a PDF (WebKitGTK has no PDF viewer), so the preview is the same
//! model, the one the PDF is made from, laid out as headings, fields and lines for HTML: what
//! the preview says is what the PDF says. Saving writes the PDF straight from memory to the
//! file the person names (never over an existing one), so no unencrypted copy is ever left in
//! a temporary folder.

use std::io::Write;
use std::path::{Path, PathBuf};

use casebook_domain::CaseId;
use casebook_store::report::CourtReportData;
use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::document_model::{Model, model, preview};
use crate::error::{AppError, ErrorCode};

/// Which document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// The restorative agreement, for the parties.
    Agreement,
    /// The report to the court (pre-sentence cases).
    CourtReport,
}

/// A labelled value at the top of a document ("Reference: P-7KQ2MZ").
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
pub struct PreviewField {
    /// The label.
    pub label: String,
    /// The value.
    pub value: String,
}

/// A headed part of a document, one line per paragraph or list item.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
pub struct PreviewSection {
    /// Its heading.
    pub heading: String,
    /// Its lines.
    pub lines: Vec<String>,
}

/// A document as the window shows it before saving: the PDF's own model, as HTML parts.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
pub struct DocumentPreview {
    /// Which document.
    pub kind: DocumentKind,
    /// Its title.
    pub title: String,
    /// The mark on every page of an unapproved court report.
    pub draft_mark: Option<String>,
    /// The fields at the top.
    pub fields: Vec<PreviewField>,
    /// The sections, in order.
    pub sections: Vec<PreviewSection>,
    /// Where saving suggests writing it: the user's Documents folder and a name for it.
    pub suggested_path: String,
}

/// A document written to disk.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
pub struct SavedDocument {
    /// Where.
    pub path: String,
    /// Its size.
    pub bytes: u32,
    /// Whether it is marked as a draft.
    pub draft: bool,
}

/// The user's Documents folder (their home when it has none).
pub(crate) fn documents_folder() -> PathBuf {
    directories::UserDirs::new()
        .and_then(|u| {
            u.document_dir()
                .map(Path::to_path_buf)
                .or_else(|| Some(u.home_dir().join("Documents")))
        })
        .filter(|d| d.is_dir())
        .or_else(|| std::env::var_os("HOME").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("."))
}

fn suggested(reference: &str, kind: DocumentKind) -> String {
    let name = match kind {
        DocumentKind::Agreement => "agreement",
        DocumentKind::CourtReport => "court-report",
    };
    documents_folder()
        .join(format!("{reference}-{name}.pdf"))
        .display()
        .to_string()
}

/// Writes `bytes` to a new file at `path`; a half-written file is removed again.
pub(crate) fn write_new(path: &Path, bytes: &[u8]) -> Result<(), AppError> {
    let refused = |what: String| AppError::in_field("path", what);
    if !path.is_absolute() {
        return Err(refused(
            "Give the whole path of the file, starting with / (for example /home/you/Documents/agreement.pdf).".into(),
        ));
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => refused(format!(
                "{} already exists: choose another name. Nothing was written.",
                path.display()
            )),
            std::io::ErrorKind::NotFound => refused(format!(
                "The folder of {} does not exist. Nothing was written.",
                path.display()
            )),
            _ => refused(format!(
                "Could not create {}: {e}. Nothing was written.",
                path.display()
            )),
        })?;
    if let Err(e) = file.write_all(bytes).and_then(|()| file.sync_all()) {
        drop(file);
        let _ = std::fs::remove_file(path);
        return Err(refused(format!(
            "Could not write {}: {e}. Nothing was kept.",
            path.display()
        )));
    }
    Ok(())
}

impl App {
    /// A document of a case as the window shows it, with where saving it suggests.
    pub fn document_preview(&self, case: CaseId, kind: DocumentKind) -> Result<DocumentPreview, AppError> {
        self.with_store(|store| {
            let m = model(store, case, kind)?;
            let reference = match &m {
                Model::Agreement(a) => a.reference.clone(),
                Model::Court(r) => r.reference.clone(),
            };
            Ok(preview(&m, suggested(&reference, kind)))
        })
    }

    /// Makes the document's PDF and writes it to `path`, a file that must not exist yet.
    pub fn save_document(
        &self,
        case: CaseId,
        kind: DocumentKind,
        path: String,
    ) -> Result<SavedDocument, AppError> {
        let path = PathBuf::from(path.trim());
        if path.as_os_str().is_empty() {
            return Err(AppError::in_field("path", "Enter where to save the file."));
        }
        let (bytes, draft) = self.with_store(|store| {
            let made = match model(store, case, kind)? {
                Model::Agreement(a) => (casebook_documents::agreement(&a), false),
                Model::Court(r) => {
                    let draft = r.approved_by.is_none();
                    (casebook_documents::court_report(&r), draft)
                }
            };
            let bytes = made
                .0
                .map_err(|e| AppError::new(ErrorCode::Internal, format!("The PDF could not be made: {e}")))?;
            Ok((bytes, made.1))
        })?;
        write_new(&path, &bytes)?;
        tracing::info!(bytes = bytes.len(), draft, "document saved");
        Ok(SavedDocument {
            path: path.display().to_string(),
            bytes: u32::try_from(bytes.len()).unwrap_or(u32::MAX),
            draft,
        })
    }

    /// The case's court report as it stands, or `None` when none is written yet (or the
    /// case is not pre-sentence).
    pub fn court_report(&self, case: CaseId) -> Result<Option<CourtReportData>, AppError> {
        self.with_store(|store| match store.court_report(case) {
            Ok(r) => Ok(Some(r)),
            Err(casebook_store::StoreError::NotFound { .. } | casebook_store::StoreError::Rule(_)) => {
                Ok(None)
            }
            Err(e) => Err(e.into()),
        })
    }

    /// Writes (or rewrites) the court report's account of what took place; a rewrite needs a
    /// new submission.
    pub fn write_court_report(&self, case: CaseId, what_took_place: String) -> Result<(), AppError> {
        self.change(
            |a| a.write_court_report,
            |store| {
                store.write(|w| w.write_court_report(case, &what_took_place))?;
                Ok(())
            },
        )
    }

    /// Submits the court report for a supervisor's approval.
    pub fn submit_court_report(&self, case: CaseId) -> Result<(), AppError> {
        self.change(
            |a| a.write_court_report,
            |store| {
                store.write(|w| w.submit_court_report(case))?;
                Ok(())
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_never_written_over_and_a_relative_path_is_refused() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("a.pdf");
        write_new(&path, b"%PDF-1.7").unwrap_or_else(|e| panic!("{e}"));
        let again = write_new(&path, b"other").unwrap_err();
        assert!(again.message.contains("already exists"), "{}", again.message);
        assert_eq!(std::fs::read(&path).unwrap_or_default(), b"%PDF-1.7");
        assert_eq!(
            write_new(Path::new("a.pdf"), b"x").unwrap_err().field.as_deref(),
            Some("path")
        );
    }
}
