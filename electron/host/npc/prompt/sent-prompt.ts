import type { KnowledgeChunk, SentMessage, SentPiece } from '../../../../shared/chat';
import type { ActivatedEntry, TracedBook } from '../../../../shared/lorebook-trace';
import type { ChatMessage } from '../../processors/processor';
import { KNOWLEDGE_HEADING, knowledgeLine } from './system-prompt';

/**
 * The prompt as sent, piece by piece with where each came from (the prompt viewer's data). The system prompt's
 * text is rebuilt from these pieces by the same rule as composeSystem (blocks trimmed, blank ones left out,
 * joined by a blank line), so the pieces add up to exactly what was sent.
 */

export type Block = SentPiece[];

export function loreBlock(e: ActivatedEntry, books: readonly TracedBook[]): Block {
  return [lorePiece(e, books)];
}

export function lorePiece(e: ActivatedEntry, books: readonly TracedBook[]): SentPiece {
  return { kind: 'lorebook', text: e.content, book: books.find((b) => b.id === e.book)?.name ?? e.book, entry: e.entry };
}

export function knowledgeBlock(chunks: readonly KnowledgeChunk[]): Block {
  if (chunks.length === 0) return [];
  return [
    { kind: 'heading', text: KNOWLEDGE_HEADING },
    ...chunks.map((c): SentPiece => ({
      kind: 'knowledge',
      text: knowledgeLine(c),
      sep: '\n',
      source: c.source,
      ...(c.sourceId ? { sourceId: c.sourceId } : {}),
    })),
  ];
}

/** Pieces joined with '\n\n', blank ones left out (as the examples section is built). */
export function joinedBlock(pieces: readonly SentPiece[]): Block {
  return pieces
    .filter((p) => p.text.trim() !== '')
    .map((p, i) => ({ ...p, sep: i === 0 ? undefined : '\n\n' }))
    .map(withoutUndefined);
}

/** The system message: blocks trimmed, blank ones left out, joined with a blank line. */
export function systemPieces(blocks: readonly Block[]): SentPiece[] {
  const out: SentPiece[] = [];
  for (const block of blocks) {
    const trimmed = trimBlock(block);
    if (trimmed.length === 0) continue;
    trimmed.forEach((p, i) => out.push(withoutUndefined({ ...p, sep: i === 0 ? (out.length ? '\n\n' : undefined) : p.sep })));
  }
  return out;
}

export function piecesText(pieces: readonly SentPiece[]): string {
  return pieces.map((p, i) => (i === 0 ? '' : (p.sep ?? '')) + p.text).join('');
}

/** The block as composeSystem would trim it: leading space off its first piece, trailing off its last. */
function trimBlock(block: Block): Block {
  const text = piecesText(block);
  if (text.trim() === '') return [];
  const pieces = block.map((p) => ({ ...p }));
  while (pieces.length && pieces[0]!.text.trim() === '') pieces.shift();
  while (pieces.length && pieces.at(-1)!.text.trim() === '') pieces.pop();
  pieces[0] = { ...pieces[0]!, text: pieces[0]!.text.trimStart() };
  pieces[pieces.length - 1] = { ...pieces.at(-1)!, text: pieces.at(-1)!.text.trimEnd() };
  return pieces;
}

function withoutUndefined(p: SentPiece): SentPiece {
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as SentPiece;
}

/**
 * The chat part of the prompt: runs of kept history as `{ history: n }`, the message answered as `{ latest }`,
 * and the inserted messages (lore at depth, author's note, post-history) as pieces with their sources.
 */
export function sentChat(
  messages: readonly ChatMessage[],
  kept: ReadonlySet<ChatMessage>,
  latest: ChatMessage,
  sources: ReadonlyMap<ChatMessage, SentPiece>,
  latestAsPiece: boolean,
): SentMessage[] {
  const out: SentMessage[] = [];
  for (const m of messages) {
    if (kept.has(m)) {
      const last = out.at(-1);
      if (last && 'history' in last) last.history += 1;
      else out.push({ history: 1 });
    } else if (m === latest && !latestAsPiece) {
      out.push({ latest: true });
    } else {
      const piece = sources.get(m) ?? { kind: m === latest ? 'user' : 'system', text: m.content };
      out.push({ role: m.role, pieces: [piece] });
    }
  }
  return out;
}
