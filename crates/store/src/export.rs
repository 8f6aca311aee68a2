//! Exports: the cases and their op log as one JSON document, encrypted with age to the
//! passphrase before it is written, so the file is readable with the standard `age` tool.

use std::path::Path;

use age::secrecy::SecretString;
use casebook_domain::CaseId;
use rusqlite::Connection;
use serde::Serialize;
use zeroize::Zeroizing;

use crate::caseload::CaseFilter;
use crate::error::StoreError;
use crate::read;

/// What an export wrote.
#[derive(Debug, Clone, Serialize)]
pub struct ExportSummary {
    /// Cases exported.
    pub cases: usize,
    /// Ops exported.
    pub ops: usize,
    /// Size of the encrypted file.
    pub bytes: usize,
}

#[derive(Serialize)]
struct Document<'a> {
    format: &'static str,
    version: u32,
    exported_at: String,
    schema_version: i64,
    cases: &'a [crate::model::CaseDetail],
    ops: &'a [casebook_domain::Op],
}

pub(crate) fn export(
    conn: &Connection,
    out: &Path,
    case: Option<CaseId>,
    passphrase: &SecretString,
) -> Result<ExportSummary, StoreError> {
    if out.exists() {
        return Err(StoreError::Io {
            action: "write the export to",
            path: out.to_path_buf(),
            source: std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "the file already exists; choose another name",
            ),
        });
    }
    let ids: Vec<CaseId> = match case {
        Some(id) => vec![id],
        None => crate::caseload::list(conn, CaseFilter { include_closed: true }, None)?
            .into_iter()
            .map(|c| c.id)
            .collect(),
    };
    let cases = ids
        .iter()
        .map(|id| read::case_detail(conn, *id))
        .collect::<Result<Vec<_>, _>>()?;
    let ops: Vec<_> = crate::apply::read_ops(conn)?
        .into_iter()
        .filter(|op| ids.contains(&op.case_id))
        .collect();
    let doc = Document {
        format: "casebook-export",
        version: 1,
        exported_at: chrono::Utc::now().to_rfc3339(),
        schema_version: crate::schema::latest_version(),
        cases: &cases,
        ops: &ops,
    };
    let plain =
        Zeroizing::new(serde_json::to_vec_pretty(&doc).map_err(|e| StoreError::Corrupt(e.to_string()))?);
    let sealed = crate::key::encrypt_to_passphrase(&plain, passphrase)?;
    crate::key::write_atomically(out, &sealed)?;
    tracing::info!(cases = cases.len(), ops = ops.len(), "export written");
    Ok(ExportSummary {
        cases: cases.len(),
        ops: ops.len(),
        bytes: sealed.len(),
    })
}
