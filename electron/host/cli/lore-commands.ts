import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { LOREBOOK_EXPORT_FORMATS, type LorebookExportFormat } from '../../../shared/lorebook-record';
import type { ActivatedEntry, ActivationTrace, MatchSource, SkippedEntry, TracedBook } from '../../../shared/lorebook-trace';
import { activateLore, type LoreMessage } from '../lore/activation';
import { allNpcs, usersOf } from '../lore/lorebook-attachments';
import { LorebookNotFoundError } from '../lore/lorebook-store';
import { npcLorebooks } from '../lore/npc-lore';
import { NpcNotFoundError } from '../npc/npc-errors';
import { budgetOf, loreBudget } from '../npc/prompt/assemble';
import { replaceMacros } from '../npc/prompt/macros';
import { CliFailure, CliUsageError, type CliCommand } from './command';
import { withLorebooks } from './lorebook-store-access';

const list: CliCommand = {
  words: ['lorebook', 'list'],
  synopsis: '[--json]',
  summary: 'list the lorebooks: id, name, entries, the NPCs using it (--json: one JSON object per line)',
  options: { json: { type: 'boolean', default: false } },
  args: { min: 0, max: 0 },
  async run(ctx, { values }) {
    const npcs = allNpcs(await ctx.npcs());
    const rows = await withLorebooks(ctx, async (store) =>
      store.list().map((r) => ({
        id: r.id,
        name: r.name,
        entries: r.book.entries.length,
        source: r.source,
        updatedAt: r.updatedAt,
        npcs: usersOf(r, npcs),
      })),
    );
    if (values.json) for (const r of rows) ctx.out(JSON.stringify(r));
    else if (rows.length === 0) ctx.err(`No lorebooks in ${ctx.dataDir}`);
    else
      for (const r of rows)
        ctx.out(`${r.id}\t${r.name}\t${r.entries} entries\t${r.npcs.map((n) => `${n.name} (${n.how})`).join(', ') || 'no NPC'}`);
    return 0;
  },
};

const exportBook: CliCommand = {
  words: ['lorebook', 'export'],
  synopsis: `ID --format ${LOREBOOK_EXPORT_FORMATS.join('|')} --out FILE`,
  summary: 'write the lorebook as SillyTavern World Info JSON (st) or a V3 lorebook_v3 file (v3)',
  options: { format: { type: 'string' }, out: { type: 'string' } },
  args: { min: 1, max: 1 },
  async run(ctx, { values, positionals }) {
    const id = positionals[0]!;
    const format = values.format;
    if (typeof format !== 'string' || !(LOREBOOK_EXPORT_FORMATS as readonly string[]).includes(format)) {
      const got = typeof format === 'string' ? `, got "${format}"` : '';
      throw new CliUsageError(`--format must be ${LOREBOOK_EXPORT_FORMATS.join(' or ')}${got}`, exportBook);
    }
    if (typeof values.out !== 'string' || values.out === '') throw new CliUsageError('--out FILE is required', exportBook);
    const out = resolve(values.out);
    const { name, text } = await withLorebooks(ctx, async (store) => {
      try {
        return { name: store.get(id).name, text: store.export(id, format as LorebookExportFormat).text };
      } catch (err) {
        if (err instanceof LorebookNotFoundError)
          throw new CliFailure(`no lorebook with id "${id}" in ${ctx.dataDir} (see: lorebook list)`);
        throw err;
      }
    });
    try {
      await writeFileAtomic(out, text);
    } catch (err) {
      throw new CliFailure(`cannot write ${out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    ctx.out(`Exported ${name} (${id}) to ${out}`);
    return 0;
  },
};

/**
 * `lore trace` with --json prints `{"activated": [...], "skipped": [...]}`. `reason` is one of key, constant,
 * recursion, decorator: an entry still active from an earlier reply (sticky) is reported as `key`, the reason
 * it first fired, with `"sticky": true`. The CLI starts from no timed effects, so that only shows with a state.
 */
const trace: CliCommand = {
  words: ['lore', 'trace'],
  synopsis: 'NPC_ID --message TEXT [--history FILE] [--seed N] [--json]',
  summary: "which lorebook entries would fire for a message (the NPC's own book, attached and linked ones), and why",
  options: {
    message: { type: 'string' },
    history: { type: 'string' },
    seed: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
  args: { min: 1, max: 1 },
  async run(ctx, { values, positionals }) {
    const npcId = positionals[0]!;
    if (typeof values.message !== 'string' || !values.message.trim()) throw new CliUsageError('--message TEXT is required', trace);
    const seed = values.seed === undefined ? 1 : Number(values.seed);
    if (!Number.isSafeInteger(seed)) throw new CliUsageError(`--seed must be a whole number, got "${String(values.seed)}"`, trace);
    const history = typeof values.history === 'string' ? await readHistory(resolve(values.history)) : [];
    const npcs = await ctx.npcs();
    let npc;
    try {
      npc = npcs.get(npcId);
    } catch (err) {
      if (err instanceof NpcNotFoundError) throw new CliFailure(`no NPC with id "${npcId}" in ${ctx.dataDir} (see: npc list)`);
      throw err;
    }
    const { books, named, missing } = await withLorebooks(ctx, async (store) => npcLorebooks(npc, store));
    for (const m of missing) ctx.err(`lore trace: lorebook ${m} of ${npc.card.name} not found; left out`);
    // As the NPC's chat would: its lore budget, its name for {{char}}.
    const result = activateLore(books, [...history, { role: 'user', content: values.message }], {
      seed,
      tokenBudget: loreBudget(books, budgetOf(npc.studio)),
      render: (t) => replaceMacros(t, { char: npc.card.name, user: 'User' }),
    });
    const report = traceReport(result, named);
    if (values.json) ctx.out(JSON.stringify(report));
    else printTrace(ctx.out, report, named.length);
    return 0;
  },
};

export interface TraceReportEntry {
  lorebook: string;
  lorebookId: string;
  entry: string;
  comment?: string;
  keys: string[];
}
export interface TraceReport {
  activated: (TraceReportEntry & { reason: 'key' | 'constant' | 'recursion' | 'decorator'; sticky?: true; matched: Matched | null })[];
  skipped: (TraceReportEntry & { reason: SkippedEntry['reason']; detail: string })[];
}
interface Matched {
  key?: string;
  secondaryKey?: string;
  decorator?: string;
  /** Where: "message 3 (user)", "messages", or "entry "<comment>" of <lorebook>" for recursion. */
  in?: string;
  excerpt?: string;
}

export function traceReport(result: ActivationTrace, books: TracedBook[]): TraceReport {
  const bookName = (id: string) => books.find((b) => b.id === id)?.name ?? id;
  const base = (e: ActivatedEntry | SkippedEntry): TraceReportEntry => ({
    lorebook: bookName(e.book),
    lorebookId: e.book,
    entry: e.entry,
    ...(e.comment ? { comment: e.comment } : {}),
    keys: e.keys,
  });
  const where = (m: MatchSource | undefined): Pick<Matched, 'in' | 'excerpt'> => {
    if (!m) return {};
    if (m.kind === 'message') return { in: `message ${m.index + 1} (${m.role})`, excerpt: m.excerpt };
    if (m.kind === 'messages') return { in: 'messages', excerpt: m.excerpt };
    return { in: `entry "${m.from.comment ?? m.from.entry}" of ${bookName(m.from.book)}`, excerpt: m.excerpt };
  };
  return {
    activated: result.activated.map((a) => {
      const t = a.trace;
      const reason = t.reason === 'sticky' ? 'key' : t.reason;
      const matched: Matched | null =
        t.key !== undefined || t.decorator !== undefined
          ? {
              ...(t.key !== undefined ? { key: t.key } : {}),
              ...(t.secondaryKey !== undefined ? { secondaryKey: t.secondaryKey } : {}),
              ...(t.decorator !== undefined ? { decorator: t.decorator } : {}),
              ...where(t.matchedIn),
            }
          : null;
      return { ...base(a), reason, ...(t.reason === 'sticky' ? { sticky: true as const } : {}), matched };
    }),
    skipped: result.skipped.map((s) => ({ ...base(s), reason: s.reason, detail: s.detail })),
  };
}

function printTrace(out: (line: string) => void, report: TraceReport, books: number): void {
  if (books === 0) out('This NPC has no lorebook (none on its card, none attached or linked).');
  const label = (e: TraceReportEntry) => `${e.lorebook} / ${e.comment ?? `entry ${e.entry}`}`;
  for (const a of report.activated) {
    const m = a.matched;
    const why =
      a.reason === 'constant'
        ? 'always on'
        : m?.decorator
          ? `decorator ${m.decorator}`
          : `key "${m?.key ?? ''}"${m?.in ? ` in ${m.in}` : ''}`;
    out(`fired\t${label(a)}\t${a.sticky ? 'still sticky from ' : ''}${a.reason}: ${why}`);
  }
  for (const s of report.skipped) out(`skipped\t${label(s)}\t${s.reason}: ${s.detail}`);
}

/** A history file: a JSON array of {role, content|text} (oldest first), or an object with such a `messages` or `turns` array. */
async function readHistory(file: string): Promise<LoreMessage[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliFailure(`cannot read the history file ${file}: ${code ?? `not valid JSON (${(err as Error).message})`}`);
  }
  const list = Array.isArray(raw)
    ? raw
    : ((raw as { messages?: unknown; turns?: unknown } | null)?.messages ?? (raw as { turns?: unknown } | null)?.turns);
  if (!Array.isArray(list))
    throw new CliFailure(`the history file ${file} is not a list of messages: expected [{"role": "user", "content": "…"}, …]`);
  return list.map((m: unknown, i) => {
    const item = m as { role?: unknown; content?: unknown; text?: unknown };
    const content = typeof item?.content === 'string' ? item.content : item?.text;
    if ((item?.role !== 'user' && item?.role !== 'assistant' && item?.role !== 'system') || typeof content !== 'string') {
      throw new CliFailure(`the history file ${file}: message ${i + 1} needs "role" (user or assistant) and "content" text`);
    }
    return { role: item.role, content };
  });
}

export const loreCommands: CliCommand[] = [list, exportBook, trace];
