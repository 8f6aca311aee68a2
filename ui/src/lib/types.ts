// The types that cross the bridge, until ui/src/lib/bindings.ts is generated from Rust.
// Written against the names of docs/app.md; once bindings.ts exists this file only
// re-exports it, so the rest of the ui imports from './types' either way.

export type CaseKind = 'restorative_justice' | 'restorative_mediation';
export type JusticeStage = 'out_of_court' | 'pre_sentence' | 'post_sentence' | 'not_applicable';
export type CaseStatus =
  | 'referred'
  | 'contacting'
  | 'preparing'
  | 'meeting_planned'
  | 'follow_up'
  | 'closed';
export type ReferralSource =
  | 'police'
  | 'probation'
  | 'court'
  | 'youth_justice'
  | 'victim_services'
  | 'housing'
  | 'school'
  | 'self'
  | 'other';
export type PartyRole =
  | 'victim'
  | 'harmer'
  | 'party'
  | 'supporter'
  | 'guardian'
  | 'interpreter'
  | 'other';
export type ConsentScope =
  | 'participation'
  | 'info_sharing'
  | 'contact'
  | 'direct_meeting'
  | 'indirect'
  | 'share_with_other_party'
  | 'follow_up';
export type ConsentDecision = 'given' | 'declined' | 'withdrawn';
export type ConsentMethod = 'verbal' | 'written' | 'signed';
export type ContactKind = 'visit' | 'call' | 'letter' | 'video' | 'office';
export type ContactState = 'draft' | 'finalised';
export type DeadlineKind = 'court_date' | 'first_contact';
export type Transition = 'advance' | 'step_back' | 'close' | 'reopen';

/** Each closed set's stored names with the label shown to people, in the order of the process. */
export const LABELS = {
  CaseKind: {
    restorative_justice: 'Restorative Justice',
    restorative_mediation: 'Restorative Mediation',
  },
  JusticeStage: {
    out_of_court: 'out of court',
    pre_sentence: 'pre-sentence',
    post_sentence: 'post-sentence',
    not_applicable: 'not applicable',
  },
  CaseStatus: {
    referred: 'referred',
    contacting: 'contacting',
    preparing: 'preparing',
    meeting_planned: 'meeting planned',
    follow_up: 'follow-up',
    closed: 'closed',
  },
  ReferralSource: {
    police: 'police',
    probation: 'probation',
    court: 'court',
    youth_justice: 'youth justice',
    victim_services: 'victim services',
    housing: 'housing',
    school: 'school',
    self: 'self-referral',
    other: 'other',
  },
  PartyRole: {
    victim: 'victim',
    harmer: 'responsible person',
    party: 'party in conflict',
    supporter: 'supporter',
    guardian: 'parent or guardian',
    interpreter: 'interpreter',
    other: 'other',
  },
  ConsentScope: {
    participation: 'taking part',
    info_sharing: 'information sharing with an agency',
    contact: 'contact by the service',
    direct_meeting: 'a direct meeting',
    indirect: 'indirect communication',
    share_with_other_party: 'sharing information with the other party',
    follow_up: 'follow-up feedback',
  },
  ConsentDecision: { given: 'given', declined: 'declined', withdrawn: 'withdrawn' },
  ConsentMethod: { verbal: 'verbal', written: 'written', signed: 'signed form' },
  ContactKind: {
    visit: 'home visit',
    call: 'phone call',
    letter: 'letter',
    video: 'video call',
    office: 'office meeting',
  },
  ContactState: { draft: 'draft', finalised: 'finalised' },
  DeadlineKind: { court_date: 'court date', first_contact: 'first contact due' },
} as const;

export type AppPhase = 'first_run' | 'locked' | 'unlocked' | 'wiped';
export type UserRole = 'facilitator' | 'supervisor';

export type AppState = {
  phase: AppPhase;
  store_dir: string;
  user_name: string | null;
  role: UserRole;
  hub: string | null;
  auto_lock_minutes: number;
  /** Why the app is in this phase, when it changed by itself (auto-lock, wipe). */
  reason: string | null;
};

export type Strength = {
  /** 0 (unusable) to 4 (strong). */
  score: number;
  /** "Too short", "Weak", "Fair", "Good", "Strong". */
  label: string;
  hint: string;
  acceptable: boolean;
};

export type ErrorCode =
  | 'wrong_passphrase'
  | 'passphrase_mismatch'
  | 'weak_passphrase'
  | 'no_store'
  | 'store_exists'
  | 'store_damaged'
  | 'locked'
  | 'invalid_input'
  | 'rule'
  | 'not_found'
  | 'read_only'
  | 'hub_unreachable'
  | 'hub_refused'
  | 'not_enrolled'
  | 'wiped'
  | 'internal';

export type AppError = { code: ErrorCode; message: string };

export type CaseloadQuery = {
  text: string | null;
  stage: JusticeStage | null;
  status: CaseStatus | null;
  kind: CaseKind | null;
  include_closed: boolean;
};

export type Deadline = { date: string; kind: DeadlineKind };

export type CaseSummary = {
  id: string;
  reference: string;
  kind: CaseKind;
  stage: JusticeStage;
  status: CaseStatus;
  summary: string;
  received_on: string;
  court_date: string | null;
  next_deadline: Deadline | null;
  parties: string[];
  drafts: number;
  /** The lead facilitator's user id. */
  lead_id: string | null;
  /** The lead's name, from the team directory (null until the hub has sent it). */
  lead_name: string | null;
};

export type CaseRecord = {
  id: string;
  reference: string;
  kind: CaseKind;
  stage: JusticeStage;
  status: CaseStatus;
  source: ReferralSource;
  referrer: string | null;
  summary: string;
  received_on: string;
  court_date: string | null;
  outcome: string | null;
  created_at: string;
  lead_id: string | null;
  lead_name: string | null;
};

export type ConsentNow = {
  scope: ConsentScope;
  decision: ConsentDecision;
  method: ConsentMethod;
  date: string;
};

export type PartyView = {
  id: string;
  name: string;
  role: PartyRole;
  phone: string | null;
  minor: boolean;
  guardian_of: string | null;
  consents: ConsentNow[];
};

export type ContactView = {
  id: string;
  kind: ContactKind;
  date: string;
  notes: string;
  state: ContactState;
  initiated_by_party: boolean;
  party_ids: string[];
  amends: string | null;
  finalised_on: string | null;
  flagged: string | null;
};

export type ConsentView = {
  id: string;
  party_id: string;
  party_name: string;
  scope: ConsentScope;
  decision: ConsentDecision;
  method: ConsentMethod;
  date: string;
  note: string | null;
};

export type StatusView = {
  id: string;
  from: CaseStatus;
  to: CaseStatus;
  transition: Transition;
  outcome: string | null;
  date: string;
};

export type SupervisionNoteView = {
  id: string;
  text: string;
  date: string;
  author_id: string;
  author_name: string | null;
};

export type TimelineEntry =
  | ({ type: 'contact' } & ContactView)
  | ({ type: 'consent' } & ConsentView)
  | ({ type: 'status' } & StatusView)
  | ({ type: 'supervision' } & SupervisionNoteView);

export type CaseDetail = {
  case: CaseRecord;
  next_deadline: Deadline | null;
  parties: PartyView[];
  timeline: TimelineEntry[];
  warnings: string[];
};

export type CreatedCase = { id: string; reference: string };

export type NewCaseInput = {
  kind: CaseKind;
  stage: JusticeStage;
  source: ReferralSource;
  referrer: string | null;
  summary: string;
  court_date: string | null;
  received_on: string | null;
};

export type NewPartyInput = {
  name: string;
  role: PartyRole;
  phone: string | null;
  minor: boolean;
  guardian_of: string | null;
};

export type NewConsentInput = {
  party_id: string;
  scope: ConsentScope;
  decision: ConsentDecision;
  method: ConsentMethod;
  date: string | null;
  note: string | null;
};

export type NewVisitInput = {
  party_ids: string[];
  kind: ContactKind;
  date: string;
  initiated_by_party: boolean;
  notes: string;
  amends: string | null;
};

export type DraftSaved = { contact_id: string; chars: number; saved_at: string };

export type SyncState = 'not_enrolled' | 'idle' | 'syncing' | 'offline' | 'failed';

export type SyncView = {
  state: SyncState;
  hub: string | null;
  pending: number;
  conflicts: number;
  rejected: number;
  /** When the last sync finished (RFC 3339). */
  last_sync: string | null;
  /** While syncing: what is happening ("Sent 40 changes"). */
  progress: string | null;
  /** Why the last attempt failed. */
  error: string | null;
  /** When the next attempt is due (RFC 3339), while offline. */
  next_attempt: string | null;
};

export type ConflictView = {
  id: string;
  case_id: string;
  reference: string;
  entity: string;
  entity_id: string;
  field: string;
  current: string | null;
  other: string | null;
  current_is_mine: boolean;
  other_is_mine: boolean;
};

export type KeepChoice = { keep: 'mine' } | { keep: 'theirs' } | { keep: 'merged'; text: string };
