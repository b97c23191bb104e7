import { ChromaClient } from 'chromadb';
import { Agent, Dispatcher1Wrapper } from 'undici';

export interface ConnectionOptions {
  /** Upper bound on sockets to the server. */
  connections?: number;
  /** Bound on one request's headers and body. */
  requestTimeoutMs?: number;
}

/**
 * A chromadb client on its own undici Agent, so the store's sockets to Chroma can be counted (health)
 * and closed (close) without touching the process-wide fetch dispatcher.
 */
export class ChromaConnection {
  readonly client: ChromaClient;
  private agent: Agent | null;

  constructor(
    readonly baseUrl: string,
    options: ConnectionOptions = {},
  ) {
    const url = new URL(baseUrl);
    this.agent = new Agent({
      connections: options.connections ?? 8,
      headersTimeout: options.requestTimeoutMs ?? 30_000,
      bodyTimeout: options.requestTimeoutMs ?? 30_000,
    });
    // chromadb builds global Request objects and calls the global fetch (Node's bundled undici, Dispatcher
    // API v1); Dispatcher1Wrapper adapts this undici's Agent to it. RequestInit has no `dispatcher` in DOM types.
    const fetchOptions = { dispatcher: new Dispatcher1Wrapper(this.agent) } as RequestInit;
    this.client = new ChromaClient({
      host: url.hostname,
      port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
      ssl: url.protocol === 'https:',
      tenant: 'default_tenant',
      database: 'default_database',
      fetchOptions,
    });
  }

  get closed(): boolean {
    return this.agent === null;
  }

  /** Sockets this connection holds open to the server (busy or idle). */
  openSockets(): number {
    if (!this.agent) return 0;
    return Object.values(this.agent.stats).reduce((sum, pool) => sum + Number(pool.connected), 0);
  }

  /** Lets in-flight requests finish for up to `graceMs`, then destroys every socket. Idempotent. */
  async close(graceMs = 1000): Promise<void> {
    const agent = this.agent;
    this.agent = null;
    if (!agent) return;
    let timer: NodeJS.Timeout | undefined;
    const graceful = agent.close().then(() => true);
    const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)));
    const closed = await Promise.race([graceful, late]);
    clearTimeout(timer);
    if (!closed) await agent.destroy();
  }
}
