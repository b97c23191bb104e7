import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { z } from 'zod';
import { ConnectionTracker } from './connections';
import { handleEmbed, handleEmbeddings } from './embed';
import { BadRequest, readJson, sendError, sendJson } from './http-io';
import { DEFAULT_MODELS, ModelCatalogue, type ModelSpec } from './models';
import type { Body, ModelRequestContext } from './model-request';
import { handleDelete, handlePull, type PullRecord } from './pull';
import { handleChat, handleGenerate } from './replies';
import { defaultSwitches, switchesPatchSchema, type Switches, type SwitchesPatch } from './switches';

export interface OllamaTestServerOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  models?: readonly ModelSpec[];
  switches?: SwitchesPatch;
  version?: string;
  /** How many recent requests `requests` keeps. */
  keepRequests?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  body: unknown;
  connectionId: number;
  /** performance.now() of each streamed token as it went to the socket. */
  tokenSentAt: number[];
}

type ModelHandler = (ctx: ModelRequestContext, body: Body) => Promise<void>;

const MODEL_ROUTES: Record<string, ModelHandler> = {
  '/api/chat': handleChat,
  '/api/generate': handleGenerate,
  '/api/embed': handleEmbed,
  '/api/embeddings': handleEmbeddings,
};

/**
 * Speaks the Ollama HTTP API on 127.0.0.1 with deterministic replies (see conventions.ts) and switches for delays,
 * errors, hangs and resets. Control it in-process with `set()` or over HTTP with `POST /__control`.
 */
export class OllamaTestServer {
  readonly connections = new ConnectionTracker();
  readonly requests: RecordedRequest[] = [];
  /** Every /api/pull and how it ended (a cancelled one: the client closed the stream). */
  readonly pulls: PullRecord[] = [];
  private server: Server | null = null;
  private stopping: AbortController | null = null;
  private state: Switches;
  private readonly catalogue: ModelCatalogue;
  private stopped: Promise<void> | null = null;

  constructor(private readonly options: OllamaTestServerOptions = {}) {
    this.catalogue = new ModelCatalogue(options.models ?? DEFAULT_MODELS);
    this.state = { ...defaultSwitches(), ...switchesPatchSchema.parse(options.switches ?? {}) };
  }

  async start(): Promise<string> {
    if (this.server) throw new Error('the Ollama test server is already started');
    const server = createServer({ keepAliveTimeout: 5000 }, (req, res) => void this.handle(req, res));
    server.on('connection', (socket: Socket) => this.connections.track(socket));
    this.stopping = new AbortController();
    this.stopped = null;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    return this.url;
  }

  get port(): number {
    if (!this.server) throw new Error('the Ollama test server is not started');
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get switches(): Readonly<Switches> {
    return this.state;
  }

  /** Changes some switches; bad values throw a zod error naming the field. */
  set(patch: SwitchesPatch): Readonly<Switches> {
    this.state = { ...this.state, ...switchesPatchSchema.parse(patch) };
    return this.state;
  }

  reset(): Readonly<Switches> {
    this.state = defaultSwitches();
    return this.state;
  }

  /** Closes the listener and destroys every socket, hung or streaming ones included. Idempotent. */
  stop(): Promise<void> {
    if (!this.stopped) this.stopped = this.close();
    return this.stopped;
  }

  private async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    this.stopping?.abort();
    this.stopping = null;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    await Promise.all([closed, this.connections.destroyAll()]);
  }

  private record(req: IncomingMessage, path: string, body: unknown): RecordedRequest {
    const entry: RecordedRequest = {
      method: req.method ?? 'GET',
      path,
      body,
      connectionId: this.connections.infoOf(req.socket)?.id ?? 0,
      tokenSentAt: [],
    };
    this.requests.push(entry);
    if (this.requests.length > (this.options.keepRequests ?? 200)) this.requests.shift();
    return entry;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const info = this.connections.infoOf(req.socket);
    if (info) info.requests++;
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    try {
      if (path.startsWith('/__control')) return await this.control(req, res, path);
      const body = req.method === 'POST' || req.method === 'DELETE' ? await readJson(req) : undefined;
      const entry = this.record(req, path, body);
      if (!path.startsWith('/api/')) return this.root(req, res, path);
      if (this.state.hang) return; // accepted, never answered; stop() destroys the socket
      if (this.state.failNext && (this.state.failNext.path ?? path) === path) return this.failOne(res);
      await this.route(req, res, path, (body ?? {}) as Body, entry);
    } catch (err) {
      if (res.headersSent) {
        res.destroy(err as Error);
        return;
      }
      const clientFault = err instanceof BadRequest || err instanceof TypeError || err instanceof z.ZodError;
      sendError(res, clientFault ? 400 : 500, (err as Error).message);
    }
  }

  private failOne(res: ServerResponse): void {
    const fail = this.state.failNext!;
    this.state = { ...this.state, failNext: fail.count > 1 ? { ...fail, count: fail.count - 1 } : null };
    sendError(res, fail.status, fail.message ?? STATUS_CODES[fail.status] ?? 'error');
  }

  private root(req: IncomingMessage, res: ServerResponse, path: string): void {
    if (path === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Ollama is running');
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end('404 page not found');
  }

  private async route(req: IncomingMessage, res: ServerResponse, path: string, body: Body, entry: RecordedRequest): Promise<void> {
    const get = req.method === 'GET' || req.method === 'HEAD';
    if (get && path === '/api/version') return sendJson(res, 200, { version: this.options.version ?? '0.12.6' });
    if (get && path === '/api/tags') return sendJson(res, 200, this.catalogue.tags());
    if (get && path === '/api/ps') return sendJson(res, 200, this.catalogue.ps());
    if (req.method === 'POST' && path === '/api/show') {
      const model = String(body.model ?? body.name ?? '');
      const spec = this.state.modelNotFound ? undefined : this.catalogue.find(model);
      return spec ? sendJson(res, 200, this.catalogue.show(spec)) : sendError(res, 404, `model '${model}' not found`);
    }
    const handler = req.method === 'POST' ? MODEL_ROUTES[path] : undefined;
    const pull = req.method === 'POST' && path === '/api/pull';
    const remove = req.method === 'DELETE' && path === '/api/delete';
    if (!handler && !pull && !remove) return this.root(req, res, path);
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    const signal = AbortSignal.any([gone.signal, this.stopping?.signal ?? AbortSignal.abort()]);
    const ctx: ModelRequestContext = {
      req,
      res,
      switches: { ...this.state },
      catalogue: this.catalogue,
      signal,
      onTokenSent: (at) => entry.tokenSentAt.push(at),
    };
    if (pull) return handlePull(ctx, body, (r) => this.pulls.push(r));
    if (remove) return handleDelete(ctx, body);
    await handler!(ctx, body);
  }

  /** GET /__control → state; POST /__control {switch: value} → merged switches; POST /__control/reset → defaults. */
  private async control(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (req.method === 'POST' && path === '/__control/reset') return sendJson(res, 200, { switches: this.reset() });
    if (req.method === 'POST' && path === '/__control') {
      const parsed = switchesPatchSchema.safeParse(await readJson(req));
      if (!parsed.success) {
        const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
        return sendError(res, 400, `bad switches: ${issues.join('; ')}`);
      }
      return sendJson(res, 200, { switches: this.set(parsed.data) });
    }
    if (req.method === 'GET' && path === '/__control') {
      const counts = {
        openConnections: this.connections.openCount,
        acceptedConnections: this.connections.acceptedCount,
        requests: this.requests.length,
      };
      return sendJson(res, 200, { switches: this.state, ...counts, pulls: this.pulls });
    }
    sendError(res, 404, `no control endpoint ${req.method} ${path}`);
  }
}
