// The pretend backend's subject access requests (see devMock.ts): the hub's register, enough to
// look at the Subject access screen in a browser. Only a coordinator is answered, as on the hub.

import type { Role, SarOpenInput, SarPartyView, SarRequestView, SarSaveInput, SavedSar } from './types';

type Args = Record<string, unknown>;

const PARTIES: SarPartyView[] = [
  { party_id: '0190aaaa-0000-7000-8000-000000000001', case_reference: 'RH-2026-0007', name: 'Ann Smith', role: 'victim', phone: '07700 900123', minor: false },
  { party_id: '0190aaaa-0000-7000-8000-000000000002', case_reference: 'RH-2026-0012', name: 'Ann Smith', role: 'party', phone: null, minor: false },
  { party_id: '0190aaaa-0000-7000-8000-000000000003', case_reference: 'RH-2026-0007', name: 'Bob Stone', role: 'harmer', phone: null, minor: false },
];

export function sarMock(role: () => Role, offline: () => boolean) {
  const register: SarRequestView[] = [];
  const day = (iso: string, months: number) => {
    const d = new Date(`${iso}T00:00:00Z`);
    d.setUTCMonth(d.getUTCMonth() + months);
    return d.toISOString().slice(0, 10);
  };
  const daysLeft = (iso: string) => Math.round((Date.parse(`${iso}T00:00:00Z`) - Date.now()) / 86_400_000);
  const ask = () => {
    if (offline())
      throw {
        code: 'hub_unreachable',
        message: 'A subject access request needs the hub, and it cannot be reached. Nothing was opened or saved.',
      };
    if (role() !== 'coordinator')
      throw {
        code: 'hub_refused',
        message: "Only a coordinator can answer a subject access request. Nothing was opened or saved; ask your service's coordinator.",
      };
  };
  const find = (reference: string) => {
    const r = register.find((x) => x.reference === reference && !x.closed);
    if (!r) throw { code: 'hub_refused', message: `There is no open request ${reference}.` };
    return r;
  };
  return {
    find: (a: Args): SarPartyView[] => {
      ask();
      const name = String(a.name ?? '').trim().toLowerCase();
      if (!name) throw { code: 'invalid_input', field: 'name', message: "Type the person's name, or part of it." };
      return PARTIES.filter((p) => p.name.toLowerCase().includes(name));
    },
    open: (a: Args): SarRequestView => {
      ask();
      const input = a.input as SarOpenInput;
      if (input.parties.length === 0)
        throw { code: 'invalid_input', field: 'parties', message: 'Choose the records that are this person.' };
      if (!input.received_on)
        throw { code: 'invalid_input', field: 'received_on', message: 'Enter the day the request was received.' };
      const due = day(input.received_on, 1);
      const request: SarRequestView = {
        reference: `SAR-${register.length + 1}`,
        received_on: input.received_on,
        due_on: due,
        days_left: daysLeft(due),
        extended: false,
        requester: input.requester,
        parties: input.parties.length,
        cases: new Set(PARTIES.filter((p) => input.parties.includes(p.party_id)).map((p) => p.case_reference)).size,
        answered_at: null,
        closed: false,
      };
      register.push(request);
      return request;
    },
    requests: (): SarRequestView[] => {
      ask();
      return register.filter((r) => !r.closed);
    },
    save: (a: Args): SavedSar => {
      ask();
      const input = a.input as SarSaveInput;
      if (!input.folder.startsWith('/'))
        throw { code: 'invalid_input', field: 'folder', message: 'Give the whole path of a folder, starting with /.' };
      const request = find(input.reference);
      request.answered_at = new Date().toISOString();
      return { folder: input.folder, json: `${input.folder}/sar.json`, pdf: `${input.folder}/sar.pdf`, request };
    },
    close: (a: Args): SarRequestView => {
      ask();
      const request = find(String(a.reference));
      request.closed = true;
      return request;
    },
  };
}
