/** @module The overview page body. */
import type { SaltStatus } from '../../src/runtime-types.ts';

const STATE_LABEL: Record<SaltStatus['state'], string> = {
  unconfigured: 'not configured',
  connecting: 'connecting',
  ok: 'connected',
  login_failed: 'login failed',
  unreachable: 'unreachable',
};

export function Overview({ salt }: { salt: SaltStatus | null }): string {
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
    </section>
  ) as string;
}
