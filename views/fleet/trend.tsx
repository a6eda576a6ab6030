/**
 * @module
 * The fleet trend: a server-rendered SVG of the last 30 days (one stacked bar per day by health
 * status), no chart library and no script. Days without a stored snapshot stay empty. Labels and
 * tooltips are escaped like any other text.
 */
import type { TrendDay } from '../../src/fleet/schemas.ts';
import { TREND_DAYS } from '../../src/fleet/service.ts';

type Status = 'unhealthy' | 'blocked' | 'changed' | 'stale' | 'unknown' | 'healthy';
/** Bottom to top: the problems sit on the axis where they are easiest to compare. */
const ORDER: Status[] = ['unhealthy', 'blocked', 'changed', 'stale', 'unknown', 'healthy'];
export const STATUS_COLOR: Record<Status, string> = {
  healthy: '#2e7d32', changed: '#1565c0', unhealthy: '#c62828', blocked: '#6a1b9a', stale: '#ef6c00', unknown: '#9e9e9e',
};

const total = (d: TrendDay) => ORDER.reduce((n, s) => n + d[s], 0);

/** The 30 UTC days ending today, oldest first. */
export function trendDays(today: string): string[] {
  const end = Date.parse(`${today}T00:00:00Z`);
  return Array.from({ length: TREND_DAYS }, (_, i) => new Date(end - (TREND_DAYS - 1 - i) * 86_400_000).toISOString().slice(0, 10));
}

/** The chart. `today` is the last day shown (UTC, YYYY-MM-DD). */
export function FleetTrend({ trend, today }: { trend: TrendDay[]; today: string }): string {
  const width = 600;
  const height = 160;
  const axis = 18;
  const days = trendDays(today);
  const byDay = new Map(trend.map((d) => [d.day, d]));
  const max = Math.max(1, ...trend.map(total));
  const bw = width / days.length;
  return (
    <figure id="fleet-trend" class="card">
      <figcaption>Health over the last 30 days</figcaption>
      <svg viewBox={`0 0 ${width} ${height + axis}`} width="100%" height={String(height + axis)} role="img" aria-label="Minions by health status per day" preserveAspectRatio="none">
        <line x1="0" y1={String(height)} x2={String(width)} y2={String(height)} stroke="#bbb" stroke-width="1" />
        {days.map((day, i) => {
          const d = byDay.get(day);
          const x = i * bw;
          const label = i % 5 === 4 || i === days.length - 1
            ? <text x={(x + bw / 2).toFixed(1)} y={String(height + 13)} font-size="10" text-anchor="middle" fill="currentColor" safe>{day.slice(5)}</text>
            : '';
          if (!d) return <g data-day={day}>{label}</g>;
          let y = height;
          return (
            <g data-day={day} data-total={String(total(d))}>
              <title safe>{`${day}: ${ORDER.map((s) => `${d[s]} ${s}`).join(', ')}`}</title>
              {ORDER.map((s) => {
                const h = (d[s] / max) * (height - 4);
                if (h <= 0) return '';
                y -= h;
                return <rect x={(x + 1).toFixed(1)} y={y.toFixed(1)} width={Math.max(1, bw - 2).toFixed(1)} height={h.toFixed(1)} fill={STATUS_COLOR[s]} />;
              })}
              {label}
            </g>
          );
        })}
      </svg>
      <p class="muted chart-legend">
        {ORDER.map((s) => (
          <>
            <svg width="10" height="10" aria-hidden="true">
              <rect width="10" height="10" fill={STATUS_COLOR[s]} />
            </svg>{' '}
            {s}{' '}
          </>
        ))}
      </p>
    </figure>
  ) as string;
}
