/**
 * @module sim/events
 * The master event bus as salt-api's /events exposes it. A fired event gets its `_stamp` and is
 * framed once as Salt frames it — `tag: <tag>\ndata: <python json of {data, tag}>\n\n` — and handed
 * to every subscriber. When nobody listens, firing is nearly free, which keeps big fleets fast.
 */
import { pyJson, saltStamp } from './wire.ts';

/** An event as it travels on the bus. */
export interface SaltEvent { tag: string; data: Record<string, unknown> }

/** A subscriber receives the framed bytes and the event. */
export type EventListener = (frame: string, event: SaltEvent) => void;

/** The first bytes of every /events response: Salt sends no blank line after it. */
export const SSE_PREAMBLE = 'retry: 400\n';

/** Frames one event exactly like salt-api's /events. */
export function frameEvent(event: SaltEvent): string {
  return `tag: ${event.tag}\ndata: ${pyJson({ data: event.data, tag: event.tag })}\n\n`;
}

/** Publish/subscribe for master events. */
export class EventBus {
  private readonly listeners = new Set<EventListener>();
  private micro = 0;

  constructor(private readonly now: () => number) {}

  /** Number of current subscribers. */
  get size(): number { return this.listeners.size; }

  /** Subscribes; returns the unsubscribe function. */
  subscribe(fn: EventListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Fires an event; `data` is built lazily so unobserved events cost nothing. */
  fire(tag: string, data: Record<string, unknown> | (() => Record<string, unknown>)): void {
    if (this.listeners.size === 0) return;
    const body = typeof data === 'function' ? data() : data;
    const event: SaltEvent = { tag, data: { ...body, _stamp: saltStamp(this.now(), this.micro++ % 1000) } };
    const frame = frameEvent(event);
    for (const fn of [...this.listeners]) {
      try {
        fn(frame, event);
      } catch {
        // One broken subscriber must not stop delivery to the others.
      }
    }
  }
}
