/*
 * Compact transcripts (issue K item 8). bytes_per_turn: a 200-turn conversation through the real chat path
 * (ChatService → local processor → the demo Ollama-protocol server) with lorebook entries and knowledge chunks in
 * every turn; everything the NPC's transcript folder holds (journal and prompt parts), divided by the turns.
 * open_ratio: the time to open a conversation and read its first page (50 turns) from a fresh store, 5,000 turns
 * over 50; the long journal is the real one's turns repeated (ids renumbered), so every line is as the studio writes it.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ExecutionEngine } from '../../electron/host/engine/execution-engine';
import { memoryLogger } from '../../electron/host/log/logger';
import { ChatService } from '../../electron/host/npc/chat-service';
import { NpcStore } from '../../electron/host/npc/npc-store';
import { TranscriptStore } from '../../electron/host/npc/transcript-store';
import { LocalProcessor } from '../../electron/host/processors/local/local-processor';
import { OllamaClientProvider } from '../../electron/host/processors/local/ollama-client-provider';
import { OllamaTestServer } from '../../electron/host/demo/ollama';
import type { KnowledgeChunk } from '../../shared/chat';
import { tempDir } from '../../test/support/temp-dir';
import type { BenchFigure } from '../report';

const TURNS = 200;
const PAGE = 50;
const RUNS = 9;
const PLACES = ['harbor', 'forge', 'guild', 'vault', 'lighthouse', 'market', 'temple', 'mill', 'bridge', 'tavern', 'mine', 'garden'];

export default async function transcript(): Promise<BenchFigure[]> {
  const temp = await tempDir('npc-bench-transcript-');
  const { logger } = memoryLogger();
  // Replies of about 60 words, as an NPC's usually are (the demo would otherwise quote every lore text whole).
  const server = new OllamaTestServer({ keepRequests: 1, switches: { replyTokens: 60 } });
  const client = new OllamaClientProvider({ url: await server.start(), logger });
  const npcs = new NpcStore({ dir: join(temp.path, 'npcs'), logger });
  const transcripts = new TranscriptStore({ dir: join(temp.path, 'transcripts'), logger });
  const engine = new ExecutionEngine({ logger, abortGraceMs: 1000 });
  try {
    await client.initialize();
    await npcs.initialize();
    await transcripts.initialize();
    const local = new LocalProcessor({ client, logger });
    const corpus: KnowledgeChunk[] = PLACES.flatMap((p, i) =>
      [0, 1, 2].map((k) => ({
        source: `${p}.md`,
        sourceId: `s-${p}`,
        text: `The ${p} of Emberfall, note ${k}: ${'it has stood for a long time and everyone knows it. '.repeat(3)}`,
        distance: 0.1 + (i + k) / 100,
      })),
    );
    const chat = new ChatService({
      engine,
      npcs,
      transcripts,
      logger,
      processorFor: () => local,
      events: { token: () => undefined, done: () => undefined, error: () => undefined },
      lore: { query: async (_npc, text, k) => corpus.filter((c) => text.includes(c.source.replace('.md', ''))).slice(0, k) },
    });
    const npc = await npcs.save({
      card: {
        name: 'Mira Vell',
        description: '{{char}} is the blacksmith of Emberfall. '.repeat(20),
        personality: 'Gruff, loyal, curious about strangers. '.repeat(5),
        scenario: 'A rainy evening at the forge. '.repeat(5),
        first_mes: 'Welcome to my forge, {{user}}.',
        mes_example: '<START>\n{{user}}: Hello.\n{{char}}: Evening. Need a blade?\n'.repeat(4),
        character_book: {
          extensions: {},
          entries: PLACES.map((p, i) => ({
            keys: [p],
            content: `Lore: the ${p} is where ${'the townsfolk gather and talk about old times. '.repeat(4)}`,
            extensions: {},
            enabled: true,
            insertion_order: i,
            comment: p,
          })),
        },
      },
    });
    for (let i = 0; i < TURNS; i++) {
      const a = PLACES[i % PLACES.length]!;
      const b = PLACES[(i * 5 + 3) % PLACES.length]!;
      const started = await chat.send(npc.id, `Tell me about the ${a} and the ${b}, please (turn ${i}).`);
      const outcome = await started.finished;
      if (outcome.error) throw new Error(`turn ${i} failed: ${outcome.error}`);
    }
    await transcripts.cleanup();
    const folder = join(temp.path, 'transcripts', npc.id);
    const names = await readdir(folder);
    let bytes = 0;
    for (const n of names) bytes += (await stat(join(folder, n))).size;
    const bytesPerTurn = Math.round(bytes / TURNS);

    // Long and short journals of the same turns, renumbered, beside the same parts file.
    const lines = (await readFile(join(folder, 'main.jsonl'), 'utf8')).trim().split('\n');
    const [start, greeting, ...turns] = lines;
    const pairs: string[][] = [];
    for (let i = 0; i + 1 < turns.length; i += 2) pairs.push([turns[i]!, turns[i + 1]!]);
    const write = async (id: string, count: number) => {
      const out = [start!.replace('"conversationId":"main"', `"conversationId":"${id}"`), greeting!];
      let next = 2;
      for (let t = 0; t < count; t++)
        for (const line of pairs[t % pairs.length]!) out.push(line.replace(/"id":"m\d+"/, `"id":"m${next++}"`));
      await writeFile(join(folder, `${id}.jsonl`), out.join('\n') + '\n');
    };
    await write('short', 50);
    await write('long', 5000);
    const openFirstPage = async (conversationId: string) => {
      const store = new TranscriptStore({ dir: join(temp.path, 'transcripts'), logger });
      await store.initialize();
      const t0 = performance.now();
      const page = await store.page({ npcId: npc.id, conversationId }, PAGE);
      const ms = performance.now() - t0;
      if (page.messages.length !== PAGE || page.problems.length)
        throw new Error(`first page of ${conversationId}: ${page.messages.length} messages, ${page.problems.length} problem(s)`);
      await store.cleanup();
      return ms;
    };
    const median = async (id: string) => {
      const times: number[] = [];
      await openFirstPage(id); // warm-up
      for (let r = 0; r < RUNS; r++) times.push(await openFirstPage(id));
      return times.sort((x, y) => x - y)[Math.floor(times.length / 2)]!;
    };
    const shortMs = await median('short');
    const longMs = await median('long');
    return [
      { name: 'transcript.bytes_per_turn', value: bytesPerTurn, unit: 'B', target: { op: '<=', value: 1500 } },
      { name: 'transcript.open_ratio', value: Number((longMs / shortMs).toFixed(2)), unit: 'x', target: { op: '<=', value: 2 } },
      { name: 'transcript.first_page_5000_turns', value: Number(longMs.toFixed(2)), unit: 'ms' },
    ];
  } finally {
    engine.stopAccepting();
    await engine.drain(500);
    await transcripts.cleanup();
    await npcs.cleanup();
    await client.cleanup();
    await server.stop();
    await temp.remove();
  }
}
