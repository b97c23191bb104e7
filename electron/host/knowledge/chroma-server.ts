import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import getPort from 'get-port';
import type { Health } from '../../../shared/health';
import { healthNow, type Provider } from '../lifecycle/provider';
import type { Logger } from '../log/logger';
import { isListening, rssBytes } from '../resources/proc';
import { DirSize } from '../resources/dir-size';
import { acceptsConnections } from '../resources/tcp-probe';
import { ChromaChild, type ChildExit } from './chroma-child';
import { ChromaUnavailableError, type ChromaEndpoint } from './chroma-endpoint';
import { chromaHeartbeat, waitForHeartbeat } from './chroma-heartbeat';
import { chromaCommand, type ChromaLaunch } from './chroma-launch';
import { ServerPidFile } from './server-pid-file';
import { errorMessage } from '../../../shared/errors';

export interface ChromaServerOptions {
  /** Chroma's persistence folder (--path), in the user-data folder. */
  dataDir: string;
  logger: Logger;
  launch?: ChromaLaunch;
  host?: string;
  /** Fixed port; default: a free one, kept across restarts while it stays free. */
  port?: number;
  startTimeoutMs?: number;
  /**
   * From SIGINT to SIGKILL of the server's process group (SIGTERM at half of it). Chroma exits on SIGINT in
   * ~50 ms; it logs "Received SIGTERM" but keeps running, so SIGTERM is only the fallback.
   */
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
  'The Chroma bindings need glibc 2.39. On Debian 12 run `bash scripts/prepare-chroma-loader.sh` ' +
  'and put the printed launch prefix in Settings → Chroma → Launch prefix.';

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
  /** The monitor's last good heartbeat: a health check within a beat of it reuses it (no second connection). */
  private lastHeartbeat: { at: number; pid: number } | null = null;
  /** Why the running server was lost (a crash, or killed for not answering), until it is back. */
  private restartReason: string | null = null;
  private hangReason: string | null = null;
  private lastRestart: { at: string; reason: string } | null = null;
  private readonly diskSize: DirSize;
  private closing: Promise<void> | null = null;

  constructor(private readonly options: ChromaServerOptions) {
    this.dataDir = resolve(options.dataDir);
    this.host = options.host ?? '127.0.0.1';
    this.logger = options.logger.child({ provider: this.id });
    this.diskSize = new DirSize(this.dataDir);
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
    // A shutdown may begin while the server boots: cleanup() then stops it, and the start gives up.
    if (this.closing) throw new ChromaUnavailableError('the server is closing');
    this.state = 'starting';
    try {
      await this.start();
    } catch (err) {
      if (!this.closing) this.state = 'failed';
      this.lastError = errorMessage(err);
      throw err;
    }
    if (this.closing) throw new ChromaUnavailableError('the server was closed while it started');
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
    if (this.closing) return;
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
    this.restartReason = this.hangReason ?? this.lastError;
    this.hangReason = null;
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
    this.lastRestart = { at: new Date().toISOString(), reason: this.restartReason ?? 'unknown' };
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
      this.lastHeartbeat = { at: performance.now(), pid: child.pid };
      this.monitorFailures = 0;
    } catch (err) {
      this.monitorFailures++;
      this.lastError = `heartbeat failed: ${errorMessage(err)}`;
      if (this.monitorFailures >= (this.options.hungAfterFailures ?? 3) && this.child === child && child.alive) {
        this.logger.warn({ pid: child.pid, failures: this.monitorFailures }, 'the Chroma server stopped answering; killing it to restart');
        this.hangReason =
          `the Chroma server (pid ${child.pid}) stopped answering ` + `(${this.monitorFailures} heartbeats in a row) and was killed`;
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
      lastRestart: this.lastRestart,
      port: this.port,
      diskBytes: this.diskSize.bytes,
    };
    if (this.state === 'closed' || this.state === 'idle') return healthNow('stopped', resources);
    if (this.state !== 'running' || !child) {
      return healthNow('unhealthy', resources, { lastError: this.lastError ?? `the server is ${this.state}`, hint: this.hint });
    }
    const beat = this.lastHeartbeat;
    const fresh = beat !== null && beat.pid === child.pid && performance.now() - beat.at < (this.options.monitorIntervalMs ?? 1000) * 1.5;
    if (fresh && this.monitorFailures === 0 && child.alive && this.lastLatencyMs !== undefined)
      return healthNow('healthy', resources, { latencyMs: this.lastLatencyMs });
    try {
      const latencyMs = await chromaHeartbeat(this.url(), 1000);
      this.lastLatencyMs = latencyMs;
      return healthNow('healthy', resources, { latencyMs });
    } catch (err) {
      const lastError = child.alive ? `heartbeat failed: ${errorMessage(err)}` : `the Chroma server (pid ${child.pid}) has exited`;
      return healthNow('unhealthy', resources, { lastError, latencyMs: this.lastLatencyMs });
    }
  }

  /** SIGINT, SIGTERM, then SIGKILL to its process group after the grace; then checks the port is free. Idempotent. */
  cleanup(): Promise<void> {
    this.closing ??= this.close();
    return this.closing;
  }

  private async close(): Promise<void> {
    this.state = 'closed';
    await this.diskSize.settled();
    if (this.monitorTimer) clearInterval(this.monitorTimer);
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.monitorTimer = null;
    this.restartTimer = null;
    const child = this.child;
    this.child = null;
    // The pid record only serves to stop a server a crashed host left behind; this stop ends the server (or its
    // whole group) for certain, so the record goes while it runs.
    const removing = this.pidFile.remove().then(
      () => null,
      (err: unknown) => err,
    );
    if (child) {
      const { signal, ms } = await child.stop(this.options.stopGraceMs ?? 1000);
      const how = signal === 'SIGKILL' ? 'killed (SIGKILL) after the grace' : signal ? `stopped by ${signal}` : 'had already exited';
      this.logger.info({ pid: child.pid, signal, ms }, `Chroma server ${how}`);
    }
    const removeFailed = await removing;
    if (removeFailed) throw removeFailed;
    await this.portFreed();
  }

  /** The server's listening socket closes as it exits; this confirms it (checked at once, then every 10 ms). */
  private async portFreed(): Promise<void> {
    const port = this.port;
    if (port === null) return;
    const end = Date.now() + 2000;
    let open = await acceptsConnections(this.host, port);
    while (open && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 10));
      open = await acceptsConnections(this.host, port);
    }
    if (open) throw new Error(`port ${port} still accepts connections 2 s after the Chroma server stopped`);
  }
}

function describeExit(exit: ChildExit): string {
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
}
