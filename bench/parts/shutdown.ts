/* Shutdown: 20 providers over the four closing steps, each close a seeded 20-200 ms; one run with a hung provider. */
import { memoryLogger } from '../../electron/host/log/logger';
import { CLOSE_PHASES, type Phase, type Provider } from '../../electron/host/lifecycle/provider';
import { ProviderRegistry } from '../../electron/host/lifecycle/provider-registry';
import { seededRandom, type BenchFigure } from '../report';

class TimedProvider implements Provider {
  readonly kind = 'bench';
  constructor(
    readonly id: string,
    readonly phase: Phase,
    readonly closeMs: number | 'hang',
  ) {}
  cleanup(): Promise<void> {
    if (this.closeMs === 'hang') return new Promise(() => undefined);
    return new Promise((r) => setTimeout(r, this.closeMs as number));
  }
}

function idealMs(providers: TimedProvider[], hungTimeoutMs: number): number {
  return CLOSE_PHASES.reduce((sum, phase) => {
    const closes = providers.filter((p) => p.phase === phase).map((p) => (p.closeMs === 'hang' ? hungTimeoutMs : p.closeMs));
    return sum + (closes.length ? Math.max(...closes) : 0);
  }, 0);
}

async function measure(providers: TimedProvider[], cleanupTimeoutMs: number): Promise<number> {
  const registry = new ProviderRegistry({ logger: memoryLogger('warn').logger, cleanupTimeoutMs });
  for (const p of providers) await registry.register(p);
  const t0 = performance.now();
  await registry.stop();
  return performance.now() - t0;
}

function fleet(seed: number): TimedProvider[] {
  const random = seededRandom(seed);
  return Array.from({ length: 20 }, (_, i) => new TimedProvider(`p${i}`, CLOSE_PHASES[i % 4]!, Math.round(20 + random() * 180)));
}

export default async function shutdownBench(): Promise<BenchFigure[]> {
  const runs = 5;
  const ratios: number[] = [];
  let sequential = 0;
  let ideal = 0;
  for (let run = 0; run < runs; run++) {
    const providers = fleet(42 + run);
    ideal = idealMs(providers, 0);
    sequential = providers.reduce((s, p) => s + (p.closeMs as number), 0);
    ratios.push((await measure(providers, 5000)) / ideal);
  }
  ratios.sort((a, b) => a - b);
  const median = ratios[Math.floor(runs / 2)]!;

  const hungTimeoutMs = 300;
  const withHung = fleet(7);
  withHung[1] = new TimedProvider('hung', withHung[1]!.phase, 'hang');
  // Timers only ever fire late, so a busy machine adds to every run: the least overrun of five is the
  // registry's own cost, the others also measure the machine.
  const overruns: number[] = [];
  for (let run = 0; run < 5; run++) overruns.push((await measure(withHung, hungTimeoutMs)) - idealMs(withHung, hungTimeoutMs));
  overruns.sort((a, b) => a - b);

  return [
    { name: 'shutdown.ratio', value: median, unit: 'x', target: { op: '<=', value: 1.1 } },
    { name: 'shutdown.ideal_ms', value: Math.round(ideal), unit: 'ms' },
    { name: 'shutdown.sequential_ratio', value: sequential / ideal, unit: 'x' },
    { name: 'shutdown.hung_overrun_ms', value: Math.round(overruns[0]!), unit: 'ms', target: { op: '<=', value: 50 } },
    { name: 'shutdown.hung_overrun_median_ms', value: Math.round(overruns[2]!), unit: 'ms' },
  ];
}
