// Labels for the closed sets and dates in the reader's locale.

import { session } from './session.svelte';
import { LABELS } from './types';

type Labels = typeof LABELS;
export type EnumName = keyof Labels;
export type EnumValue<E extends EnumName> = keyof Labels[E] & string;

/** The label of one stored name, as written in the middle of a sentence. */
export function label<E extends EnumName>(set: E, value: EnumValue<E>): string {
  const labels = LABELS[set] as Record<string, string>;
  return labels[value] ?? value;
}

/** The same label starting with a capital, for a list item or an option. */
export function Label<E extends EnumName>(set: E, value: EnumValue<E>): string {
  return capitalise(label(set, value));
}

export function capitalise(s: string): string {
  return s.length === 0 ? s : s[0]!.toUpperCase() + s.slice(1);
}

/** Every value of a set in the order of the process, with its label, for a <select>. */
export function options<E extends EnumName>(set: E): { value: EnumValue<E>; label: string }[] {
  return Object.entries(LABELS[set] as Record<string, string>).map(([value, text]) => ({
    value: value as EnumValue<E>,
    label: capitalise(text),
  }));
}

// Dates in the conventions the app hands over (`AppState.dates`, decided in Rust from the
// computer's locale and Settings): "27 Nov 2026" and a 24-hour clock unless the computer says
// otherwise. Reading `session.app` here makes every date on screen follow a change in Settings.
export const BRITISH = 'en-GB';

type Formats = { date: Intl.DateTimeFormat; long: Intl.DateTimeFormat; time: Intl.DateTimeFormat; dateTime: Intl.DateTimeFormat };
const made = new Map<string, Formats>();

function make(locale: string): Formats {
  // British means a 24-hour clock; another locale keeps its own clock (en-US: 8:28 AM).
  const clock = locale === BRITISH ? ({ hourCycle: 'h23' } as const) : {};
  return {
    date: new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }),
    long: new Intl.DateTimeFormat(locale, {
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      timeZone: 'UTC',
    }),
    time: new Intl.DateTimeFormat(locale, { timeStyle: 'short', ...clock }),
    dateTime: new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', ...clock }),
  };
}

/** The formats of the locale the app chose; British when it names one this webview lacks. */
function formats(): Formats {
  const locale = session.app?.dates.locale ?? BRITISH;
  let f = made.get(locale);
  if (!f) {
    try {
      f = make(locale);
    } catch {
      f = make(BRITISH);
    }
    made.set(locale, f);
  }
  return f;
}

/** A calendar date (`YYYY-MM-DD`, no time zone) as the reader writes dates. */
export function formatDate(isoDate: string | null | undefined, long = false): string {
  if (!isoDate) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!m) return isoDate;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  const f = formats();
  return (long ? f.long : f.date).format(d);
}

/** A moment (RFC 3339): the time alone when it is today, else date and time. */
export function formatMoment(rfc3339: string | null | undefined): string {
  if (!rfc3339) return '';
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return rfc3339;
  const now = new Date();
  const sameDay =
    d.getFullYear() === now.getFullYear() &&
    d.getMonth() === now.getMonth() &&
    d.getDate() === now.getDate();
  return sameDay ? formats().time.format(d) : formats().dateTime.format(d);
}

/** A moment (RFC 3339) as date and time, whatever the day ("27 Nov 2026, 14:05"). */
export function formatDateTime(rfc3339: string): string {
  const d = new Date(rfc3339);
  return Number.isNaN(d.getTime()) ? rfc3339 : formats().dateTime.format(d);
}

/** Today on this laptop's calendar, as `YYYY-MM-DD` (the value of a date field). */
export function today(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** Whole days from today to a calendar date (negative when past). */
export function daysFrom(isoDate: string): number {
  const [y, m, d] = isoDate.split('-').map(Number);
  const t = today().split('-').map(Number);
  const a = Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1);
  const b = Date.UTC(t[0] ?? 0, (t[1] ?? 1) - 1, t[2] ?? 1);
  return Math.round((a - b) / 86_400_000);
}

/** "in 3 days", "tomorrow", "2 days ago": in English like the rest of the words on screen. */
const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
export function fromToday(isoDate: string): string {
  return relative.format(daysFrom(isoDate), 'day');
}

export function plural(n: number, one: string, many: string): string {
  return `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;
}
