import { resolve } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { NpcNotFoundError } from '../npc/npc-errors';
import { CliFailure, CliUsageError, type CliCommand } from './command';

const EXPORT_FORMATS = ['json', 'json-v3', 'png', 'charx'] as const;

const list: CliCommand = {
  words: ['npc', 'list'],
  synopsis: '[--json]',
  summary: 'list the NPCs: id, name, processor/model, last saved (--json: one JSON object per line)',
  options: { json: { type: 'boolean', default: false } },
  args: { min: 0, max: 0 },
  async run(ctx, { values }) {
    const npcs = (await ctx.npcs()).list();
    if (values.json) {
      for (const n of npcs) ctx.out(JSON.stringify(n));
    } else if (npcs.length === 0) {
      ctx.err(`No NPCs in ${ctx.dataDir}`);
    } else {
      for (const n of npcs) ctx.out(`${n.id}\t${n.name}\t${n.processor}/${n.model}\t${n.updatedAt}`);
    }
    return 0;
  },
};

const exportCard: CliCommand = {
  words: ['npc', 'export'],
  synopsis: `ID --format ${EXPORT_FORMATS.join('|')} --out FILE`,
  summary: 'write the NPC as a Character Card V2 (JSON, or a PNG with the card embedded)',
  options: { format: { type: 'string' }, out: { type: 'string' } },
  args: { min: 1, max: 1 },
  async run(ctx, { values, positionals }) {
    const id = positionals[0]!;
    const format = values.format;
    if (typeof format !== 'string' || !(EXPORT_FORMATS as readonly string[]).includes(format)) {
      throw new CliUsageError(
        `--format must be ${EXPORT_FORMATS.join(' or ')}${typeof format === 'string' ? `, got "${format}"` : ''}`,
        exportCard,
      );
    }
    if (typeof values.out !== 'string' || values.out === '') throw new CliUsageError('--out FILE is required', exportCard);
    const out = resolve(values.out);
    const npcs = await ctx.npcs();
    let data: string | Buffer;
    try {
      data = (await npcs.exportCard(id, format as (typeof EXPORT_FORMATS)[number])).bytes;
    } catch (err) {
      if (err instanceof NpcNotFoundError) throw new CliFailure(`no NPC with id "${id}" in ${ctx.dataDir} (see: npc list)`);
      throw err;
    }
    try {
      await writeFileAtomic(out, data);
    } catch (err) {
      throw new CliFailure(`cannot write ${out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    ctx.out(`Exported ${npcs.get(id).card.name} (${id}) to ${out}`);
    return 0;
  },
};

export const npcCommands: CliCommand[] = [list, exportCard];
