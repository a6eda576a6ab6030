/**
 * Errors raised by the salt-api client.
 *
 * Two kinds, because the product treats them differently (DESIGN.md "Graceful degradation"):
 * - {@link SaltApiError}: salt-api answered, but with an error (4xx/5xx, or a 200 whose body is not
 *   the recorded shape). Routes map it to 502.
 * - {@link SaltApiUnavailable}: no usable answer at all (refused, reset, DNS, TLS, timeout) after the
 *   retries. Routes map it to 503.
 *
 * @module
 */

/** Longest body excerpt kept on a {@link SaltApiError}; bodies can be whole tracebacks or HTML pages. */
export const BODY_EXCERPT_LIMIT = 500;

/** salt-api answered with an error status or an unexpected body. */
export class SaltApiError extends Error {
  override name = 'SaltApiError';
  /** HTTP status of the answer (200 when the body, not the status, carried the error). */
  readonly status: number;
  /** Excerpt of the body (≤ 500 chars); for CherryPy's HTML error pages, the text inside `<p>…</p>`. */
  readonly body: string;

  constructor(status: number, body: string, message?: string) {
    const excerpt = truncate(body);
    super(message ?? (excerpt ? `salt-api ${status}: ${excerpt}` : `salt-api ${status}`));
    this.status = status;
    this.body = excerpt;
  }
}

/** salt-api could not be reached (network, DNS, TLS, timeout), even after the retries. */
export class SaltApiUnavailable extends Error {
  override name = 'SaltApiUnavailable';
  declare cause?: unknown;

  constructor(message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
  }
}

/**
 * Turn an error response body into a short, human-readable excerpt.
 *
 * CherryPy puts the only useful words of its HTML error pages inside `<p>…</p>` (the rest is a
 * stylesheet and a "Powered by" footer); salt-api's handler exceptions are JSON
 * `{"status": 500, "return": "An unexpected error occurred"}`, where the `return` string is the message.
 */
export function errorExcerpt(body: string, contentType: string | null): string {
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('html') || /^\s*<(!doctype|html)/i.test(body)) {
    const paragraphs = [...body.matchAll(/<p>([\s\S]*?)<\/p>/gi)].map((m) => htmlToText(m[1] ?? ''));
    const text = paragraphs.filter(Boolean).join(' ');
    if (text) return truncate(text);
    const title = /<title>([\s\S]*?)<\/title>/i.exec(body);
    return truncate(htmlToText(title?.[1] ?? body));
  }
  if (type.includes('json')) {
    try {
      const parsed: unknown = JSON.parse(body);
      if (parsed && typeof parsed === 'object' && 'return' in parsed) {
        const ret = (parsed as { return: unknown }).return;
        if (typeof ret === 'string') return truncate(ret);
      }
    } catch {
      // Not JSON after all: fall through to the raw text.
    }
  }
  return truncate(body.trim());
}

function htmlToText(html: string): string {
  return html
    .replace(/<[^>]*>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&#x27;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

function truncate(text: string): string {
  return text.length <= BODY_EXCERPT_LIMIT ? text : `${text.slice(0, BODY_EXCERPT_LIMIT - 1)}…`;
}
