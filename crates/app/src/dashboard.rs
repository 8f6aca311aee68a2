//! The supervisor's dashboard in the app: the store's figures of the cases held here
//! (`Store::dashboard`), each with the cases behind it, which the caseload then lists
//! (`CaseloadQuery::ids`); and the quarterly figures for commissioners saved as a file, the
//! same CSV or JSON that `casebook figures` prints.

use std::path::PathBuf;

use casebook_domain::figures::Period;
use casebook_store::dashboard::Dashboard;
use casebook_store::figures::FiguresError;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::app::App;
use crate::documents::write_new;
use crate::error::{AppError, ErrorCode};

/// Which file the figures are saved as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum FiguresFormat {
    /// One figure (or one category of it) a line: what a spreadsheet opens.
    Csv,
    /// The figures as `casebook figures --json` prints them.
    Json,
}

/// The figures of a period, to be saved as a new file.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
pub struct FiguresExport {
    /// The first day counted.
    pub from: Option<NaiveDate>,
    /// The last day counted.
    pub to: Option<NaiveDate>,
    /// CSV or JSON.
    pub format: FiguresFormat,
    /// The whole path of a file that does not exist yet.
    pub path: String,
}

/// Figures written to disk.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
pub struct SavedFigures {
    /// Where.
    pub path: String,
    /// How many lines of figures (CSV) or figures (JSON) it holds.
    pub rows: u32,
}

impl App {
    /// The dashboard of the cases on this laptop today: a supervisor's team, a coordinator's
    /// whole service (a facilitator's own cases, though the window offers it only to those who
    /// oversee others' work), or one team's alone (`team`, chosen by a coordinator).
    pub fn dashboard(&self, team: Option<String>) -> Result<Dashboard, AppError> {
        self.with_store(|store| Ok(store.dashboard(team.as_deref())?))
    }

    /// Counts the figures of a period (every case held here) and writes them to a new file.
    pub fn save_figures(&self, input: FiguresExport) -> Result<SavedFigures, AppError> {
        let from = input
            .from
            .ok_or_else(|| AppError::in_field("from", "Enter the first day to count."))?;
        let to = input
            .to
            .ok_or_else(|| AppError::in_field("to", "Enter the last day to count."))?;
        let period = Period::new(from, to).map_err(|e| AppError::in_field("to", e.to_string()))?;
        let path = PathBuf::from(input.path.trim());
        if path.as_os_str().is_empty() {
            return Err(AppError::in_field("path", "Enter where to save the file."));
        }
        let figures = self.with_store(|store| {
            store.figures(period, None).map_err(|e| match e {
                FiguresError::Store(e) => e.into(),
                other => AppError::new(ErrorCode::Rule, other.to_string()),
            })
        })?;
        let rows = u32::try_from(figures.rows().len()).unwrap_or(u32::MAX);
        let bytes = match input.format {
            FiguresFormat::Csv => figures.to_csv().into_bytes(),
            FiguresFormat::Json => serde_json::to_vec_pretty(&figures)
                .map_err(|e| AppError::new(ErrorCode::Internal, e.to_string()))?,
        };
        write_new(&path, &bytes)?;
        tracing::info!(rows, "figures saved");
        Ok(SavedFigures {
            path: path.display().to_string(),
            rows,
        })
    }
}
