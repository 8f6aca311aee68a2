// The sync indicator's words: the state is always said in text, never by colour alone.

import { formatMoment, plural } from './format';
import type { SyncView } from './types';

export type SyncWords = {
  /** A symbol for a quick look (hidden from screen readers: the text says it all). */
  symbol: string;
  text: string;
};

export function syncWords(v: SyncView | null): SyncWords {
  if (!v) return { symbol: '…', text: 'Checking sync…' };
  if (v.state === 'syncing') {
    return { symbol: '↻', text: v.progress ? `Syncing… ${v.progress}` : 'Syncing…' };
  }
  const parts: string[] = [];
  let symbol = '✓';
  switch (v.state) {
    case 'not_enrolled':
      parts.push('Not connected to a hub');
      symbol = '○';
      break;
    case 'offline':
      parts.push(v.next_attempt ? `Offline, next try ${formatMoment(v.next_attempt)}` : 'Offline');
      symbol = '○';
      break;
    case 'failed':
      parts.push('Sync stopped: the hub refused');
      symbol = '!';
      break;
    case 'idle':
      if (v.last_sync && v.pending === 0) parts.push(`Synced ${formatMoment(v.last_sync)}`);
      else if (!v.last_sync) parts.push('Not synced yet');
      break;
  }
  if (v.state !== 'not_enrolled' && v.pending > 0) {
    parts.push(plural(v.pending, 'change waiting', 'changes waiting'));
    if (symbol === '✓') symbol = '↑';
  }
  if (v.conflicts > 0) {
    parts.push(plural(v.conflicts, 'conflict to resolve', 'conflicts to resolve'));
    symbol = '!';
  }
  if (v.rejected > 0) {
    parts.push(plural(v.rejected, 'change refused by the hub', 'changes refused by the hub'));
    symbol = '!';
  }
  if (v.set_aside > 0) {
    parts.push(plural(v.set_aside, 'change could not be applied', 'changes could not be applied'));
    symbol = '!';
  }
  return { symbol, text: parts.join(' · ') };
}
