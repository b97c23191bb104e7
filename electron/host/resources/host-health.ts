import type { ProviderHealth } from '../../../shared/health';
import type { ExecutionEngine } from '../engine/execution-engine';
import { healthNow } from '../lifecycle/provider';
import type { ProviderRegistry } from '../lifecycle/provider-registry';
import { descendantPids, fdCounts, rssBytes } from './proc';

/**
 * The host process itself, as one more card on the Resources panel: its own fds, sockets, memory and
 * children, the requests in flight, and the registry's running cleanup counters.
 */
export function hostHealth(engine: ExecutionEngine, registry: ProviderRegistry): ProviderHealth {
  const fds = fdCounts();
  const counters = registry.counters();
  return {
    id: 'studio-host',
    kind: 'host',
    phase: 'resources',
    ...healthNow(engine.isAccepting ? (counters.failed + counters.timedOut > 0 ? 'degraded' : 'healthy') : 'stopped', {
      pid: process.pid,
      rssBytes: rssBytes(),
      openFds: fds?.total ?? null,
      ...(fds ? { openSockets: fds.sockets, openFiles: fds.files } : {}),
      children: descendantPids().length,
      inFlight: engine.inFlightCount,
      providers: registry.list().length,
      cleanupsTotal: counters.total,
      cleanupsFailed: counters.failed,
      cleanupsTimedOut: counters.timedOut,
    }, counters.failed + counters.timedOut > 0 ? { lastError: `${counters.failed} cleanup(s) failed, ${counters.timedOut} timed out` } : {}),
  };
}
