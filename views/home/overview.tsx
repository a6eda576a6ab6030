/** @module The overview page body: the Salt connection and the fleet at a glance. */
import type { SaltStatus } from '../../src/runtime-types.ts';
import type { Overview as OverviewData } from '../../src/home/service.ts';

const STATE_LABEL: Record<SaltStatus['state'], string> = {
  unconfigured: 'not configured',
  connecting: 'connecting',
  ok: 'connected',
  login_failed: 'login failed',
  unreachable: 'unreachable',
};

function Card(p: { label: string; value: number | string; href?: string; kind?: 'ok' | 'warn' | 'err'; note?: string }): string {
  return (
    <div class="card">
      <div class="muted" safe>
        {p.label}
      </div>
      <div class={`value${p.kind ? ` text-${p.kind}` : ''}`} safe>
        {String(p.value)}
      </div>
      {p.note ? (
        <div class="muted" safe>
          {p.note}
        </div>
      ) : (
        ''
      )}
      {p.href ? (
        <a href={p.href} safe>
          {`Open ${p.label.toLowerCase()}`}
        </a>
      ) : (
        ''
      )}
    </div>
  ) as string;
}

export function Overview({ salt, data }: { salt: SaltStatus | null; data: OverviewData }): string {
  const { minions, jobs, fleet } = data;
  return (
    <section id="overview" class="cards">
      <div class="card">
        <div class="muted">salt-api</div>
        <div class="value" id="salt-state">
          {salt ? STATE_LABEL[salt.state] : 'not configured'}
        </div>
        {salt?.message ? (
          <div class="muted" safe>
            {salt.message}
          </div>
        ) : (
          ''
        )}
      </div>
      {minions ? (
        <>
          <Card label="Minions" value={minions.accepted} href="/minions" note={`${minions.up} up, ${minions.down} down`} kind={minions.down ? 'warn' : undefined} />
          <Card label="Pending keys" value={minions.pending_keys} href="/keys" kind={minions.pending_keys ? 'warn' : undefined} />
        </>
      ) : (
        ''
      )}
      {jobs ? <Card label="Jobs" value={jobs.last_24h} href="/jobs" note={`last 24 h, ${jobs.with_failures} with failures`} kind={jobs.with_failures ? 'err' : undefined} /> : ''}
      {fleet ? (
        <Card
          label="Fleet"
          value={fleet.unhealthy + fleet.blocked}
          href="/fleet"
          note={`failing or blocked; ${fleet.healthy} healthy, ${fleet.changed} changed`}
          kind={fleet.unhealthy + fleet.blocked ? 'err' : 'ok'}
        />
      ) : (
        ''
      )}
    </section>
  ) as string;
}
