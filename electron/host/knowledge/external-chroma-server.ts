import type { Health } from '../../../shared/health';
import { healthNow, type Provider } from '../lifecycle/provider';
import type { Logger } from '../log/logger';
import { ChromaUnavailableError, type ChromaEndpoint } from './chroma-endpoint';
import { chromaHeartbeat } from './chroma-heartbeat';
import { errorMessage } from '../../../shared/errors';

/**
 * A Chroma server the user runs (settings: chroma.mode "url"). The studio only talks to it: it never
 * starts, restarts or stops it, and closing this provider leaves it running.
 */
export class ExternalChromaServer implements Provider, ChromaEndpoint {
  readonly id = 'chroma-server';
  readonly kind = 'chroma-external';
  readonly phase = 'resources' as const;
  private readonly baseUrl: string;
  private closed = false;

  constructor(
    chromaUrl: string,
    private readonly logger: Logger,
  ) {
    const url = new URL(chromaUrl);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`chromaUrl must be http(s), got ${chromaUrl}`);
    this.baseUrl = url.origin;
  }

  url(): string {
    if (this.closed) throw new ChromaUnavailableError('the studio has closed its Chroma connection');
    return this.baseUrl;
  }

  /** Checks the server answers; a server that is down is reported in health, not fatal at start. */
  async initialize(): Promise<void> {
    try {
      await chromaHeartbeat(this.baseUrl, 2000);
    } catch (err) {
      this.logger.warn({ url: this.baseUrl }, `the external Chroma server does not answer yet: ${errorMessage(err)}`);
    }
  }

  async healthCheck(): Promise<Health> {
    const resources = { pid: null, external: true };
    if (this.closed) return healthNow('stopped', resources);
    try {
      const latencyMs = await chromaHeartbeat(this.baseUrl, 1000);
      return healthNow('healthy', resources, { latencyMs });
    } catch (err) {
      return healthNow('unhealthy', resources, {
        lastError: errorMessage(err),
        hint: `Start your Chroma server at ${this.baseUrl}, or switch the Chroma setting to embedded.`,
      });
    }
  }

  async cleanup(): Promise<void> {
    this.closed = true;
  }
}
