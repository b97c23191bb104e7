import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Channel, Input, Output } from '../../../shared/contract';
import type { SeedIds } from './fuzz-payloads';

/** The studio's own stored state: a hash per file, and what the host lists when asked. */
export interface StoredState {
  files: Record<string, string>;
  listings: Record<string, unknown>;
}

type Call = <C extends Channel>(channel: C, input: Input<C>) => Promise<Output<C>>;

/** Chroma rewrites its own folder whenever it likes, and the log grows with every refused call. */
const NOT_STATE = new Set(['chroma', 'logs']);

async function hashFiles(root: string, dir = root, out: Record<string, string> = {}): Promise<Record<string, string>> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (dir === root && NOT_STATE.has(entry.name)) continue;
    if (entry.isDirectory()) await hashFiles(root, path, out);
    else
      out[relative(root, path)] = createHash('sha256')
        .update(await readFile(path))
        .digest('hex');
  }
  return out;
}

/** NPC files, transcripts, the lore manifest, settings, usage journal; plus the host's own listings. */
export async function storedState(dataDir: string, call: Call, ids: SeedIds): Promise<StoredState> {
  const { npcId } = ids;
  return {
    files: await hashFiles(dataDir),
    listings: {
      npcs: await call('npc.list', {}),
      npc: await call('npc.get', { id: npcId }),
      history: await call('chat.history', { npcId }),
      sources: await call('knowledge.sources', { npcId }),
      settings: await call('settings.get', {}),
      usage: (await call('usage.summary', {})).totals,
    },
  };
}
