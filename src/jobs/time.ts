/**
 * @module
 * Salt's job times. `StartTime` is text in the master's local time ("2026, Nov 24 15:28:33.710187");
 * a jid encodes the same instant as `YYYYMMDDhhmmssffffff`. The master's zone is unknown to us, so
 * both are read as UTC (what the recorded lab used); `list_jobs`' `start_time` is written the same
 * way, so the poll window stays consistent whatever the master's zone is.
 */

const MONTHS: Record<string, number> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11,
};

const START_TIME = /^\s*(\d{4}),\s*([A-Za-z]{3})[a-z]*\s+(\d{1,2})\s+(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?\s*$/;

function utc(y: number, mo: number, d: number, h: number, mi: number, s: number, micros: number): Date | null {
  if (mo < 0 || mo > 11 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return null;
  const ms = Date.UTC(y, mo, d, h, mi, s, Math.floor(micros / 1000));
  const date = new Date(ms);
  // Reject dates JavaScript would roll over (Feb 31 → Mar 3).
  if (date.getUTCMonth() !== mo || date.getUTCDate() !== d) return null;
  return date;
}

/** Parses Salt's `StartTime` text; null when it is not in Salt's format. */
export function parseStartTime(text: unknown): Date | null {
  if (typeof text !== 'string') return null;
  const m = START_TIME.exec(text);
  if (!m) return null;
  const mo = MONTHS[m[2].toLowerCase()];
  if (mo === undefined) return null;
  const micros = m[7] ? Number(m[7].padEnd(6, '0')) : 0;
  return utc(Number(m[1]), mo, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), micros);
}

/** The instant a jid encodes (`YYYYMMDDhhmmssffffff`); null for anything else. */
export function jidTime(jid: unknown): Date | null {
  if (typeof jid !== 'string' || !/^\d{20}$/.test(jid)) return null;
  const n = (a: number, b: number) => Number(jid.slice(a, b));
  return utc(n(0, 4), n(4, 6) - 1, n(6, 8), n(8, 10), n(10, 12), n(12, 14), n(14, 20));
}

/** A job's start: its `StartTime`, else the jid's time, else `fallback` (never throws). */
export function jobStartTime(startTime: unknown, jid: string, fallback: Date): Date {
  return parseStartTime(startTime) ?? jidTime(jid) ?? fallback;
}

/** `list_jobs`' `start_time`/`end_time` argument: "YYYY-MM-DD hh:mm:ss" (dateutil parses it). */
export function saltTimeArg(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ');
}
