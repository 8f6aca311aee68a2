//! Casebook's printable documents (the report to the court, the restorative agreement, the
//! preparation brief and the answer to a subject access request) made offline as A4 PDF bytes
//! from plain data. It knows nothing of the store: the caller gathers the data and filters it
//! by consent (and, for a subject access request, redacts it) first.
//!
//! Every document embeds a subset of DejaVu Sans (regular and bold, `fonts/`, licence in
//! `fonts/LICENSE-DejaVu.txt`), so it prints the same everywhere and its text can be copied or
//! extracted (`pdftotext` reads it). Dates are British ("27 Nov 2026"). Text wraps at spaces and
//! flows onto further pages; every page carries a header with the reference and a footer with
//! "Page 1 of 2", and an unapproved court report says [`DRAFT_MARK`] on every page.
//!
//! # Why krilla
//!
//! Candidates checked in the cargo registry on 1 Dec 2026, each built alone from clean with
//! `--profile ci` on this two-core machine (shared with other builds, so timings are rough):
//!
//! | crate | maintained | crates built | clean build |
//! |---|---|---|---|
//! | `krilla` 0.8.2, no default features + `simple-text` | yes (the typst team's PDF layer) | 67 | 203 s wall, 200 s CPU |
//! | `printpdf` 0.12.8, no default features | yes | 102 | 234 s wall, 221 s CPU |
//! | `genpdf` 0.2.0 | no (last release 2021, printpdf 0.3, rusttype 0.8) | 52 | not timed |
//! | `typst` + `typst-pdf` 0.15.1 | yes | 373 | not timed: several times the others |
//!
//! krilla is the lightest maintained choice and does the hard parts properly: shaping
//! (rustybuzz), font subsetting and embedding as CID fonts with a ToUnicode map (so text
//! extracts), and a safe, typed API. It does no paragraph layout, so line and page breaking is
//! the small greedy flow in `layout.rs`, measuring with `skrifa`, which krilla already builds.
//! `typst` would give real typesetting but costs several times the build on two cores;
//! `genpdf` has layout but is unmaintained. In the workspace, `cargo build -p casebook-documents
//! --profile ci` with none of krilla's dependencies built yet took 244 s of CPU (326 s wall while
//! other builds shared the machine); almost all of it is krilla's dependencies, which nothing
//! else in the workspace uses, and later builds reuse them.

#![forbid(unsafe_code)]

mod agreement;
mod court_report;
mod date;
mod error;
mod fonts;
mod layout;
mod model;
mod preparation_brief;
mod render;
mod sar;

pub use agreement::agreement;
pub use court_report::{DRAFT_MARK, court_date, court_report};
pub use date::british_date;
pub use error::DocumentError;
pub use model::{AgreementAction, AgreementDoc, CourtReport, PartyWords, PreparationBrief};
pub use preparation_brief::preparation_brief;
pub use sar::{
    ANOTHER_PARTY, ActionLine, CaseText, ConsentLine, ContactEntry, FeedbackLine, Labelled, MeetingEntry,
    SubjectAccess, SubjectCase, SubjectParty, Withheld, subject_access,
};
