//! The shapes that cross to the ui, besides the store's own views (which cross as they are).

use casebook_domain::Role;
use casebook_domain::case::Transition;
use casebook_domain::risk::{Factors, RiskLevel};
use casebook_domain::{
    CaseKind, CaseStatus, ConsentDecision, ConsentMethod, ConsentScope, ContactId, ContactKind, JusticeStage,
    PartyId,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Where the app is: which screen the ui shows before anything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum AppPhase {
    /// No store yet: create one or join a hub.
    FirstRun,
    /// A store exists and is locked.
    Locked,
    /// Unlocked.
    Unlocked,
    /// The hub ordered this laptop wiped, and it was.
    Wiped,
}

/// The app's state, sent on every change of phase.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
pub struct AppState {
    /// Which screen comes first.
    pub phase: AppPhase,
    /// Where the store lives.
    pub store_dir: String,
    /// The user's name, once enrolled with a hub.
    pub user_name: Option<String>,
    /// The user's role (a store with no hub is its facilitator's own).
    pub role: Role,
    /// The hub's address, once enrolled.
    pub hub: Option<String>,
    /// Minutes of inactivity before the app locks itself.
    pub auto_lock_minutes: u32,
    /// Why the app is in this phase, when it changed by itself (auto-lock, wipe).
    pub reason: Option<String>,
    /// What this user may do: the ui offers exactly these actions.
    pub may: Abilities,
    /// How the window writes dates and times.
    pub dates: crate::locale::DateFormat,
    /// The user's Documents folder, where saving a file suggests writing it.
    pub documents_dir: String,
}

/// What the user may do, read from the domain's rules (who may write which record,
/// `judgement::may_write`; who sees which case, `scope::in_scope`) so the ui never decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
pub struct Abilities {
    /// Record a new referral.
    pub create_case: bool,
    /// Edit a case's referral details.
    pub edit_case: bool,
    /// Move a case's status, close it with an outcome, reopen it.
    pub change_status: bool,
    /// Add a party to a case.
    pub add_party: bool,
    /// Edit a party.
    pub edit_party: bool,
    /// Record a consent decision.
    pub record_consent: bool,
    /// Write visit notes: start, save, finalise and amend a visit.
    pub write_visits: bool,
    /// Draft, submit and revise a risk assessment.
    pub write_risk: bool,
    /// Plan a meeting, write its plan, confirm its checklist, record it held or called off.
    pub write_meetings: bool,
    /// Record an agreement and review its actions.
    pub write_agreements: bool,
    /// Record a party's feedback at follow-up.
    pub record_feedback: bool,
    /// Write a pre-sentence court report and submit it for approval.
    pub write_court_report: bool,
    /// Approve or return a submitted risk assessment or court report.
    pub sign_off: bool,
    /// Add a supervision note.
    pub supervise: bool,
    /// Sees cases other facilitators lead (the caseload is grouped by facilitator).
    pub sees_others_cases: bool,
    /// Oversees the work of others: the sign-off queue (supervisors and coordinators).
    pub oversee: bool,
}

/// A case's referral details as typed in the edit form; every field is sent as it stands.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
pub struct ReferralEdit {
    /// The harm or conflict, in a few sentences.
    pub summary: String,
    /// Where it is in the justice process.
    pub stage: JusticeStage,
    /// The sentencing date (required for a pre-sentence case); none removes it.
    pub court_date: Option<NaiveDate>,
    /// For a pre-sentence case: sentencing adjourned or sentence deferred; none removes it.
    #[serde(default)]
    pub pre_sentence: Option<casebook_domain::PreSentenceKind>,
    /// Who referred it (name or team); blank removes it.
    pub referrer: String,
}

/// A status the case may move to now, and what the move amounts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
pub struct StatusMove {
    /// The status.
    pub to: CaseStatus,
    /// Advance, step back, close (needs an outcome) or reopen.
    pub transition: Transition,
}

/// How strong a new passphrase is (zxcvbn's judgement), with its advice.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
pub struct Strength {
    /// 0 (guessed at once) to 4 (more than 10^10 guesses); 3 is the least the store accepts.
    pub score: u8,
    /// "Very weak", "Weak", "Fair", "Good", "Strong".
    pub label: String,
    /// What makes it easy to guess, when something stands out.
    pub warning: Option<String>,
    /// What would make it stronger (when accepted: a reminder to remember it).
    pub suggestions: Vec<String>,
    /// Whether the store will accept it.
    pub acceptable: bool,
}

/// The caseload's search and filters; empty fields do not filter.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
#[serde(default)]
pub struct CaseloadQuery {
    /// Words to search for in summaries, names and notes.
    pub text: Option<String>,
    /// Only this stage.
    pub stage: Option<JusticeStage>,
    /// Only this status.
    pub status: Option<CaseStatus>,
    /// Only this kind.
    pub kind: Option<CaseKind>,
    /// Include closed cases.
    pub include_closed: bool,
    /// Only these cases, closed ones included: the cases behind a dashboard figure.
    pub ids: Option<Vec<casebook_domain::CaseId>>,
    /// At most this many, the most urgent first (`None`: all): the window the screen shows.
    #[serde(default)]
    pub limit: Option<u32>,
}

/// The first cases of a caseload and how many there are in all.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
pub struct CaseloadPage {
    /// The cases, what needs doing next first; no more than the query's limit.
    pub cases: Vec<casebook_store::model::CaseSummary>,
    /// How many cases the query finds in all.
    pub total: u32,
}

/// A consent decision, as typed in the form.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
pub struct NewConsentInput {
    /// Whose decision.
    pub party_id: PartyId,
    /// What it covers.
    pub scope: ConsentScope,
    /// Given, declined or withdrawn.
    pub decision: ConsentDecision,
    /// How it was recorded.
    pub method: ConsentMethod,
    /// The day it was made (today if empty).
    pub date: Option<NaiveDate>,
    /// A note.
    pub note: Option<String>,
}

/// The start of a visit record: the draft is made with the first keystroke's text.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
pub struct NewVisitInput {
    /// The parties seen.
    pub party_ids: Vec<PartyId>,
    /// Visit, call, ...
    pub kind: ContactKind,
    /// When it happened.
    pub date: NaiveDate,
    /// The party asked for this contact themselves.
    pub initiated_by_party: bool,
    /// The notes typed so far.
    pub notes: String,
    /// The finalised contact this one corrects.
    pub amends: Option<ContactId>,
}

/// A draft saved to the encrypted store.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
pub struct DraftSaved {
    /// The draft.
    pub contact_id: ContactId,
    /// How many characters were saved.
    pub chars: u32,
    /// When (RFC 3339, UTC).
    pub saved_at: String,
}

/// Which text to keep in a conflict.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
#[serde(tag = "keep", content = "text", rename_all = "snake_case")]
pub enum KeepChoice {
    /// The version written on this laptop.
    Mine,
    /// The version written elsewhere.
    Theirs,
    /// A text the user merged.
    Merged(String),
}

/// What the sync indicator shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SyncState {
    /// Not connected to a hub: changes stay on this laptop.
    NotEnrolled,
    /// Waiting for the next sync.
    Idle,
    /// Syncing now.
    Syncing,
    /// The hub cannot be reached; will retry.
    Offline,
    /// The hub refused; a person must act (see `error`).
    Failed,
}

/// How far a sync round's receiving has got, when the hub said how many changes it sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
pub struct Received {
    /// Changes received and applied so far.
    pub done: u32,
    /// Changes this round receives in all (never below `done`).
    pub total: u32,
}

/// The sync indicator's data.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
pub struct SyncView {
    /// Grows with every view made: events and answers can arrive out of order, and the ui keeps
    /// only the newest.
    pub seq: u32,
    /// The state.
    pub state: SyncState,
    /// The hub's address.
    pub hub: Option<String>,
    /// Changes written here and not yet on the hub (0 when not enrolled).
    pub pending: u32,
    /// Conflicts to resolve.
    pub conflicts: u32,
    /// Changes the hub refused (they stay on this laptop, marked "refused by the hub").
    pub rejected: u32,
    /// Changes from the hub this laptop could not apply (set aside with their reason).
    pub set_aside: u32,
    /// When the last sync finished (RFC 3339).
    pub last_sync: Option<String>,
    /// While syncing: what is happening ("Sending 40 changes").
    pub progress: Option<String>,
    /// While receiving changes whose total the hub counted: how far, for a progress bar.
    pub received: Option<Received>,
    /// Why the last attempt failed.
    pub error: Option<String>,
    /// When the next attempt is due (RFC 3339), while offline.
    pub next_attempt: Option<String>,
}

/// A risk assessment as typed in the form: the overall rating, the factors assessed so far (a
/// factor left out is "not assessed yet"; on an edit it is left as it was) and the safety plan.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(any(test, feature = "ts"), derive(ts_rs::TS))]
pub struct RiskInput {
    /// The overall rating; required for a new assessment, `None` leaves it on an edit.
    pub rating: Option<RiskLevel>,
    /// The factors assessed, each with its level and note.
    pub factors: Factors,
    /// The safety plan: what will keep people safe.
    pub mitigations: String,
}
