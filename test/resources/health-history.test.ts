import { describe, expect, it } from 'vitest';
import type { ProviderHealth } from '../../shared/health';
import { HealthHistoryRecorder } from '../../electron/host/resources/health-history';

const host = (cpu: number): ProviderHealth => ({
  id: 'studio-host',
  kind: 'host',
  phase: 'resources',
  status: 'healthy',
  checkedAt: '',
  latencyMs: undefined,
  resources: {
    rssBytes: 100,
    cpuPercent: cpu,
    openSockets: 3,
    processes: [
      { pid: 1, parentPid: null, name: 'studio host', rssBytes: 100, cpuPercent: cpu, openFds: 9, listeningPorts: null, sources: {} },
      { pid: 42, parentPid: 1, name: 'Chroma server', rssBytes: 50, cpuPercent: 7.5, openFds: 20, listeningPorts: [8000], sources: {} },
    ],
  },
});
const chroma: ProviderHealth = {
  id: 'chroma-server',
  kind: 'chroma',
  phase: 'resources',
  status: 'healthy',
  checkedAt: '',
  latencyMs: 4,
  resources: { pid: 42, rssBytes: 50 },
};

describe('HealthHistoryRecorder', () => {
  it("keeps a sample per check, a child's CPU from the process tree, and drops what is older than the window", () => {
    const recorder = new HealthHistoryRecorder(10_000);
    recorder.record([host(1), chroma], 1_000);
    recorder.record([host(2), chroma], 6_000);
    recorder.record([host(3), chroma], 12_000);
    const h = recorder.history();
    expect(h['studio-host']!.map((s) => s.at)).toEqual([6_000, 12_000]);
    expect(h['studio-host']!.at(-1)).toEqual({ at: 12_000, rssBytes: 100, cpuPercent: 3, latencyMs: null, openSockets: 3 });
    expect(h['chroma-server']!.at(-1)).toEqual({ at: 12_000, rssBytes: 50, cpuPercent: 7.5, latencyMs: 4, openSockets: null });
  });
});
