import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import getPort from 'get-port';
import { eventFrame, exceptionFrame } from './event-frames';
import { inputTokensOf, replyTextFor, tokensOf, type ConverseTextRequest } from './reply';
import { validationProblem } from './validate-request';

/** Behaviour switches; tests flip them between calls. */
export interface BedrockSwitches {
  /** true: every model is denied; a list: only those model ids. */
  accessDenied: boolean | string[];
  /** The next N calls answer 429 ThrottlingException, then calls succeed again. */
  throttleNext: number;
  /** After this many tokens, a modelStreamErrorException event ends the stream. */
  exceptionAfterTokens: number | null;
  /** Accept the request and never answer (no status line) until the client gives up. */
  hang: boolean;
  /** Pause before each streamed token. */
  tokenDelayMs: number;
  /** Filler words appended to the reply, for long streams. */
  extraWords: number;
}

export interface RecordedRequest {
  operation: 'converse' | 'converse-stream' | 'unknown';
  modelId: string;
  body: unknown;
  /** Region and service from the SigV4 credential scope, null when the request was not signed. */
  region: string | null;
  service: string | null;
  /** How the call ended on the server side. */
  outcome: 'pending' | 'completed' | 'error-response' | 'stream-exception' | 'client-closed';
}

const DEFAULT_SWITCHES: BedrockSwitches = {
  accessDenied: false,
  throttleNext: 0,
  exceptionAfterTokens: null,
  hang: false,
  tokenDelayMs: 0,
  extraWords: 0,
};

/** Speaks Bedrock Runtime's Converse and ConverseStream over HTTP/1.1 on 127.0.0.1, as the real SDK client expects. */
export class BedrockTestServer {
  readonly switches: BedrockSwitches = { ...DEFAULT_SWITCHES };
  readonly requests: RecordedRequest[] = [];
  private readonly sockets = new Set<Socket>();
  private closedConnectionCount = 0;
  private readonly stopping = new AbortController();

  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(): Promise<BedrockTestServer> {
    const port = await getPort({ host: '127.0.0.1' });
    const server = createServer();
    const instance = new BedrockTestServer(server, port);
    server.on('connection', (socket) => instance.track(socket));
    server.on('request', (req, res) => void instance.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    return instance;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get requestCount(): number {
    return this.requests.length;
  }

  /** TCP connections from clients that are open right now. */
  openConnections(): number {
    return this.sockets.size;
  }

  get closedConnections(): number {
    return this.closedConnectionCount;
  }

  reset(): void {
    Object.assign(this.switches, DEFAULT_SWITCHES);
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    this.stopping.abort();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => {
      this.sockets.delete(socket);
      this.closedConnectionCount++;
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const match = /^\/model\/([^/]+)\/(converse|converse-stream)$/.exec(req.url ?? '');
    const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(req.headers.authorization ?? '');
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null');
    } catch {
      body = null;
    }
    const record: RecordedRequest = {
      operation: match ? (match[2] as 'converse' | 'converse-stream') : 'unknown',
      modelId: match ? decodeURIComponent(match[1]!) : '',
      body,
      region: scope?.[1] ?? null,
      service: scope?.[2] ?? null,
      outcome: 'pending',
    };
    this.requests.push(record);
    res.once('close', () => {
      if (record.outcome === 'pending') record.outcome = 'client-closed';
    });

    if (req.method !== 'POST' || !match) return this.error(res, record, 404, 'UnknownOperationException', 'Unknown operation');
    if (this.switches.hang) return; // the response stays open until the client or close() ends it
    if (this.isDenied(record.modelId)) {
      return this.error(res, record, 403, 'AccessDeniedException', "You don't have access to the model with the specified model ID.");
    }
    if (this.switches.throttleNext > 0) {
      this.switches.throttleNext--;
      return this.error(res, record, 429, 'ThrottlingException', 'Too many requests, please wait before trying again.');
    }
    const problem = validationProblem(body);
    if (problem) return this.error(res, record, 400, 'ValidationException', problem);
    const request = body as ConverseTextRequest;
    if (record.operation === 'converse') return this.converse(res, record, request);
    return this.converseStream(res, record, request);
  }

  private isDenied(modelId: string): boolean {
    const denied = this.switches.accessDenied;
    return denied === true || (Array.isArray(denied) && denied.includes(modelId));
  }

  private error(res: ServerResponse, record: RecordedRequest, status: number, type: string, message: string): void {
    record.outcome = 'error-response';
    res.writeHead(status, {
      'content-type': 'application/json',
      'x-amzn-requestid': randomUUID(),
      'x-amzn-ErrorType': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
    });
    res.end(JSON.stringify({ message }));
  }

  private converse(res: ServerResponse, record: RecordedRequest, request: ConverseTextRequest): void {
    const started = Date.now();
    const tokens = tokensOf(replyTextFor(request, this.switches.extraWords));
    const inputTokens = inputTokensOf(request);
    record.outcome = 'completed';
    res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID() });
    res.end(
      JSON.stringify({
        output: { message: { role: 'assistant', content: [{ text: tokens.join('') }] } },
        stopReason: 'end_turn',
        usage: { inputTokens, outputTokens: tokens.length, totalTokens: inputTokens + tokens.length },
        metrics: { latencyMs: Date.now() - started },
      }),
    );
  }

  private async converseStream(res: ServerResponse, record: RecordedRequest, request: ConverseTextRequest): Promise<void> {
    const started = Date.now();
    const tokens = tokensOf(replyTextFor(request, this.switches.extraWords));
    const inputTokens = inputTokensOf(request);
    const { exceptionAfterTokens, tokenDelayMs } = this.switches;
    res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': randomUUID() });
    res.write(eventFrame('messageStart', { role: 'assistant' }));
    for (let i = 0; i < tokens.length; i++) {
      if (exceptionAfterTokens === i) {
        record.outcome = 'stream-exception';
        res.end(exceptionFrame('modelStreamErrorException', 'The model stream failed mid-reply.', { originalStatusCode: 500 }));
        return;
      }
      if (tokenDelayMs > 0) {
        try {
          await sleep(tokenDelayMs, undefined, { signal: this.stopping.signal });
        } catch {
          return; // server closing
        }
      }
      if (res.destroyed) return;
      res.write(eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: tokens[i] } }));
    }
    res.write(eventFrame('contentBlockStop', { contentBlockIndex: 0 }));
    res.write(eventFrame('messageStop', { stopReason: 'end_turn' }));
    record.outcome = 'completed';
    res.end(
      eventFrame('metadata', {
        usage: { inputTokens, outputTokens: tokens.length, totalTokens: inputTokens + tokens.length },
        metrics: { latencyMs: Date.now() - started },
      }),
    );
  }
}
