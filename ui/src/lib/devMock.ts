// A pretend backend for `npm run dev` in a plain browser, so screens can be looked at without
// Rust. api.ts loads it only when import.meta.env.DEV and there is no Tauri: never in a build.
// Passphrase "correct horse battery staple" unlocks; add "?role=supervisor" (or coordinator) to
// the address for that role, "?phase=first_run" for the first start, "?slow" for slow saves.

import type {
  Abilities,
  AppState,
  DateStyle,
  FiguresExport,
  CaseDetail,
  CaseSummary,
  CaseloadQuery,
  ConflictView,
  Dashboard,
  HandoverReceipt,
  KeepChoice,
  NewCase,
  NewConsentInput,
  NewParty,
  NewVisitInput,
  PartyEdit,
  PartyView,
  RecoveryWay,
  ReferralEdit,
  RiskAssessment,
  RiskFactor,
  RiskInput,
  SignOffDecision,
  SyncProblems,
  SyncView,
  TimelineEntry,
  WaitingSignOff,
  CaseStatus,
  Role,
} from './types';
import { LABELS } from './types';
import { label } from './format';
import { afterMock } from './devMockAfter';
import { sarMock } from './devMockSar';

type Handler = (payload: unknown) => void;

const PASS = 'correct horse battery staple';

export function mockBackend() {
  const params = new URLSearchParams(location.search);
  const slow = params.has('slow');
  const listeners = new Map<string, Set<Handler>>();
  const emit = (event: string, payload: unknown) =>
    listeners.get(event)?.forEach((h) => h(structuredClone(payload)));

  // What Rust reads from the domain's may_write and scope rules, written out for the pretend roles.
  const mayOf = (role: Role): Abilities => {
    const works = role === 'facilitator';
    return {
      create_case: works || role === 'coordinator',
      edit_case: works,
      change_status: works,
      add_party: works,
      edit_party: works,
      record_consent: works,
      write_visits: works,
      write_risk: works,
      write_meetings: works,
      write_agreements: works,
      record_feedback: works,
      write_court_report: works,
      sign_off: role === 'supervisor',
      supervise: role === 'supervisor',
      sees_others_cases: !works,
      oversee: role === 'supervisor' || role === 'coordinator',
    };
  };
  const role = (['supervisor', 'coordinator'].find((r) => r === params.get('role')) ?? 'facilitator') as Role;
  const state: AppState = {
    phase: (params.get('phase') as AppState['phase']) ?? 'locked',
    store_dir: '/home/sam/.local/share/casebook',
    role,
    may: mayOf(role),
    user_name: 'Sam Facilitator',
    hub: 'https://hub.example.org',
    auto_lock_minutes: 10,
    reason: null,
    dates: { style: 'system', locale: 'en-GB', system: null },
    documents_dir: '/home/sam/Documents',
  };
  const sync: SyncView = {
    seq: 1,
    state: 'idle',
    hub: state.hub,
    progress: null,
    received: null,
    pending: 3,
    conflicts: 1,
    rejected: 1,
    set_aside: 1,
    last_sync: new Date(Date.now() - 3_600_000).toISOString(),
    error: null,
    next_attempt: null,
  };

  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  let seq = 100;
  const id = () => `id-${++seq}`;

  type Case = { detail: CaseDetail; lead: string };
  const cases: Case[] = [];
  function addCase(ref: string, lead: string, input: NewCase, parties: PartyView[], timeline: TimelineEntry[]) {
    cases.push({
      lead,
      detail: {
        case: {
          id: id(),
          reference: ref,
          kind: input.kind,
          stage: input.stage,
          status: 'contacting',
          source: input.source,
          referrer: input.referrer,
          summary: input.summary,
          received_on: input.received_on ?? day(0),
          court_date: input.court_date,
          pre_sentence: input.pre_sentence ?? null,
          outcome: null,
          created_at: new Date().toISOString(),
          lead_id: null,
          lead_name: lead,
        },
        next_deadline: input.court_date ? { date: input.court_date, kind: 'court_date' } : null,
        parties,
        timeline,
        warnings: [],
      },
    });
  }
  const ann: PartyView = {
    id: id(),
    name: 'Ann Example',
    role: 'victim',
    phone: '01632 960000',
    minor: false,
    guardian_of: null,
    consents: [{ scope: 'contact', decision: 'given', method: 'verbal', date: day(-6) }],
  };
  const ben: PartyView = {
    id: id(),
    name: 'Ben Sample',
    role: 'harmer',
    phone: null,
    minor: true,
    guardian_of: null,
    consents: [],
  };
  addCase(
    'RJ-2026-0042',
    'Sam Facilitator',
    {
      kind: 'restorative_justice',
      stage: 'pre_sentence',
      source: 'court',
      referrer: 'Crown Court, list office',
      summary: 'Burglary of a ground-floor flat while the owner was away.',
      court_date: day(9),
      pre_sentence: 'adjournment',
      received_on: day(-8),
    },
    [ann, ben],
    [
      {
        type: 'consent',
        id: id(),
        party_id: ann.id,
        party_name: ann.name,
        scope: 'contact',
        decision: 'given',
        method: 'verbal',
        date: day(-6),
        note: null,
      },
      {
        type: 'contact',
        id: 'draft-1',
        kind: 'visit',
        date: day(-1),
        notes: 'Ann talked about the evening she came home.',
        state: 'draft',
        initiated_by_party: false,
        party_ids: [ann.id],
        amends: null,
        finalised_on: null,
        flagged: null,
      },
      {
        type: 'contact',
        id: id(),
        kind: 'call',
        date: day(-3),
        notes: 'Arranged a visit.',
        state: 'finalised',
        initiated_by_party: true,
        party_ids: [ann.id],
        amends: null,
        finalised_on: day(-3),
        flagged: 'Written after the case moved to another facilitator.',
      },
      {
        type: 'supervision',
        id: id(),
        author_id: 'u-pat',
        author_name: 'Pat Supervisor',
        text: 'Check the guardian consent.',
        date: day(-2),
      },
    ],
  );
  addCase(
    'RM-2026-0007',
    'Alex Colleague',
    {
      kind: 'restorative_mediation',
      stage: 'not_applicable',
      source: 'housing',
      referrer: null,
      summary: 'Neighbours in dispute over noise late at night.',
      court_date: null,
      pre_sentence: null,
      received_on: day(-2),
    },
    [],
    [],
  );
  cases[1]!.detail.next_deadline = { date: day(8), kind: 'first_contact' };

  let conflicts: ConflictView[] = [
    {
      id: 'c1',
      case_id: cases[0]!.detail.case.id,
      reference: 'RJ-2026-0042',
      entity: 'case',
      entity_id: cases[0]!.detail.case.id,
      field: 'summary',
      current: 'Burglary of a ground-floor flat.',
      other: 'Burglary of a ground-floor flat while the owner was on holiday.',
      current_is_mine: true,
      other_is_mine: false,
    },
  ];

  const problems: SyncProblems = {
    refused: [
      {
        op_id: 'op-refused-1',
        case_id: cases[0]!.detail.case.id,
        reference: 'RJ-2026-0042',
        record: 'contact',
        reason: 'the contact was finalised and never changes; record an amendment instead',
      },
    ],
    set_aside: [
      {
        op_id: 'op-aside-1',
        case_id: 'case-not-here',
        reference: null,
        record: 'case',
        code: 'malformed',
        reason: 'a case\'s "reference" has a value it cannot have',
        set_aside_at: `${day(-1)}T09:30:00Z`,
        set_aside_on: day(-1),
      },
    ],
  };

  const find = (caseId: string) => {
    const c = cases.find((x) => x.detail.case.id === caseId);
    if (!c) throw { code: 'not_found', message: 'That case is not on this laptop.' };
    return c;
  };
  const needUnlocked = () => {
    if (state.phase !== 'unlocked') throw { code: 'locked', message: 'Casebook is locked.' };
  };
  const needWriter = () => {
    if (!state.may.edit_case)
      throw { code: 'read_only', message: 'Only the facilitators who hold a case change it.' };
  };
  const needOpen = (c: Case) => {
    if (c.detail.case.status === 'closed')
      throw { code: 'rule', message: 'The case is closed: reopen it before changing anything. Nothing was changed.' };
  };
  // Subject access asks the hub: the pretend one answers coordinators only, and not offline.
  const sar = sarMock(() => state.role, () => sync.state === 'offline');
  const after = afterMock(
    (caseId) => find(caseId).detail.parties,
    (caseId) => find(caseId).detail.case.reference,
    id,
    day,
  );
  const ORDER: CaseStatus[] = ['referred', 'contacting', 'preparing', 'meeting_planned', 'follow_up', 'closed'];
  const summary = (c: Case): CaseSummary => ({
    id: c.detail.case.id,
    reference: c.detail.case.reference,
    kind: c.detail.case.kind,
    stage: c.detail.case.stage,
    status: c.detail.case.status,
    summary: c.detail.case.summary,
    received_on: c.detail.case.received_on,
    court_date: c.detail.case.court_date,
    next_deadline: c.detail.next_deadline,
    parties: c.detail.parties.map((p) => p.name),
    drafts: c.detail.timeline.filter((t) => t.type === 'contact' && t.state === 'draft').length,
    lead_id: null,
    lead_name: c.lead,
  });
  const contact = (contactId: string) => {
    for (const c of cases)
      for (const t of c.detail.timeline) if (t.type === 'contact' && t.id === contactId) return t;
    throw { code: 'not_found', message: 'That draft is not on this laptop.' };
  };

  const risks: RiskAssessment[] = [];
  const risk = (riskId: string) => {
    const r = risks.find((x) => x.id === riskId);
    if (!r) throw { code: 'not_found', message: 'That risk assessment is not on this laptop.' };
    return r;
  };
  /** What the store derives: the factors missing, and whether a meeting may rely on it. */
  const refresh = (r: RiskAssessment) => {
    const all = Object.keys(LABELS.RiskFactor) as RiskFactor[];
    r.missing_factors = all.filter((f) => !r.factors[f]);
    r.current = r.state.state === 'approved' && !r.circumstances_changed_on;
    r.not_current = r.current ? null : r.state.state === 'approved' ? 'circumstances_changed' : 'not_approved';
    r.not_current_text = r.current
      ? null
      : r.not_current === 'circumstances_changed'
        ? 'circumstances changed after the risk assessment was approved: revise it and submit it again'
        : 'the risk assessment has not been approved by a supervisor';
  };

  /** A court report waiting for a supervisor, as if synced from a facilitator (the mock has no writer). */
  let reportWaiting = true;
  const waiting = (): WaitingSignOff[] => {
    const at = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString();
    const out: WaitingSignOff[] = risks
      .filter((r) => r.state.state === 'submitted')
      .map((r) => {
        const c = find(r.case_id).detail.case;
        return {
          what: 'risk_assessment',
          id: r.id,
          case_id: r.case_id,
          reference: c.reference,
          submitted_by: 'u-fay',
          submitted_by_name: c.lead_name,
          submitted_at: at(0),
          approve: `casebook risk approve ${r.id}`,
          return_with: `casebook risk return ${r.id} --note TEXT`,
        };
      });
    const first = cases[0]?.detail.case;
    if (reportWaiting && first)
      out.unshift({
        what: 'court_report',
        id: 'report-1',
        case_id: first.id,
        reference: first.reference,
        submitted_by: 'u-fay',
        submitted_by_name: first.lead_name,
        submitted_at: at(2),
        approve: `casebook report approve ${first.reference}`,
        return_with: `casebook report return ${first.reference} --note TEXT`,
      });
    return out;
  };

  // "?recovery=none" or "organisation_key" for the other ways back in; a personal code by default.
  let recoveryWay = (params.get('recovery') ?? 'personal_code') as RecoveryWay;
  let receipt: HandoverReceipt | null = null;

  const commands: Record<string, (a: Record<string, unknown>) => unknown> = {
    app_state: () => state,
    passphrase_strength: (a) => {
      const p = String(a.passphrase);
      const score = Math.min(4, Math.floor(p.length / 6));
      const label = ['Very weak', 'Weak', 'Fair', 'Good', 'Strong'][score];
      const acceptable = score >= 3;
      return {
        score,
        label,
        acceptable,
        warning: acceptable ? null : 'This is similar to a commonly used password.',
        suggestions: ['Add another word or two. Uncommon words are better.'],
      };
    },
    create_store: (a) => {
      if (a.passphrase !== a.confirm)
        throw { code: 'passphrase_mismatch', message: 'The two passphrases are not the same.' };
      state.phase = 'unlocked';
      state.role = 'facilitator';
      state.may = mayOf('facilitator');
      state.hub = null;
      sync.state = 'not_enrolled';
      return state;
    },
    join_hub: (a) => {
      if (a.passphrase !== a.confirm)
        throw { code: 'passphrase_mismatch', message: 'The two passphrases are not the same.' };
      state.phase = 'unlocked';
      return state;
    },
    unlock: (a) => {
      if (a.passphrase !== PASS)
        throw { code: 'wrong_passphrase', message: 'The passphrase is wrong. Nothing was changed.' };
      state.phase = 'unlocked';
      state.reason = null;
      return state;
    },
    lock: () => {
      state.phase = 'locked';
      return state;
    },
    touch: () => null,
    acknowledge_wipe: () => {
      state.phase = 'first_run';
      receipt = null;
      return state;
    },
    recovery_way: () => recoveryWay,
    recover: (a) => {
      const field = recoveryWay === 'organisation_key' ? 'key' : 'code';
      if (recoveryWay === 'none')
        throw { code: 'invalid_input', message: 'Nothing on this laptop can open Casebook without the passphrase.' };
      if (field === 'code' && String(a.secret).replace(/[\s-]/g, '').length !== 28)
        throw {
          code: 'invalid_input',
          field,
          message: 'That is not a recovery code as Casebook printed it: a letter or digit in it is wrong. Nothing was changed.',
        };
      if (a.passphrase !== a.confirm)
        throw { code: 'passphrase_mismatch', message: 'The two passphrases are not the same.' };
      state.phase = 'unlocked';
      state.reason = null;
      return state;
    },
    new_recovery_code: (a) => {
      if (a.passphrase !== PASS)
        throw { code: 'wrong_passphrase', field: 'passphrase', message: 'The passphrase is wrong. Nothing was changed.' };
      recoveryWay = 'personal_code';
      return { code: '7K3Q-M9XD-2HRT-C4WN-8PZA-VB6E-1JQS' };
    },
    hand_in: (a) => {
      if (a.passphrase !== PASS)
        throw { code: 'wrong_passphrase', field: 'passphrase', message: 'The passphrase is wrong. Nothing was changed.' };
      if (sync.rejected > 0) {
        sync.rejected = 0;
        throw { code: 'hub_refused', message: 'The hub refused 1 change written on this laptop. Nothing was erased.' };
      }
      receipt = { ops: 42, digest: '205a6e3532f36180eb935e445c5b52990dfd8cfd857fe1099ea914d883fd1586', at: new Date().toISOString() };
      state.phase = 'wiped';
      emit('casebook://state', state);
      return { outcome: 'handed_over', receipt };
    },
    handover_receipt: () => receipt,
    sar_find: (a) => sar.find(a),
    sar_open: (a) => sar.open(a),
    sar_requests: () => sar.requests(),
    sar_save: (a) => sar.save(a),
    sar_close: (a) => sar.close(a),
    set_auto_lock: (a) => {
      state.auto_lock_minutes = Number(a.minutes);
      return state;
    },
    set_date_style: (a) => {
      const style = a.style as DateStyle;
      state.dates = { ...state.dates, style, locale: style === 'british' ? 'en-GB' : (state.dates.system ?? 'en-GB') };
      return state;
    },
    caseload: (a) => {
      needUnlocked();
      const q = a.query as CaseloadQuery;
      const s = q.text?.toLowerCase() ?? '';
      const found = cases
        .filter((c) => !q.ids || q.ids.includes(c.detail.case.id))
        .filter((c) => q.ids || q.include_closed || q.status === 'closed' || c.detail.case.status !== 'closed')
        .filter((c) => !q.stage || c.detail.case.stage === q.stage)
        .filter((c) => !q.status || c.detail.case.status === q.status)
        .filter((c) => !q.kind || c.detail.case.kind === q.kind)
        .filter((c) => !s || JSON.stringify(c.detail).toLowerCase().includes(s))
        .map(summary);
      return { cases: q.limit === null || q.limit === undefined ? found : found.slice(0, q.limit), total: found.length };
    },
    case_detail: (a) => {
      needUnlocked();
      return find(String(a.caseId)).detail;
    },
    create_case: (a) => {
      needWriter();
      const input = a.input as NewCase;
      if (!input.summary.trim())
        throw { code: 'invalid_input', message: 'The summary of the harm or conflict is empty.' };
      const ref = `P-${Math.random().toString(36).slice(2, 8).toUpperCase()}`;
      addCase(ref, state.user_name ?? '', input, [], []);
      return { id: cases.at(-1)!.detail.case.id, reference: ref };
    },
    add_party: (a) => {
      needWriter();
      const input = a.input as NewParty;
      const p: PartyView = { id: id(), ...input, consents: [] };
      find(String(a.caseId)).detail.parties.push(p);
      return p.id;
    },
    edit_referral: (a) => {
      needWriter();
      const c = find(String(a.caseId));
      needOpen(c);
      const input = a.input as ReferralEdit;
      if (!input.summary.trim())
        throw { code: 'invalid_input', field: 'summary', message: 'Write a short summary of the harm or conflict.' };
      if (input.stage === 'pre_sentence' && !input.court_date)
        throw { code: 'invalid_input', field: 'court_date', message: 'A pre-sentence case needs its court date.' };
      Object.assign(c.detail.case, {
        summary: input.summary.trim(),
        stage: input.stage,
        court_date: input.court_date,
        pre_sentence: input.stage === 'pre_sentence' ? input.pre_sentence : null,
        referrer: input.referrer.trim() || null,
      });
      return null;
    },
    edit_party: (a) => {
      needWriter();
      const input = a.input as PartyEdit;
      const c = cases.find((x) => x.detail.parties.some((p) => p.id === a.partyId))!;
      needOpen(c);
      const p = c.detail.parties.find((x) => x.id === a.partyId)!;
      if (input.name !== null && !input.name.trim())
        throw { code: 'invalid_input', field: 'name', message: "Enter the party's name." };
      if (input.name !== null) p.name = input.name.trim();
      if (input.phone !== null) p.phone = input.phone.trim() || null;
      if (input.minor !== null) p.minor = input.minor;
      return null;
    },
    status_moves: (a) => {
      if (!state.may.change_status) return [];
      const from = find(String(a.caseId)).detail.case.status;
      if (from === 'closed') return ORDER.filter((s) => s !== 'closed').map((to) => ({ to, transition: 'reopen' }));
      const i = ORDER.indexOf(from);
      const moves = [{ to: ORDER[i + 1]!, transition: ORDER[i + 1] === 'closed' ? 'close' : 'advance' }];
      if (from === 'meeting_planned') moves.push({ to: 'preparing', transition: 'step_back' });
      if (ORDER[i + 1] !== 'closed') moves.push({ to: 'closed', transition: 'close' });
      return moves;
    },
    change_status: (a) => {
      needWriter();
      const c = find(String(a.caseId));
      const to = a.to as CaseStatus;
      const outcome = typeof a.outcome === 'string' ? a.outcome.trim() : '';
      if (to === 'closed' && !outcome)
        throw { code: 'invalid_input', field: 'outcome', message: 'Write the outcome: how the case ended.' };
      const from = c.detail.case.status;
      const transition = from === 'closed' ? 'reopen' : to === 'closed' ? 'close' : 'advance';
      c.detail.case.status = to;
      c.detail.case.outcome = to === 'closed' ? outcome : null;
      const sid = id();
      c.detail.timeline.push({ type: 'status', id: sid, from, to, transition, outcome: outcome || null, date: day(0) });
      return transition;
    },
    amend_visit: (a) => {
      needWriter();
      const original = contact(String(a.contactId));
      const cid = id();
      find(String(a.caseId)).detail.timeline.push({
        ...original,
        id: cid,
        state: 'draft',
        amends: original.id,
        finalised_on: null,
        flagged: null,
      });
      return cid;
    },
    record_consent: (a) => {
      needWriter();
      const input = a.input as NewConsentInput;
      const c = find(String(a.caseId));
      const party = c.detail.parties.find((p) => p.id === input.party_id)!;
      const date = input.date ?? day(0);
      party.consents = party.consents.filter((x) => x.scope !== input.scope);
      party.consents.push({ scope: input.scope, decision: input.decision, method: input.method, date });
      const cid = id();
      const { party_id: _, ...rest } = input;
      c.detail.timeline.push({ type: 'consent', id: cid, party_id: party.id, party_name: party.name, ...rest, date });
      return cid;
    },
    visit_warnings: (a) => {
      const c = find(String(a.caseId));
      const ids = a.partyIds as string[];
      return c.detail.parties
        .filter((p) => ids.includes(p.id) && p.minor)
        .map((p) => `${p.name} is under 18: a parent or guardian's consent to contact is not recorded.`)
        .concat(
          c.detail.parties
            .filter((p) => ids.includes(p.id) && !a.initiatedByParty)
            .filter((p) => !p.consents.some((x) => x.scope === 'contact' && x.decision === 'given'))
            .map((p) => `${p.name} has not agreed to be contacted by the service.`),
        );
    },
    start_visit: (a) => {
      needWriter();
      const input = a.input as NewVisitInput;
      const cid = id();
      find(String(a.caseId)).detail.timeline.push({
        type: 'contact',
        id: cid,
        kind: input.kind,
        date: input.date,
        notes: input.notes,
        state: 'draft',
        initiated_by_party: input.initiated_by_party,
        party_ids: input.party_ids,
        amends: null,
        finalised_on: null,
        flagged: null,
      });
      sync.pending++;
      return cid;
    },
    save_draft: (a) => {
      needUnlocked();
      contact(String(a.contactId)).notes = String(a.notes);
      return { contact_id: a.contactId, chars: String(a.notes).length, saved_at: new Date().toISOString() };
    },
    finalise_visit: (a) => {
      const c = contact(String(a.contactId));
      if (!c.notes.trim())
        throw { code: 'rule', message: 'The notes of a finalised contact are empty. Write what happened first.' };
      c.state = 'finalised';
      c.finalised_on = day(0);
      return null;
    },
    add_supervision_note: (a) => {
      const nid = id();
      find(String(a.caseId)).detail.timeline.push({
        type: 'supervision',
        id: nid,
        author_id: 'u-me',
        author_name: state.user_name,
        text: String(a.text),
        date: day(0),
      });
      return nid;
    },
    risk_assessments: (a) => {
      needUnlocked();
      return risks.filter((r) => r.case_id === a.caseId).reverse();
    },
    new_risk_assessment: (a) => {
      needWriter();
      const input = a.input as RiskInput;
      if (!input.rating)
        throw { code: 'invalid_input', message: 'Choose the overall rating: low, medium or high.' };
      const r: RiskAssessment = {
        id: id(),
        case_id: String(a.caseId),
        rating: input.rating,
        factors: input.factors,
        missing_factors: [],
        mitigations: input.mitigations.trim(),
        state: { state: 'draft' },
        submitted_on: null,
        current: false,
        not_current: 'not_approved',
        not_current_text: 'the risk assessment has not been approved by a supervisor',
        circumstances_changed_on: null,
        circumstances: null,
        created_at: new Date().toISOString(),
        sign_offs: [],
      };
      risks.push(r);
      refresh(r);
      return r.id;
    },
    edit_risk_assessment: (a) => {
      needWriter();
      const r = risk(String(a.riskId));
      const input = a.input as RiskInput;
      Object.assign(r.factors, input.factors);
      r.rating = input.rating ?? r.rating;
      r.mitigations = input.mitigations.trim();
      r.state = { state: 'draft' };
      r.submitted_on = null;
      refresh(r);
      return null;
    },
    submit_risk_assessment: (a) => {
      needWriter();
      const r = risk(String(a.riskId));
      if (r.missing_factors.length > 0)
        throw {
          code: 'rule',
          message: `Assess every risk factor before submitting it for sign-off: ${r.missing_factors
            .map((f) => label('RiskFactor', f))
            .join(', ')} not assessed yet. Nothing was submitted.`,
        };
      r.state = { state: 'submitted', on: day(0) };
      r.submitted_on = day(0);
      r.circumstances_changed_on = null;
      refresh(r);
      return null;
    },
    sign_off_risk_assessment: (a) => {
      if (state.role !== 'supervisor')
        throw { code: 'read_only', message: 'Only a supervisor of the case\'s team signs off a risk assessment.' };
      const r = risk(String(a.riskId));
      const note = (a.note as string | null)?.trim() || null;
      const decision = a.decision as SignOffDecision;
      if (decision === 'returned' && !note)
        throw {
          code: 'invalid_input',
          field: 'note',
          message: 'Say what should change before returning the risk assessment. Nothing was sent back.',
        };
      r.state = { state: decision, on: day(0), note };
      r.sign_offs.push({ id: id(), decision, note, date: day(0), by: 'u-me', by_name: state.user_name, current: true });
      refresh(r);
      return null;
    },
    change_of_circumstances: (a) => {
      needWriter();
      const r = risk(String(a.riskId));
      if (!String(a.what).trim()) throw { code: 'invalid_input', message: 'Say what changed.' };
      r.circumstances_changed_on = day(0);
      r.circumstances = String(a.what).trim();
      refresh(r);
      return null;
    },
    signoffs: () => {
      needUnlocked();
      return waiting();
    },
    sign_off_court_report: (a) => {
      if (state.role !== 'supervisor')
        throw { code: 'read_only', message: "Only a supervisor of the case's team signs off a court report." };
      if (a.decision === 'returned' && !(a.note as string | null)?.trim())
        throw {
          code: 'invalid_input',
          field: 'note',
          message: 'Say what should change before returning the court report. Nothing was sent back.',
        };
      reportWaiting = false;
      return null;
    },
    save_figures: (a) => {
      needUnlocked();
      const input = a.input as FiguresExport;
      if (!input.from) throw { code: 'invalid_input', field: 'from', message: 'Enter the first day to count.' };
      if (!input.to) throw { code: 'invalid_input', field: 'to', message: 'Enter the last day to count.' };
      if (!input.path.startsWith('/'))
        throw { code: 'invalid_input', field: 'path', message: 'Give the whole path of the file, starting with /.' };
      return { path: input.path, rows: 24 };
    },
    dashboard: (): Dashboard => {
      needUnlocked();
      const open = cases.filter((c) => c.detail.case.status !== 'closed').map((c) => c.detail.case);
      const bar = (key: string, label: string, ids: string[]) => ({ key, label, count: ids.length, cases: ids });
      const by = <K extends string>(keys: [K, string][], of: (c: (typeof open)[number]) => string) =>
        keys.map(([k, l]) => bar(k, l, open.filter((c) => of(c) === k).map((c) => c.id)));
      return {
        today: day(0),
        team: null,
        teams: [],
        open: bar('open', 'open cases', open.map((c) => c.id)),
        by_stage: by(Object.entries(LABELS.JusticeStage) as [string, string][], (c) => c.stage),
        by_status: by(
          (Object.entries(LABELS.CaseStatus) as [string, string][]).filter(([k]) => k !== 'closed'),
          (c) => c.status,
        ),
        by_facilitator: [...new Set(open.map((c) => c.lead_name ?? ''))].map((n) =>
          bar(n, n || 'Not allocated', open.filter((c) => (c.lead_name ?? '') === n).map((c) => c.id)),
        ),
        first_contact: {
          since: day(-90),
          contacted: bar('contacted', 'cases first contacted', []),
          median_days: null,
          within_target: bar('within_target', 'first contacted within 10 working days', []),
          share_within_target: null,
        },
        overdue: [
          bar('first_contact', 'first contact overdue', []),
          bar(
            'court_soon',
            'court date within 14 days',
            open.filter((c) => c.court_date && c.court_date >= day(0) && c.court_date <= day(14)).map((c) => c.id),
          ),
          bar('supervision', 'no case supervision for 12 weeks', []),
          bar('actions', 'agreement actions overdue', []),
          bar('review', 'agreement review overdue', []),
        ],
        signoffs_waiting: waiting().length,
        year_since: `${day(0).slice(0, 8)}01`,
        closed_by_outcome: [],
        meetings_by_month: [bar(day(0).slice(0, 7), 'this month', [])],
      };
    },
    sync_status: () => sync,
    sync_now: async () => {
      if (sync.state === 'not_enrolled')
        throw { code: 'not_enrolled', message: 'This laptop is not connected to a hub.' };
      sync.state = 'syncing';
      for (let done = 0; done <= 40; done += 10) {
        sync.progress = `Sent ${done} changes`;
        emit('casebook://sync', sync);
        await new Promise((r) => setTimeout(r, 300));
      }
      for (let done = 1000; done <= 4000; done += 1000) {
        sync.progress = `Received ${done.toLocaleString('en-GB')} of 4,000 changes · ${done / 100} cases ready`;
        sync.received = { done, total: 4000 };
        emit('casebook://sync', sync);
        await new Promise((r) => setTimeout(r, 300));
      }
      Object.assign(sync, {
        state: 'idle',
        progress: null,
        received: null,
        pending: 0,
        last_sync: new Date().toISOString(),
      });
      emit('casebook://sync', sync);
      return sync;
    },
    conflicts: () => conflicts,
    sync_problems: () => problems,
    meetings: (a) => after.meetings(a),
    meeting: (a) => after.meeting(a),
    plan_meeting: (a) => after.plan_meeting(a),
    edit_meeting: (a) => after.edit_meeting(a),
    save_meeting_plan: (a) => after.save_meeting_plan(a),
    confirm_meeting_item: (a) => after.confirm_meeting_item(a),
    record_meeting_held: (a) => after.record_meeting_held(a),
    override_meeting: (a) => after.override_meeting(a),
    call_off_meeting: (a) => after.call_off_meeting(a),
    agreements: (a) => after.agreements(a),
    record_agreement: (a) => after.record_agreement(a),
    review_agreement: (a) => after.review_agreement(a),
    feedback: (a) => after.feedback(a),
    record_feedback: (a) => after.record_feedback(a),
    court_report: (a) => after.court_report(a),
    write_court_report: (a) => after.write_court_report(a),
    submit_court_report: (a) => after.submit_court_report(a),
    document_preview: (a) => after.document_preview(a),
    save_document: (a) => after.save_document(a),
    resolve_conflict: (a) => {
      const keep = a.keep as KeepChoice;
      if (keep.keep === 'merged' && typeof keep.text !== 'string')
        throw { code: 'invalid_input', message: 'Bad choice.' };
      conflicts = conflicts.filter((c) => c.id !== a.id);
      sync.conflicts = conflicts.length;
      emit('casebook://sync', sync);
      return null;
    },
  };

  // For trying the lock and wipe events from the browser console.
  Object.assign(window, {
    mockEmit: emit,
    mockLock: () => {
      state.phase = 'locked';
      state.reason = 'Casebook locked itself after 10 minutes without activity.';
      emit('casebook://state', state);
    },
    mockWipe: () => {
      state.phase = 'wiped';
      emit('casebook://state', state);
    },
    mockOffline: () => {
      Object.assign(sync, { state: 'offline', next_attempt: new Date(Date.now() + 300_000).toISOString() });
      emit('casebook://sync', sync);
    },
  });

  return {
    invoke: async <T>(cmd: string, args: Record<string, unknown> = {}): Promise<T> => {
      await new Promise((r) => setTimeout(r, cmd === 'save_draft' && slow ? 1500 : 40));
      const f = commands[cmd];
      if (!f) throw { code: 'internal', message: `The pretend backend has no ${cmd}.` };
      return structuredClone(await f(args)) as T;
    },
    listen: async <T>(event: string, handler: (payload: T) => void) => {
      const set = listeners.get(event) ?? new Set<Handler>();
      listeners.set(event, set);
      set.add(handler as Handler);
      return () => set.delete(handler as Handler);
    },
  };
}
