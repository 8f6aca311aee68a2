//! What goes into the store and what comes out: plain data, serialisable for the CLI's `--json`
//! and (later) the app.

use casebook_domain::case::Transition;
use casebook_domain::{
    CaseId, CaseKind, CaseStatus, ConsentDecision, ConsentId, ConsentMethod, ConsentScope, ContactId,
    ContactKind, ContactState, Deadline, JusticeStage, PartyId, PartyRole, PreSentenceKind, ReferralSource,
    StatusChangeId, SupervisionNoteId, UserId,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A new referral.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NewCase {
    /// RJ or mediation.
    pub kind: CaseKind,
    /// Where it is in the justice process.
    pub stage: JusticeStage,
    /// Who referred it.
    pub source: ReferralSource,
    /// The referrer's name or team, if known.
    pub referrer: Option<String>,
    /// The harm or conflict, in a few sentences.
    pub summary: String,
    /// The sentencing date of a pre-sentence case.
    pub court_date: Option<NaiveDate>,
    /// For a pre-sentence case: sentencing adjourned or sentence deferred, if known.
    #[serde(default)]
    pub pre_sentence: Option<PreSentenceKind>,
    /// When the referral arrived (today if not given).
    pub received_on: Option<NaiveDate>,
}

/// Changes to a case's referral details; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct CaseEdit {
    /// New summary.
    pub summary: Option<String>,
    /// New court date; `Some(None)` removes it (refused for a pre-sentence case).
    pub court_date: Option<Option<NaiveDate>>,
    /// New justice stage. Leaving pre-sentence also removes the adjournment or deferral.
    pub stage: Option<JusticeStage>,
    /// Sentencing adjourned or sentence deferred; `Some(None)` removes it.
    pub pre_sentence: Option<Option<PreSentenceKind>>,
}

/// Changes to a party; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PartyEdit {
    /// Their name.
    pub name: Option<String>,
    /// A phone number; a blank one removes it.
    pub phone: Option<String>,
    /// Under 18.
    pub minor: Option<bool>,
}

/// A new party to a case.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NewParty {
    /// Their role.
    pub role: PartyRole,
    /// Their name.
    pub name: String,
    /// A phone number.
    pub phone: Option<String>,
    /// Under 18.
    pub minor: bool,
    /// The minor this party is guardian of.
    pub guardian_of: Option<PartyId>,
}

/// A new contact.
#[derive(Debug, Clone)]
pub struct NewContact {
    /// The parties seen.
    pub party_ids: Vec<PartyId>,
    /// Visit, call, ...
    pub kind: ContactKind,
    /// When it happened.
    pub date: NaiveDate,
    /// The notes.
    pub notes: String,
    /// The party asked for this contact themselves.
    pub initiated_by_party: bool,
    /// Keep it as a draft (still editable).
    pub draft: bool,
    /// The finalised contact this one corrects.
    pub amends: Option<ContactId>,
    /// What this party agreed may be passed to the other side (the private notes never are).
    pub shareable: Option<String>,
}

/// A new consent decision.
#[derive(Debug, Clone)]
pub struct NewConsent {
    /// Whose decision.
    pub party: PartyId,
    /// What it covers.
    pub scope: ConsentScope,
    /// Given, declined or withdrawn.
    pub decision: ConsentDecision,
    /// How it was recorded.
    pub method: ConsentMethod,
    /// The day it was made (today if not given).
    pub date: Option<NaiveDate>,
    /// A note (e.g. which agency, what information).
    pub note: Option<String>,
}

/// A case as created: its id and reference.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CreatedCase {
    /// The new case's id.
    pub id: CaseId,
    /// Its provisional reference (the hub gives the final one on first sync).
    pub reference: String,
}

/// One line of the caseload.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseSummary {
    /// The case id.
    pub id: CaseId,
    /// The human reference.
    pub reference: String,
    /// RJ or mediation.
    pub kind: CaseKind,
    /// Justice stage.
    pub stage: JusticeStage,
    /// Status.
    pub status: CaseStatus,
    /// The summary of the harm or conflict.
    pub summary: String,
    /// When the referral arrived.
    pub received_on: NaiveDate,
    /// Sentencing date, if any.
    pub court_date: Option<NaiveDate>,
    /// What is due next, derived.
    pub next_deadline: Option<Deadline>,
    /// The parties' names.
    pub parties: Vec<String>,
    /// Contacts not yet finalised.
    pub drafts: u32,
    /// The lead facilitator's user id.
    pub lead_id: Option<UserId>,
    /// The lead's name, from the team directory (`None` until the hub has sent it).
    pub lead_name: Option<String>,
}

/// A case's referral details.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseRecord {
    /// The case id.
    pub id: CaseId,
    /// The human reference.
    pub reference: String,
    /// RJ or mediation.
    pub kind: CaseKind,
    /// Justice stage.
    pub stage: JusticeStage,
    /// Status.
    pub status: CaseStatus,
    /// Referring agency.
    pub source: ReferralSource,
    /// Referrer, if recorded.
    pub referrer: Option<String>,
    /// The harm or conflict.
    pub summary: String,
    /// Received on.
    pub received_on: NaiveDate,
    /// Sentencing date.
    pub court_date: Option<NaiveDate>,
    /// For a pre-sentence case: sentencing adjourned or sentence deferred, if recorded.
    pub pre_sentence: Option<PreSentenceKind>,
    /// How it ended, once closed.
    pub outcome: Option<String>,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// The lead facilitator's user id.
    pub lead_id: Option<UserId>,
    /// The lead's name, from the team directory (`None` until the hub has sent it).
    pub lead_name: Option<String>,
}

/// A party's current decision for one scope.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConsentNow {
    /// The scope.
    pub scope: ConsentScope,
    /// The decision in force.
    pub decision: ConsentDecision,
    /// How it was recorded.
    pub method: ConsentMethod,
    /// When it was made.
    pub date: NaiveDate,
}

/// A party with their current consents.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PartyView {
    /// The party id.
    pub id: PartyId,
    /// Name.
    pub name: String,
    /// Role.
    pub role: PartyRole,
    /// Phone.
    pub phone: Option<String>,
    /// Under 18.
    pub minor: bool,
    /// The minor they are guardian of.
    pub guardian_of: Option<PartyId>,
    /// Current consent per scope (scopes never asked are absent).
    pub consents: Vec<ConsentNow>,
}

/// A contact as shown on the timeline.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ContactView {
    /// The contact id.
    pub id: ContactId,
    /// Visit, call, ...
    pub kind: ContactKind,
    /// When.
    pub date: NaiveDate,
    /// The notes.
    pub notes: String,
    /// Draft or finalised.
    pub state: ContactState,
    /// Initiated by the party.
    pub initiated_by_party: bool,
    /// Parties seen.
    pub party_ids: Vec<PartyId>,
    /// The contact this one amends.
    pub amends: Option<ContactId>,
    /// When it was finalised.
    pub finalised_on: Option<NaiveDate>,
    /// Why the hub flagged it for review (written after the case was reassigned).
    pub flagged: Option<String>,
}

/// A consent event as shown on the timeline.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConsentView {
    /// The event id.
    pub id: ConsentId,
    /// Whose decision.
    pub party_id: PartyId,
    /// Their name.
    pub party_name: String,
    /// Scope.
    pub scope: ConsentScope,
    /// Decision.
    pub decision: ConsentDecision,
    /// Method.
    pub method: ConsentMethod,
    /// When.
    pub date: NaiveDate,
    /// Note.
    pub note: Option<String>,
}

/// A status change as shown on the timeline.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StatusView {
    /// The change's id.
    pub id: StatusChangeId,
    /// From.
    pub from: CaseStatus,
    /// To.
    pub to: CaseStatus,
    /// Advance, close, reopen, step back.
    pub transition: Transition,
    /// The outcome, when closed.
    pub outcome: Option<String>,
    /// When.
    pub date: NaiveDate,
}

/// A supervision note as shown on the timeline.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SupervisionNoteView {
    /// The note's id.
    pub id: SupervisionNoteId,
    /// What the supervisor wrote.
    pub text: String,
    /// When.
    pub date: NaiveDate,
    /// The supervisor's user id.
    pub author_id: UserId,
    /// The supervisor's name, from the team directory.
    pub author_name: Option<String>,
}

/// One entry of a case's timeline.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TimelineEntry {
    /// A contact.
    Contact(ContactView),
    /// A consent event.
    Consent(ConsentView),
    /// A status change.
    Status(StatusView),
    /// A supervisor's note.
    Supervision(SupervisionNoteView),
}

impl TimelineEntry {
    /// The entry's date.
    pub fn date(&self) -> NaiveDate {
        match self {
            TimelineEntry::Contact(c) => c.date,
            TimelineEntry::Consent(c) => c.date,
            TimelineEntry::Status(s) => s.date,
            TimelineEntry::Supervision(n) => n.date,
        }
    }
}

/// Everything about one case.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseDetail {
    /// Referral details.
    pub case: CaseRecord,
    /// What is due next.
    pub next_deadline: Option<Deadline>,
    /// Parties and their consents.
    pub parties: Vec<PartyView>,
    /// Contacts, consent events, status changes and supervision notes, oldest first.
    pub timeline: Vec<TimelineEntry>,
    /// Things the facilitator should know before acting (e.g. a minor lacking consent).
    pub warnings: Vec<String>,
}

/// Someone of the team directory the hub sends: who a user id on a case is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Person {
    /// Their user id (as in a case's `lead`, or an op's author).
    pub id: UserId,
    /// Their name.
    pub name: String,
    /// Their role on the hub (`facilitator`, `supervisor`, `coordinator`, `admin`).
    pub role: String,
    /// Their team, when the hub said (a coordinator's directory says for everyone).
    pub team: Option<String>,
}

/// One full-text search hit.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SearchHit {
    /// The case it belongs to.
    pub case_id: CaseId,
    /// The case's reference.
    pub reference: String,
    /// `case`, `party` or `contact`.
    pub entity: &'static str,
    /// The record's id.
    pub entity_id: String,
    /// The matching text with the match in [brackets].
    pub snippet: String,
}
