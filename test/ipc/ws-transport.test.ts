import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createRouter, type Router } from '../../electron/host/ipc/router';
import { startWsTransport, type WsTransport } from '../../electron/host/ipc/ws-transport';
import { isListening, socketsToPort } from '../../electron/host/resources/proc';
import type { ServerMessage } from '../../shared/wire';
import { eventually } from '../support/leaks';
import { tempDir } from '../support/temp-dir';
import { fakeHandlers } from './fake-handlers';

let dir: Awaited<ReturnType<typeof tempDir>>;
let router: Router;
let transport: WsTransport;

/** A raw HTTP/1.1 request (fetch would normalise "..", and cannot set Host); resolves with the status. */
function rawStatus(path: string, host = `127.0.0.1:${transport.port}`): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const socket = connect(transport.port, '127.0.0.1', () =>
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`),
    );
    let text = '';
    socket.on('data', (d) => (text += d.toString()));
    socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1])));
    socket.on('error', reject);
  });
}

beforeAll(async () => {
  dir = await tempDir();
  const root = join(dir.path, 'renderer');
  await mkdir(join(root, 'assets'), { recursive: true });
  await writeFile(join(root, 'index.html'), '<!doctype html><title>NPC Studio</title>');
  await writeFile(join(root, 'assets', 'app.js'), 'console.log(1)');
  await writeFile(join(root, 'assets', 'app.css'), 'body{}');
  // Named like Vite's chunks: the panel's name, then a hash of the content.
  await writeFile(join(root, 'assets', 'LogsPanel-DOIXXPPI.js'), 'export const x = 1;');
  await writeFile(join(root, 'assets', 'ResourcesPanel-1Z_heWtb.css'), '.u{}');
  await writeFile(join(dir.path, 'secret.txt'), 'outside the served folder');
  router = createRouter(
    fakeHandlers({
      'npc.list': async () => [
        { id: 'mira', name: 'Mira', processor: 'local', model: 'llama3.2', tags: [], updatedAt: 'x', hasArt: false },
      ],
    }),
    { isAccepting: () => true, collectHealth: async () => [] },
  );
  transport = await startWsTransport({ router, staticDir: join(dir.path, 'renderer') });
});

afterAll(async () => {
  await transport?.close();
  router?.close();
  await dir?.remove();
});

/** Opens a socket; resolves with the open socket or the HTTP status the upgrade was refused with. */
function open(url: string, origin: string | undefined): Promise<{ ws?: WebSocket; status?: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin ? { origin } : {});
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode });
      res.resume();
      ws.terminate();
    });
    ws.once('error', (err) => {
      if (!/Unexpected server response/.test(err.message)) reject(err);
    });
  });
}

function wsUrl(token?: string): string {
  const base = `ws://127.0.0.1:${transport.port}/ws`;
  return token === undefined ? base : `${base}?token=${encodeURIComponent(token)}`;
}

function nextMessage(ws: WebSocket, match: (m: ServerMessage) => boolean): Promise<ServerMessage> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const message = JSON.parse(data.toString()) as ServerMessage;
      if (!match(message)) return;
      ws.off('message', onMessage);
      resolve(message);
    };
    ws.on('message', onMessage);
  });
}

describe('web host transport', () => {
  it('listens on 127.0.0.1 only', async () => {
    expect(transport.origin).toBe(`http://127.0.0.1:${transport.port}`);
    const hexPort = transport.port.toString(16).toUpperCase().padStart(4, '0');
    const v4 = readFileSync('/proc/net/tcp', 'utf8')
      .split('\n')
      .filter((l) => l.includes(`:${hexPort} 00000000:0000 0A`));
    const v6 = readFileSync('/proc/net/tcp6', 'utf8')
      .split('\n')
      .filter((l) => l.includes(`:${hexPort} 00000000000000000000000000000000:0000 0A`));
    expect(v4.map((l) => l.trim().split(/\s+/)[1])).toEqual([`0100007F:${hexPort}`]);
    expect(v6).toEqual([]);
    const other = await new Promise<string>((resolve) => {
      const socket = connect(transport.port, '127.0.0.2');
      socket.once('connect', () => (socket.destroy(), resolve('connected')));
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    });
    expect(other).toBe('ECONNREFUSED');
  });

  it('serves the renderer with content types and a strict CSP; nothing outside its folder', async () => {
    const index = await fetch(`${transport.origin}/?token=abc`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = index.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${transport.port}`);
    expect(csp).not.toContain('unsafe');
    expect(index.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await index.text()).toContain('NPC Studio');
    expect((await fetch(`${transport.origin}/assets/app.js`)).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(`${transport.origin}/assets/app.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(`${transport.origin}/assets/missing.js`)).status).toBe(404);
    expect(await rawStatus('/assets/app.js')).toBe(200);
    expect(await rawStatus('/../secret.txt')).toBe(404);
    expect(await rawStatus('/%2e%2e/secret.txt')).toBe(404);
    expect(await rawStatus('/assets/%2e%2e%2f%2e%2e%2fsecret.txt')).toBe(404);
    expect((await fetch(`${transport.origin}/`, { method: 'POST' })).status).toBe(405);
  });

  it('serves code-split chunks as scripts, cached for good; the page and unhashed files are checked every time', async () => {
    const chunk = await fetch(`${transport.origin}/assets/LogsPanel-DOIXXPPI.js`);
    expect(chunk.status).toBe(200);
    expect(chunk.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(chunk.headers.get('x-content-type-options')).toBe('nosniff');
    expect(chunk.headers.get('cache-control')).toBe('max-age=31536000, immutable');
    const css = await fetch(`${transport.origin}/assets/ResourcesPanel-1Z_heWtb.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(css.headers.get('cache-control')).toBe('max-age=31536000, immutable');
    expect((await fetch(`${transport.origin}/assets/app.js`)).headers.get('cache-control')).toBe('no-cache');
    expect((await fetch(`${transport.origin}/?token=abc`)).headers.get('cache-control')).toBe('no-store');
    expect((await fetch(`${transport.origin}/assets/Missing-ABCDEFGH.js`)).headers.get('cache-control')).toBe('no-store');
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const status = await rawStatus('/', 'evil.example');
    expect(status).toBe(421);
  });

  it('refuses a missing or wrong token with 401', async () => {
    expect(await open(wsUrl(), transport.origin)).toEqual({ status: 401 });
    expect(await open(wsUrl('not-the-token'), transport.origin)).toEqual({ status: 401 });
    expect(await open(wsUrl(transport.token.slice(1)), transport.origin)).toEqual({ status: 401 });
  });

  it('refuses a foreign or missing Origin with 403, even with the right token', async () => {
    expect(await open(wsUrl(transport.token), 'https://evil.example')).toEqual({ status: 403 });
    expect(await open(wsUrl(transport.token), 'http://localhost:' + transport.port)).toEqual({ status: 403 });
    expect(await open(wsUrl(transport.token), undefined)).toEqual({ status: 403 });
    expect(router.subscriberCount('health')).toBe(0);
  });

  it('with token and origin: calls go through the router, events are pushed, bad frames get errors', async () => {
    const { ws } = await open(wsUrl(transport.token), transport.origin);
    if (!ws) throw new Error('not opened');
    expect(transport.clients).toBe(1);
    expect(router.subscriberCount('chat.token')).toBe(1);

    const reply = nextMessage(ws, (m) => 'id' in m && m.id === 7);
    ws.send(JSON.stringify({ id: 7, channel: 'npc.list', input: {} }));
    expect(await reply).toMatchObject({ id: 7, ok: true, value: [{ id: 'mira', name: 'Mira' }] });

    const invalid = nextMessage(ws, (m) => 'id' in m && m.id === 8);
    ws.send(JSON.stringify({ id: 8, channel: 'npc.get', input: { id: 'no/slashes' } }));
    expect(await invalid).toMatchObject({ id: 8, ok: false, error: { code: 'ValidationError', issues: [{ path: 'id' }] } });

    const malformed = nextMessage(ws, (m) => 'id' in m && m.id === -1);
    ws.send('{not json');
    expect(await malformed).toMatchObject({ ok: false, error: { code: 'ValidationError' } });

    const token = nextMessage(ws, (m) => 'event' in m && m.event === 'chat.token');
    router.publish('chat.token', { turnId: 't1', npcId: 'mira', conversationId: 'main', text: 'Hello' });
    expect(await token).toEqual({ event: 'chat.token', payload: { turnId: 't1', npcId: 'mira', conversationId: 'main', text: 'Hello' } });

    ws.close();
    expect(
      await eventually(
        () => router.subscriberCount('chat.token'),
        (n) => n === 0,
      ),
    ).toBe(0);
    expect(
      await eventually(
        () => transport.clients,
        (n) => n === 0,
      ),
    ).toBe(0);
  });

  it('close() ends every socket and stops listening', async () => {
    const { ws } = await open(wsUrl(transport.token), transport.origin);
    if (!ws) throw new Error('not opened');
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    expect(socketsToPort(transport.port)).toBeGreaterThan(0);
    await Promise.all([transport.close(), transport.close()]);
    expect(await closed).toBe(1001);
    expect(isListening(transport.port)).toBe(false);
    expect(
      await eventually(
        () => socketsToPort(transport.port),
        (n) => n === 0,
      ),
    ).toBe(0);
    expect(router.subscriberCount('health')).toBe(0);
  });
});

describe('web host transport closing during a call', () => {
  it('answers the call that asked to close (app.quit) before closing the socket', async () => {
    const holder: { transport?: WsTransport } = {};
    const quitRouter = createRouter(
      fakeHandlers({
        'app.quit': async () => {
          void holder.transport!.close();
          return { accepted: true };
        },
      }),
      { isAccepting: () => true, collectHealth: async () => [] },
    );
    const own = await startWsTransport({ router: quitRouter, staticDir: dir.path });
    holder.transport = own;
    try {
      const ws = await new Promise<WebSocket>((resolve, reject) => {
        const socket = new WebSocket(`ws://127.0.0.1:${own.port}/ws?token=${own.token}`, { origin: own.origin });
        socket.once('open', () => resolve(socket));
        socket.once('error', reject);
      });
      const seen: string[] = [];
      ws.on('message', (d: Buffer) => seen.push(d.toString()));
      const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
      ws.send(JSON.stringify({ id: 1, channel: 'app.quit', input: {} }));
      expect(await closed).toBe(1001);
      expect(seen.map((m) => JSON.parse(m))).toContainEqual({ id: 1, ok: true, value: { accepted: true } });
      await own.close();
      expect(isListening(own.port)).toBe(false);
    } finally {
      await own.close();
      quitRouter.close();
    }
  });
});
