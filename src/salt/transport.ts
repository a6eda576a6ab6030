/**
 * Node-only HTTP transport for the salt-api client: a `fetch` bound to an undici Agent.
 *
 * It exists so client.ts can stay on web standards (and run on Deno later): TLS verification,
 * a private CA bundle and the connect timeout are properties of the connection, which the
 * standard `fetch` cannot express, so they live here and the client receives a plain `fetch`.
 *
 * @module
 */
import { Agent, fetch as undiciFetch } from 'undici';

/** Options of {@link createSaltFetch}. */
export interface SaltFetchOptions {
  /** Verify the server certificate (default true). Turning it off is for labs only. */
  verifyTls?: boolean;
  /** PEM text of the CA(s) to trust instead of the system store. */
  caBundle?: string | null;
  /** How long to wait for the TCP + TLS connection, in ms (default 5000). */
  connectTimeoutMs?: number;
}

/**
 * Build a `fetch` that talks to salt-api with the given TLS and connect-timeout settings.
 *
 * Header and body timeouts are disabled on purpose: the client bounds every request with its own
 * AbortSignal, and the `/events` stream is legitimately silent for minutes (Salt sends no
 * heartbeats), which undici's default 300 s body timeout would turn into a spurious failure.
 */
export function createSaltFetch(opts: SaltFetchOptions = {}): typeof fetch {
  const agent = new Agent({
    connect: {
      timeout: opts.connectTimeoutMs ?? 5000,
      rejectUnauthorized: opts.verifyTls ?? true,
      ...(opts.caBundle ? { ca: opts.caBundle } : {}),
    },
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  const saltFetch = (input: Parameters<typeof fetch>[0], init?: RequestInit) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher: agent,
    });
  // undici's Response is structurally the web Response; the cast only bridges the two d.ts files.
  return saltFetch as unknown as typeof fetch;
}

/** A transport whose connections its owner closes (RuntimeConfig retires clients on every save). */
export interface SaltTransport {
  fetch: typeof fetch;
  /** Waits for requests in flight, then closes the connections. */
  close(): Promise<void>;
  /** Closes the connections now, failing requests in flight. */
  destroy(): Promise<void>;
}

/** Builds a transport for one client's TLS settings. */
export type SaltTransportFactory = (o: { verifyTls: boolean; caBundle: string | null; connectTimeoutMs: number }) => SaltTransport;

/** The Node transport: its own undici Agent per client, honouring every TLS setting. */
export const nodeSaltTransport: SaltTransportFactory = (o) => {
  const agent = new Agent({
    connect: { timeout: o.connectTimeoutMs, rejectUnauthorized: o.verifyTls, ...(o.caBundle ? { ca: o.caBundle } : {}) },
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  const saltFetch = ((input: Parameters<typeof fetch>[0], init?: RequestInit) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], { ...(init as Parameters<typeof undiciFetch>[1]), dispatcher: agent })) as unknown as typeof fetch;
  return {
    fetch: saltFetch,
    close: () => agent.close().catch(() => {}),
    destroy: () => agent.destroy().catch(() => {}),
  };
};
