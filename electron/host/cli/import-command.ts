import { open } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { LOREBOOK_FILE_CHARS } from '../../../shared/lorebook-record';
import { CARD_LIMITS } from '../../../shared/npc';
import { errorMessage } from '../../../shared/errors';
import { looksLikeLorebook } from '../lore/lorebook-file';
import { worldLinkOf } from '../lore/npc-lore';
import type { CliCommand, CliContext } from './command';
import { withLorebooks } from './lorebook-store-access';

/** What `import --json` prints for each file, one object per line. */
export interface ImportLine {
  file: string;
  kind: 'npc' | 'lorebook';
  id: string | null;
  name: string | null;
  /** Warnings for an imported file; the reason for a refused one. */
  problems: string[];
  imported: boolean;
}

const MB = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

/**
 * Imports card files (V1/V2/V3 JSON, PNG, CHARX) as NPCs and lorebook files (SillyTavern World Info,
 * lorebook_v3) as lorebooks, each with the same checks as the app. A refused file does not stop the others.
 */
const importFiles: CliCommand = {
  words: ['import'],
  synopsis: 'FILE... [--json]',
  summary: 'import character cards (JSON, PNG, CHARX) and lorebooks (World Info, lorebook_v3); exit 1 if any was refused',
  options: { json: { type: 'boolean', default: false } },
  args: { min: 1, max: 1000 },
  async run(ctx, { values, positionals }) {
    let refused = 0;
    for (const arg of positionals) {
      ctx.signal.throwIfAborted();
      const line = await importOne(ctx, resolve(arg));
      if (!line.imported) refused++;
      if (values.json) ctx.out(JSON.stringify(line));
      else if (line.imported) {
        ctx.out(`Imported ${line.kind === 'npc' ? 'NPC' : 'lorebook'} ${line.name} (${line.id}) from ${line.file}`);
        for (const p of line.problems) ctx.err(`import: ${line.file}: warning: ${p}`);
      } else ctx.err(`import: ${line.file}: refused: ${line.problems[0]}`);
    }
    return refused ? 1 : 0;
  },
};

async function importOne(ctx: CliContext, file: string): Promise<ImportLine> {
  const name = basename(file);
  const ext = extname(file).toLowerCase();
  let kind: ImportLine['kind'] = ext === '.json' ? 'lorebook' : 'npc';
  const refuse = (reason: string): ImportLine => ({ file, kind, id: null, name: null, problems: [reason], imported: false });
  let bytes: Buffer;
  try {
    bytes = await readBounded(file, Math.max(CARD_LIMITS.cardFileBytes, LOREBOOK_FILE_CHARS));
  } catch (err) {
    return refuse((err as Error).message);
  }
  const text = ext === '.png' || ext === '.charx' ? null : bytes.toString('utf8');
  let raw: unknown;
  if (text !== null) {
    try {
      raw = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch {
      raw = undefined;
    }
  }
  kind = looksLikeLorebook(raw) ? 'lorebook' : 'npc';
  try {
    if (kind === 'lorebook') {
      const record = await withLorebooks(ctx, (store) => store.import(name, text!));
      return { file, kind, id: record.id, name: record.name, problems: [], imported: true };
    }
    if (bytes.length > CARD_LIMITS.cardFileBytes)
      return refuse(`the file is ${MB(bytes.length)}; a card file may be at most ${MB(CARD_LIMITS.cardFileBytes)}`);
    const { npc, warnings } = await (await ctx.npcs()).importCard(text ?? new Uint8Array(bytes));
    const world = worldLinkOf(npc.card);
    const unlinked = world && !(await withLorebooks(ctx, async (store) => store.findByName(world)));
    const link = unlinked
      ? [`the card names the world "${world}", and no lorebook has that name yet; import that World Info file to link it`]
      : [];
    return { file, kind, id: npc.id, name: npc.card.name, problems: [...warnings, ...link], imported: true };
  } catch (err) {
    // Only the first line: a card or lorebook error names the field and the limit there.
    return refuse(
      errorMessage(err)
        .split('\n')[0]!
        .replace(new RegExp(`^${escape(name)} was not imported: `), ''),
    );
  }
}

/** Reads at most `max` bytes; a larger file is refused before it is read whole. */
async function readBounded(file: string, max: number): Promise<Buffer> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    throw new Error(`cannot read the file (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)})`, { cause: err });
  }
  try {
    const { size } = await handle.stat();
    if (size > max) throw new Error(`the file is ${MB(size)}; at most ${MB(max)} can be imported`);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export const importCommands: CliCommand[] = [importFiles];
