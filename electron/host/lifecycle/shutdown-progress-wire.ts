import type { ShutdownProgress as WireProgress } from '../../../shared/shutdown';
import type { ShutdownProgress } from './shutdown-coordinator';

/** The coordinator's progress as the renderer receives it (shared/shutdown.ts). */
export function toWireProgress(p: ShutdownProgress): WireProgress {
  switch (p.type) {
    case 'step':
      return { step: p.step, outcome: 'started', ...(p.providers ? { providers: p.providers } : {}) };
    case 'provider':
      return { step: p.step, providerId: p.record.id, outcome: p.record.outcome, ms: p.record.ms, ...(p.record.error ? { error: p.record.error } : {}) };
    case 'done':
      return { step: 'exit', done: true, exitCode: p.exitCode, ms: p.ms };
  }
}
