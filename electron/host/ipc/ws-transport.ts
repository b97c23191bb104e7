import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { EVENT_NAMES, type EventName } from '../../../shared/events';
import { MAX_FRAME_BYTES, payloadTooLargeMessage, TOKEN_PARAM, WS_PATH, wireRequestSchema, type ServerMessage } from '../../../shared/wire';
import { issueRefs, validationError } from './to-ipc-error';
import type { Router, SenderInfo } from './router';
import { contentSecurityPolicy, sendPlain, serveStatic } from './static-files';

/** Loopback only: the web host is for this machine's user, never the network. */
export const LOOPBACK = '127.0.0.1';
/** Events that may be dropped for a client that cannot keep up (the next one replaces them). */
const DROPPABLE: ReadonlySet<EventName> = new Set(['health', 'log.line']);
const BACKLOG_LIMIT = 4 * 1024 * 1024;
/**
 * Frames up to MAX_FRAME_BYTES are answered; larger ones up to this cap are still read, so the caller gets a
 * typed PayloadTooLarge answer and the socket (and every other call on it) lives on. Past the cap the socket is
 * closed with 1009, to bound memory; the renderer then reconnects.
 */
const READABLE_FRAME_BYTES = 2 * MAX_FRAME_BYTES;
const CLOSE_GRACE_MS = 500;

export interface WsTransportOptions {
  router: Router;
  /** The built renderer (dist/renderer). */
  staticDir: string;
  /** 0 or absent: a free port. */
  port?: number;
  /** Per-run secret; a random one when absent. */
  token?: string;
  logger?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

export interface WsTransport {
  readonly port: number;
  readonly origin: string;
  readonly token: string;
  /** The page to open: origin + token. */
  readonly url: string;
  readonly clients: number;
  /** Closes every socket and the server. Idempotent. */
  close(): Promise<void>;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${reason.length}\r\n\r\n${reason}`,
  );
  socket.destroy();
}

function frameBytes(data: RawData): number {
  return Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data instanceof ArrayBuffer ? data.byteLength : data.length;
}

/** The id of an oversized request, so its caller gets the answer: read from the frame's start, never parsed whole. */
function requestIdOf(data: RawData, isBinary: boolean): number {
  if (isBinary) return -1;
  const first = Array.isArray(data) ? data[0] : data;
  if (!first) return -1;
  const head = (first instanceof ArrayBuffer ? Buffer.from(first, 0, Math.min(64, first.byteLength)) : first.subarray(0, 64)).toString();
  const id = /^\s*\{\s*"id"\s*:\s*(\d{1,16})\s*[,}]/.exec(head)?.[1];
  return id !== undefined && Number.isSafeInteger(Number(id)) ? Number(id) : -1;
}

export async function startWsTransport(options: WsTransportOptions): Promise<WsTransport> {
  const { router, logger } = options;
  const token = options.token ?? randomBytes(24).toString('base64url');
  const tokenDigest = digest(token);
  const sockets = new Set<WebSocket>();
  let origin = '';
  /** host:port of this server, as a Host header must name it. */
  let ownHost = '';
  let csp = '';
  let connectionCount = 0;
  let closing: Promise<void> | null = null;
  /** Calls being answered: close() lets them finish (within the grace) so e.g. app.quit gets its reply. */
  const inFlight = new Set<Promise<void>>();

  const server: Server = createServer((req, res) => {
    if (req.headers.host !== ownHost) return sendPlain(res, 421, 'Wrong host', csp);
    serveStatic(req, res, options.staticDir, csp).catch(() => res.destroy());
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: READABLE_FRAME_BYTES });

  function tokenMatches(candidate: string | null): boolean {
    return candidate !== null && timingSafeEqual(digest(candidate), tokenDigest);
  }

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', origin);
    const refuse = (status: number, reason: string) => {
      logger?.warn({ status, origin: req.headers.origin, path: url.pathname }, `WebSocket refused: ${reason}`);
      refuseUpgrade(socket, status, reason);
    };
    if (closing) return refuse(503, 'Shutting down');
    if (url.pathname !== WS_PATH) return refuse(404, 'Not Found');
    // Host and Origin both must be this server (its own address and port, never what the request line says):
    // stops DNS rebinding, other sites' pages, and an absolute-form request line naming another host.
    if (req.headers.host !== ownHost || url.origin !== origin) return refuse(403, 'Forbidden host');
    if (req.headers.origin !== origin) return refuse(403, 'Forbidden origin');
    if (!tokenMatches(url.searchParams.get(TOKEN_PARAM))) return refuse(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws));
  });

  function accept(ws: WebSocket): void {
    const sender: SenderInfo = { transport: 'ws', origin, topFrame: true, trusted: true, id: ++connectionCount };
    sockets.add(ws);
    const send = (message: ServerMessage, droppable = false) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (droppable && ws.bufferedAmount > BACKLOG_LIMIT) return;
      ws.send(JSON.stringify(message));
    };
    const unsubscribers = EVENT_NAMES.map((event) =>
      router.subscribe(event, (payload) => send({ event, payload } as ServerMessage, DROPPABLE.has(event))),
    );
    ws.on('message', (data: RawData, isBinary: boolean) => {
      // Registered before it runs: a handler that closes the transport still gets its reply out.
      const call = Promise.resolve()
        .then(() => onMessage(data, isBinary, send, sender))
        .finally(() => inFlight.delete(call));
      inFlight.add(call);
    });
    ws.on('error', (err) => logger?.warn({ err }, 'WebSocket error'));
    ws.on('close', () => {
      sockets.delete(ws);
      for (const off of unsubscribers) off();
    });
  }

  async function onMessage(data: RawData, isBinary: boolean, send: (m: ServerMessage) => void, sender: SenderInfo): Promise<void> {
    const bytes = frameBytes(data);
    if (bytes > MAX_FRAME_BYTES) {
      logger?.warn({ bytes, limitBytes: MAX_FRAME_BYTES }, 'WebSocket request over the frame limit refused');
      const error = { code: 'PayloadTooLarge' as const, message: payloadTooLargeMessage(bytes), bytes, limitBytes: MAX_FRAME_BYTES };
      return send({ id: requestIdOf(data, isBinary), ok: false, error });
    }
    let raw: unknown;
    try {
      raw = isBinary ? undefined : JSON.parse(data.toString());
    } catch {
      raw = undefined;
    }
    const request = wireRequestSchema.safeParse(raw);
    if (!request.success) {
      // A non-finite id (1e400 parses to Infinity) would serialise as null: the client could not match the reply.
      const rawId = (raw as { id?: unknown } | undefined)?.id;
      const id = typeof rawId === 'number' && Number.isFinite(rawId) ? rawId : -1;
      return send({ id, ok: false, error: validationError('Malformed request', issueRefs(request.error.issues)) });
    }
    const { id, channel, input } = request.data;
    const result = await router.call(channel, input, { sender });
    send({ id, ...result });
  }

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, LOOPBACK, () => {
      server.off('error', reject);
      resolvePromise();
    });
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://${LOOPBACK}:${port}`;
  ownHost = `${LOOPBACK}:${port}`;
  csp = contentSecurityPolicy(origin);

  /** Close frames go out after anything still buffered (the last shutdown events); stragglers are cut. */
  async function closeAll(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((done) => (timer = setTimeout(done, CLOSE_GRACE_MS)));
    await Promise.race([Promise.allSettled([...inFlight]), grace]);
    const closed = [...sockets].map(
      (ws) => new Promise<void>((done) => (ws.readyState === WebSocket.CLOSED ? done() : ws.once('close', () => done()))),
    );
    for (const ws of sockets) ws.close(1001, 'studio host stopped');
    await Promise.race([Promise.all(closed), grace]);
    clearTimeout(timer);
    for (const ws of sockets) ws.terminate();
    wss.close();
    await new Promise<void>((done) => {
      server.close(() => done());
      server.closeAllConnections();
    });
  }

  return {
    port,
    origin,
    token,
    url: `${origin}/?${TOKEN_PARAM}=${encodeURIComponent(token)}`,
    get clients() {
      return sockets.size;
    },
    close: () => (closing ??= closeAll()),
  };
}
