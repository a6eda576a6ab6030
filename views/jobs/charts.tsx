/**
 * @module
 * Server-rendered SVG charts of job activity (no chart library, no script): stacked bars per hour
 * and per day by outcome, and a timeline of the jobs in a window, one lane per function.
 */
import type { JobActivity, JobTimeline } from '../../src/jobs/schemas.ts';

type Outcome = 'running' | 'succeeded' | 'failed' | 'unknown';
const OUTCOMES: Outcome[] = ['failed', 'running', 'succeeded', 'unknown'];
const COLOR: Record<Outcome, string> = { failed: '#c62828', running: '#1565c0', succeeded: '#2e7d32', unknown: '#9e9e9e' };

type Bucket = JobActivity['hours'][number];

function total(b: Bucket): number {
  return b.running + b.succeeded + b.failed + b.unknown;
}

function Legend(): string {
  return (
    <p class="muted chart-legend">
      {OUTCOMES.map((o) => (
        <>
          <svg width="10" height="10" aria-hidden="true">
            <rect width="10" height="10" fill={COLOR[o]} />
          </svg>{' '}
          {o}{' '}
        </>
      ))}
    </p>
  ) as string;
}

function Bars({ buckets, width, height, label }: { buckets: Bucket[]; width: number; height: number; label: (b: Bucket) => string }): string {
  const max = Math.max(1, ...buckets.map(total));
  const bw = width / Math.max(1, buckets.length);
  return (
    <svg viewBox={`0 0 ${width} ${height + 14}`} width="100%" height={String(height + 14)} role="img" preserveAspectRatio="none">
      <line x1="0" y1={String(height)} x2={String(width)} y2={String(height)} stroke="#bbb" stroke-width="1" />
      {buckets.map((b, i) => {
        let y = height;
        return (
          <g data-start={b.start} data-total={String(total(b))}>
            <title safe>{`${label(b)}: ${total(b)} jobs (${b.succeeded} ok, ${b.failed} failed, ${b.running} running, ${b.unknown} unknown)`}</title>
            {OUTCOMES.map((o) => {
              const h = (b[o] / max) * (height - 4);
              if (h <= 0) return '';
              y -= h;
              return <rect x={(i * bw + 0.5).toFixed(1)} y={y.toFixed(1)} width={Math.max(1, bw - 1).toFixed(1)} height={h.toFixed(1)} fill={COLOR[o]} />;
            })}
          </g>
        );
      })}
      <text x="0" y={String(height + 12)} font-size="10" fill="currentColor" safe>
        {label(buckets[0]!)}
      </text>
      <text x={String(width)} y={String(height + 12)} font-size="10" text-anchor="end" fill="currentColor" safe>
        {label(buckets[buckets.length - 1]!)}
      </text>
    </svg>
  ) as string;
}

/** Jobs per hour (7 days) and per day, stacked by outcome. */
export function ActivityChart({ activity }: { activity: JobActivity }): string {
  const hourLabel = (b: Bucket) => b.start.slice(5, 13).replace('T', ' ') + 'h';
  const dayLabel = (b: Bucket) => b.start.slice(0, 10);
  return (
    <section id="job-activity">
      <h2>Activity, last 7 days (UTC)</h2>
      <Legend />
      <figure id="job-activity-hours">
        <Bars buckets={activity.hours} width={840} height={90} label={hourLabel} />
        <figcaption class="muted">Jobs per hour</figcaption>
      </figure>
      <figure id="job-activity-days">
        <Bars buckets={activity.days} width={840} height={60} label={dayLabel} />
        <figcaption class="muted">Jobs per day</figcaption>
      </figure>
    </section>
  ) as string;
}

const WINDOWS: [string, number][] = [
  ['1 h', 3_600_000],
  ['6 h', 6 * 3_600_000],
  ['24 h', 24 * 3_600_000],
  ['7 d', 7 * 24 * 3_600_000],
];

/** The jobs of a window as dots on one lane per function (the 8 busiest, then "other"). */
export function TimelineChart({ timeline }: { timeline: JobTimeline }): string {
  const from = Date.parse(timeline.from);
  const to = Date.parse(timeline.to);
  const counts = new Map<string, number>();
  for (const j of timeline.jobs) counts.set(j.function, (counts.get(j.function) ?? 0) + 1);
  const lanes = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([f]) => f);
  const other = counts.size > lanes.length;
  const names = other ? [...lanes, 'other'] : lanes;
  const laneH = 18;
  const left = 130;
  const width = 840;
  const height = Math.max(1, names.length) * laneH + 16;
  const x = (t: number) => left + ((t - from) / Math.max(1, to - from)) * (width - left - 6);
  const now = to;
  return (
    <section id="job-timeline">
      <h2>Timeline</h2>
      <p class="toolbar">
        {WINDOWS.map(([label, ms]) => {
          const q = new URLSearchParams({ from: new Date(now - ms).toISOString(), to: new Date(now).toISOString() });
          return (
            <button type="button" hx-get={`/api/jobs/timeline?${q}`} hx-target="#job-timeline" hx-swap="outerHTML" class={to - from === ms ? 'primary' : undefined} safe>
              {label}
            </button>
          );
        })}
        <span class="muted" safe>{`${timeline.from} – ${timeline.to}: ${timeline.jobs.length} jobs${timeline.truncated ? ' (the newest shown)' : ''}`}</span>
      </p>
      <svg viewBox={`0 0 ${width} ${height}`} width="100%" height={String(height)} role="img" aria-label="Jobs over time">
        {names.map((name, i) => (
          <>
            <line x1={String(left)} y1={String(i * laneH + 9)} x2={String(width)} y2={String(i * laneH + 9)} stroke="#ddd" stroke-width="1" />
            <text x={String(left - 6)} y={String(i * laneH + 13)} font-size="11" text-anchor="end" fill="currentColor" safe>
              {name}
            </text>
          </>
        ))}
        {timeline.jobs.map((j) => {
          const lane = lanes.indexOf(j.function);
          const cy = (lane >= 0 ? lane : lanes.length) * laneH + 9;
          return (
            <a href={`/jobs/${j.jid}`}>
              <circle cx={x(Date.parse(j.start_time)).toFixed(1)} cy={String(cy)} r="4" fill={COLOR[j.outcome]} data-jid={j.jid}>
                <title safe>{`${j.jid} ${j.function} → ${j.target} (${j.outcome})`}</title>
              </circle>
            </a>
          );
        })}
        <text x={String(left)} y={String(height - 2)} font-size="10" fill="currentColor" safe>
          {timeline.from.slice(0, 16).replace('T', ' ')}
        </text>
        <text x={String(width)} y={String(height - 2)} font-size="10" text-anchor="end" fill="currentColor" safe>
          {timeline.to.slice(0, 16).replace('T', ' ')}
        </text>
      </svg>
    </section>
  ) as string;
}
