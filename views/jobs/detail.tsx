/**
 * @module
 * The job detail fragment: the job, a Kill button while it runs, then one section per targeted
 * minion (failed ones first and highlighted, state results parsed), pending minions marked, and
 * the raw returns as JSON and YAML.
 */
import { stringify as toYaml } from 'yaml';
import type { JobDetail, KillResult } from '../../src/jobs/schemas.ts';
import { hasFailure, type ParsedReturn } from '../../src/jobs/state-results.ts';
import { StateCountsView, StateResultsView } from './state-results.tsx';
import { JobStatusBadge, formatArguments } from './list.tsx';
import { liveTrigger } from '../activity/live.tsx';

export interface JobDetailProps {
  detail: JobDetail;
  canKill: boolean;
}

function domId(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** The Kill button: confirmed, posts to the kill route, shows the answer under it. */
export function KillButton({ jid, minions }: { jid: string; minions: number }): string {
  const confirm = `Kill job ${jid}${minions ? ` on ${minions} minion${minions === 1 ? '' : 's'}` : ''}? Salt sends signal 9 to the job's process.`;
  return (
    <span id="job-kill">
      <button type="button" class="danger" hx-post={`/api/jobs/${jid}/kill`} hx-confirm={confirm} hx-target="#job-kill" hx-swap="outerHTML">
        Kill
      </button>
    </span>
  ) as string;
}

/** What the kill route answers to htmx. */
export function KillResultView({ result }: { result: KillResult }): string {
  return (
    <div id="job-kill" class="alert alert-ok" role="status">
      <strong>
        Kill signal sent to {result.minions.length} minion{result.minions.length === 1 ? '' : 's'}.
      </strong>{' '}
      The status turns complete on the next poll.
      <ul>
        {Object.entries(result.signalled).map(([mid, reply]) => (
          <li>
            <code safe>{mid}</code>: <span safe>{typeof reply === 'string' ? reply : JSON.stringify(reply)}</span>
          </li>
        ))}
      </ul>
    </div>
  ) as string;
}

function failed(m: JobDetail['minions'][number]): boolean {
  return m.status === 'returned' && (m.success === false || (m.parsed !== null && hasFailure(m.parsed as ParsedReturn)));
}

function MinionSection({ m }: { m: JobDetail['minions'][number] }): string {
  const bad = failed(m);
  const parsed = m.parsed as ParsedReturn | null;
  return (
    <section
      class={bad ? 'minion-result alert alert-error' : 'minion-result alert'}
      id={`minion-${domId(m.minion)}`}
      data-minion={m.minion}
      data-failed={bad ? 'true' : 'false'}
      data-status={m.status}
    >
      <h3>
        <a href={`/minions/${encodeURIComponent(m.minion)}`} safe>
          {m.minion}
        </a>{' '}
        {m.status === 'pending' ? (
          <span class="badge badge-warn">pending</span>
        ) : bad ? (
          <span class="badge badge-err">failed</span>
        ) : (
          <span class="badge badge-ok">ok</span>
        )}{' '}
        {m.retcode !== null ? <span class="muted">retcode {m.retcode}</span> : ''}
      </h3>
      {m.status === 'pending' ? (
        <p class="muted">No return yet.</p>
      ) : parsed && parsed.kind !== 'raw' ? (
        <StateResultsView parsed={parsed} minion={m.minion} />
      ) : (
        <pre safe>{typeof m.return === 'string' ? m.return : JSON.stringify(m.return, null, 2)}</pre>
      )}
    </section>
  ) as string;
}

/** The whole detail fragment. */
export function JobDetailView({ detail, canKill }: JobDetailProps): string {
  const { job } = detail;
  const raw = Object.fromEntries(detail.minions.filter((m) => m.status === 'returned').map((m) => [m.minion, m.return]));
  const pending = detail.minions.filter((m) => m.status === 'pending').length;
  return (
    <article
      id="job-detail"
      data-jid={job.jid}
      data-status={job.status}
      // A running job's page re-reads itself until the job completes (then the trigger is gone):
      // when the activity stream says a minion returned (inside the page's LiveRegion), and on a
      // slow timer as a safety net when the stream is down.
      hx-get={job.status === 'running' ? `/api/jobs/${job.jid}` : undefined}
      hx-trigger={job.status === 'running' ? `${liveTrigger('job', job.jid)} delay:300ms, every 30s` : undefined}
      hx-swap={job.status === 'running' ? 'outerHTML' : undefined}
    >
      <dl class="cards">
        <div class="card">
          <div class="muted">Function</div>
          <div class="value">
            <code safe>{job.function}</code>
          </div>
          <div class="mono" safe>
            {formatArguments(job.arguments)}
          </div>
        </div>
        <div class="card">
          <div class="muted">Target</div>
          <div safe>{`${job.target} (${job.target_type})`}</div>
          <div class="muted" safe>
            {`by ${job.user}, started ${job.start_time}`}
          </div>
        </div>
        <div class="card">
          <div class="muted">Status</div>
          <div class="value">
            <JobStatusBadge job={job} />
          </div>
          <div class="muted">
            {job.minion_count} targeted, {pending} pending
          </div>
          {job.status === 'running' && canKill ? <KillButton jid={job.jid} minions={job.minion_count} /> : ''}
        </div>
        {detail.counts ? (
          <div class="card">
            <div class="muted">States</div>
            <StateCountsView counts={detail.counts} />
          </div>
        ) : (
          ''
        )}
      </dl>
      <h2>Minions</h2>
      {detail.minions.length === 0 ? <p class="muted">The job targeted no minion.</p> : ''}
      {detail.minions.map((m) => (
        <MinionSection m={m} />
      ))}
      <h2>Raw returns</h2>
      <details id="job-raw-json">
        <summary>JSON</summary>
        <pre safe>{JSON.stringify(raw, null, 2)}</pre>
      </details>
      <details id="job-raw-yaml">
        <summary>YAML</summary>
        <pre safe>{toYaml(raw)}</pre>
      </details>
    </article>
  ) as string;
}
