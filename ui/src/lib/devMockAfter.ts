// The pretend backend's meetings, agreements and documents (see devMock.ts): enough to look at
// the Meeting screen in a browser. Readiness here is a fixed pretend list, not the domain's.

import type {
  AgreementInput,
  AgreementView,
  DocumentKind,
  DocumentPreview,
  FeedbackInput,
  FeedbackView,
  MeetingInput,
  MeetingView,
  Missing,
  PartyView,
  PlanSection,
  ReviewInput,
} from './types';

type Args = Record<string, unknown>;

export function afterMock(
  parties: (caseId: string) => PartyView[],
  reference: (caseId: string) => string,
  id: () => string,
  day: (offset: number) => string,
) {
  const meetings: MeetingView[] = [];
  const agreements: (AgreementView & { case_id: string })[] = [];
  const feedback: (FeedbackView & { case_id: string })[] = [];
  const find = (meetingId: unknown) => {
    const m = meetings.find((x) => x.id === meetingId);
    if (!m) throw { code: 'not_found', message: 'No such meeting here.' };
    return m;
  };
  const checked = (input: MeetingInput) => {
    if (!input.kind) throw { code: 'invalid_input', field: 'kind', message: 'Choose how the parties will communicate.' };
    if (!input.planned_on) throw { code: 'invalid_input', field: 'planned_on', message: 'Enter the day.' };
    if (input.attendees.length === 0)
      throw { code: 'invalid_input', field: 'attendees', message: 'Choose who attends: at least one party.' };
    return { ...input, kind: input.kind, planned_on: input.planned_on };
  };
  const details = (input: ReturnType<typeof checked>, all: PartyView[]) => ({
    kind: input.kind,
    planned_on: input.planned_on,
    planned_time: input.planned_time,
    venue: input.venue,
    attendees: all.filter((p) => input.attendees.includes(p.id)).map((p) => ({ id: p.id, name: p.name, role: p.role })),
  });
  const settle = (m: MeetingView) => {
    m.ready = m.missing.length === 0;
  };

  return {
    meetings: (a: Args) => meetings.filter((m) => m.case_id === a.caseId),
    meeting: (a: Args) => find(a.meetingId),
    plan_meeting: (a: Args) => {
      const input = checked(a.input as MeetingInput);
      const all = parties(String(a.caseId));
      const missing: Missing[] = [
        { item: 'risk_assessment', text: 'the risk assessment has not been approved by a supervisor', confirmable: false },
        { item: 'venue_checked', text: 'not yet confirmed: venue checked', confirmable: true },
        { item: 'ground_rules_agreed', text: 'not yet confirmed: ground rules agreed', confirmable: true },
      ];
      const m: MeetingView = {
        id: id(),
        case_id: String(a.caseId),
        ...details(input, all),
        plan: {},
        held_on: null,
        took_part: [],
        called_off: null,
        overridden: null,
        ready: false,
        missing,
      };
      meetings.push(m);
      return m.id;
    },
    edit_meeting: (a: Args) => {
      const input = checked(a.input as MeetingInput);
      const m = find(a.meetingId);
      if (m.held_on || m.called_off) throw { code: 'rule', message: 'The meeting is over: its details stay as they were.' };
      Object.assign(m, details(input, parties(m.case_id)));
      return true;
    },
    save_meeting_plan: (a: Args) => {
      const m = find(a.meetingId);
      m.plan[a.section as PlanSection] = String(a.text);
      return { section: a.section, saved_at: new Date().toISOString() };
    },
    confirm_meeting_item: (a: Args) => {
      const m = find(a.meetingId);
      m.missing = m.missing.filter((x) => !(x.item === a.item && x.confirmable));
      settle(m);
      return m;
    },
    record_meeting_held: (a: Args) => {
      const m = find(a.meetingId);
      if (!m.ready && !m.overridden) throw { code: 'rule', message: 'The meeting is not ready to be held.' };
      const attended = a.attended as string[];
      if (attended.length === 0)
        throw { code: 'invalid_input', field: 'attended', message: 'Choose who took part.' };
      const took_part = m.attendees.filter((x) => attended.includes(x.id));
      Object.assign(m, { held_on: day(0), took_part, missing: [], ready: false });
      return null;
    },
    override_meeting: (_a: Args) => {
      throw { code: 'read_only', message: 'Only a supervisor lets a meeting go ahead that is not ready.' };
    },
    call_off_meeting: (a: Args) => {
      if (!String(a.why).trim()) throw { code: 'invalid_input', field: 'why', message: 'Say why.' };
      Object.assign(find(a.meetingId), { called_off: String(a.why), missing: [], ready: false });
      return null;
    },
    agreements: (a: Args) => agreements.filter((x) => x.case_id === a.caseId),
    record_agreement: (a: Args) => {
      const input = a.input as AgreementInput;
      const agreement = {
        case_id: String(a.caseId),
        id: id(),
        meeting: input.meeting,
        made_on: day(0),
        actions: input.actions.map((x) => ({ what: x.what, by: x.by, due: x.due ?? day(14), status: 'open' as const })),
        how_agreed: input.how_agreed,
        review_on: input.review_on,
        reviewed_on: null,
        overdue: 0,
        settled: false,
      };
      agreements.unshift(agreement);
      return agreement.id;
    },
    review_agreement: (a: Args) => {
      const found = agreements.find((x) => x.id === a.agreementId);
      if (!found) throw { code: 'not_found', message: 'No such agreement here.' };
      const input = a.input as ReviewInput;
      input.statuses.forEach((s, i) => {
        if (found.actions[i]) found.actions[i].status = s;
      });
      Object.assign(found, { reviewed_on: day(0), review_on: input.next_review });
      return null;
    },
    feedback: (a: Args) => feedback.filter((x) => x.case_id === a.caseId),
    record_feedback: (a: Args) => {
      const input = a.input as FeedbackInput;
      const party = parties(String(a.caseId)).find((p) => p.id === input.party);
      if (!party) throw { code: 'invalid_input', field: 'party', message: 'Choose whose feedback this is.' };
      if (!input.satisfaction)
        throw { code: 'invalid_input', field: 'satisfaction', message: 'Choose how satisfied they were.' };
      const given = {
        case_id: String(a.caseId),
        id: id(),
        party: party.id,
        party_name: party.name,
        role: party.role,
        satisfaction: input.satisfaction,
        recommend: input.recommend,
        words: input.words.trim(),
        date: day(0),
        taken_by: 'You',
      };
      feedback.push(given);
      return given.id;
    },
    court_report: (_a: Args) => null,
    write_court_report: (_a: Args) => null,
    submit_court_report: (_a: Args) => null,
    document_preview: (a: Args): DocumentPreview => {
      const kind = a.kind as DocumentKind;
      const agreement = agreements.find((x) => x.case_id === a.caseId);
      return {
        kind,
        title: kind === 'agreement' ? 'Restorative agreement' : 'Report to the court',
        draft_mark: kind === 'court_report' ? 'DRAFT — not approved by a supervisor' : null,
        fields: [{ label: 'Reference', value: reference(String(a.caseId)) }],
        sections: [
          {
            heading: 'What was agreed',
            lines: agreement?.actions.map((x) => `${x.what} — ${x.by}, by ${x.due} (${x.status})`) ?? [],
          },
        ],
        suggested_path: `/home/you/Documents/${reference(String(a.caseId))}-${kind}.pdf`,
      };
    },
    save_document: (a: Args) => ({ path: String(a.path), bytes: 24_000, draft: a.kind === 'court_report' }),
  };
}
