import { readFile } from 'node:fs/promises';
import writeFileAtomic from 'write-file-atomic';

/** What a deleted NPC's usage records say instead of its id: the calls (and what they cost) stay counted. */
export const DELETED_NPC_LABEL = '(deleted NPC)';

/**
 * Rewrites the usage journal (atomically) with `npcId` replaced by DELETED_NPC_LABEL in every record of that NPC;
 * lines that are not records are kept as they are. The journal must be closed meanwhile. Returns records changed.
 */
export async function relabelDeletedNpc(file: string, npcId: string): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  let changed = 0;
  const lines = text.split('\n').map((line) => {
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      return line;
    }
    if (!record || typeof record !== 'object' || (record as { npcId?: unknown }).npcId !== npcId) return line;
    changed++;
    return JSON.stringify({ ...record, npcId: DELETED_NPC_LABEL });
  });
  if (changed > 0) await writeFileAtomic(file, lines.join('\n'), { fsync: true, mode: 0o600 });
  return changed;
}
