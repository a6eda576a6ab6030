/** @module The keys page: pending keys first (select several to accept), then accepted, rejected, denied. */
import type { KeyActionResult, KeyEntry, KeyList } from '../../src/keys/schemas.ts';
import { LiveRegion } from '../activity/live.tsx';

/** What the signed-in user may do, so the page offers only the buttons that will work. */
export interface KeyAbilities {
  accept: (id: string) => boolean;
  reject: (id: string) => boolean;
  delete: (id: string) => boolean;
  acceptMany: boolean;
}

export const NO_ABILITIES: KeyAbilities = { accept: () => false, reject: () => false, delete: () => false, acceptMany: false };

function Actions({ k, can }: { k: KeyEntry; can: KeyAbilities }): string {
  const path = `/api/keys/${encodeURIComponent(k.id)}`;
  const common = { 'hx-target': '#key-action-result', 'hx-swap': 'innerHTML' };
  return (
    <td class="actions">
      {k.status !== 'accepted' && k.status !== 'denied' && can.accept(k.id) ? (
        <button type="button" class="primary" hx-post={`${path}/accept`} {...common}>
          Accept
        </button>
      ) : (
        ''
      )}
      {(k.status === 'pending' || k.status === 'accepted') && can.reject(k.id) ? (
        <button type="button" hx-post={`${path}/reject`} hx-confirm={`Reject the key of ${k.id}? The minion will be refused.`} {...common}>
          Reject
        </button>
      ) : (
        ''
      )}
      {can.delete(k.id) ? (
        <button type="button" class="danger" hx-delete={path} hx-confirm={`Delete the key of ${k.id}?`} {...common}>
          Delete
        </button>
      ) : (
        ''
      )}
    </td>
  ) as string;
}

function KeyTable({ keys, can, select }: { keys: KeyEntry[]; can: KeyAbilities; select: boolean }): string {
  return (
    <table class="table">
      <thead>
        <tr>
          {select ? <th>Select</th> : ''}
          <th>Minion</th>
          <th>Fingerprint</th>
          <th>Actions</th>
        </tr>
      </thead>
      <tbody>
        {keys.map((k) => (
          <tr id={`key-${k.id}`} data-status={k.status}>
            {select ? (
              <td>
                <input type="checkbox" name="ids" value={k.id} aria-label={`Select ${k.id}`} />
              </td>
            ) : (
              ''
            )}
            <td>
              <a href={`/minions/${encodeURIComponent(k.id)}`} safe>
                {k.id}
              </a>
            </td>
            <td class="mono" safe>{k.fingerprint ?? '—'}</td>
            <Actions k={k} can={can} />
          </tr>
        ))}
      </tbody>
    </table>
  ) as string;
}

const SECTIONS = [
  { status: 'pending', title: 'Pending' },
  { status: 'accepted', title: 'Accepted' },
  { status: 'rejected', title: 'Rejected' },
  { status: 'denied', title: 'Denied' },
] as const;

function KeySection({ status, title, keys, can }: { status: KeyEntry['status']; title: string; keys: KeyEntry[]; can: KeyAbilities }): string {
  const heading = (
    <h2 id={`keys-${status}`} safe>
      {`${title} (${keys.length})`}
    </h2>
  );
  if (keys.length === 0) return (<>{heading}<p class="muted">None.</p></>) as string;
  if (status === 'pending' && can.acceptMany) {
    return (
      <>
        {heading}
        <form id="keys-accept-many" hx-post="/api/keys/accept" hx-target="#key-action-result" hx-swap="innerHTML">
          <KeyTable keys={keys} can={can} select={true} />
          <button type="submit" class="primary">
            Accept selected
          </button>
        </form>
      </>
    ) as string;
  }
  const table = <KeyTable keys={keys} can={can} select={false} />;
  // Thousands of accepted keys: folded, so the keys that need a decision stay in view.
  if (status === 'accepted' && keys.length > 50) return (<>{heading}<details><summary>Show all</summary>{table}</details></>) as string;
  return (<>{heading}{table}</>) as string;
}

/**
 * The key list fragment; it reloads itself when a key action announces `keys-changed`, and when
 * the activity stream says the keys were refreshed after a key event (`keys-refreshed`).
 */
export function KeyListView({ list, can }: { list: KeyList; can: KeyAbilities }): string {
  return (
    <section id="keys" hx-get="/api/keys" hx-trigger="keys-changed from:body, sse:keys-refreshed" hx-swap="outerHTML">
      {list.message ? (
        <div class="alert alert-warn" role="status">
          <p safe>{list.message}</p>
        </div>
      ) : (
        ''
      )}
      {SECTIONS.map(({ status, title }) => (
        <KeySection status={status} title={title} keys={list[status]} can={can} />
      ))}
    </section>
  ) as string;
}

/** The keys page body: the action result slot above the list. */
export function KeysPage({ list, can }: { list: KeyList; can: KeyAbilities }): string {
  return (
    <>
      <div id="key-action-result" aria-live="polite"></div>
      <LiveRegion categories={['key']}>
        <KeyListView list={list} can={can} />
      </LiveRegion>
    </>
  ) as string;
}

const VERB: Record<KeyActionResult['action'], string> = { accept: 'Accepted', reject: 'Rejected', delete: 'Deleted' };

/** What a key action did, swapped into #key-action-result. */
export function KeyActionView({ result }: { result: KeyActionResult }): string {
  return (
    <div class={`alert ${result.unchanged.length ? 'alert-warn' : 'alert-ok'}`} role="status" id="key-action-outcome">
      {result.changed.length ? (
        <p safe>{`${VERB[result.action]}: ${result.changed.map((c) => c.id).join(', ')}.`}</p>
      ) : (
        ''
      )}
      {result.unchanged.map((u) => (
        <p safe>{`${u.id}: ${u.reason}.`}</p>
      ))}
    </div>
  ) as string;
}
