/**
 * @module sim/lowstate
 * Executes salt-api lowstate chunks (`POST /`, `/run`, `/minions`): client validation with the
 * recorded 400 messages, eauth permission errors (401), and the clients local, local_async,
 * local_batch, local_subset, runner, runner_async, wheel and wheel_async with their return shapes.
 */
import type { SaltToken } from './auth.ts';
import type { SimMaster } from './master.ts';
import { hash32 } from './prng.ts';
import { runRunner } from './runners.ts';
import { matchTarget } from './targeting.ts';
import { runWheel } from './wheel.ts';

/** An HTTP error a handler raises; rendered as a CherryPy HTML page. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

/** A lowstate chunk as posted. */
export type Lowstate = Record<string, unknown>;

/** All clients salt-api knows (GET / lists them, ssh included although it is disabled). */
export const ALL_CLIENTS = ['local', 'local_async', 'local_batch', 'local_subset', 'runner', 'runner_async', 'ssh', 'wheel', 'wheel_async'];
const ENABLED = new Set(ALL_CLIENTS.filter((c) => c !== 'ssh'));
const NOT_KWARGS = new Set(['client', 'fun', 'arg', 'kwarg', 'token', 'username', 'password', 'eauth', 'full_return', 'timeout']);

/** Raises the 400 salt-api gives for a missing, unknown or disabled client. */
export function checkClient(chunk: Lowstate): string {
  const client = chunk.client;
  if (typeof client !== 'string' || !ALL_CLIENTS.includes(client)) throw new HttpError(400, `Invalid client specified: '${client === undefined ? 'None' : String(client)}'`);
  if (!ENABLED.has(client)) throw new HttpError(400, `Client disabled: '${client}'. Add to 'netapi_enable_clients' master config option to enable.`);
  return client;
}

const asList = (v: unknown): unknown[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

/** Raises the 401 Salt gives a user without permissions for this client. */
export function checkPerms(client: string, token: SaltToken): void {
  const perms = token.perms;
  if (Array.isArray(perms) && perms.length > 0) return;
  if (client.startsWith('local')) throw new HttpError(401, 'Authorization error occurred.');
  throw new HttpError(401, `Authentication failure of type "token" occurred for user ${token.name}.`);
}

function extraKwargs(chunk: Lowstate): Record<string, unknown> {
  const kw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(chunk)) if (!NOT_KWARGS.has(k)) kw[k] = v;
  return { ...kw, ...((chunk.kwarg as Record<string, unknown>) ?? {}) };
}

async function localCall(m: SimMaster, chunk: Lowstate, user: string, tgt: unknown, tgtType: string): Promise<Record<string, unknown>> {
  const published = m.publish({ fun: String(chunk.fun), arg: asList(chunk.arg), kwarg: (chunk.kwarg as Record<string, unknown>) ?? {}, tgt, tgtType, user });
  if (!published) return {};
  await published.done;
  const out: Record<string, unknown> = {};
  for (const [mid, r] of published.job.returns) {
    out[mid] = chunk.full_return ? { ret: r.return, ...(r.out ? { out: r.out } : {}), retcode: r.retcode, jid: published.job.jid } : r.return;
  }
  return out;
}

/**
 * Runs one chunk; returns the values it contributes to `return` (one, except local_batch which
 * flattens one dict per minion into the list).
 */
export async function runChunk(m: SimMaster, chunk: Lowstate, token: SaltToken): Promise<unknown[]> {
  const client = checkClient(chunk);
  checkPerms(client, token);
  const user = token.name;
  const fun = String(chunk.fun ?? '');
  const tgtType = String(chunk.tgt_type ?? chunk.expr_form ?? 'glob');
  switch (client) {
    case 'local':
      return [await localCall(m, chunk, user, chunk.tgt, tgtType)];
    case 'local_async': {
      const published = m.publish({ fun, arg: asList(chunk.arg), kwarg: (chunk.kwarg as Record<string, unknown>) ?? {}, tgt: chunk.tgt, tgtType, user });
      return [published ? { jid: published.job.jid, minions: published.job.minions } : {}];
    }
    case 'local_subset': {
      const n = Math.max(1, Number(chunk.subset ?? 1));
      const chosen = matchTarget(m.fleet, chunk.tgt, tgtType).filter((id) => m.fleet.isUp(id, m.now()))
        .sort((a, b) => hash32(a, fun) - hash32(b, fun)).slice(0, n);
      return [chosen.length ? await localCall(m, chunk, user, chosen, 'list') : {}];
    }
    case 'local_batch': {
      const targets = matchTarget(m.fleet, chunk.tgt, tgtType);
      const spec = String(chunk.batch ?? '10%');
      const size = Math.max(1, spec.endsWith('%') ? Math.ceil((targets.length * parseFloat(spec)) / 100) : parseInt(spec, 10) || 1);
      const values: unknown[] = [];
      for (let i = 0; i < targets.length; i += size) {
        const part = await localCall(m, chunk, user, targets.slice(i, i + size), 'list');
        for (const [mid, ret] of Object.entries(part)) values.push({ [mid]: ret });
      }
      return values;
    }
    case 'runner': case 'runner_async':
      return [await runRunner(m, fun, asList(chunk.arg), extraKwargs(chunk), user, client === 'runner_async')];
    case 'wheel': case 'wheel_async':
      return [runWheel(m, fun, extraKwargs(chunk), user, client === 'wheel_async')];
    default:
      throw new HttpError(400, `Invalid client specified: '${client}'`);
  }
}
