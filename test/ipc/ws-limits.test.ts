/*
 * The web host's WebSocket at its edges: one frame byte limit that every text limit is derived from, a typed
 * PayloadTooLarge answer for an oversized request (the socket lives on), the Host check against the server's own
 * address, and a renderer client that reconnects after a lost socket.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { createRouter, type Router } from '../../electron/host/ipc/router';
import { startWsTransport, type WsTransport } from '../../electron/host/ipc/ws-transport';
import { LIMITS } from '../../shared/ids';
import { FRAME_ENVELOPE_BYTES, MAX_FRAME_BYTES, MAX_JSON_BYTES_PER_CHAR, type ServerMessage } from '../../shared/wire';
import { WsClient, type ConnectionState } from '../../renderer/src/ws-client';
import { eventually } from '../support/leaks';
import { tempDir } from '../support/temp-dir';
import { fakeHandlers } from './fake-handlers';

let dir: Awaited<ReturnType<typeof tempDir>>;
let router: Router;
let transport: WsTransport;
const ingested: number[] = [];

beforeAll(async () => {
  dir = await tempDir();
  router = createRouter(
    fakeHandlers({
      'knowledge.ingest': async ({ text }) => (ingested.push(text.length), { sourceId: 'lore', chunks: 1, ms: 0 }),
      'npc.list': async () => [],
    }),
    { isAccepting: () => true, collectHealth: async () => [] },
  );
  transport = await startWsTransport({ router, staticDir: dir.path });
});

afterAll(async () => {
  await transport?.close();
  router?.close();
  await dir?.remove();
});

function openSocket(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${transport.port}/ws?token=${encodeURIComponent(transport.token)}`, {
      origin: transport.origin,
    });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Sends one frame; resolves with the answer to `id`, or with the close code if the socket closes first. */
function ask(ws: WebSocket, frame: string, id: number): Promise<ServerMessage | { closed: number }> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const message = JSON.parse(data.toString()) as ServerMessage;
      if ('id' in message && message.id === id) {
        ws.off('message', onMessage);
        resolve(message);
      }
    };
    ws.on('message', onMessage);
    ws.once('close', (code) => resolve({ closed: code }));
    ws.send(frame);
  });
}

describe('one frame limit for every payload', () => {
  it('every large text limit fits in one frame even when each character escapes to \\u00XX', () => {
    expect(LIMITS.sourceText * MAX_JSON_BYTES_PER_CHAR + FRAME_ENVELOPE_BYTES).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect(LIMITS.cardJson * MAX_JSON_BYTES_PER_CHAR + FRAME_ENVELOPE_BYTES).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect(LIMITS.cardPngBase64 + FRAME_ENVELOPE_BYTES).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect(LIMITS.sourceText).toBeGreaterThanOrEqual(4_000_000);
  });

  it('lore at the character limit, all control characters (escaped 6x), goes through', async () => {
    const ws = await openSocket();
    const text = '\u0001'.repeat(LIMITS.sourceText);
    const frame = JSON.stringify({ id: 7, channel: 'knowledge.ingest', input: { npcId: 'mira', source: 'noise.md', text } });
    expect(Buffer.byteLength(frame)).toBeGreaterThan(LIMITS.sourceText * 5);
    expect(await ask(ws, frame, 7)).toEqual({ id: 7, ok: true, value: { sourceId: 'lore', chunks: 1, ms: 0 } });
    expect(ingested).toContain(LIMITS.sourceText);
    ws.close();
  }, 60_000);

  it('a request over the limit gets a typed PayloadTooLarge answer and the socket stays usable', async () => {
    const ws = await openSocket();
    const text = 'x'.repeat(MAX_FRAME_BYTES + 1024 * 1024);
    const frame = JSON.stringify({ id: 8, channel: 'chat.send', input: { npcId: 'mira', text } });
    const answer = await ask(ws, frame, 8);
    expect(answer).toMatchObject({
      id: 8,
      ok: false,
      error: {
        code: 'PayloadTooLarge',
        bytes: Buffer.byteLength(frame),
        limitBytes: MAX_FRAME_BYTES,
        message: expect.stringMatching(/over the 32\.0 MB/),
      },
    });
    expect(await ask(ws, JSON.stringify({ id: 9, channel: 'npc.list', input: {} }), 9)).toEqual({ id: 9, ok: true, value: [] });
    ws.close();
  }, 60_000);
});

describe('the Host check', () => {
  function upgradeStatus(target: string, host: string): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const socket = connect(transport.port, '127.0.0.1', () =>
        socket.write(
          `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nOrigin: ${transport.origin}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
            'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
        ),
      );
      let text = '';
      socket.on('data', (d) => {
        text += d.toString();
        const status = /^HTTP\/1\.1 (\d+)/.exec(text)?.[1];
        if (status) {
          resolve(Number(status));
          socket.destroy();
        }
      });
      socket.on('error', reject);
    });
  }

  it("compares the Host header with the server's own address and port, not with the request line", async () => {
    const token = encodeURIComponent(transport.token);
    expect(await upgradeStatus(`/ws?token=${token}`, `127.0.0.1:${transport.port}`)).toBe(101);
    expect(await upgradeStatus(`http://evil.example:${transport.port}/ws?token=${token}`, `evil.example:${transport.port}`)).toBe(403);
    expect(await upgradeStatus(`http://evil.example:${transport.port}/ws?token=${token}`, `127.0.0.1:${transport.port}`)).toBe(403);
    expect(await upgradeStatus(`/ws?token=${token}`, `evil.example:${transport.port}`)).toBe(403);
  });
});

describe('the renderer WebSocket client', () => {
  /** A stand-in host: answers npc.list; the first socket is closed with `firstClose` on its first request. */
  async function standInHost(firstClose: number) {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => wss.once('listening', resolve));
    let connections = 0;
    wss.on('connection', (ws) => {
      const n = ++connections;
      ws.on('message', (data) => {
        const { id } = JSON.parse(data.toString()) as { id: number };
        if (n === 1) ws.close(firstClose, 'test');
        else ws.send(JSON.stringify({ id, ok: true, value: [] }));
      });
    });
    const port = (wss.address() as { port: number }).port;
    return { wss, url: `http://127.0.0.1:${port}/?token=t`, connections: () => connections };
  }

  it('after a lost socket (1009) the pending call fails with a clear error, and the client reconnects', async () => {
    const host = await standInHost(1009);
    const client = new WsClient(host.url, { initialDelayMs: 20 });
    const states: ConnectionState['status'][] = [];
    client.onState((s) => states.push(s.status));
    const first = await client.request('npc.list', {});
    expect(first).toEqual({
      ok: false,
      error: {
        code: 'Internal',
        message:
          'The studio host closed the connection: a message was over its size limit (code 1009). ' +
          'This call got no answer; check its result and try again.',
      },
    });
    expect(
      await eventually(
        () => client.state().status,
        (s) => s === 'open',
        5000,
      ),
    ).toBe('open');
    expect(states).toEqual(['open', 'reconnecting', 'open']);
    expect(await client.request('npc.list', {})).toEqual({ ok: true, value: [] });
    expect(host.connections()).toBe(2);
    client.close();
    host.wss.close();
  });

  it('does not reconnect to a host that stopped (1001)', async () => {
    const host = await standInHost(1001);
    const client = new WsClient(host.url, { initialDelayMs: 20 });
    expect(await client.request('npc.list', {})).toMatchObject({
      ok: false,
      error: { code: 'Internal', message: 'The studio host stopped.' },
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(client.state()).toEqual({ status: 'closed', reason: 'The studio host stopped.' });
    expect(host.connections()).toBe(1);
    host.wss.close();
  });

  it('refuses a request over the frame limit before sending it', async () => {
    const host = await standInHost(1000);
    const client = new WsClient(host.url);
    const answer = await client.request('knowledge.ingest', { npcId: 'mira', source: 's', text: '\u0001'.repeat(MAX_FRAME_BYTES / 4) });
    expect(answer).toMatchObject({ ok: false, error: { code: 'PayloadTooLarge', limitBytes: MAX_FRAME_BYTES } });
    expect(client.state().status).not.toBe('closed');
    client.close();
    host.wss.close();
  });
});
