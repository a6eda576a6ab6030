/**
 * @module
 * A pure view of one minion's parsed state results (src/jobs/state-results.ts): the counts, then
 * the states with the failing ones first and expanded. Shared by the job detail and the run page.
 */
import type { ParsedReturn, StateCounts, StateOutcome, StateResult } from '../../src/jobs/state-results.ts';
import { failingFirst } from '../../src/jobs/state-results.ts';

const BADGE: Record<StateOutcome, string> = {
  pass: 'badge badge-ok',
  fail: 'badge badge-err',
  changed: 'badge badge-changed',
  would_change: 'badge badge-warn',
};

const LABEL: Record<StateOutcome, string> = { pass: 'pass', fail: 'fail', changed: 'changed', would_change: 'would change' };

/** The pass / fail / changed counts as badges. */
export function StateCountsView({ counts }: { counts: StateCounts }): string {
  return (
    <span class="state-counts">
      <span class="badge badge-ok">{counts.pass} pass</span>{' '}
      <span class={counts.fail > 0 ? 'badge badge-err' : 'badge'}>{counts.fail} fail</span>{' '}
      <span class="badge badge-changed">{counts.changed} changed</span>
      {counts.would_change > 0 ? (
        <>
          {' '}
          <span class="badge badge-warn">{counts.would_change} would change</span>
        </>
      ) : (
        ''
      )}
    </span>
  ) as string;
}

function formatMs(ms: number | null): string {
  if (ms === null) return '';
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`;
}

function hasChanges(changes: unknown): boolean {
  return changes !== null && typeof changes === 'object' && Object.keys(changes).length > 0;
}

/** One state: a summary line, expanded (open) when it failed. */
export function StateView({ state, idPrefix }: { state: StateResult; idPrefix: string }): string {
  const failed = state.result === 'fail';
  return (
    <details class={`state state-${state.result}`} open={failed} data-state-id={state.id} data-outcome={state.result}>
      <summary>
        <span class={BADGE[state.result]} safe>{LABEL[state.result]}</span> <strong safe>{state.id}</strong>{' '}
        <code safe>{state.function}</code> <span class="muted" safe>{state.name}</span>{' '}
        <span class="muted" safe>{formatMs(state.duration_ms)}</span>
      </summary>
      <div class="state-body" id={`${idPrefix}-${state.run_num ?? 0}`}>
        <p safe>{state.comment}</p>
        {state.sls ? (
          <p class="muted">
            sls <code safe>{state.sls}</code>
            {state.start_time ? (
              <>
                {' '}
                · started <span safe>{state.start_time}</span>
              </>
            ) : (
              ''
            )}
          </p>
        ) : (
          ''
        )}
        {hasChanges(state.changes) ? <pre safe>{JSON.stringify(state.changes, null, 2)}</pre> : ''}
      </div>
    </details>
  ) as string;
}

/** A minion's state results; `''` for a raw return (the caller shows it as JSON). */
export function StateResultsView({ parsed, minion }: { parsed: ParsedReturn; minion: string }): string {
  if (parsed.kind === 'raw') return '';
  if (parsed.kind === 'render_error') {
    return (
      <div class="alert alert-error" role="alert" data-render-error="true">
        <strong>The states could not be rendered</strong>
        <ul>
          {parsed.errors.map((e) => (
            <li safe>{e}</li>
          ))}
        </ul>
      </div>
    ) as string;
  }
  const idPrefix = `state-${minion.replace(/[^A-Za-z0-9_-]/g, '_')}`;
  return (
    <div class="state-results">
      <p>
        <StateCountsView counts={parsed.counts} />
      </p>
      {failingFirst(parsed.states).map((s) => (
        <StateView state={s} idPrefix={idPrefix} />
      ))}
    </div>
  ) as string;
}
