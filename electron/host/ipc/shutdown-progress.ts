import type { ShutdownProgress } from '../../../shared/shutdown';
import type { CoordinatorProgress } from '../lifecycle/shutdown-coordinator';

/** The coordinator's progress events as the renderer receives them ('shutdown.progress'). */
export function toWireShutdownProgress(progress: CoordinatorProgress): ShutdownProgress {
  switch (progress.type) {
    case 'step':
      return { step: progress.step, outcome: 'started', ...(progress.providers ? { providers: progress.providers } : {}) };
    case 'provider': {
      const { record } = progress;
      return {
        step: progress.step,
        providerId: record.id,
        outcome: record.outcome,
        ms: record.ms,
        ...(record.error ? { error: record.error } : {}),
      };
    }
    case 'done':
      return { step: 'exit', done: true, exitCode: progress.exitCode, ms: progress.ms };
  }
}
