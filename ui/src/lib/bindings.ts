// Generated from the Rust types by `cargo test -p casebook-app-core bindings`.
// Do not edit: change the Rust type, then run it with UPDATE_BINDINGS=1.

export type Abilities = { 
/**
 * Record a new referral.
 */
create_case: boolean, 
/**
 * Edit a case's referral details.
 */
edit_case: boolean, 
/**
 * Move a case's status, close it with an outcome, reopen it.
 */
change_status: boolean, 
/**
 * Add a party to a case.
 */
add_party: boolean, 
/**
 * Edit a party.
 */
edit_party: boolean, 
/**
 * Record a consent decision.
 */
record_consent: boolean, 
/**
 * Write visit notes: start, save, finalise and amend a visit.
 */
write_visits: boolean, 
/**
 * Draft, submit and revise a risk assessment.
 */
write_risk: boolean, 
/**
 * Approve or return a submitted risk assessment or court report.
 */
sign_off: boolean, 
/**
 * Add a supervision note.
 */
supervise: boolean, 
/**
 * Sees cases other facilitators lead (the caseload is grouped by facilitator).
 */
sees_others_cases: boolean, 
/**
 * Oversees the work of others: the sign-off queue (supervisors and coordinators).
 */
oversee: boolean, };

export type AppError = { 
/**
 * What kind of error.
 */
code: ErrorCode, 
/**
 * What happened and what to do, for the user.
 */
message: string, 
/**
 * The form field at fault, when one is (`summary`, `court_date`, `outcome`, `name`...), so
 * the ui can put the message beside it.
 */
field?: string, };

export type AppPhase = "first_run" | "locked" | "unlocked" | "wiped";

export type AppState = { 
/**
 * Which screen comes first.
 */
phase: AppPhase, 
/**
 * Where the store lives.
 */
store_dir: string, 
/**
 * The user's name, once enrolled with a hub.
 */
user_name: string | null, 
/**
 * The user's role (a store with no hub is its facilitator's own).
 */
role: Role, 
/**
 * The hub's address, once enrolled.
 */
hub: string | null, 
/**
 * Minutes of inactivity before the app locks itself.
 */
auto_lock_minutes: number, 
/**
 * Why the app is in this phase, when it changed by itself (auto-lock, wipe).
 */
reason: string | null, 
/**
 * What this user may do: the ui offers exactly these actions.
 */
may: Abilities, };

export type Awaiting = "risk_assessment" | "court_report";

export type Bar = { 
/**
 * The stored name of what is counted (`pre_sentence`, `contacting`, a user id, `court_soon`).
 */
key: string, 
/**
 * In words, for people ("pre-sentence", "Femi", "court date within 14 days").
 */
label: string, 
/**
 * How many cases.
 */
count: number, 
/**
 * The cases counted, in the order they were read.
 */
cases: Array<CaseId>, };

export type CaseDetail = { 
/**
 * Referral details.
 */
case: CaseRecord, 
/**
 * What is due next.
 */
next_deadline: Deadline | null, 
/**
 * Parties and their consents.
 */
parties: Array<PartyView>, 
/**
 * Contacts, consent events, status changes and supervision notes, oldest first.
 */
timeline: Array<TimelineEntry>, 
/**
 * Things the facilitator should know before acting (e.g. a minor lacking consent).
 */
warnings: Array<string>, };

export type CaseId = string;

export type CaseKind = "restorative_justice" | "restorative_mediation";

export type CaseRecord = { 
/**
 * The case id.
 */
id: CaseId, 
/**
 * The human reference.
 */
reference: string, 
/**
 * RJ or mediation.
 */
kind: CaseKind, 
/**
 * Justice stage.
 */
stage: JusticeStage, 
/**
 * Status.
 */
status: CaseStatus, 
/**
 * Referring agency.
 */
source: ReferralSource, 
/**
 * Referrer, if recorded.
 */
referrer: string | null, 
/**
 * The harm or conflict.
 */
summary: string, 
/**
 * Received on.
 */
received_on: string, 
/**
 * Sentencing date.
 */
court_date: string | null, 
/**
 * How it ended, once closed.
 */
outcome: string | null, 
/**
 * When it was created (RFC 3339).
 */
created_at: string, 
/**
 * The lead facilitator's user id.
 */
lead_id: UserId | null, 
/**
 * The lead's name, from the team directory (`None` until the hub has sent it).
 */
lead_name: string | null, };

export type CaseStatus = "referred" | "contacting" | "preparing" | "meeting_planned" | "follow_up" | "closed";

export type CaseSummary = { 
/**
 * The case id.
 */
id: CaseId, 
/**
 * The human reference.
 */
reference: string, 
/**
 * RJ or mediation.
 */
kind: CaseKind, 
/**
 * Justice stage.
 */
stage: JusticeStage, 
/**
 * Status.
 */
status: CaseStatus, 
/**
 * The summary of the harm or conflict.
 */
summary: string, 
/**
 * When the referral arrived.
 */
received_on: string, 
/**
 * Sentencing date, if any.
 */
court_date: string | null, 
/**
 * What is due next, derived.
 */
next_deadline: Deadline | null, 
/**
 * The parties' names.
 */
parties: Array<string>, 
/**
 * Contacts not yet finalised.
 */
drafts: number, 
/**
 * The lead facilitator's user id.
 */
lead_id: UserId | null, 
/**
 * The lead's name, from the team directory (`None` until the hub has sent it).
 */
lead_name: string | null, };

export type CaseloadQuery = { 
/**
 * Words to search for in summaries, names and notes.
 */
text: string | null, 
/**
 * Only this stage.
 */
stage: JusticeStage | null, 
/**
 * Only this status.
 */
status: CaseStatus | null, 
/**
 * Only this kind.
 */
kind: CaseKind | null, 
/**
 * Include closed cases.
 */
include_closed: boolean, 
/**
 * Only these cases, closed ones included: the cases behind a dashboard figure.
 */
ids: Array<CaseId> | null, };

export type ConflictView = { 
/**
 * The conflict id.
 */
id: string, 
/**
 * The case.
 */
case_id: CaseId, 
/**
 * The case's reference.
 */
reference: string, 
/**
 * `case`, `party`, `contact`.
 */
entity: string, 
/**
 * The record.
 */
entity_id: string, 
/**
 * The field.
 */
field: string, 
/**
 * The value shown now (the later edit).
 */
current: string | null, 
/**
 * The other edit's text.
 */
other: string | null, 
/**
 * Whether the shown value was written on this device.
 */
current_is_mine: boolean, 
/**
 * Whether the other value was written on this device.
 */
other_is_mine: boolean, };

export type ConsentDecision = "given" | "declined" | "withdrawn";

export type ConsentId = string;

export type ConsentMethod = "verbal" | "written" | "signed";

export type ConsentNow = { 
/**
 * The scope.
 */
scope: ConsentScope, 
/**
 * The decision in force.
 */
decision: ConsentDecision, 
/**
 * How it was recorded.
 */
method: ConsentMethod, 
/**
 * When it was made.
 */
date: string, };

export type ConsentScope = "participation" | "info_sharing" | "contact" | "direct_meeting" | "indirect" | "share_with_other_party" | "follow_up" | "share_with_court";

export type ConsentView = { 
/**
 * The event id.
 */
id: ConsentId, 
/**
 * Whose decision.
 */
party_id: PartyId, 
/**
 * Their name.
 */
party_name: string, 
/**
 * Scope.
 */
scope: ConsentScope, 
/**
 * Decision.
 */
decision: ConsentDecision, 
/**
 * Method.
 */
method: ConsentMethod, 
/**
 * When.
 */
date: string, 
/**
 * Note.
 */
note: string | null, };

export type ContactId = string;

export type ContactKind = "visit" | "call" | "letter" | "video" | "office";

export type ContactState = "draft" | "finalised";

export type ContactView = { 
/**
 * The contact id.
 */
id: ContactId, 
/**
 * Visit, call, ...
 */
kind: ContactKind, 
/**
 * When.
 */
date: string, 
/**
 * The notes.
 */
notes: string, 
/**
 * Draft or finalised.
 */
state: ContactState, 
/**
 * Initiated by the party.
 */
initiated_by_party: boolean, 
/**
 * Parties seen.
 */
party_ids: Array<PartyId>, 
/**
 * The contact this one amends.
 */
amends: ContactId | null, 
/**
 * When it was finalised.
 */
finalised_on: string | null, 
/**
 * Why the hub flagged it for review (written after the case was reassigned).
 */
flagged: string | null, };

export type CreatedCase = { 
/**
 * The new case's id.
 */
id: CaseId, 
/**
 * Its provisional reference (the hub gives the final one on first sync).
 */
reference: string, };

export type Dashboard = { 
/**
 * The day the figures are for.
 */
today: string, 
/**
 * Every open case.
 */
open: Bar, 
/**
 * Open cases by justice stage (every stage listed, zeros included).
 */
by_stage: Array<Bar>, 
/**
 * Open cases by status (every open status listed, zeros included).
 */
by_status: Array<Bar>, 
/**
 * Open cases by lead facilitator, most first (`key` empty for cases not allocated).
 */
by_facilitator: Array<Bar>, 
/**
 * Days from referral to first contact.
 */
first_contact: FirstContact, 
/**
 * Overdue work on open cases: `first_contact` (nobody contacted and the 10-working-day
 * target passed), `court_soon` (a court date today or within 14 days), `supervision` (no
 * supervision note for 12 weeks, on a case referred longer ago than that).
 */
overdue: Array<Bar>, 
/**
 * Risk assessments and court reports waiting for a supervisor's answer.
 */
signoffs_waiting: number, };

export type Deadline = { 
/**
 * The date.
 */
date: string, 
/**
 * What it is.
 */
kind: DeadlineKind, };

export type DeadlineKind = "court_date" | "first_contact";

export type DraftSaved = { 
/**
 * The draft.
 */
contact_id: ContactId, 
/**
 * How many characters were saved.
 */
chars: number, 
/**
 * When (RFC 3339, UTC).
 */
saved_at: string, };

export type ErrorCode = "wrong_passphrase" | "passphrase_mismatch" | "weak_passphrase" | "no_store" | "store_exists" | "store_damaged" | "locked" | "invalid_input" | "rule" | "not_found" | "read_only" | "hub_unreachable" | "hub_refused" | "not_enrolled" | "wiped" | "internal";

export type FactorAssessment = { 
/**
 * How serious.
 */
level: RiskLevel, 
/**
 * Why, in the facilitator's words.
 */
note: string, };

export type FirstContact = { 
/**
 * The first day of the window (today is the last).
 */
since: string, 
/**
 * The cases first contacted within the window.
 */
contacted: Bar, 
/**
 * The median calendar days from referral to first contact, as the quarterly figures
 * define it (`Figures::first_contact_median_days`); absent when no case was contacted.
 */
median_days: number | null, 
/**
 * Of those, the cases contacted within the target of 10 working days.
 */
within_target: Bar, 
/**
 * `within_target` as a share of `contacted` (0 to 1); absent when none was contacted.
 */
share_within_target: number | null, };

export type JusticeStage = "out_of_court" | "pre_sentence" | "post_sentence" | "not_applicable";

export type KeepChoice = { "keep": "mine" } | { "keep": "theirs" } | { "keep": "merged", "text": string };

export type NewCase = { 
/**
 * RJ or mediation.
 */
kind: CaseKind, 
/**
 * Where it is in the justice process.
 */
stage: JusticeStage, 
/**
 * Who referred it.
 */
source: ReferralSource, 
/**
 * The referrer's name or team, if known.
 */
referrer: string | null, 
/**
 * The harm or conflict, in a few sentences.
 */
summary: string, 
/**
 * The sentencing date of a pre-sentence case.
 */
court_date: string | null, 
/**
 * When the referral arrived (today if not given).
 */
received_on: string | null, };

export type NewConsentInput = { 
/**
 * Whose decision.
 */
party_id: PartyId, 
/**
 * What it covers.
 */
scope: ConsentScope, 
/**
 * Given, declined or withdrawn.
 */
decision: ConsentDecision, 
/**
 * How it was recorded.
 */
method: ConsentMethod, 
/**
 * The day it was made (today if empty).
 */
date: string | null, 
/**
 * A note.
 */
note: string | null, };

export type NewParty = { 
/**
 * Their role.
 */
role: PartyRole, 
/**
 * Their name.
 */
name: string, 
/**
 * A phone number.
 */
phone: string | null, 
/**
 * Under 18.
 */
minor: boolean, 
/**
 * The minor this party is guardian of.
 */
guardian_of: PartyId | null, };

export type NewVisitInput = { 
/**
 * The parties seen.
 */
party_ids: Array<PartyId>, 
/**
 * Visit, call, ...
 */
kind: ContactKind, 
/**
 * When it happened.
 */
date: string, 
/**
 * The party asked for this contact themselves.
 */
initiated_by_party: boolean, 
/**
 * The notes typed so far.
 */
notes: string, 
/**
 * The finalised contact this one corrects.
 */
amends: ContactId | null, };

export type NotCurrent = "not_approved" | "circumstances_changed" | "expired";

export type PartyEdit = { 
/**
 * Their name.
 */
name: string | null, 
/**
 * A phone number; a blank one removes it.
 */
phone: string | null, 
/**
 * Under 18.
 */
minor: boolean | null, };

export type PartyId = string;

export type PartyRole = "victim" | "harmer" | "party" | "supporter" | "guardian" | "interpreter" | "other";

export type PartyView = { 
/**
 * The party id.
 */
id: PartyId, 
/**
 * Name.
 */
name: string, 
/**
 * Role.
 */
role: PartyRole, 
/**
 * Phone.
 */
phone: string | null, 
/**
 * Under 18.
 */
minor: boolean, 
/**
 * The minor they are guardian of.
 */
guardian_of: PartyId | null, 
/**
 * Current consent per scope (scopes never asked are absent).
 */
consents: Array<ConsentNow>, };

export type ReferralEdit = { 
/**
 * The harm or conflict, in a few sentences.
 */
summary: string, 
/**
 * Where it is in the justice process.
 */
stage: JusticeStage, 
/**
 * The sentencing date (required for a pre-sentence case).
 */
court_date: string | null, 
/**
 * Who referred it (name or team); blank removes it.
 */
referrer: string, };

export type ReferralSource = "police" | "probation" | "court" | "youth_justice" | "victim_services" | "housing" | "school" | "self" | "other";

export type RefusedChange = { 
/**
 * The op (a stable key for a list).
 */
op_id: string, 
/**
 * Its case's id.
 */
case_id: string, 
/**
 * Its case's reference, when the case is on this laptop.
 */
reference: string | null, 
/**
 * The kind of record it changed, in people's words ("consent event").
 */
record: string, 
/**
 * Why the hub refused it.
 */
reason: string, };

export type RiskAssessment = { 
/**
 * Its id.
 */
id: RiskAssessmentId, 
/**
 * Its case.
 */
case_id: CaseId, 
/**
 * The overall rating.
 */
rating: RiskLevel, 
/**
 * Every factor assessed.
 */
factors: { [key in RiskFactor]?: FactorAssessment }, 
/**
 * The factors not assessed yet.
 */
missing_factors: Array<RiskFactor>, 
/**
 * The safety plan.
 */
mitigations: string, 
/**
 * Where it stands.
 */
state: RiskState, 
/**
 * When its current version was submitted (`None` while a draft).
 */
submitted_on: string | null, 
/**
 * Whether a meeting may rely on it today.
 */
current: boolean, 
/**
 * Why not, when it is not current.
 */
not_current: NotCurrent | null, 
/**
 * Why not, in words.
 */
not_current_text: string | null, 
/**
 * When the facilitator recorded a change of circumstances since it was submitted.
 */
circumstances_changed_on: string | null, 
/**
 * What changed.
 */
circumstances: string | null, 
/**
 * When it was first written (RFC 3339).
 */
created_at: string, 
/**
 * Every sign-off recorded for it, oldest first.
 */
sign_offs: Array<SignOff>, };

export type RiskAssessmentId = string;

export type RiskFactor = "re-victimisation" | "power-imbalance" | "intimidation" | "violence" | "substance-use" | "mental-health" | "safeguarding" | "abuse-context" | "responsibility";

export type RiskInput = { 
/**
 * The overall rating; required for a new assessment, `None` leaves it on an edit.
 */
rating: RiskLevel | null, 
/**
 * The factors assessed, each with its level and note.
 */
factors: { [key in RiskFactor]?: FactorAssessment }, 
/**
 * The safety plan: what will keep people safe.
 */
mitigations: string, };

export type RiskLevel = "low" | "medium" | "high";

export type RiskState = { "state": "draft" } | { "state": "submitted", 
/**
 * When it was submitted.
 */
on: string, } | { "state": "approved", 
/**
 * When.
 */
on: string, 
/**
 * The supervisor's comment.
 */
note: string | null, } | { "state": "returned", 
/**
 * When.
 */
on: string, 
/**
 * What to change.
 */
note: string | null, };

export type Role = "facilitator" | "supervisor" | "coordinator" | "admin";

export type SetAsideChange = { 
/**
 * The op (a stable key for a list).
 */
op_id: string, 
/**
 * Its case's id.
 */
case_id: string, 
/**
 * Its case's reference, when the case is on this laptop.
 */
reference: string | null, 
/**
 * The kind of record it would have changed, in people's words.
 */
record: string, 
/**
 * The refusal's stable name (docs/protocol.md).
 */
code: string, 
/**
 * Why it was not applied.
 */
reason: string, 
/**
 * When it was set aside (RFC 3339).
 */
set_aside_at: string, 
/**
 * The day it was set aside on this laptop's calendar (none if the moment is unreadable).
 */
set_aside_on: string | null, };

export type SignOff = { 
/**
 * Its id.
 */
id: string, 
/**
 * Approved or returned.
 */
decision: SignOffDecision, 
/**
 * The supervisor's comment.
 */
note: string | null, 
/**
 * When.
 */
date: string, 
/**
 * Who (user id).
 */
by: string, 
/**
 * Their name, when the team directory knows it.
 */
by_name: string | null, 
/**
 * Whether it answers the assessment's current submission.
 */
current: boolean, };

export type SignOffDecision = "approved" | "returned";

export type StatusChangeId = string;

export type StatusMove = { 
/**
 * The status.
 */
to: CaseStatus, 
/**
 * Advance, step back, close (needs an outcome) or reopen.
 */
transition: Transition, };

export type StatusView = { 
/**
 * The change's id.
 */
id: StatusChangeId, 
/**
 * From.
 */
from: CaseStatus, 
/**
 * To.
 */
to: CaseStatus, 
/**
 * Advance, close, reopen, step back.
 */
transition: Transition, 
/**
 * The outcome, when closed.
 */
outcome: string | null, 
/**
 * When.
 */
date: string, };

export type Strength = { 
/**
 * 0 (guessed at once) to 4 (more than 10^10 guesses); 3 is the least the store accepts.
 */
score: number, 
/**
 * "Very weak", "Weak", "Fair", "Good", "Strong".
 */
label: string, 
/**
 * What makes it easy to guess, when something stands out.
 */
warning: string | null, 
/**
 * What would make it stronger (when accepted: a reminder to remember it).
 */
suggestions: Array<string>, 
/**
 * Whether the store will accept it.
 */
acceptable: boolean, };

export type SupervisionNoteId = string;

export type SupervisionNoteView = { 
/**
 * The note's id.
 */
id: SupervisionNoteId, 
/**
 * What the supervisor wrote.
 */
text: string, 
/**
 * When.
 */
date: string, 
/**
 * The supervisor's user id.
 */
author_id: UserId, 
/**
 * The supervisor's name, from the team directory.
 */
author_name: string | null, };

export type SyncProblems = { 
/**
 * Written here, refused by the hub; oldest first.
 */
refused: Array<RefusedChange>, 
/**
 * Received from the hub, not applied here; newest first.
 */
set_aside: Array<SetAsideChange>, };

export type SyncState = "not_enrolled" | "idle" | "syncing" | "offline" | "failed";

export type SyncView = { 
/**
 * Grows with every view made: events and answers can arrive out of order, and the ui keeps
 * only the newest.
 */
seq: number, 
/**
 * The state.
 */
state: SyncState, 
/**
 * The hub's address.
 */
hub: string | null, 
/**
 * Changes written here and not yet on the hub.
 */
pending: number, 
/**
 * Conflicts to resolve.
 */
conflicts: number, 
/**
 * Changes the hub refused (they stay on this laptop, marked "refused by the hub").
 */
rejected: number, 
/**
 * Changes from the hub this laptop could not apply (set aside with their reason).
 */
set_aside: number, 
/**
 * When the last sync finished (RFC 3339).
 */
last_sync: string | null, 
/**
 * While syncing: what is happening ("Sending 40 changes").
 */
progress: string | null, 
/**
 * Why the last attempt failed.
 */
error: string | null, 
/**
 * When the next attempt is due (RFC 3339), while offline.
 */
next_attempt: string | null, };

export type TimelineEntry = { "type": "contact" } & ContactView | { "type": "consent" } & ConsentView | { "type": "status" } & StatusView | { "type": "supervision" } & SupervisionNoteView;

export type Transition = "advance" | "step_back" | "close" | "reopen";

export type UserId = string;

export type WaitingSignOff = { 
/**
 * What it is.
 */
what: Awaiting, 
/**
 * The risk assessment's or court report's id.
 */
id: string, 
/**
 * Its case.
 */
case_id: CaseId, 
/**
 * The case's reference.
 */
reference: string, 
/**
 * Who submitted it (user id).
 */
submitted_by: string, 
/**
 * Their name, when the team directory knows it.
 */
submitted_by_name: string | null, 
/**
 * When it was submitted, by the clock of the laptop that submitted it.
 */
submitted_at: string, 
/**
 * The command that approves it.
 */
approve: string, 
/**
 * The command that returns it, saying what should change.
 */
return_with: string, };

/** People's words for the stored names of every closed set (from the Rust domain). */
export const LABELS = {
  CaseKind: {
    "restorative_justice": "Restorative Justice",
    "restorative_mediation": "Restorative Mediation",
  },
  JusticeStage: {
    "out_of_court": "out of court",
    "pre_sentence": "pre-sentence",
    "post_sentence": "post-sentence",
    "not_applicable": "not applicable",
  },
  CaseStatus: {
    "referred": "referred",
    "contacting": "contacting",
    "preparing": "preparing",
    "meeting_planned": "meeting planned",
    "follow_up": "follow-up",
    "closed": "closed",
  },
  ReferralSource: {
    "police": "police",
    "probation": "probation",
    "court": "court",
    "youth_justice": "youth justice",
    "victim_services": "victim services",
    "housing": "housing",
    "school": "school",
    "self": "self-referral",
    "other": "other",
  },
  PartyRole: {
    "victim": "victim",
    "harmer": "responsible person",
    "party": "party in conflict",
    "supporter": "supporter",
    "guardian": "parent or guardian",
    "interpreter": "interpreter",
    "other": "other",
  },
  ConsentScope: {
    "participation": "taking part",
    "info_sharing": "information sharing with an agency",
    "contact": "contact by the service",
    "direct_meeting": "a direct meeting",
    "indirect": "indirect communication",
    "share_with_other_party": "sharing information with the other party",
    "follow_up": "follow-up feedback",
    "share_with_court": "sharing their words with the court",
  },
  ConsentDecision: {
    "given": "given",
    "declined": "declined",
    "withdrawn": "withdrawn",
  },
  ConsentMethod: {
    "verbal": "verbal",
    "written": "written",
    "signed": "signed form",
  },
  ContactKind: {
    "visit": "home visit",
    "call": "phone call",
    "letter": "letter",
    "video": "video call",
    "office": "office meeting",
  },
  ContactState: {
    "draft": "draft",
    "finalised": "finalised",
  },
  DeadlineKind: {
    "court_date": "court date",
    "first_contact": "first contact due",
  },
  RiskLevel: {
    "low": "low",
    "medium": "medium",
    "high": "high",
  },
  RiskFactor: {
    "re-victimisation": "re-victimisation",
    "power-imbalance": "power imbalance",
    "intimidation": "intimidation or threats",
    "violence": "history of violence",
    "substance-use": "substance use",
    "mental-health": "mental health",
    "safeguarding": "safeguarding of a child or adult at risk",
    "abuse-context": "domestic or sexual abuse context",
    "responsibility": "readiness to take responsibility",
  },
  SignOffDecision: {
    "approved": "approved",
    "returned": "returned",
  },
} as const;
