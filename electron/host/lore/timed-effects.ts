import type { TimedEffect, TimedEffectState } from '../../../shared/lorebook';

/**
 * Sticky, cooldown and delay, counted in messages, as SillyTavern's WorldInfoTimedEffects: an entry that
 * fires with `sticky: N` stays active until the chat has N more messages; with `cooldown: N` it cannot fire
 * again until then (a cooldown that follows a sticky starts when the sticky ends); with `delay: N` it cannot
 * fire while the chat has fewer than N messages. An effect set at a chat length the chat has not passed
 * (a regenerated reply) is dropped, unless it is a cooldown that followed a sticky.
 */

export interface TimedEntry {
  /** `book.entry`, stable across replies. */
  stateKey: string;
  sticky: number;
  cooldown: number;
  delay: number;
}

export type TimedEffectKind = 'sticky' | 'cooldown' | 'delay';

export class TimedEffects {
  readonly #chatLength: number;
  readonly #state: TimedEffectState;
  readonly #active = { sticky: new Set<string>(), cooldown: new Set<string>(), delay: new Set<string>() };

  constructor(previous: TimedEffectState, chatLength: number, entries: readonly TimedEntry[]) {
    this.#chatLength = chatLength;
    this.#state = { sticky: { ...previous.sticky }, cooldown: { ...previous.cooldown }, fired: [...previous.fired] };
    const byKey = new Map(entries.map((e) => [e.stateKey, e]));
    this.#check('sticky', byKey, (entry) => {
      if (!entry.cooldown) return;
      this.#state.cooldown[entry.stateKey] = this.#effect(entry.cooldown, true);
      this.#active.cooldown.add(entry.stateKey);
    });
    this.#check('cooldown', byKey);
    for (const e of entries) if (e.delay && chatLength < e.delay) this.#active.delay.add(e.stateKey);
  }

  #effect(length: number, isProtected: boolean): TimedEffect {
    return { start: this.#chatLength, end: this.#chatLength + length, protected: isProtected };
  }

  #check(kind: 'sticky' | 'cooldown', entries: Map<string, TimedEntry>, onEnded?: (entry: TimedEntry) => void) {
    const table = this.#state[kind];
    for (const [key, effect] of Object.entries(table)) {
      const entry = entries.get(key);
      if (this.#chatLength <= effect.start && !effect.protected) {
        delete table[key]; // the chat did not advance
      } else if (!entry) {
        if (this.#chatLength >= effect.end) delete table[key]; // another book's entry: kept until its time is up
      } else if (!entry[kind]) {
        delete table[key]; // the entry no longer has this effect
      } else if (this.#chatLength >= effect.end) {
        delete table[key];
        onEnded?.(entry);
      } else {
        this.#active[kind].add(key);
      }
    }
  }

  isActive(kind: TimedEffectKind, stateKey: string): boolean {
    return this.#active[kind].has(stateKey);
  }

  /** How many messages are left on an active effect (for the trace). */
  remaining(kind: 'sticky' | 'cooldown', stateKey: string): number | undefined {
    const effect = this.#state[kind][stateKey];
    return effect ? effect.end - this.#chatLength : undefined;
  }

  /** After a reply: the fired entries start their sticky and cooldown (when not already running). */
  record(fired: readonly TimedEntry[]): TimedEffectState {
    for (const entry of fired) {
      if (entry.sticky && !this.#state.sticky[entry.stateKey]) this.#state.sticky[entry.stateKey] = this.#effect(entry.sticky, false);
      if (entry.cooldown && !this.#state.cooldown[entry.stateKey])
        this.#state.cooldown[entry.stateKey] = this.#effect(entry.cooldown, false);
      if (!this.#state.fired.includes(entry.stateKey)) this.#state.fired.push(entry.stateKey);
    }
    return this.#state;
  }
}
