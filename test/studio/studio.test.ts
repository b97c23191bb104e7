import getPort from 'get-port';
import { describe, expect, it } from 'vitest';
import type { ChatDoneEvent } from '../../shared/events';
import { pidAlive, socketsToPort, isListening } from '../../electron/host/resources/proc';
import { eventually, snapshotResources } from '../support/leaks';
import { startStudio, TEST_SENDER } from '../support/studio-rig';
import { reportOutcomes } from '../support/report-outcomes';
import { useTempDirAndOllama } from '../support/studio-fixtures';
import { tempDir } from '../support/temp-dir';

const fixtures = useTempDirAndOllama();

const CARD = {
  name: 'Mara',
  description: 'The harbor master of Saltmere.',
  first_mes: 'Welcome to Saltmere, traveller.',
  character_book: { entries: [{ keys: ['lighthouse'], content: 'The lighthouse has been dark for nine winters.' }] },
};

describe('the studio host, wired together', () => {
  it('creates an NPC, learns lore, chats with it through the router, and shuts down clean', async () => {
    const before = snapshotResources();
    const { studio, call } = await startStudio(fixtures.dir.path, { ollamaUrl: fixtures.ollama.url });

    const health = await call('providers.health', {});
    const byId = Object.fromEntries(health.map((h) => [h.id, h]));
    expect(byId['chroma-server']?.status).toBe('healthy');
    expect(byId['ollama-client']?.status).toBe('healthy');
    expect(byId['studio-host']).toMatchObject({ status: 'healthy', resources: { pid: process.pid, inFlight: 0, cleanupsTotal: 0 } });
    const chromaPid = byId['chroma-server']!.resources.pid as number;
    const chromaPort = byId['chroma-server']!.resources.port as number;
    expect(pidAlive(chromaPid)).toBe(true);

    const npc = await call('npc.save', { card: CARD, studio: { processor: 'local', model: 'llama3.2' } });
    const ingest = await call('knowledge.ingest', {
      npcId: npc.id,
      source: 'harbor.md',
      text: '# Harbor\n\nThe smugglers hide their rum in the old salt cellar under the chapel.',
    });
    expect(ingest.chunks).toBe(1);
    expect((await call('knowledge.sources', { npcId: npc.id })).sources.map((s) => [s.name, s.chunks])).toEqual([['harbor.md', 1]]);

    const done = new Promise<ChatDoneEvent>((resolve) => {
      const off = studio.router.subscribe('chat.done', (e) => {
        off();
        resolve(e);
      });
    });
    const tokens: string[] = [];
    studio.router.subscribe('chat.token', (e) => tokens.push(e.text));
    const sent = await call('chat.send', { npcId: npc.id, text: 'Where do the smugglers hide the rum? And the lighthouse?' });
    expect((await done).turnId).toBe(sent.turnId);

    const history = await call('chat.history', { npcId: npc.id });
    expect(history.turns.map((t) => t.role)).toEqual(['assistant', 'user', 'assistant']);
    const reply = history.turns[2]!;
    expect(reply.text).toBe(tokens.join(''));
    expect(reply.text).toContain('Mara');
    expect(reply.text).toContain('salt cellar');
    expect(reply.lore?.chunks.map((c) => c.source)).toEqual(['harbor.md']);
    expect(reply.lore?.entries.map((e) => e.content)).toEqual(['The lighthouse has been dark for nine winters.']);
    expect(reply.usage?.replyTokens).toBeGreaterThan(0);
    expect((await call('usage.summary', {})).totals.calls).toBe(1);

    const report = await studio.coordinator.run('test quit');
    expect(report.exitCode, reportOutcomes(report)).toBe(0);
    expect(
      report.providers.every((p) => p.outcome === 'ok'),
      reportOutcomes(report),
    ).toBe(true);
    expect(pidAlive(chromaPid)).toBe(false);
    expect(isListening(chromaPort)).toBe(false);
    expect(
      await eventually(
        () => socketsToPort(fixtures.ollama.port),
        (n) => n === 0,
      ),
    ).toBe(0);
    const after = await eventually(
      () => snapshotResources(),
      (s) => s.sockets <= before.sockets && s.children.length === before.children.length,
    );
    expect(after.children).toEqual(before.children);
    expect(after.sockets).toBeLessThanOrEqual(before.sockets);

    const refused = await studio.router.call('npc.list', {}, TEST_SENDER);
    expect(refused).toMatchObject({ ok: false, error: { code: 'ShuttingDown' } });
  });

  it('starts again with NPCs, transcripts and lore intact, and shows the last shutdown report', async () => {
    const { studio, call } = await startStudio(fixtures.dir.path, { ollamaUrl: fixtures.ollama.url });
    const [npc] = await call('npc.list', {});
    expect(npc?.name).toBe('Mara');
    expect((await call('chat.history', { npcId: npc!.id })).turns).toHaveLength(3);
    const hits = await call('knowledge.search', { npcId: npc!.id, query: 'smugglers rum', limit: 1 });
    expect(hits[0]?.source).toBe('harbor.md');
    expect(await call('app.lastShutdownReport', {})).toMatchObject({ report: { reason: 'test quit', exitCode: 0 } });
    expect((await studio.coordinator.run('test quit 2')).exitCode).toBe(0);
  });
});

describe('service errors reach the renderer with their IPC code', () => {
  it('maps unknown NPCs, bad cards and an unreachable Ollama to NotFound, ValidationError and ProviderUnavailable', async () => {
    const local = await tempDir();
    const closedPort = await getPort({ host: '127.0.0.1' });
    const { studio, call } = await startStudio(local.path, { ollamaUrl: `http://127.0.0.1:${closedPort}` });
    try {
      const missing = await studio.router.call('npc.get', { id: 'nobody' }, TEST_SENDER);
      expect(missing).toMatchObject({ ok: false, error: { code: 'NotFound' } });
      const badCard = await studio.router.call(
        'npc.importCard',
        { format: 'json', text: '{"spec":"chara_card_v2","data":{"name":42}}' },
        TEST_SENDER,
      );
      expect(badCard).toMatchObject({
        ok: false,
        error: { code: 'ValidationError', message: expect.stringContaining('cannot import the card') },
      });
      const npc = await call('npc.save', { card: { name: 'Quill' }, studio: { processor: 'local', model: 'llama3.2' } });
      const failed = new Promise<{ code: string; message: string; hint?: string }>((resolve) =>
        studio.router.subscribe('chat.error', (e) => resolve(e.error as never)),
      );
      await call('chat.send', { npcId: npc.id, text: 'Hello?' });
      expect(await failed).toMatchObject({
        code: 'ProviderUnavailable',
        message: expect.stringContaining(`127.0.0.1:${closedPort}`),
        hint: expect.stringContaining('ollama serve'),
      });
    } finally {
      await studio.coordinator.run('test');
      await local.remove();
    }
  });
});
