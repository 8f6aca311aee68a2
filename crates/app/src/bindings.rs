//! Generates `ui/src/lib/bindings.ts`, the TypeScript types of everything that crosses to the
//! ui, and fails when the committed file is stale. `UPDATE_BINDINGS=1` rewrites it.

use std::collections::BTreeSet;
use std::path::PathBuf;

use casebook_domain as d;
use casebook_store::model as m;
use ts_rs::{Config, TS};

use crate::dto;

/// One exported type: its declaration and the names it refers to.
struct Decl {
    name: String,
    text: String,
    uses: Vec<String>,
}

fn decl<T: TS + 'static + ?Sized>(cfg: &Config) -> Decl {
    Decl {
        name: T::name(cfg),
        text: T::decl(cfg),
        uses: T::dependencies(cfg).into_iter().map(|d| d.ts_name).collect(),
    }
}

macro_rules! decls {
    ($cfg:expr; $($t:ty),+ $(,)?) => { vec![$(decl::<$t>($cfg)),+] };
}

/// The labels of every closed set, so the ui shows the same words as the command line.
fn labels() -> String {
    let mut out = String::from(
        "/** People's words for the stored names of every closed set (from the Rust domain). */\nexport const LABELS = {\n",
    );
    macro_rules! set {
        ($($t:ty),+) => {$({
            let name = stringify!($t).rsplit("::").next().unwrap_or_default().trim();
            out.push_str(&format!("  {name}: {{\n"));
            for v in <$t>::ALL {
                out.push_str(&format!("    {:?}: {:?},\n", v.as_str(), v.label()));
            }
            out.push_str("  },\n");
        })+};
    }
    set!(
        d::CaseKind,
        d::JusticeStage,
        d::PreSentenceKind,
        d::CaseStatus,
        d::ReferralSource,
        d::PartyRole,
        d::ConsentScope,
        d::ConsentDecision,
        d::ConsentMethod,
        d::ContactKind,
        d::ContactState,
        d::DeadlineKind,
        d::risk::RiskLevel,
        d::risk::RiskFactor,
        d::risk::SignOffDecision,
        d::meeting::MeetingKind,
        d::meeting::PlanSection,
        d::meeting::CheckItem,
        d::agreement::ActionStatus,
        d::feedback::Satisfaction
    );
    out.push_str("} as const;\n");
    out
}

fn generate() -> String {
    let cfg = Config::new().with_large_int("number");
    let cfg = &cfg;
    let all: Vec<Decl> = decls![cfg;
        dto::AppPhase, d::Role, dto::AppState, crate::locale::DateFormat, crate::locale::DateStyle, crate::dashboard::FiguresExport, crate::dashboard::FiguresFormat, crate::dashboard::SavedFigures, dto::Abilities, dto::ReferralEdit, dto::StatusMove, m::PartyEdit, dto::Strength, dto::CaseloadQuery, dto::CaseloadPage, m::NewCase,
        m::NewParty, dto::NewConsentInput, dto::NewVisitInput, dto::DraftSaved, dto::KeepChoice,
        dto::SyncState, dto::SyncView, dto::Received, crate::ErrorCode, crate::AppError,
        m::CaseSummary, m::CreatedCase, m::CaseRecord, m::ConsentNow, m::PartyView, m::ContactView,
        m::ConsentView, m::StatusView, m::SupervisionNoteView, m::TimelineEntry, m::CaseDetail,
        casebook_store::ConflictView, crate::problems::SyncProblems, crate::problems::RefusedChange,
        crate::problems::SetAsideChange, dto::RiskInput, casebook_store::risk::RiskAssessment,
        casebook_store::risk::SignOff, casebook_store::signoffs::WaitingSignOff, casebook_store::signoffs::Awaiting, casebook_store::dashboard::Dashboard, casebook_store::dashboard::Bar, casebook_store::dashboard::FirstContact, d::risk::RiskLevel, d::risk::RiskFactor, d::risk::SignOffDecision,
        d::risk::FactorAssessment, d::risk::RiskState, d::risk::NotCurrent, d::RiskAssessmentId,
        d::CaseId, d::PartyId, d::ContactId, d::ConsentId, d::StatusChangeId, d::UserId, d::SupervisionNoteId,
        d::CaseKind, d::JusticeStage, d::PreSentenceKind, d::CaseStatus, d::ReferralSource, d::PartyRole, d::ConsentScope,
        d::ConsentDecision, d::ConsentMethod, d::ContactKind, d::ContactState, d::Deadline, d::DeadlineKind,
        d::case::Transition,
        crate::meeting::MeetingInput, crate::meeting::PlanSaved, casebook_store::meeting::MeetingView,
        casebook_store::meeting::Attendee, d::meeting::Readiness, d::meeting::Missing, d::meeting::MeetingKind,
        d::meeting::PlanSection, d::meeting::CheckItem, d::MeetingId, d::AgreementId, d::CourtReportId,
        crate::agreement::ActionInput, crate::agreement::AgreementInput, crate::agreement::ReviewInput,
        casebook_store::report::AgreementView, casebook_store::report::CourtReportData,
        casebook_store::report::PartyWords, d::agreement::Action, d::agreement::ActionStatus,
        crate::documents::DocumentKind, crate::documents::DocumentPreview, crate::documents::PreviewField,
        crate::documents::PreviewSection, crate::documents::SavedDocument,
        crate::recovery::RecoveryWay, crate::recovery::NewRecoveryCode, crate::handover::HandIn,
        crate::handover::HandoverReceipt,
        crate::sar::SarPartyView, crate::sar::SarRequestView, crate::sar::SarOpenInput,
        crate::sar::SarSaveInput, crate::sar::SavedSar,
        crate::feedback::FeedbackInput, casebook_store::feedback::FeedbackView, d::FeedbackId,
        d::feedback::Satisfaction,
    ];
    let declared: BTreeSet<&str> = all.iter().map(|d| d.name.as_str()).collect();
    let missing: BTreeSet<&str> = all
        .iter()
        .flat_map(|d| d.uses.iter().map(String::as_str))
        .filter(|u| !declared.contains(u))
        .collect();
    assert!(missing.is_empty(), "add these types to bindings.rs: {missing:?}");

    let mut out = String::from(
        "// Generated from the Rust types by `cargo test -p casebook-app-core bindings`.\n\
         // Do not edit: change the Rust type, then run it with UPDATE_BINDINGS=1.\n\n",
    );
    let mut sorted: Vec<&Decl> = all.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    for d in sorted {
        out.push_str("export ");
        out.push_str(d.text.trim());
        out.push_str("\n\n");
    }
    out.push_str(&labels());
    out
}

#[test]
fn bindings_are_current() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/lib/bindings.ts");
    let fresh = generate();
    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        std::fs::write(&path, &fresh).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "{} is stale: run `UPDATE_BINDINGS=1 cargo test -p casebook-app-core bindings` and commit it",
        path.display()
    );
}
