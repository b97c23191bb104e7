import type { EventName, StudioEvents } from '../../../shared/events';

type Listener<E extends EventName> = (payload: StudioEvents[E]) => void;
type AnyListener = (payload: never) => void;

/**
 * Typed publish/subscribe for the contract's events. A listener that throws is reported through
 * `onListenerError` and the others still run. `onCountChange` lets the health pusher start and
 * stop with its audience.
 */
export class EventBus {
  private readonly listeners = new Map<EventName, Set<AnyListener>>();

  constructor(
    private readonly hooks: {
      onListenerError?: (event: EventName, err: unknown) => void;
      onCountChange?: (event: EventName, count: number) => void;
    } = {},
  ) {}

  subscribe<E extends EventName>(event: E, listener: Listener<E>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    const entry = listener as AnyListener;
    set.add(entry);
    this.hooks.onCountChange?.(event, set.size);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      const current = this.listeners.get(event);
      if (!current?.delete(entry)) return;
      this.hooks.onCountChange?.(event, current.size);
    };
  }

  publish<E extends EventName>(event: E, payload: StudioEvents[E]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<E>)(payload);
      } catch (err) {
        this.hooks.onListenerError?.(event, err);
      }
    }
  }

  count(event: EventName): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  clear(): void {
    const events = [...this.listeners.keys()];
    this.listeners.clear();
    for (const event of events) this.hooks.onCountChange?.(event, 0);
  }
}
