/**
 * @module
 * A SaltApiClient built from the runtime settings, on a transport the caller can close:
 * RuntimeConfig replaces clients on every save, so each client owns its connections and the
 * runtime closes them once the client is retired. The transport is given by the platform entry
 * (src/start.ts passes the Node one, with TLS options); without one, the platform's own `fetch`
 * is used, which always verifies TLS against the system store and cannot take a CA bundle.
 */
import type { SaltTransport, SaltTransportFactory } from '../salt/transport.ts';
import { SaltApiClient, type SaltApiClientOptions, type SaltLogger } from '../salt/client.ts';
import { SaltApiError, SaltApiUnavailable } from '../salt/errors.ts';

/** What a Salt connection needs, decrypted. */
export interface SaltConnectionConfig {
  url: string;
  eauth: string;
  username: string;
  password: string;
  verifyTls: boolean;
  caBundle: string | null;
  timeoutMs: number;
}

/** A client and the connections behind it. */
export interface SaltConnection {
  client: SaltApiClient;
  /** Waits for requests in flight, then closes the connections. */
  close(): Promise<void>;
  /** Closes the connections now, failing requests in flight. */
  destroy(): Promise<void>;
}

/** Extra client options (tests shorten retries and inject sleeps). */
export type SaltClientOverrides = Partial<Pick<SaltApiClientOptions, 'sleep' | 'now' | 'maxRetries' | 'timeoutMs' | 'connectTimeoutMs'>>;

/** Opens a client on its own connection pool. No request is made until the first call. */
export function openSaltConnection(
  config: SaltConnectionConfig,
  o: { logger?: SaltLogger; overrides?: SaltClientOverrides; transport?: SaltTransportFactory } = {},
): SaltConnection {
  const connectTimeoutMs = o.overrides?.connectTimeoutMs ?? Math.min(5000, config.timeoutMs);
  const transport = (o.transport ?? fetchTransport)({ verifyTls: config.verifyTls, caBundle: config.caBundle, connectTimeoutMs });
  const client = new SaltApiClient({
    url: config.url,
    username: config.username,
    password: config.password,
    eauth: config.eauth,
    timeoutMs: config.timeoutMs,
    verifyTls: config.verifyTls,
    caBundle: config.caBundle,
    fetch: transport.fetch,
    logger: o.logger,
    ...o.overrides,
  });
  let closed = false;
  return {
    client,
    async close() {
      if (closed) return;
      closed = true;
      await transport.close();
    },
    async destroy() {
      closed = true;
      await transport.destroy();
    },
  };
}

/** The portable transport: the platform's `fetch`, nothing to close. */
export const fetchTransport: SaltTransportFactory = (): SaltTransport => ({
  fetch: (input, init) => globalThis.fetch(input, init),
  close: async () => {},
  destroy: async () => {},
});

/** How a Salt failure is classified for the status and for HTTP answers. */
export interface SaltFailure {
  /** `login_failed`: salt-api refused the credentials; `unreachable`: no usable answer; `error`: a call failed. */
  kind: 'login_failed' | 'unreachable' | 'error';
  /** A sentence a person can act on, with salt-api's own text. */
  message: string;
}

/** Classifies an error thrown by the salt client. */
export function describeSaltFailure(e: unknown): SaltFailure {
  if (e instanceof SaltApiUnavailable) return { kind: 'unreachable', message: e.message };
  if (e instanceof SaltApiError) {
    const text = e.body || e.message;
    if (e.status === 401 || e.status === 403) {
      return { kind: 'login_failed', message: `salt-api answered ${e.status}${text ? `: ${text}` : ''}` };
    }
    if (e.status >= 500) return { kind: 'unreachable', message: `salt-api answered ${e.status}${text ? `: ${text}` : ''}` };
    return { kind: 'error', message: e.message };
  }
  return { kind: 'error', message: e instanceof Error ? e.message : String(e) };
}
