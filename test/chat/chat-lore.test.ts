import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knowledgeLore } from '../../electron/host/npc/knowledge-lore';
import type { PromptUsed } from '../../shared/chat';
import { openFilePaths, pidAlive, socketsToPort } from '../../electron/host/resources/proc';
import { startKnowledge, type KnowledgeHarness } from '../support/chroma';
import { eventually } from '../support/leaks';
import { tempDir } from '../support/temp-dir';
import { miraDraft, startChatRig, type ChatRig } from './rig';

const FORGE_HISTORY = [
  '# The Forge',
  '',
  'The forge of Emberfall was lit by Queen Isolde in the year of ash, and its fire has never gone out.',
  '',
  '# The Harbour',
  '',
  'Fishing boats leave the harbour at dawn and the lighthouse keeper counts the ships.',
].join('\n');

let rig: ChatRig;
let knowledge: KnowledgeHarness;
let folder: { path: string; remove: () => Promise<void> };

beforeAll(async () => {
  folder = await tempDir('npc-chat-lore-');
  let lore: ReturnType<typeof knowledgeLore> | null = null;
  rig = await startChatRig({ lore: { query: (npcId, text, k) => lore!.query(npcId, text, k) } });
  // Embeddings come from the Ollama test server through the local processor, as in the studio.
  knowledge = await startKnowledge(folder.path, {
    embedder: rig.local.embedding,
    store: { npcExists: (id) => rig.npcs.list().some((n) => n.id === id), chunking: { maxChars: 200, overlapChars: 0 } },
  });
  lore = knowledgeLore(knowledge.store);
});

afterAll(async () => {
  const ports = [rig.server.port, knowledge.port];
  const chromaPid = knowledge.server.pid;
  await rig.close();
  await knowledge.close();
  for (const port of ports)
    expect(
      await eventually(
        () => socketsToPort(port),
        (n) => n === 0,
      ),
    ).toBe(0);
  expect(chromaPid === null || !pidAlive(chromaPid)).toBe(true);
  expect(openFilePaths().filter((p) => p.startsWith(rig.dir))).toEqual([]);
  await folder.remove();
});

describe('a chat turn with lore from the real Chroma', () => {
  it('retrieves the NPC’s lore, the reply quotes it, and the saved reply names the chunks and their source', async () => {
    const npc = await rig.npcs.save(miraDraft());
    const other = await rig.npcs.save(miraDraft({ card: { name: 'Tomas Reed', description: 'A fisherman.' } }));
    await knowledge.store.ingestText(npc.id, 'forge-history.md', FORGE_HISTORY);

    const outcome = await (await rig.service.send(npc.id, 'Who lit the forge of Emberfall?')).finished;
    expect(outcome.error).toBeUndefined();
    expect(outcome.text).toMatch(
      /As the lore says, "\[forge-history\.md\][^"]*The forge of Emberfall was lit by Queen Isolde in the year of ash/,
    );
    const embedded = rig.server.requests.filter((r) => r.path === '/api/embed').map((r) => (r.body as { input: string[] }).input);
    expect(embedded.at(-1)).toEqual(['Who lit the forge of Emberfall?']);

    const reply = (await rig.transcripts.view(rig.service.refOf(npc.id))).messages.at(-1)!;
    const used = (reply.meta as { used: PromptUsed }).used;
    expect(used.chunks.length).toBeGreaterThanOrEqual(1);
    expect(used.chunks[0]).toMatchObject({
      source: 'forge-history.md',
      id: expect.stringContaining('forge-history.md'),
      text: expect.stringContaining('Queen Isolde'),
    });
    expect(used.chunks[0]!.tokens).toBeGreaterThan(0);
    const distances = used.chunks.map((c) => c.distance);
    expect([...distances].sort((a, b) => a - b)).toEqual(distances);
    expect(used.tokens.knowledge).toBeGreaterThan(0);

    // Lore is per NPC: the other one has none, and its turn goes on without it.
    const plain = await (await rig.service.send(other.id, 'Who lit the forge of Emberfall?')).finished;
    expect(plain.text).not.toContain('Queen Isolde');
    const otherReply = (await rig.transcripts.view(rig.service.refOf(other.id))).messages.at(-1)!;
    expect((otherReply.meta as { used: PromptUsed }).used.chunks).toEqual([]);
  });

  it('when Chroma is gone the turn answers without lore and the log says why', async () => {
    const npc = rig.npcs.list().find((n) => n.name === 'Mira Vell')!;
    await knowledge.server.cleanup();
    const outcome = await (await rig.service.send(npc.id, 'Who lit the forge of Emberfall?')).finished;
    expect(outcome.error).toBeUndefined();
    expect(outcome.text).toContain('I am Mira Vell.');
    expect(outcome.text).not.toContain('Queen Isolde');
    expect(rig.logs.ring.messages().some((m) => m.startsWith('WARN Knowledge lookup failed; answering without lore:'))).toBe(true);
  });
});
