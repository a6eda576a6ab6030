import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { BODY_EXCERPT_LIMIT, SaltApiError, SaltApiUnavailable, errorExcerpt } from './errors.ts';
import { backoffDelay, describeNetworkError, parseJsonBody, readReturn } from './wire.ts';
import { RECORDINGS_DIR, recording } from './replay.testkit.ts';

describe('errorExcerpt', () => {
  test('takes the <p> text of every recorded CherryPy HTML error page', () => {
    const htmlPages = readdirSync(RECORDINGS_DIR)
      .filter((f) => f.endsWith('.json'))
      .map((f) => recording(f.replace(/\.json$/, '')))
      .filter((r) => r.response.status >= 400 && typeof r.response.body === 'string');
    assert.ok(htmlPages.length >= 20, `expected many HTML error recordings, got ${htmlPages.length}`);
    for (const rec of htmlPages) {
      const body = rec.response.body as string;
      const excerpt = errorExcerpt(body, rec.response.headers['Content-Type'] ?? null);
      const inner = /<p>([\s\S]*?)<\/p>/.exec(body)?.[1]?.replace(/\s+/g, ' ').trim();
      assert.ok(inner, `${rec.request.path}: recording has a <p>`);
      // The recorded pages hold plain text in their <p> (no entities), so the excerpt is exactly it.
      assert.equal(excerpt, inner, rec.request.path);
    }
  });

  test('recorded 401 and 400 messages come out verbatim', () => {
    const bogus = recording('root-POST-bogus-token').response;
    assert.equal(errorExcerpt(bogus.body as string, 'text/html;charset=utf-8'), 'No permission -- see authorization schemes');
    const ssh = recording('local-disabled-client-ssh').response;
    assert.match(errorExcerpt(ssh.body as string, 'text/html'), /^Client disabled: 'ssh'/);
  });

  test("salt-api's 500 JSON gives its return string", () => {
    const rec = recording('runner-unknown-function').response;
    assert.equal(errorExcerpt(JSON.stringify(rec.body), 'application/json'), 'An unexpected error occurred');
  });

  test('long bodies are cut to the limit', () => {
    const excerpt = errorExcerpt('x'.repeat(5000), 'text/plain');
    assert.equal(excerpt.length, BODY_EXCERPT_LIMIT);
    assert.equal(new SaltApiError(500, 'y'.repeat(900)).body.length, BODY_EXCERPT_LIMIT);
  });
});

describe('backoffDelay', () => {
  test('doubles from 0.5 s and caps at 4 s', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 10].map(backoffDelay), [500, 1000, 2000, 4000, 4000, 4000]);
  });
});

describe('describeNetworkError', () => {
  const cause = (code: string) => new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code }) });

  test('connect-phase failures cannot have reached Salt', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'ERR_TLS_CERT_ALTNAME_INVALID']) {
      assert.equal(describeNetworkError(cause(code), 1000).mayHaveReachedSalt, false, code);
    }
  });

  test('resets and timeouts may have reached Salt', () => {
    assert.equal(describeNetworkError(cause('ECONNRESET'), 1000).mayHaveReachedSalt, true);
    assert.equal(describeNetworkError(cause('UND_ERR_SOCKET'), 1000).mayHaveReachedSalt, true);
    const timeout = describeNetworkError(new DOMException('t', 'TimeoutError'), 1234);
    assert.deepEqual(timeout, { reason: 'timeout after 1234 ms', mayHaveReachedSalt: true });
  });
});

describe('parseJsonBody / readReturn', () => {
  test('an HTML page with status 200 is an error, not JSON', () => {
    assert.throws(() => parseJsonBody(200, 'text/html', '<html><p>proxy says hi</p></html>', '/'), (e: unknown) => {
      assert.ok(e instanceof SaltApiError);
      assert.equal(e.status, 200);
      assert.equal(e.body, 'proxy says hi');
      return true;
    });
  });

  test('a 4xx HTML page becomes SaltApiError with the <p> text', () => {
    const rec = recording('local-lowstate-not-list').response;
    assert.throws(
      () => parseJsonBody(rec.status, 'text/html;charset=utf-8', rec.body as string, '/'),
      (e: unknown) => e instanceof SaltApiError && e.status === 400 && e.body === 'Lowstates must be a list',
    );
  });

  test('readReturn rejects the non-list shapes', () => {
    assert.deepEqual(readReturn({ return: [{ a: 1 }] }), [{ a: 1 }]);
    assert.throws(() => readReturn({ return: 'Welcome' }), SaltApiError);
    assert.throws(() => readReturn([{ token: 'x' }]), SaltApiError);
  });

  test('SaltApiUnavailable keeps its cause', () => {
    const cause = new Error('ECONNREFUSED');
    assert.equal(new SaltApiUnavailable('down', cause).cause, cause);
  });
});
