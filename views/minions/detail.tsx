/** @module The minion detail: its key status and facts, its grains as a collapsible tree, its recent jobs. */
import type { MinionDetail } from '../../src/minions/schemas.ts';
import { KeyBadge } from './results.tsx';

/** One grain value: scalars inline, lists and dicts as nested <details> (no script needed). */
function GrainValue({ value, depth }: { value: unknown; depth: number }): string {
  if (value === null || value === undefined) return (<code class="muted">null</code>) as string;
  if (typeof value !== 'object') return (<code safe>{String(value)}</code>) as string;
  const entries: [string, unknown][] = Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
  if (entries.length === 0) return (<code class="muted">{Array.isArray(value) ? '[]' : '{}'}</code>) as string;
  if (Array.isArray(value) && entries.every(([, v]) => v === null || typeof v !== 'object')) {
    return (<code safe>{value.map(String).join(', ')}</code>) as string;
  }
  return (
    <ul class="grains">
      {entries.map(([k, v]) => (
        <GrainEntry name={k} value={v} depth={depth + 1} />
      ))}
    </ul>
  ) as string;
}

function GrainEntry({ name, value, depth }: { name: string; value: unknown; depth: number }): string {
  const nested = value !== null && typeof value === 'object' && Object.keys(value).length > 0 &&
    !(Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object'));
  if (!nested) {
    return (
      <li>
        <strong safe>{name}</strong>: <GrainValue value={value} depth={depth} />
      </li>
    ) as string;
  }
  return (
    <li>
      <details>
        <summary safe>{`${name} (${Object.keys(value as object).length})`}</summary>
        <GrainValue value={value} depth={depth} />
      </details>
    </li>
  ) as string;
}

/** The detail fragment (`GET /api/minions/{id}` for htmx, and the page body). */
export function MinionDetailView({ minion: m }: { minion: MinionDetail }): string {
  const grainKeys = Object.keys(m.grains).sort();
  return (
    <section id={`minion-detail-${m.id}`}>
      <div class="cards">
        <div class="card">
          <div class="muted">Key</div>
          <div class="value">
            <KeyBadge status={m.key_status} />
          </div>
          {m.key_status === 'pending' ? <a href="/keys">Decide on the keys page</a> : ''}
        </div>
        <div class="card">
          <div class="muted">Present</div>
          <div class="value">{m.present ? 'up' : 'down'}</div>
          <div class="muted" safe>{`last seen ${m.last_seen ?? 'never'}`}</div>
        </div>
        <div class="card">
          <div class="muted">IP</div>
          <div class="value mono" safe>{m.ip ?? '—'}</div>
        </div>
        <div class="card">
          <div class="muted">OS</div>
          <div class="value" safe>{[m.os, m.osrelease].filter(Boolean).join(' ') || '—'}</div>
          <div class="muted" safe>{m.kernel ?? ''}</div>
        </div>
        <div class="card">
          <div class="muted">Salt</div>
          <div class="value" safe>{m.saltversion ?? '—'}</div>
          <div class="muted" safe>{`roles: ${m.roles.join(', ') || 'none'}`}</div>
        </div>
      </div>
      <h2>Recent jobs</h2>
      {m.recent_jobs.length === 0 ? (
        <p class="muted">No job in the index targeted this minion.</p>
      ) : (
        <table class="table" id="minion-jobs">
          <thead>
            <tr>
              <th>Jid</th>
              <th>Function</th>
              <th>Target</th>
              <th>User</th>
              <th>Started</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {m.recent_jobs.map((j) => (
              <tr>
                <td class="mono">
                  <a href={`/jobs/${encodeURIComponent(j.jid)}`} safe>
                    {j.jid}
                  </a>
                </td>
                <td safe>{j.function}</td>
                <td safe>{j.target}</td>
                <td safe>{j.user}</td>
                <td class="muted" safe>{j.start_time}</td>
                <td>{j.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Grains</h2>
      {grainKeys.length === 0 ? (
        <p class="muted">No grains cached for this minion (its key is not accepted, or Salt has not cached them yet).</p>
      ) : (
        <ul class="grains" id="minion-grains">
          {grainKeys.map((k) => (
            <GrainEntry name={k} value={m.grains[k]} depth={0} />
          ))}
        </ul>
      )}
    </section>
  ) as string;
}
