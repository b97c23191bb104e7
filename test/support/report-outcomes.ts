import type { ShutdownProviderRecord } from '../../shared/shutdown';

/**
 * A shutdown report in one line, for assertion messages: a failing lifecycle test says which provider did what
 * (its outcome, close method, time and error), not only that an exit code differed.
 */
export function reportOutcomes(report: { exitCode?: number; providers: readonly ShutdownProviderRecord[] }): string {
  const providers = report.providers.map((p) => `${p.id}: ${p.outcome} (${p.method}, ${p.ms} ms${p.error ? `, ${p.error}` : ''})`);
  return `report: exit code ${report.exitCode ?? '?'}; ${providers.join('; ') || 'no providers'}`;
}
