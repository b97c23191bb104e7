import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import getPort from 'get-port';
import { healthNow, type Health, type Provider } from '../lifecycle/provider';
import { errorMessage } from '../lifecycle/timeout';
import type { Logger } from '../log/logger';
import { isListening, rssBytes } from '../resources/proc';
import { ChromaChild, type ChildExit } from './chroma-child';
import { ChromaUnavailableError, type ChromaEndpoint } from './chroma-endpoint';
import { chromaHeartbeat, waitForHeartbeat } from './chroma-heartbeat';
import { chromaCommand, type ChromaLaunch } from './chroma-launch';
import { ServerPidFile } from './server-pid-file';

export interface ChromaServerOptions {
  /** Chroma's persistence folder (--path), in the user-data folder. */
  dataDir: string;
  logger: Logger;
  launch?: ChromaLaunch;
  host?: string;
  /** Fixed port; default: a free one, kept across restarts while it stays free. */
  port?: number;
  startTimeoutMs?: number;
  /** Between SIGTERM and SIGKILL. Chroma 1.x logs "Received SIGTERM" but keeps running, so keep it short. */
  stopGraceMs?: number;
  /** Heartbeat period of the watchdog that finds a hung server. */
  monitorIntervalMs?: number;
  /** Failed watchdog heartbeats in a row after which a live but silent server is killed and restarted. */
  hungAfterFailures?: number;
  restart?: { initialDelayMs?: number; maxDelayMs?: number; maxAttempts?: number };
}

const STABLE_AFTER_MS = 30_000;

type State = 'idle' | 'starting' | 'running' | 'restarting' | 'failed' | 'closed';

const GLIBC_HINT =
  'The Chroma bindings need glibc 2.39. On Debian 12 run `bash scripts/prepare-chroma-loader.sh` and set the printed launch prefix in the Chroma settings.';

/** The Chroma server bundled with the chromadb package, run as a child process the studio owns. */
export class ChromaServer implements Provider, ChromaEndpoint {
  readonly id = 'chroma-server';
  readonly kind = 'chroma-server';
  readonly phase = 'resources' as const;

  private readonly dataDir: string;
  private readonly host: string;
  private readonly logger: Logger;
  private readonly pidFile: ServerPidFile;
  private state: State = 'idle';
  private child: ChromaChild | null = null;
  private port: number | null = null;
  private restarts = 0;
  private attempt = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private monitorTimer: NodeJS.Timeout | null = null;
  private monitorFailures = 0;
  private lastError: string | undefined;
  private hint: string | undefined;
  private lastLatencyMs: number | undefined;
  private closing: Promise<void> | null = null;

  constructor(private readonly options: ChromaServerOptions) {
    this.dataDir = resolve(options.dataDir);
    this.host = options.host ?? '127.0.0.1';
    this.logger = options.logger.child({ provider: this.id });
    this.pidFile = new ServerPidFile(join(this.dataDir, 'studio-chroma-server.json'), this.logger);
  }

  url(): string {
    if (this.port === null || this.state === 'closed') throw new ChromaUnavailableError(`the embedded server is ${this.state}`);
    return `http://${this.host}:${this.port}`;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  async initialize(): Promise<void> {
    if (this.state !== 'idle') return;
    await mkdir(this.dataDir, { recursive: true });
    await this.pidFile.stopLeftover(this.dataDir);
    this.state = 'starting';
    try {
      await this.start();
    } catch (err) {
      this.state = 'failed';
      this.lastError = errorMessage(err);
      throw err;
    }
    this.state = 'running';
    this.monitorTimer = setInterval(() => void this.watch(), this.options.monitorIntervalMs ?? 1000);
    this.monitorTimer.unref();
  }

  private async start(): Promise<void> {
    this.port ??= this.options.port ?? (await getPort({ host: this.host }));
    if (this.closing) throw new ChromaUnavailableError('the server is closing');
    const port = this.port;
    const child = new ChromaChild(chromaCommand(this.options.launch ?? {}, this.dataDir, this.host, port), (line) =>
      this.logger.trace({ chroma: line }),
    );
    this.child = child;
    const started = performance.now();
    try {
      this.lastLatencyMs = await waitForHeartbeat(`http://${this.host}:${port}`, this.options.startTimeoutMs ?? 20_000, () =>
        child.exitInfo ? `the Chroma server exited during start (${describeExit(child.exitInfo)}): ${child.tail().join(' | ')}` : null,
      );
    } catch (err) {
      await child.stop(0);
      if (this.child === child) this.child = null;
      const glibc = child.tail(40).find((l) => l.includes('GLIBC_'));
      // A port taken by someone else in the meantime: the next attempt picks another one.
      if (!this.options.port && isListening(port)) this.port = null;
      this.hint = glibc ? GLIBC_HINT : undefined;
      throw new ChromaUnavailableError(glibc ? `${glibc.trim()}. ${GLIBC_HINT}` : errorMessage(err));
    }
    await this.pidFile.write({ pid: child.pid, port, dataDir: this.dataDir, startedAt: new Date().toISOString() });
    this.logger.info({ pid: child.pid, port, ms: Math.round(performance.now() - started) }, 'Chroma server started');
    void child.exited.then((exit) => this.onExit(child, exit));
  }

  private onExit(child: ChromaChild, exit: ChildExit): void {
    if (this.child !== child || this.closing) return;
    this.child = null;
    // Backoff keeps growing across a crash loop; a server that ran a while starts again from the first delay.
    if (Date.now() - child.startedAt > STABLE_AFTER_MS) this.attempt = 0;
    this.lastError = `the Chroma server (pid ${child.pid}) exited unexpectedly (${describeExit(exit)})`;
    this.logger.warn({ pid: child.pid, ...exit, tail: child.tail(4) }, `${this.lastError}; restarting`);
    this.state = 'restarting';
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    const { initialDelayMs = 250, maxDelayMs = 10_000, maxAttempts = 10 } = this.options.restart ?? {};
    this.attempt++;
    if (this.attempt > maxAttempts) {
      this.state = 'failed';
      this.logger.error({ attempts: maxAttempts }, `giving up restarting the Chroma server: ${this.lastError}`);
      return;
    }
    const delay = Math.min(maxDelayMs, initialDelayMs * 2 ** (this.attempt - 1));
    this.logger.info({ attempt: this.attempt, delayMs: delay }, 'restarting the Chroma server');
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      void this.restart();
    }, delay);
  }

  private async restart(): Promise<void> {
    if (this.closing) return;
    try {
      await this.start();
    } catch (err) {
      this.lastError = `restart attempt ${this.attempt} failed: ${errorMessage(err)}`;
      this.logger.warn(this.lastError);
      if (!this.closing) this.scheduleRestart();
      return;
    }
    if (this.closing) return;
    this.restarts++;
    this.monitorFailures = 0;
    this.state = 'running';
    this.logger.info({ restarts: this.restarts, pid: this.child?.pid }, 'Chroma server restarted');
  }

  /** Finds a server that is alive but no longer answers; killing it hands it to the restart path. */
  private async watch(): Promise<void> {
    const child = this.child;
    if (this.state !== 'running' || !child) return;
    try {
      this.lastLatencyMs = await chromaHeartbeat(this.url(), 1000);
      this.monitorFailures = 0;
    } catch (err) {
      this.monitorFailures++;
      this.lastError = `heartbeat failed: ${errorMessage(err)}`;
      if (this.monitorFailures >= (this.options.hungAfterFailures ?? 3) && this.child === child && child.alive) {
        this.logger.warn({ pid: child.pid, failures: this.monitorFailures }, 'the Chroma server stopped answering; killing it to restart');
        child.kill();
      }
    }
  }

  async healthCheck(): Promise<Health> {
    const child = this.child;
    const resources = {
      pid: child?.pid ?? null,
      rssBytes: child ? rssBytes(child.pid) : null,
      uptimeMs: child ? Date.now() - child.startedAt : 0,
      restarts: this.restarts,
      port: this.port,
    };
    if (this.state === 'closed' || this.state === 'idle') return healthNow('stopped', resources);
    if (this.state !== 'running' || !child) {
      return healthNow('unhealthy', resources, { lastError: this.lastError ?? `the server is ${this.state}`, hint: this.hint });
    }
    try {
      const latencyMs = await chromaHeartbeat(this.url(), 1000);
      this.lastLatencyMs = latencyMs;
      return healthNow('healthy', resources, { latencyMs });
    } catch (err) {
      const lastError = child.alive ? `heartbeat failed: ${errorMessage(err)}` : `the Chroma server (pid ${child.pid}) has exited`;
      return healthNow('unhealthy', resources, { lastError, latencyMs: this.lastLatencyMs });
    }
  }

  /** SIGTERM, SIGKILL after the grace period, then checks the port is free. Idempotent. */
  cleanup(): Promise<void> {
    this.closing ??= this.close();
    return this.closing;
  }

  private async close(): Promise<void> {
    this.state = 'closed';
    if (this.monitorTimer) clearInterval(this.monitorTimer);
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.monitorTimer = null;
    this.restartTimer = null;
    const child = this.child;
    this.child = null;
    if (child) {
      const { killed, ms } = await child.stop(this.options.stopGraceMs ?? 1000);
      this.logger.info({ pid: child.pid, killed, ms }, killed ? 'Chroma server killed after the SIGTERM grace' : 'Chroma server stopped');
    }
    await this.pidFile.remove();
    const port = this.port;
    if (port !== null) {
      const end = Date.now() + 2000;
      while (isListening(port) && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
      if (isListening(port)) throw new Error(`port ${port} is still listening after the Chroma server stopped`);
    }
  }
}

function describeExit(exit: ChildExit): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
}
