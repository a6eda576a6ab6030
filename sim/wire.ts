/**
 * @module sim/wire
 * Byte-level details of what salt-api puts on the wire: Python's `json.dumps` spacing (", " and
 * ": ", non-ASCII escaped) which CherryPy and the /events stream use, Salt's `_stamp` and job
 * StartTime formats, and HTTP dates for cookies.
 */

const NON_ASCII = /[\u0080-\uffff]/g;
const HAS_NON_ASCII = /[\u0080-\uffff]/;

/**
 * Serializes like Python's `json.dumps(obj)` with default separators and `ensure_ascii=True`.
 * JSON.stringify does the heavy lifting; a byte pass then adds the space Python puts after every
 * `,` and `:` outside strings (fast enough for a 10k-minion cache.grains answer).
 */
export function pyJson(value: unknown): string {
  let json = JSON.stringify(value) ?? 'null';
  if (HAS_NON_ASCII.test(json)) json = json.replace(NON_ASCII, (ch) => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0'));
  const src = Buffer.from(json, 'latin1');
  let extra = 0;
  let inString = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 44 || c === 58) extra++;
  }
  if (extra === 0) return json;
  const dst = Buffer.allocUnsafe(src.length + extra);
  let j = 0;
  inString = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    dst[j++] = c;
    if (inString) {
      if (c === 92) dst[j++] = src[++i]; // backslash: copy the escaped character as is
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 44 || c === 58) dst[j++] = 32;
  }
  return dst.toString('latin1');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const p2 = (n: number) => String(n).padStart(2, '0');

/** Salt's event `_stamp`: `2026-11-24T15:31:00.609152` (UTC, microseconds, no zone). */
export function saltStamp(ms: number, micro = 0): string {
  const d = new Date(ms);
  return `${d.toISOString().slice(0, 19)}.${String(d.getUTCMilliseconds()).padStart(3, '0')}${String(micro % 1000).padStart(3, '0')}`;
}

/** A jid (`YYYYMMDDhhmmssffffff`) for an instant and a microsecond remainder. */
export function jidFor(ms: number, micro = 0): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}${p2(d.getUTCHours())}${p2(d.getUTCMinutes())}` +
    `${p2(d.getUTCSeconds())}${String(d.getUTCMilliseconds()).padStart(3, '0')}${String(micro % 1000).padStart(3, '0')}`;
}

/** Milliseconds since the epoch encoded in a jid (NaN when it is not a jid). */
export function jidToMs(jid: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{3})\d{3}$/.exec(jid);
  if (!m) return NaN;
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], +m[7]);
}

/** The job cache's StartTime for a jid: `2026, Nov 24 15:28:33.710187`. */
export function jobStartTime(jid: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{6})$/.exec(jid);
  if (!m) return '';
  return `${m[1]}, ${MONTHS[+m[2] - 1]} ${m[3]} ${m[4]}:${m[5]}:${m[6]}.${m[7]}`;
}

/** A state run's `start_time`: `15:29:04.365729`. */
export function clockTime(ms: number, micro = 0): string {
  return saltStamp(ms, micro).slice(11);
}

/** RFC 1123 date as CherryPy writes it in `Date` and cookie `expires`. */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/** `Tue Nov 24 15:31:20 2026`, the ctime() format of minion start events. */
export function ctime(ms: number): string {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ` +
    `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}
