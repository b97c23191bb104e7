import type { ProcessFigures, ProviderHealth } from '../../../shared/health';
import type { ExecutionEngine } from '../engine/execution-engine';
import { healthNow } from '../lifecycle/provider';
import type { ProviderRegistry } from '../lifecycle/provider-registry';
import type { KnownChild, ProcessProbe } from './process-figures';

/** What a provider that owns a process is called in the process tree. */
const CHILD_NAMES: Record<string, string> = { 'chroma-server': 'Chroma server' };

/** The children the host started, from the providers' own reports (a pid and the port they were given). */
export function knownChildren(snapshot: ProviderHealth[]): KnownChild[] {
  return snapshot
    .filter((p) => typeof p.resources.pid === 'number')
    .map((p) => ({
      pid: p.resources.pid as number,
      name: CHILD_NAMES[p.id] ?? p.id,
      ...(typeof p.resources.port === 'number' ? { port: p.resources.port } : {}),
    }));
}

/**
 * The host process itself, as one more card on the Resources panel: its memory, CPU and sockets from Node's own
 * accounting, its fds where the OS tells them, its children as a tree, the requests in flight and the registry's
 * cleanup counters. Every OS-level figure names its source.
 */
export async function hostHealth(
  engine: ExecutionEngine,
  registry: ProviderRegistry,
  probe: ProcessProbe,
  children: KnownChild[],
  /** Windows (or pages) receiving the health pushes: the WebSocket transport's and Electron's subscribers. */
  panelsListening = 0,
): Promise<ProviderHealth> {
  const counters = registry.counters();
  const processes = await probe.tree(children);
  const host = processes[0]!;
  const failures = counters.failed + counters.timedOut;
  const status = engine.isAccepting ? (failures > 0 ? 'degraded' : 'healthy') : 'stopped';
  const memory = process.memoryUsage();
  const figures = {
    pid: process.pid,
    rssBytes: host.rssBytes,
    heapUsedBytes: memory.heapUsed,
    cpuPercent: host.cpuPercent,
    openSockets: probe.hostSockets(),
    openFds: host.openFds,
    inFlight: engine.inFlightCount,
    panelsListening,
    providers: registry.list().length,
    cleanupsTotal: counters.total,
    cleanupsFailed: counters.failed,
    cleanupsTimedOut: counters.timedOut,
    processes,
  };
  const problem = failures > 0 ? { lastError: `${counters.failed} cleanup(s) failed, ${counters.timedOut} timed out` } : {};
  return {
    id: 'studio-host',
    kind: 'host',
    phase: 'resources',
    ...healthNow(status, figures, {
      ...problem,
      sources: {
        pid: 'node',
        rssBytes: 'node',
        heapUsedBytes: 'node',
        cpuPercent: 'node',
        openSockets: 'node',
        openFds: host.sources.openFds!,
      },
    }),
  };
}

/**
 * A child's card gets its memory and CPU from the process tree, measured on every platform (a provider reading
 * /proc itself has nothing on macOS or Windows), each figure naming its source.
 */
export function withTreeFigures(providers: ProviderHealth[], processes: ProcessFigures[]): ProviderHealth[] {
  const byPid = new Map(processes.map((p) => [p.pid, p]));
  return providers.map((p) => {
    const node = typeof p.resources.pid === 'number' ? byPid.get(p.resources.pid) : undefined;
    if (!node) return p;
    const rssFromTree = typeof p.resources.rssBytes !== 'number';
    return {
      ...p,
      resources: { ...p.resources, ...(rssFromTree ? { rssBytes: node.rssBytes } : {}), cpuPercent: node.cpuPercent },
      sources: {
        ...p.sources,
        pid: 'provider',
        rssBytes: rssFromTree ? node.sources.rssBytes! : 'proc',
        cpuPercent: node.sources.cpuPercent!,
      },
    };
  });
}
