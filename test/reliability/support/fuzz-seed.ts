import type { Channel, Input, Output } from '../../../shared/contract';
import type { IpcError } from '../../../shared/errors';
import type { FuzzCase, SeedIds } from './fuzz-payloads';

type Call = <C extends Channel>(channel: C, input: Input<C>) => Promise<Output<C>>;

const CARD = {
  name: 'Mira',
  description: 'Smuggler queen of Saltmere.',
  first_mes: 'What do you want?',
  character_book: { entries: [{ keys: ['rum'], content: 'The rum is in the salt cellar.' }] },
};

/**
 * Real stored state for the fuzz to leave alone: an NPC file, a transcript with a finished reply, a lore
 * source in the manifest and in Chroma. `chatDone` waits for the reply the send started.
 */
export async function seedStudio(call: Call, chatDone: (turnId: string) => Promise<unknown>): Promise<SeedIds> {
  const npc = await call('npc.save', { card: CARD, studio: { processor: 'local', model: 'llama3.2' } });
  const ingest = await call('knowledge.ingest', {
    npcId: npc.id,
    source: 'harbor.md',
    text: '# Harbor\n\nThe smugglers hide their rum under the chapel.',
  });
  const sent = await call('chat.send', { npcId: npc.id, text: 'Where is the rum?' });
  await chatDone(sent.turnId);
  const turns = (await call('chat.history', { npcId: npc.id })).turns;
  const reply = turns.at(-1);
  if (reply?.role !== 'assistant') throw new Error(`seeding: the last turn is not a reply: ${JSON.stringify(turns)}`);
  return { npcId: npc.id, turnId: reply.id, sourceId: ingest.sourceId };
}

/** Why a result is not the ValidationError a malformed case must get; null when it is. */
export function wrongAnswer(c: FuzzCase, result: unknown): string | null {
  const r = result as { ok?: unknown; error?: IpcError };
  if (r?.ok !== false || r.error?.code !== 'ValidationError')
    return `expected ValidationError, got ${JSON.stringify(result)?.slice(0, 300)}`;
  const { issues, message } = r.error;
  if (typeof message !== 'string' || !message) return 'no message';
  if (!Array.isArray(issues) || issues.length === 0) return 'no issues';
  if (!issues.every((i) => typeof i.path === 'string' && typeof i.message === 'string'))
    return `malformed issues ${JSON.stringify(issues).slice(0, 300)}`;
  if (c.kinds.includes('unknownChannel') && issues[0]?.path !== 'channel') return `unknown channel reported on ${issues[0]?.path}`;
  try {
    JSON.stringify(result);
  } catch (err) {
    return `the error cannot travel back: ${(err as Error).message}`;
  }
  return null;
}

export function describeCase(c: FuzzCase): string {
  const input = (() => {
    try {
      return JSON.stringify(c.input)?.slice(0, 200);
    } catch {
      return '(not JSON)';
    }
  })();
  return `${c.channel} [${c.kinds.join(', ')}] ${input}`;
}
