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
 * Plan a meeting, write its plan, confirm its checklist, record it held or called off.
 */
write_meetings: boolean, 
/**
 * Record an agreement and review its actions.
 */
write_agreements: boolean, 
/**
 * Record a party's feedback at follow-up.
 */
record_feedback: boolean, 
/**
 * Write a pre-sentence court report and submit it for approval.
 */
write_court_report: boolean, 
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

export type Action = { 
/**
 * What will be done.
 */
what: string, 
/**
 * By whom (a party's name, or the service).
 */
by: string, 
/**
 * By when.
 */
due: string, 
/**
 * How far it has got.
 */
status: ActionStatus, };

export type ActionInput = { 
/**
 * What will be done.
 */
what: string, 
/**
 * Who does it.
 */
by: string, 
/**
 * By when.
 */
due: string | null, };

export type ActionStatus = "open" | "done" | "not_done";

export type AgreementId = string;

export type AgreementInput = { 
/**
 * The held meeting it was reached at.
 */
meeting: MeetingId | null, 
/**
 * The actions, in order.
 */
actions: Array<ActionInput>, 
/**
 * How each party agreed ("read back and agreed aloud; both signed").
 */
how_agreed: string, 
/**
 * When it will first be reviewed.
 */
review_on: string | null, };

export type AgreementView = { 
/**
 * Its id.
 */
id: AgreementId, 
/**
 * The meeting it came from, if any.
 */
meeting: MeetingId | null, 
/**
 * When it was made.
 */
made_on: string, 
/**
 * The actions.
 */
actions: Array<Action>, 
/**
 * How each party agreed.
 */
how_agreed: string, 
/**
 * The next review.
 */
review_on: string | null, 
/**
 * The last review.
 */
reviewed_on: string | null, 
/**
 * Open actions past their due date.
 */
overdue: number, 
/**
 * Every action done or not done.
 */
settled: boolean, };

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
may: Abilities, 
/**
 * How the window writes dates and times.
 */
dates: DateFormat, 
/**
 * The user's Documents folder, where saving a file suggests writing it.
 */
documents_dir: string, };

export type Attendee = { 
/**
 * The party.
 */
id: PartyId, 
/**
 * Their name.
 */
name: string, 
/**
 * Their role.
 */
role: PartyRole, };

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
 * For a pre-sentence case: sentencing adjourned or sentence deferred, if recorded.
 */
pre_sentence: PreSentenceKind | null, 
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

export type CaseloadPage = { 
/**
 * The cases, what needs doing next first; no more than the query's limit.
 */
cases: Array<CaseSummary>, 
/**
 * How many cases the query finds in all.
 */
total: number, };

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
ids: Array<CaseId> | null, 
/**
 * At most this many, the most urgent first (`None`: all): the window the screen shows.
 */
limit: number | null, };

export type CheckItem = "venue_checked" | "interpreter_booked" | "supporters_briefed" | "ground_rules_agreed" | "facts_acknowledged";

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

export type CourtReportData = { 
/**
 * Its id.
 */
id: CourtReportId, 
/**
 * The case's reference.
 */
reference: string, 
/**
 * The sentencing date.
 */
court_date: string, 
/**
 * Sentencing adjourned or sentence deferred, if recorded.
 */
pre_sentence: PreSentenceKind | null, 
/**
 * The lead facilitator's name.
 */
facilitator: string, 
/**
 * The referral's summary.
 */
summary: string, 
/**
 * What took place, in the facilitator's words.
 */
what_took_place: string, 
/**
 * Meetings held.
 */
meetings_held: Array<string>, 
/**
 * The latest agreement's actions.
 */
actions: Array<Action>, 
/**
 * The words of parties who consented to share them with the court.
 */
words: Array<PartyWords>, 
/**
 * Where it stands (draft, submitted, approved, returned).
 */
state: RiskState, 
/**
 * Who approved it and when, once approved.
 */
approved_by: [string, string] | null, };

export type CourtReportId = string;

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
 * The team counted alone (cases whose lead is of it), or `None` for every case held here.
 */
team: string | null, 
/**
 * The teams of the directory, for choosing one (a coordinator's laptop knows them all).
 */
teams: Array<string>, 
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
 * supervision note for 12 weeks, on a case referred longer ago than that), `actions` (an
 * agreement's action still open after its day, `agreement::overdue`), `review` (an
 * agreement's review day passed without a review).
 */
overdue: Array<Bar>, 
/**
 * Risk assessments and court reports waiting for a supervisor's answer.
 */
signoffs_waiting: number, 
/**
 * The first day of the last 12 months: the first of the month 11 months before this one.
 */
year_since: string, 
/**
 * Cases closed from `year_since` to today by outcome (`key` the outcome's words, trimmed),
 * most first: each case once, by its latest closing in that time, as the quarterly
 * figures count `closed_by_outcome`.
 */
closed_by_outcome: Array<Bar>, 
/**
 * Meetings held in each month from `year_since` to today, oldest first (`key` `2026-11`,
 * `label` "Nov 2026"): here `count` is the meetings, and `cases` the cases they were held
 * for, each once.
 */
meetings_by_month: Array<Bar>, };

export type DateFormat = { 
/**
 * The user's choice.
 */
style: DateStyle, 
/**
 * The BCP 47 tag the window formats dates and times with (`en-GB`, `fr-FR`).
 */
locale: string, 
/**
 * The computer's own locale as a BCP 47 tag, when it sets one (for the Settings screen).
 */
system: string | null, };

export type DateStyle = "system" | "british";

export type Deadline = { 
/**
 * The date.
 */
date: string, 
/**
 * What it is.
 */
kind: DeadlineKind, };

export type DeadlineKind = "court_date" | "first_contact" | "action_due" | "review_due" | "sign_off_due";

export type DocumentKind = "agreement" | "court_report";

export type DocumentPreview = { 
/**
 * Which document.
 */
kind: DocumentKind, 
/**
 * Its title.
 */
title: string, 
/**
 * The mark on every page of an unapproved court report.
 */
draft_mark: string | null, 
/**
 * The fields at the top.
 */
fields: Array<PreviewField>, 
/**
 * The sections, in order.
 */
sections: Array<PreviewSection>, 
/**
 * Where saving suggests writing it: the user's Documents folder and a name for it.
 */
suggested_path: string, };

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

export type FeedbackId = string;

export type FeedbackInput = { 
/**
 * Whose feedback; `None` when not chosen.
 */
party: PartyId | null, 
/**
 * How satisfied they were; `None` when not chosen.
 */
satisfaction: Satisfaction | null, 
/**
 * Whether they would recommend it; `None` when not asked.
 */
recommend: boolean | null, 
/**
 * Their own words.
 */
words: string, };

export type FeedbackView = { 
/**
 * Its id.
 */
id: FeedbackId, 
/**
 * Whose feedback.
 */
party: PartyId, 
/**
 * Their name.
 */
party_name: string, 
/**
 * Their role.
 */
role: PartyRole, 
/**
 * How satisfied they were.
 */
satisfaction: Satisfaction, 
/**
 * Whether they would recommend it.
 */
recommend: boolean | null, 
/**
 * Their own words.
 */
words: string, 
/**
 * The day it was given.
 */
date: string, 
/**
 * Who took it down, by name when the directory knows them.
 */
taken_by: string | null, };

export type FiguresExport = { 
/**
 * The first day counted.
 */
from: string | null, 
/**
 * The last day counted.
 */
to: string | null, 
/**
 * CSV or JSON.
 */
format: FiguresFormat, 
/**
 * The whole path of a file that does not exist yet.
 */
path: string, };

export type FiguresFormat = "csv" | "json";

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

export type HandIn = { "outcome": "handed_over", 
/**
 * The hub's receipt.
 */
receipt: HandoverReceipt, } | { "outcome": "incomplete", 
/**
 * How many.
 */
missing: number, };

export type HandoverReceipt = { 
/**
 * How many changes written on this laptop the hub certifies it holds.
 */
ops: number, 
/**
 * The digest of their ids, as both the hub and this laptop computed it.
 */
digest: string, 
/**
 * When the hub gave the receipt (RFC 3339).
 */
at: string, };

export type JusticeStage = "out_of_court" | "pre_sentence" | "post_sentence" | "not_applicable";

export type KeepChoice = { "keep": "mine" } | { "keep": "theirs" } | { "keep": "merged", "text": string };

export type MeetingId = string;

export type MeetingInput = { 
/**
 * Conference, shuttle, letters or video; `None` when not chosen.
 */
kind: MeetingKind | null, 
/**
 * The day planned.
 */
planned_on: string | null, 
/**
 * The time planned, `HH:MM` on a 24-hour clock (optional).
 */
planned_time: string | null, 
/**
 * Where (a room, an address, "by post", a video link's name).
 */
venue: string, 
/**
 * The parties attending: principals, and supporters or interpreters (parties too).
 */
attendees: Array<PartyId>, };

export type MeetingKind = "conference" | "shuttle" | "letters" | "video";

export type MeetingView = { 
/**
 * Its id.
 */
id: MeetingId, 
/**
 * Its case.
 */
case_id: CaseId, 
/**
 * How the parties communicate.
 */
kind: MeetingKind, 
/**
 * The day planned.
 */
planned_on: string, 
/**
 * The time planned.
 */
planned_time: string | null, 
/**
 * Where.
 */
venue: string, 
/**
 * Who attends.
 */
attendees: Array<Attendee>, 
/**
 * The preparation plan, by section.
 */
plan: { [key in PlanSection]?: string }, 
/**
 * When it was held.
 */
held_on: string | null, 
/**
 * Who took part, once held (a meeting recorded before this was asked: its attendees).
 */
took_part: Array<Attendee>, 
/**
 * Why it was called off.
 */
called_off: string | null, 
/**
 * A supervisor's override letting it be held although not ready: their name and reason.
 */
overridden: [string, string] | null, 
/**
 * True when nothing is missing.
 */
ready: boolean, 
/**
 * What is missing, in the order it should be done.
 */
missing: Array<Missing>, };

export type Missing = { 
/**
 * Its stable name: a [`CheckItem`] a person can confirm (with `:PARTY` for the facts
 * acknowledged), or what the records decide (`risk_assessment`, `consent:SCOPE:PARTY`,
 * `guardian_consent:PARTY`, `visit_since_risk:PARTY`).
 */
item: string, 
/**
 * What is missing and why, in words.
 */
text: string, 
/**
 * Whether a person confirms it (`casebook meeting confirm`); otherwise records decide it.
 */
confirmable: boolean, };

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
 * For a pre-sentence case: sentencing adjourned or sentence deferred, if known.
 */
pre_sentence: PreSentenceKind | null, 
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

export type NewRecoveryCode = { 
/**
 * `7K3Q-M9XD-…`: the only copy Casebook ever gives out.
 */
code: string, };

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

export type PartyWords = { 
/**
 * The party.
 */
party: PartyId, 
/**
 * Their name.
 */
name: string, 
/**
 * Their role, in words ("victim", "responsible person").
 */
role: string, 
/**
 * Their shareable summaries.
 */
words: Array<string>, };

export type PlanSaved = { 
/**
 * Which section.
 */
section: PlanSection, 
/**
 * When (RFC 3339, UTC).
 */
saved_at: string, };

export type PlanSection = "opening" | "what_happened" | "who_affected" | "what_needed" | "agreement";

export type PreSentenceKind = "adjournment" | "deferred_sentence";

export type PreviewField = { 
/**
 * The label.
 */
label: string, 
/**
 * The value.
 */
value: string, };

export type PreviewSection = { 
/**
 * Its heading.
 */
heading: string, 
/**
 * Its lines.
 */
lines: Array<string>, };

export type Readiness = { 
/**
 * True when nothing is missing.
 */
ready: boolean, 
/**
 * What is missing, in the order it should be done.
 */
missing: Array<Missing>, };

export type Received = { 
/**
 * Changes received and applied so far.
 */
done: number, 
/**
 * Changes this round receives in all (never below `done`).
 */
total: number, };

export type RecoveryWay = "none" | "organisation_key" | "personal_code";

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
 * The sentencing date (required for a pre-sentence case); none removes it.
 */
court_date: string | null, 
/**
 * For a pre-sentence case: sentencing adjourned or sentence deferred; none removes it.
 */
pre_sentence: PreSentenceKind | null, 
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

export type ReviewInput = { 
/**
 * Each action's status now, in the agreement's order.
 */
statuses: Array<ActionStatus>, 
/**
 * The next review, if one is planned.
 */
next_review: string | null, };

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

export type SarOpenInput = { 
/**
 * The ids of the party records chosen.
 */
parties: Array<string>, 
/**
 * The day it was received: the month runs from it.
 */
received_on: string | null, 
/**
 * Who asked (the person, or who acts for them).
 */
requester: string | null, };

export type SarPartyView = { 
/**
 * The party record's id.
 */
party_id: string, 
/**
 * The reference of its case.
 */
case_reference: string, 
/**
 * The name as recorded.
 */
name: string, 
/**
 * Their role in that case, as stored (`victim`, `harmer`, ...).
 */
role: string, 
/**
 * Their phone number, if recorded: it tells two people of one name apart.
 */
phone: string | null, 
/**
 * Recorded as under 18.
 */
minor: boolean, };

export type SarRequestView = { 
/**
 * "SAR-3".
 */
reference: string, 
/**
 * When it was received.
 */
received_on: string, 
/**
 * When the answer is due.
 */
due_on: string, 
/**
 * Days until then by the hub's calendar: 0 on the day, negative once overdue.
 */
days_left: number, 
/**
 * Extended to three months (a complex request).
 */
extended: boolean, 
/**
 * Who asked.
 */
requester: string | null, 
/**
 * How many party records and cases it covers.
 */
parties: number, 
/**
 * How many cases.
 */
cases: number, 
/**
 * When an answer was last written (RFC 3339).
 */
answered_at: string | null, 
/**
 * Closed: answered or withdrawn.
 */
closed: boolean, };

export type SarSaveInput = { 
/**
 * "SAR-3".
 */
reference: string, 
/**
 * The whole path of a folder: made if it does not exist (its parent must), and holding
 * no `sar.json` or `sar.pdf` yet.
 */
folder: string, };

export type Satisfaction = "very_satisfied" | "satisfied" | "neither" | "dissatisfied" | "very_dissatisfied";

export type SavedDocument = { 
/**
 * Where.
 */
path: string, 
/**
 * Its size.
 */
bytes: number, 
/**
 * Whether it is marked as a draft.
 */
draft: boolean, };

export type SavedFigures = { 
/**
 * Where.
 */
path: string, 
/**
 * How many lines of figures (CSV) or figures (JSON) it holds.
 */
rows: number, };

export type SavedSar = { 
/**
 * The folder.
 */
folder: string, 
/**
 * `sar.json` in it.
 */
json: string, 
/**
 * `sar.pdf` in it.
 */
pdf: string, 
/**
 * The request, with when the answer was written.
 */
request: SarRequestView, };

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
 * Changes written here and not yet on the hub (0 when not enrolled).
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
 * While receiving changes whose total the hub counted: how far, for a progress bar.
 */
received: Received | null, 
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
  PreSentenceKind: {
    "adjournment": "sentencing adjourned",
    "deferred_sentence": "deferred sentence",
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
    "action_due": "agreement action due",
    "review_due": "agreement review due",
    "sign_off_due": "sign-off due",
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
  MeetingKind: {
    "conference": "face-to-face conference",
    "shuttle": "shuttle communication",
    "letters": "letters",
    "video": "video call",
  },
  PlanSection: {
    "opening": "opening",
    "what_happened": "what happened",
    "who_affected": "who was affected",
    "what_needed": "what is needed",
    "agreement": "agreement",
  },
  CheckItem: {
    "venue_checked": "venue checked: separate arrival and waiting rooms, accessibility",
    "interpreter_booked": "interpreter booked",
    "supporters_briefed": "supporters briefed",
    "ground_rules_agreed": "ground rules agreed",
    "facts_acknowledged": "the responsible person acknowledges the basic facts",
  },
  ActionStatus: {
    "open": "open",
    "done": "done",
    "not_done": "not done",
  },
  Satisfaction: {
    "very_satisfied": "very satisfied",
    "satisfied": "satisfied",
    "neither": "neither satisfied nor dissatisfied",
    "dissatisfied": "dissatisfied",
    "very_dissatisfied": "very dissatisfied",
  },
} as const;
