// What the whole window shares: the app's phase, the sync state, which screen is shown, and
// the text of forms not yet saved (kept when the app locks itself, so no typed word is lost).

import type { AppState, SyncView } from './types';

export type Screen =
  | { name: 'caseload' }
  | { name: 'new_case' }
  | { name: 'case'; caseId: string }
  | { name: 'visit'; caseId: string; contactId: string | null }
  | { name: 'meeting'; caseId: string; meetingId: string | null }
  | { name: 'conflicts' }
  | { name: 'signoffs' }
  | { name: 'dashboard' }
  /** Subject access requests, answered through the hub (coordinators only). */
  | { name: 'subject_access' }
  /** The cases behind one figure of the dashboard (`title` says which). */
  | { name: 'figure'; title: string; ids: string[]; on: string }
  | { name: 'settings' };

export const session = $state({
  app: null as AppState | null,
  sync: null as SyncView | null,
  screen: { name: 'caseload' } as Screen,
  /** Said once on the next screen, e.g. "Case P-7KQ2MZ created." */
  notice: '',
  /** Goes up when a sync brought changes, so the screen on show reads its data again. */
  dataVersion: 0,
  /** How many submissions wait for a supervisor's answer (shown beside "Sign-offs"); null unread. */
  signoffsWaiting: null as number | null,
});

/**
 * Shows `view` unless a newer one is already shown: an answer read mid-sync can arrive after
 * the event that said the sync ended, and must not put "Syncing…" back.
 */
export function setSync(view: SyncView): void {
  if (session.sync && view.seq < session.sync.seq) return;
  session.sync = view;
}

let leaving: (() => void) | null = null;

/** Runs `f` when the person goes to another screen (not when the app locks); returns the undo. */
export function onLeave(f: () => void): () => void {
  leaving = f;
  return () => {
    if (leaving === f) leaving = null;
  };
}

/** Shows another screen (the screen moves focus to its h1). */
export function go(screen: Screen, notice = ''): void {
  const leave = leaving;
  leaving = null;
  leave?.();
  session.notice = notice;
  session.screen = screen;
}

// A lookup, never shown: the values it holds are reactive themselves.
// eslint-disable-next-line svelte/prefer-svelte-reactivity
const forms = new Map<string, object>();

/** The state of a form under `key`, the same object until `forget(key)`; survives locking. */
export function remember<T extends object>(key: string, init: () => T): T {
  let kept = forms.get(key) as T | undefined;
  if (!kept) {
    const fresh = $state(init());
    forms.set(key, fresh);
    kept = fresh;
  }
  return kept;
}

export function forget(key: string): void {
  forms.delete(key);
}

/** After a wipe nothing of the old store may stay in memory. */
export function forgetEverything(): void {
  forms.clear();
}
