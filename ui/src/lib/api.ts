// The only module that talks to Rust: one typed function per command of docs/app.md, and the
// two events. Every function resolves with the command's value or rejects with an AppError.

import { invoke as tauriInvoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type {
  AgreementInput,
  AgreementView,
  AppError,
  AppState,
  DateStyle,
  CaseDetail,
  CaseloadPage,
  CaseloadQuery,
  ConflictView,
  CourtReportData,
  CreatedCase,
  Dashboard,
  FeedbackInput,
  FeedbackView,
  FiguresExport,
  SavedFigures,
  DocumentKind,
  DocumentPreview,
  DraftSaved,
  HandIn,
  HandoverReceipt,
  KeepChoice,
  MeetingInput,
  MeetingView,
  NewCase,
  NewConsentInput,
  NewParty,
  NewRecoveryCode,
  NewVisitInput,
  PartyEdit,
  PlanSaved,
  PlanSection,
  RecoveryWay,
  ReferralEdit,
  ReviewInput,
  RiskAssessment,
  RiskInput,
  SavedDocument,
  SarOpenInput,
  SarPartyView,
  SarRequestView,
  SarSaveInput,
  SavedSar,
  SignOffDecision,
  StatusMove,
  Strength,
  SyncProblems,
  SyncView,
  CaseStatus,
  Transition,
  WaitingSignOff,
} from './types';

type Invoke = <T>(cmd: string, args?: Record<string, unknown>) => Promise<T>;
type Listen = <T>(event: string, handler: (payload: T) => void) => Promise<UnlistenFn>;

let backend: Promise<{ invoke: Invoke; listen: Listen }> | null = null;

function realBackend(): { invoke: Invoke; listen: Listen } {
  return {
    invoke: (cmd, args) => tauriInvoke(cmd, args),
    listen: (event, handler) => listen(event, (e) => handler(e.payload as never)),
  };
}

/** The Tauri bridge; in `npm run dev` outside Tauri, a pretend backend (never in a build). */
function bridge(): Promise<{ invoke: Invoke; listen: Listen }> {
  if (!backend) {
    if (import.meta.env.DEV && !('__TAURI_INTERNALS__' in window)) {
      backend = import('./devMock').then((m) => m.mockBackend());
    } else {
      backend = Promise.resolve(realBackend());
    }
  }
  return backend;
}

function isAppError(e: unknown): e is AppError {
  return (
    typeof e === 'object' &&
    e !== null &&
    typeof (e as AppError).code === 'string' &&
    typeof (e as AppError).message === 'string'
  );
}

/** Whatever a command rejected with, as an AppError whose message a person can read. */
export function toAppError(e: unknown): AppError {
  if (isAppError(e)) return e;
  if (typeof e === 'string' && e.length > 0) return { code: 'internal', message: e };
  return {
    code: 'internal',
    message: 'Something went wrong inside Casebook. Nothing you wrote was thrown away; try again.',
  };
}

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  const b = await bridge();
  try {
    return await b.invoke<T>(cmd, args);
  } catch (e) {
    throw toAppError(e);
  }
}

export const appState = () => call<AppState>('app_state');
export const passphraseStrength = (passphrase: string) =>
  call<Strength>('passphrase_strength', { passphrase });
export const createStore = (passphrase: string, confirm: string) =>
  call<AppState>('create_store', { passphrase, confirm });
export const joinHub = (hubUrl: string, code: string, passphrase: string, confirm: string) =>
  call<AppState>('join_hub', { hubUrl, code, passphrase, confirm });
export const unlock = (passphrase: string) => call<AppState>('unlock', { passphrase });
export const lock = () => call<AppState>('lock');
export const touch = () => call<null>('touch');
export const acknowledgeWipe = () => call<AppState>('acknowledge_wipe');
export const recoveryWay = () => call<RecoveryWay>('recovery_way');
export const recover = (secret: string, passphrase: string, confirm: string) =>
  call<AppState>('recover', { secret, passphrase, confirm });
export const newRecoveryCode = (passphrase: string) => call<NewRecoveryCode>('new_recovery_code', { passphrase });
export const handIn = (passphrase: string) => call<HandIn>('hand_in', { passphrase });
export const handoverReceipt = () => call<HandoverReceipt | null>('handover_receipt');
export const sarFind = (name: string) => call<SarPartyView[]>('sar_find', { name });
export const sarOpen = (input: SarOpenInput) => call<SarRequestView>('sar_open', { input });
export const sarRequests = () => call<SarRequestView[]>('sar_requests');
export const sarSave = (input: SarSaveInput) => call<SavedSar>('sar_save', { input });
export const sarClose = (reference: string) => call<SarRequestView>('sar_close', { reference });
export const setAutoLock = (minutes: number) => call<AppState>('set_auto_lock', { minutes });
export const setDateStyle = (style: DateStyle) => call<AppState>('set_date_style', { style });
export const caseload = (query: CaseloadQuery) => call<CaseloadPage>('caseload', { query });
export const caseDetail = (caseId: string) => call<CaseDetail>('case_detail', { caseId });
export const createCase = (input: NewCase) => call<CreatedCase>('create_case', { input });
export const addParty = (caseId: string, input: NewParty) =>
  call<string>('add_party', { caseId, input });
export const editReferral = (caseId: string, input: ReferralEdit) =>
  call<null>('edit_referral', { caseId, input });
export const editParty = (partyId: string, input: PartyEdit) => call<null>('edit_party', { partyId, input });
export const statusMoves = (caseId: string) => call<StatusMove[]>('status_moves', { caseId });
export const changeStatus = (caseId: string, to: CaseStatus, outcome: string | null) =>
  call<Transition>('change_status', { caseId, to, outcome });
export const amendVisit = (caseId: string, contactId: string) =>
  call<string>('amend_visit', { caseId, contactId });
export const recordConsent = (caseId: string, input: NewConsentInput) =>
  call<string>('record_consent', { caseId, input });
export const visitWarnings = (caseId: string, partyIds: string[], initiatedByParty: boolean) =>
  call<string[]>('visit_warnings', { caseId, partyIds, initiatedByParty });
export const startVisit = (caseId: string, input: NewVisitInput) =>
  call<string>('start_visit', { caseId, input });
export const saveDraft = (contactId: string, notes: string) =>
  call<DraftSaved>('save_draft', { contactId, notes });
export const finaliseVisit = (contactId: string) => call<null>('finalise_visit', { contactId });
export const addSupervisionNote = (caseId: string, text: string) =>
  call<string>('add_supervision_note', { caseId, text });
export const riskAssessments = (caseId: string) =>
  call<RiskAssessment[]>('risk_assessments', { caseId });
export const newRiskAssessment = (caseId: string, input: RiskInput) =>
  call<string>('new_risk_assessment', { caseId, input });
export const editRiskAssessment = (riskId: string, input: RiskInput) =>
  call<null>('edit_risk_assessment', { riskId, input });
export const submitRiskAssessment = (riskId: string) =>
  call<null>('submit_risk_assessment', { riskId });
export const signOffRiskAssessment = (riskId: string, decision: SignOffDecision, note: string | null) =>
  call<null>('sign_off_risk_assessment', { riskId, decision, note });
export const changeOfCircumstances = (riskId: string, what: string) =>
  call<null>('change_of_circumstances', { riskId, what });
export const signoffs = () => call<WaitingSignOff[]>('signoffs');
export const signOffCourtReport = (caseId: string, decision: SignOffDecision, note: string | null) =>
  call<null>('sign_off_court_report', { caseId, decision, note });
export const dashboard = (team: string | null = null) => call<Dashboard>('dashboard', { team });
export const saveFigures = (input: FiguresExport) => call<SavedFigures>('save_figures', { input });
export const syncStatus = () => call<SyncView>('sync_status');
export const syncNow = () => call<SyncView>('sync_now');
export const conflicts = () => call<ConflictView[]>('conflicts');
export const resolveConflict = (id: string, keep: KeepChoice) =>
  call<null>('resolve_conflict', { id, keep });
export const syncProblems = () => call<SyncProblems>('sync_problems');
export const meetings = (caseId: string) => call<MeetingView[]>('meetings', { caseId });
export const meeting = (meetingId: string) => call<MeetingView>('meeting', { meetingId });
export const planMeeting = (caseId: string, input: MeetingInput) =>
  call<string>('plan_meeting', { caseId, input });
export const editMeeting = (meetingId: string, input: MeetingInput) =>
  call<boolean>('edit_meeting', { meetingId, input });
export const saveMeetingPlan = (meetingId: string, section: PlanSection, text: string) =>
  call<PlanSaved>('save_meeting_plan', { meetingId, section, text });
export const confirmMeetingItem = (meetingId: string, item: string) =>
  call<MeetingView>('confirm_meeting_item', { meetingId, item });
export const recordMeetingHeld = (meetingId: string, attended: string[]) =>
  call<null>('record_meeting_held', { meetingId, attended });
export const overrideMeeting = (meetingId: string, reason: string) =>
  call<null>('override_meeting', { meetingId, reason });
export const callOffMeeting = (meetingId: string, why: string) =>
  call<null>('call_off_meeting', { meetingId, why });
export const agreements = (caseId: string) => call<AgreementView[]>('agreements', { caseId });
export const recordAgreement = (caseId: string, input: AgreementInput) =>
  call<string>('record_agreement', { caseId, input });
export const reviewAgreement = (agreementId: string, input: ReviewInput) =>
  call<null>('review_agreement', { agreementId, input });
export const feedback = (caseId: string) => call<FeedbackView[]>('feedback', { caseId });
export const recordFeedback = (caseId: string, input: FeedbackInput) =>
  call<string>('record_feedback', { caseId, input });
export const courtReport = (caseId: string) => call<CourtReportData | null>('court_report', { caseId });
export const writeCourtReport = (caseId: string, whatTookPlace: string) =>
  call<null>('write_court_report', { caseId, whatTookPlace });
export const submitCourtReport = (caseId: string) => call<null>('submit_court_report', { caseId });
export const documentPreview = (caseId: string, kind: DocumentKind) =>
  call<DocumentPreview>('document_preview', { caseId, kind });
export const saveDocument = (caseId: string, kind: DocumentKind, path: string) =>
  call<SavedDocument>('save_document', { caseId, kind, path });

/** The app locked itself, was wiped, or changed phase otherwise. */
export async function onState(handler: (state: AppState) => void): Promise<UnlistenFn> {
  return (await bridge()).listen<AppState>('casebook://state', handler);
}

/** Sync progress and results, also of syncs the app started by itself. */
export async function onSync(handler: (view: SyncView) => void): Promise<UnlistenFn> {
  return (await bridge()).listen<SyncView>('casebook://sync', handler);
}
