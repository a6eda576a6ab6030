/**
 * @module
 * A SaltApiClient built from the runtime settings, on a transport the caller can close. The salt
 * client's own default transport (src/salt/transport.ts) opens an undici Agent nobody can close;
 * RuntimeConfig replaces clients on every save, so each client here owns its Agent and the
 * runtime closes it once the client is retired.
 */
import { Agent, fetch as undiciFetch } from 'undici';
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
  o: { logger?: SaltLogger; overrides?: SaltClientOverrides } = {},
): SaltConnection {
  const connectTimeoutMs = o.overrides?.connectTimeoutMs ?? Math.min(5000, config.timeoutMs);
  const agent = new Agent({
    connect: {
      timeout: connectTimeoutMs,
      rejectUnauthorized: config.verifyTls,
      ...(config.caBundle ? { ca: config.caBundle } : {}),
    },
    // The client bounds each request with its own AbortSignal; /events is silent for minutes.
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  const saltFetch = ((input: Parameters<typeof fetch>[0], init?: RequestInit) =>
    undiciFetch(input as Parameters<typeof undiciFetch>[0], {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher: agent,
    })) as unknown as typeof fetch;
  const client = new SaltApiClient({
    url: config.url,
    username: config.username,
    password: config.password,
    eauth: config.eauth,
    timeoutMs: config.timeoutMs,
    verifyTls: config.verifyTls,
    caBundle: config.caBundle,
    fetch: saltFetch,
    logger: o.logger,
    ...o.overrides,
  });
  let closed = false;
  return {
    client,
    async close() {
      if (closed) return;
      closed = true;
      await agent.close().catch(() => {});
    },
    async destroy() {
      closed = true;
      await agent.destroy().catch(() => {});
    },
  };
}

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
