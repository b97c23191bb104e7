import type { Provider } from '../../electron/host/lifecycle/provider';
import type { ProviderPhase } from '../../shared/health';
import { healthNow } from '../../electron/host/lifecycle/provider';

/** Shared, ordered trace of begin/end events, for asserting order without wall-clock thresholds. */
export class Trace {
  readonly events: string[] = [];
  add(event: string): void {
    this.events.push(event);
  }
  indexOf(event: string): number {
    const i = this.events.indexOf(event);
    if (i < 0) throw new Error(`event ${event} never happened; saw ${this.events.join(', ')}`);
    return i;
  }
}

export type CloseBehaviour = { kind: 'resolve'; afterMs?: number } | { kind: 'throw'; message: string } | { kind: 'hang' };

export interface ScriptedOptions {
  phase?: ProviderPhase;
  methods?: ('cleanup' | 'shutdown')[];
  close?: CloseBehaviour;
  initialize?: CloseBehaviour;
  trace?: Trace;
}

/** A provider whose lifecycle calls are scripted and counted: a test double for the registry itself. */
export class ScriptedProvider implements Provider {
  readonly kind = 'scripted';
  readonly phase: ProviderPhase;
  calls = { initialize: 0, cleanup: 0, shutdown: 0 };
  cleanup?: () => Promise<void>;
  shutdown?: () => Promise<void>;
  open = false;

  constructor(
    readonly id: string,
    private readonly options: ScriptedOptions = {},
  ) {
    this.phase = options.phase ?? 'clients';
    const methods = options.methods ?? ['cleanup', 'shutdown'];
    if (methods.includes('cleanup')) this.cleanup = () => this.close('cleanup');
    if (methods.includes('shutdown')) this.shutdown = () => this.close('shutdown');
  }

  async initialize(): Promise<void> {
    this.calls.initialize++;
    this.open = true;
    await act(this.options.initialize ?? { kind: 'resolve' });
  }

  async healthCheck() {
    return healthNow(this.open ? 'healthy' : 'stopped', { open: this.open });
  }

  private async close(method: 'cleanup' | 'shutdown'): Promise<void> {
    this.calls[method]++;
    this.options.trace?.add(`begin ${this.id}`);
    await act(this.options.close ?? { kind: 'resolve' });
    this.open = false;
    this.options.trace?.add(`end ${this.id}`);
  }
}

function act(b: CloseBehaviour): Promise<void> {
  if (b.kind === 'throw') return Promise.reject(new Error(b.message));
  if (b.kind === 'hang') return new Promise(() => undefined);
  return new Promise((r) => setTimeout(r, b.afterMs ?? 0));
}
