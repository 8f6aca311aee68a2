// A meeting's preparation plan, saved like a visit note: each section 300 ms after typing
// pauses, or at once when the field loses focus, the window is hidden or closed, or the app
// locks (draft.svelte.ts's flushAll includes it). Saves run one at a time and a save never ends
// while newer text waits; a failed save is retried, except what another try cannot fix.

import * as api from './api';
import { toAppError } from './api';
import type { SaveState } from './draft.svelte';
import type { AppError, PlanSection } from './types';

const DEBOUNCE_MS = 300;
const RETRY_MS = 3_000;
const FINAL_ERRORS = new Set(['rule', 'invalid_input', 'not_found', 'read_only', 'wiped', 'locked']);

export class PlanDraft {
  readonly meetingId: string;
  /** What is typed, by section. */
  text = $state<Partial<Record<PlanSection, string>>>({});
  /** What the store holds, by section. */
  saved = $state<Partial<Record<PlanSection, string>>>({});
  state = $state<SaveState>('saved');
  error = $state<AppError | null>(null);

  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<boolean> | null = null;

  constructor(meetingId: string, plan: Partial<Record<PlanSection, string>>) {
    this.meetingId = meetingId;
    this.text = { ...plan };
    this.saved = { ...plan };
  }

  #changed(): PlanSection[] {
    return (Object.keys(this.text) as PlanSection[]).filter((s) => (this.text[s] ?? '') !== (this.saved[s] ?? ''));
  }

  get unsaved(): boolean {
    return this.#changed().length > 0;
  }

  /** Every keystroke in a section. */
  edit(section: PlanSection, value: string): void {
    this.text[section] = value;
    clearTimeout(this.#timer);
    if (!this.unsaved) {
      if (!this.#running) this.state = 'saved';
      return;
    }
    if (!this.#running) this.state = 'waiting';
    this.#timer = setTimeout(() => void this.flush(), DEBOUNCE_MS);
  }

  /** Saves now; resolves true once the store holds every section as typed. */
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
    try {
      for (let changed = this.#changed(); changed.length > 0; changed = this.#changed()) {
        this.state = 'saving';
        for (const section of changed) {
          const value = this.text[section] ?? '';
          await api.saveMeetingPlan(this.meetingId, section, value);
          this.saved[section] = value;
        }
      }
      this.state = 'saved';
      this.error = null;
      return true;
    } catch (e) {
      this.error = toAppError(e);
      this.state = 'error';
      if (!FINAL_ERRORS.has(this.error.code)) this.#timer = setTimeout(() => void this.flush(), RETRY_MS);
      return false;
    }
  }

  close(): void {
    clearTimeout(this.#timer);
  }
}
