//! The PDFs the app writes, read back with poppler: their text page by page, and the first page
//! rendered beside the screenshots.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::paths::repo_root;

/// The text of a PDF, one entry per page, read back with poppler's `pdftotext -layout`.
pub fn pdf_pages(pdf: &Path) -> Vec<String> {
    let out = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) runs");
    assert!(out.status.success(), "pdftotext {}: {:?}", pdf.display(), out);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    // pdftotext ends every page with a form feed.
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_owned).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// Renders the first page of a PDF to `docs/screenshots/{name}.png` (poppler's `pdftoppm`), so
/// the documents the app writes are seen beside its screens.
pub fn pdf_first_page_png(pdf: &Path, name: &str) -> PathBuf {
    let stem = repo_root().join("docs/screenshots").join(name);
    let out = Command::new("pdftoppm")
        .args(["-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile"])
        .arg(pdf)
        .arg(&stem)
        .output()
        .expect("pdftoppm (poppler-utils) runs");
    assert!(out.status.success(), "pdftoppm {}: {:?}", pdf.display(), out);
    let png = stem.with_extension("png");
    assert!(
        fs::read(&png).unwrap().starts_with(b"\x89PNG"),
        "{} is not a PNG",
        png.display()
    );
    png
}
