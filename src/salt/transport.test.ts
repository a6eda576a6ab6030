/**
 * The Node transport: TLS verification on by default, off on request, and a private CA bundle.
 * A throwaway self-signed certificate for 127.0.0.1 is made with openssl at test time (no key is
 * committed); the suite is skipped when openssl is missing.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { createServer as createTcpServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SaltApiClient, SaltApiUnavailable } from './client.ts';
import { nodeSaltTransport, createSaltFetch } from './transport.ts';
import { describeNetworkError } from './wire.ts';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

describe('createSaltFetch (TLS)', { skip: hasOpenssl ? false : 'openssl not installed' }, () => {
  let dir: string;
  let cert: string;
  let server: Server;
  let url: string;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'halite-tls-'));
    const made = spawnSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'),
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    ]);
    assert.equal(made.status, 0, made.stderr.toString());
    cert = readFileSync(path.join(dir, 'cert.pem'), 'utf8');
    server = createServer({ key: readFileSync(path.join(dir, 'key.pem')), cert }, (req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const login = { token: 'a'.repeat(40), expire: 2e9, start: 2e9 - 43200, user: 'saltdev', eauth: 'auto', perms: ['.*'] };
      res.end(JSON.stringify({ return: req.url === '/login' ? [login] : [{ web01: true }] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  const client = (o: { verifyTls?: boolean; caBundle?: string }) =>
    new SaltApiClient({ url, username: 'saltdev', password: 'x', eauth: 'auto', sleep: async () => {}, maxRetries: 1, ...o, fetch: createSaltFetch(o) });

  test('the client refuses TLS options it cannot honour without a transport', () => {
    assert.throws(() => new SaltApiClient({ url, username: 'u', password: 'p', eauth: 'auto', verifyTls: false }), /need a transport/);
    assert.throws(() => new SaltApiClient({ url, username: 'u', password: 'p', eauth: 'auto', caBundle: cert }), /need a transport/);
  });

  test('the Node transport of the runtime honours the same options', async () => {
    const t = nodeSaltTransport({ verifyTls: false, caBundle: null, connectTimeoutMs: 2000 });
    const c = new SaltApiClient({ url, username: 'saltdev', password: 'x', eauth: 'auto', sleep: async () => {}, maxRetries: 1, fetch: t.fetch });
    assert.deepEqual(await c.localCall('*', 'test.ping'), { web01: true });
    await t.close();
  });

  test('verifies certificates by default: a self-signed one is refused before any request is sent', async () => {
    await assert.rejects(createSaltFetch()(`${url}/login`), (e: unknown) => {
      assert.equal(describeNetworkError(e, 1000).mayHaveReachedSalt, false);
      return true;
    });
    await assert.rejects(client({}).localCall('*', 'test.ping'), SaltApiUnavailable);
  });

  test('verifyTls: false accepts it', async () => {
    assert.deepEqual(await client({ verifyTls: false }).localCall('*', 'test.ping'), { web01: true });
  });

  test('a CA bundle that contains it makes it trusted', async () => {
    assert.deepEqual(await client({ caBundle: cert }).localCall('*', 'test.ping'), { web01: true });
  });
});

describe('createSaltFetch (connect timeout)', () => {
  test('a TLS handshake that never completes fails with a connect timeout, before any request', async () => {
    // A TCP server that accepts and then says nothing: the TLS ClientHello is never answered.
    const sockets = new Set<import('node:net').Socket>();
    const silent = createTcpServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const started = Date.now();
      await assert.rejects(createSaltFetch({ connectTimeoutMs: 150 })(`https://127.0.0.1:${port}/login`), (e: unknown) => {
        assert.deepEqual(describeNetworkError(e, 30_000), { reason: 'connect timeout', mayHaveReachedSalt: false });
        return true;
      });
      // undici checks connect timeouts on a coarse timer (~0.5-1 s); the default would be 5 s.
      assert.ok(Date.now() - started < 3000, 'the configured connect timeout ended it');
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
