/*
 * health.cpu_share_pct: the web host's own CPU time while one client holds the Resources panel open (it gets the
 * 1 Hz health pushes and has fetched the charts' history), as a share of one core. The host runs as a real
 * process with its Chroma child and talks to an Ollama-protocol server in this process; the host's CPU is read
 * with pidusage (ctime: user + system, children excluded) before and after the window.
 * BENCH_HEALTH_SECONDS sets the window (default 45 s, so the part stays within a minute with the start).
 */
import { rmSync } from 'node:fs';
import pidusage from 'pidusage';
import { OllamaTestServer } from '../../electron/host/demo/ollama';
import { studioEnv, tempDataDir, writeSettings } from '../../test/e2e/support/studio-data';
import { WebHost } from '../../test/e2e/support/web-host';
import { StudioSocket } from '../../test/reliability/support/studio-socket';
import type { BenchFigure } from '../report';

const WINDOW_S = Number(process.env.BENCH_HEALTH_SECONDS ?? 45);

async function cpuMs(pid: number): Promise<number> {
  return (await pidusage(pid)).ctime;
}

export default async function health(): Promise<BenchFigure[]> {
  const ollama = new OllamaTestServer();
  const dataDir = tempDataDir('bench-health');
  let host: WebHost | null = null;
  let socket: StudioSocket | null = null;
  try {
    writeSettings(dataDir, await ollama.start());
    const started = await WebHost.start(dataDir, studioEnv());
    host = started.host;
    const url = new URL(started.url);
    socket = await StudioSocket.open(Number(url.port), url.origin, url.searchParams.get('token') ?? '');
    let pushes = 0;
    socket.on('health', () => pushes++);
    await socket.call('providers.history', {});
    await socket.call('models.list', {});
    // Warm up: the first pushes start Chroma's and Ollama's clients.
    await new Promise((r) => setTimeout(r, 3000));
    const pushesBefore = pushes;
    const cpuBefore = await cpuMs(host.pid);
    const wallBefore = performance.now();
    await new Promise((r) => setTimeout(r, WINDOW_S * 1000));
    const cpuAfter = await cpuMs(host.pid);
    const wallMs = performance.now() - wallBefore;
    const received = pushes - pushesBefore;
    if (received < (wallMs / 1000) * 0.8)
      throw new Error(`only ${received} health pushes in ${Math.round(wallMs)} ms: the panel was not fed at 1 Hz`);
    const share = ((cpuAfter - cpuBefore) / wallMs) * 100;
    return [{ name: 'health.cpu_share_pct', value: Math.round(share * 100) / 100, unit: '%', target: { op: '<=', value: 1 } }];
  } finally {
    socket?.close();
    await host?.stop();
    await ollama.stop();
    pidusage.clear();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
