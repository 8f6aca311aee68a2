// Visit notes that are never lost: the first keystroke creates the draft (`start_visit`), every
// later one is saved (`save_draft`) 300 ms after typing pauses, or at once when the field loses
// focus, the window is hidden or closed, the app locks, or the person leaves the screen. Saves
// run one at a time and a save never ends while newer text waits; a failed save is retried.
// Drafts live here, outside the screen, so text survives the app locking itself.

import * as api from './api';
import { toAppError } from './api';
import { today } from './format';
import type { AppError, ContactKind } from './types';

export type SaveState =
  /** Nothing written yet. */
  | 'empty'
  /** Typed, save pending. */
  | 'waiting'
  | 'saving'
  | 'saved'
  /** Text is kept here but the draft cannot start until a party is chosen. */
  | 'needs_party'
  | 'error';

const DEBOUNCE_MS = 300;
const FIRST_RETRY_MS = 2_000;
const LAST_RETRY_MS = 30_000;

/** Errors that another try will not fix; everything else is tried again. */
const FINAL_ERRORS = new Set(['rule', 'invalid_input', 'not_found', 'read_only', 'wiped']);

export class Draft {
  readonly caseId: string;
  contactId = $state<string | null>(null);
  /** Who was seen, when and how: fixed once the draft exists. */
  partyIds = $state<string[]>([]);
  date = $state(today());
  kind = $state<ContactKind>('visit');
  initiatedByParty = $state(false);

  notes = $state('');
  /** The text the store holds. */
  saved = $state('');
  state = $state<SaveState>('empty');
  error = $state<AppError | null>(null);
  /** A Visit screen shows this draft now. */
  shown = false;

  #timer: ReturnType<typeof setTimeout> | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #retryMs = FIRST_RETRY_MS;
  #running: Promise<boolean> | null = null;

  constructor(caseId: string) {
    this.caseId = caseId;
  }

  /** A draft already in the store (from "Continue draft"). */
  static existing(
    caseId: string,
    contactId: string,
    fields: { notes: string; partyIds: string[]; date: string; kind: ContactKind; initiatedByParty: boolean },
  ): Draft {
    const d = new Draft(caseId);
    d.contactId = contactId;
    d.partyIds = fields.partyIds;
    d.date = fields.date;
    d.kind = fields.kind;
    d.initiatedByParty = fields.initiatedByParty;
    d.notes = fields.notes;
    d.saved = fields.notes;
    d.state = 'saved';
    return d;
  }

  get started(): boolean {
    return this.contactId !== null;
  }

  /** Text typed that the store does not hold yet. */
  get unsaved(): boolean {
    return this.started ? this.notes !== this.saved : this.notes !== '';
  }

  /** Every keystroke in Notes. */
  edit(text: string): void {
    this.notes = text;
    if (!this.unsaved) {
      clearTimeout(this.#timer);
      if (!this.#running) this.state = this.started ? 'saved' : 'empty';
      return;
    }
    if (!this.#running) this.state = 'waiting';
    if (!this.started) {
      // The first keystroke creates the draft at once.
      void this.flush();
    } else {
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => void this.flush(), DEBOUNCE_MS);
    }
  }

  /** Saves now; resolves true once the store holds the text as it is at the end. */
  flush(): Promise<boolean> {
    clearTimeout(this.#timer);
    if (!this.#running) {
      this.#running = this.#run().finally(() => {
        this.#running = null;
      });
    }
    return this.#running;
  }

  async #run(): Promise<boolean> {
    clearTimeout(this.#retryTimer);
    try {
      for (;;) {
        if (this.contactId === null) {
          if (this.notes === '') {
            this.state = 'empty';
            return true;
          }
          if (this.partyIds.length === 0) {
            this.state = 'needs_party';
            return false;
          }
          this.state = 'saving';
          const first = this.notes;
          this.contactId = await api.startVisit(this.caseId, {
            party_ids: [...this.partyIds],
            kind: this.kind,
            date: this.date,
            initiated_by_party: this.initiatedByParty,
            notes: first,
            amends: null,
          });
          this.saved = first;
        }
        const text = this.notes;
        if (text === this.saved) break;
        this.state = 'saving';
        await api.saveDraft(this.contactId, text);
        this.saved = text;
      }
      this.state = 'saved';
      this.error = null;
      this.#retryMs = FIRST_RETRY_MS;
      return true;
    } catch (e) {
      this.error = toAppError(e);
      this.state = 'error';
      // A locked store is tried again after unlocking (resumeDrafts); other passing troubles
      // after a pause that grows.
      if (!FINAL_ERRORS.has(this.error.code) && this.error.code !== 'locked') {
        this.#retryTimer = setTimeout(() => void this.flush(), this.#retryMs);
        this.#retryMs = Math.min(this.#retryMs * 2, LAST_RETRY_MS);
      }
      return false;
    }
  }

  /** Stops timers once the draft is finalised or given up. */
  close(): void {
    clearTimeout(this.#timer);
    clearTimeout(this.#retryTimer);
  }
}

// A lookup, never shown: the values it holds are reactive themselves.
// eslint-disable-next-line svelte/prefer-svelte-reactivity
const drafts = new Map<string, Draft>();

function key(caseId: string, contactId: string | null): string {
  return `${caseId}/${contactId ?? 'new'}`;
}

/** The draft being written for this screen, if one is kept (after a lock, or coming back). */
export function keptDraft(caseId: string, contactId: string | null): Draft | undefined {
  return drafts.get(key(caseId, contactId));
}

export function keepDraft(caseId: string, contactId: string | null, draft: Draft): void {
  drafts.set(key(caseId, contactId), draft);
}

/** Forgets a draft whose text the store holds (the screen was left or the visit finalised). */
export function dropDraft(caseId: string, contactId: string | null): void {
  const k = key(caseId, contactId);
  const d = drafts.get(k);
  if (d && !d.unsaved && !d.shown) {
    d.close();
    drafts.delete(k);
  }
}

/** Other autosaved texts (a meeting's preparation plan) that saving everything includes. */
export interface Autosaved {
  readonly unsaved: boolean;
  flush(): Promise<boolean>;
}
// A lookup, never shown.
// eslint-disable-next-line svelte/prefer-svelte-reactivity
const others = new Set<Autosaved>();

/** Includes `d` when everything is saved (closing, hiding, locking); returns the undo. */
export function keepSaving(d: Autosaved): () => void {
  others.add(d);
  return () => others.delete(d);
}

/** Saves every draft with text the store does not hold yet; true when all are saved. */
export async function flushAll(): Promise<boolean> {
  const all: Autosaved[] = [...drafts.values(), ...others];
  const results = await Promise.all(all.filter((d) => d.unsaved).map((d) => d.flush()));
  return results.every(Boolean);
}

/** After unlocking: saves what could not be saved while locked. */
export function resumeDrafts(): void {
  for (const d of [...drafts.values(), ...others]) if (d.unsaved) void d.flush();
}

/** After a wipe: the store is gone, and so is everything it held. */
export function forgetDrafts(): void {
  for (const d of drafts.values()) d.close();
  drafts.clear();
  others.clear();
}
