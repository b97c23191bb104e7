/*
 * Shutdown: the whole coordinator run (stop accepting, drain of one in-flight request, the four closing steps,
 * the report written to disk, the log file flushed and closed) over its ideal: the in-flight request's rest plus,
 * per step, its slowest close. 20 providers, each close a seeded 20-200 ms; then runs with one hung provider.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecutionEngine } from '../../electron/host/engine/execution-engine';
import { createLogger } from '../../electron/host/log/logger';
import type { Provider } from '../../electron/host/lifecycle/provider';
import { CLOSE_PHASES, type ProviderPhase } from '../../shared/health';
import { ProviderRegistry } from '../../electron/host/lifecycle/provider-registry';
import { ShutdownCoordinator } from '../../electron/host/lifecycle/shutdown-coordinator';
import { ShutdownReportStore } from '../../electron/host/lifecycle/shutdown-report';
import { seededRandom, type BenchFigure } from '../report';

/** How long the one in-flight request still runs when the shutdown begins. */
const IN_FLIGHT_MS = 100;
const RUNS = 5;

class TimedProvider implements Provider {
  readonly kind = 'bench';
  constructor(
    readonly id: string,
    readonly phase: ProviderPhase,
    readonly closeMs: number | 'hang',
  ) {}
  cleanup(): Promise<void> {
    if (this.closeMs === 'hang') return new Promise(() => undefined);
    return new Promise((r) => setTimeout(r, this.closeMs as number));
  }
}

/** Nothing can beat this: the in-flight request's rest, then each step's slowest close (a hung one: its timeout). */
function idealMs(providers: TimedProvider[], hungTimeoutMs: number): number {
  return CLOSE_PHASES.reduce((sum, phase) => {
    const closes = providers.filter((p) => p.phase === phase).map((p) => (p.closeMs === 'hang' ? hungTimeoutMs : p.closeMs));
    return sum + (closes.length ? Math.max(...closes) : 0);
  }, IN_FLIGHT_MS);
}

/** One whole coordinator run, as the studio wires it, timed from run() to its report on disk and its log closed. */
async function measure(providers: TimedProvider[], cleanupTimeoutMs: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'npc-studio-bench-shutdown-'));
  try {
    const logs = createLogger({ level: 'info', file: join(dir, 'studio.log') });
    const logger = logs.logger;
    const registry = new ProviderRegistry({ logger, cleanupTimeoutMs });
    const engine = new ExecutionEngine({ logger });
    const coordinator = new ShutdownCoordinator({
      registry,
      intake: engine,
      logger,
      reports: new ShutdownReportStore(dir),
      flushLogs: logs.close,
      deadlineMs: 10_000,
      drainMs: 2000,
    });
    for (const p of providers) await registry.register(p);
    const inFlight = engine.run('bench request', () => new Promise<void>((r) => setTimeout(r, IN_FLIGHT_MS)));
    const t0 = performance.now();
    const report = await coordinator.run('bench');
    const ms = performance.now() - t0;
    await inFlight;
    if (report.drain.completed !== 1)
      throw new Error(`the in-flight request did not complete in the drain: ${JSON.stringify(report.drain)}`);
    return ms;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function fleet(seed: number): TimedProvider[] {
  const random = seededRandom(seed);
  return Array.from({ length: 20 }, (_, i) => new TimedProvider(`p${i}`, CLOSE_PHASES[i % 4]!, Math.round(20 + random() * 180)));
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export default async function shutdownBench(): Promise<BenchFigure[]> {
  const ratios: number[] = [];
  let sequential = 0;
  let ideal = 0;
  for (let run = 0; run < RUNS; run++) {
    const providers = fleet(42 + run);
    ideal = idealMs(providers, 0);
    sequential = IN_FLIGHT_MS + providers.reduce((s, p) => s + (p.closeMs as number), 0);
    ratios.push((await measure(providers, 5000)) / ideal);
  }

  const hungTimeoutMs = 300;
  const withHung = fleet(7);
  withHung[1] = new TimedProvider('hung', withHung[1]!.phase, 'hang');
  // Timers only ever fire late, so a busy machine adds to every run; the median of the runs is the figure.
  const overruns: number[] = [];
  for (let run = 0; run < RUNS; run++) overruns.push((await measure(withHung, hungTimeoutMs)) - idealMs(withHung, hungTimeoutMs));

  return [
    { name: 'shutdown.ratio', value: median(ratios), unit: 'x', target: { op: '<=', value: 1.1 } },
    { name: 'shutdown.ideal_ms', value: Math.round(ideal), unit: 'ms' },
    { name: 'shutdown.sequential_ratio', value: sequential / ideal, unit: 'x' },
    { name: 'shutdown.hung_overrun_ms', value: Math.round(median(overruns)), unit: 'ms', target: { op: '<=', value: 50 } },
    { name: 'shutdown.hung_overrun_max_ms', value: Math.round(Math.max(...overruns)), unit: 'ms' },
  ];
}
