import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Journal } from '../fs/journal';
import { formatZodPath } from '../fs/json-file';
import type { ReplyMeta, TranscriptRole } from '../../../shared/chat';
import type { Health } from '../../../shared/health';
import { healthNow, type Provider } from '../lifecycle/provider';
import type { Logger } from '../log/logger';
import { openFilePaths } from '../resources/proc';
import { StoreClosedError } from './npc-errors';
import { npcIdSchema } from '../../../shared/ids';
import { ConversationState } from './transcript-fold';
import { transcriptToJson, transcriptToMarkdown, type ExportNames } from './transcript-export';
import {
  conversationIdSchema,
  transcriptEventSchema,
  type ConversationRef,
  type ConversationView,
  type TranscriptEvent,
  type TranscriptMessage,
  type TranscriptProblem,
} from './transcript-schema';
import type { z } from 'zod';

export interface TranscriptStoreOptions {
  /** e.g. <user-data>/transcripts; conversations live in <dir>/<npcId>/<conversationId>.jsonl */
  dir: string;
  logger: Logger;
}

export interface ReplyInput {
  text: string;
  /** A partial reply (stopped by the user, or cut by shutdown). */
  interrupted?: boolean;
  meta?: ReplyMeta;
  /** The streamed turn this reply ends: closes its reply-draft events. */
  turn?: string;
}

/** Why a recovered draft ended: the host stopped without saving it. */
export const DRAFT_RECOVERED_REASON = 'NPC Studio ended before this reply finished; the text is what was saved while it streamed';

export interface ConversationInfo {
  conversationId: string;
  bytes: number;
  modifiedAt: string;
}

export class TranscriptError extends Error {
  constructor(ref: ConversationRef, reason: string) {
    super(`conversation ${ref.npcId}/${ref.conversationId}: ${reason}`);
    this.name = 'TranscriptError';
  }
}

interface OpenConversation {
  journal: Journal<TranscriptEvent>;
  state: ConversationState;
  /** What the journal reported on open (a dropped torn record, bad lines kept in place). */
  opened: TranscriptProblem[];
  /** Changes run one at a time, so an id is checked and written before the next change reads the state. */
  queue: Promise<unknown>;
}

/**
 * Conversations as append-only journals: every event is written and fsynced before the call resolves,
 * then folded into the in-memory view. A conversation opens on first use and stays open until close().
 */
export class TranscriptStore implements Provider {
  readonly id = 'transcript-store';
  readonly kind = 'transcript-store';
  readonly phase = 'stores' as const;
  private conversations: Map<string, Promise<OpenConversation>> | null = null;
  private readonly log: Logger;

  constructor(private readonly options: TranscriptStoreOptions) {
    this.log = options.logger.child({ module: 'transcript-store' });
  }

  get dir(): string {
    return this.options.dir;
  }

  async initialize(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    this.conversations = new Map();
  }

  /** Starts a conversation; `greetings` (first_mes, then alternate greetings, already rendered) open it as swipes. */
  async start(npcId: string, options: { conversationId?: string; greetings?: string[] } = {}): Promise<ConversationView> {
    const ref = { npcId, conversationId: options.conversationId ?? newConversationId() };
    const at = new Date().toISOString();
    await this.change(ref, () => ({ type: 'conversation-started', at, npcId, conversationId: ref.conversationId }));
    const [first, ...alternatives] = (options.greetings ?? []).filter((g) => g.trim() !== '');
    if (first !== undefined) {
      await this.change(ref, (state) => ({
        type: 'message-added', at, id: state.nextMessageId(), role: 'assistant', text: first, greeting: true,
        ...(alternatives.length ? { alternatives } : {}),
      }));
    }
    return this.view(ref);
  }

  /** The conversation as it stands, opening its journal if needed. */
  async view(ref: ConversationRef): Promise<ConversationView> {
    return this.viewOf(await this.conversation(ref));
  }

  async listConversations(npcId: string): Promise<ConversationInfo[]> {
    this.open();
    const folder = join(this.dir, checkedId(npcIdSchema, npcId, 'npcId'));
    let names: string[];
    try {
      names = await readdir(folder);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const infos: ConversationInfo[] = [];
    for (const name of names.filter((n) => n.endsWith('.jsonl'))) {
      const s = await stat(join(folder, name));
      infos.push({ conversationId: name.slice(0, -'.jsonl'.length), bytes: s.size, modifiedAt: s.mtime.toISOString() });
    }
    return infos.sort((a, b) => b.modifiedAt.localeCompare(a.modifiedAt));
  }

  async addMessage(ref: ConversationRef, role: TranscriptRole, input: ReplyInput): Promise<TranscriptMessage> {
    return touched(await this.change(ref, (state) => ({
      type: 'message-added', at: new Date().toISOString(), id: state.nextMessageId(), role, text: input.text,
      ...(input.interrupted ? { interrupted: true } : {}),
      ...(input.meta ? { meta: input.meta } : {}),
      ...(input.turn ? { turn: input.turn } : {}),
    })));
  }

  /** A regenerated reply: added as a new swipe of `messageId` and chosen. */
  async addSwipe(ref: ConversationRef, messageId: string, input: ReplyInput): Promise<TranscriptMessage> {
    return touched(await this.change(ref, () => ({
      type: 'swipe-added', at: new Date().toISOString(), id: messageId, text: input.text,
      ...(input.interrupted ? { interrupted: true } : {}),
      ...(input.meta ? { meta: input.meta } : {}),
      ...(input.turn ? { turn: input.turn } : {}),
    })));
  }

  /** More text of a reply still streaming (`swipeOf`: the message a regenerated reply will be a swipe of). */
  async appendDraft(ref: ConversationRef, turn: string, text: string, swipeOf?: string): Promise<void> {
    await this.change(ref, () => ({ type: 'reply-draft', at: new Date().toISOString(), turn, text, ...(swipeOf ? { swipeOf } : {}) }));
  }

  async chooseSwipe(ref: ConversationRef, messageId: string, index: number): Promise<TranscriptMessage> {
    return touched(await this.change(ref, () => ({ type: 'swipe-chosen', at: new Date().toISOString(), id: messageId, index })));
  }

  /** Replaces the text of the chosen swipe. */
  async editMessage(ref: ConversationRef, messageId: string, text: string): Promise<TranscriptMessage> {
    return touched(await this.change(ref, () => ({ type: 'message-edited', at: new Date().toISOString(), id: messageId, text })));
  }

  async deleteMessage(ref: ConversationRef, messageId: string): Promise<void> {
    await this.change(ref, () => ({ type: 'message-deleted', at: new Date().toISOString(), id: messageId }));
  }

  async exportTranscript(ref: ConversationRef, format: 'json' | 'markdown', names: ExportNames = {}): Promise<string> {
    const view = await this.view(ref);
    return format === 'json' ? transcriptToJson(view, names) : transcriptToMarkdown(view, names);
  }

  /** Closes one conversation's journal (e.g. when its NPC is deleted). */
  async closeConversation(ref: ConversationRef): Promise<void> {
    const key = keyOf(ref);
    const pending = this.conversations?.get(key);
    if (!pending) return;
    this.conversations!.delete(key);
    const conv = await pending.catch(() => null);
    if (conv) await closeJournal(conv);
  }

  /** Deletes every conversation of an NPC (its journals closed first): a new NPC with the same id starts empty. */
  async deleteNpc(npcId: string): Promise<void> {
    const id = checkedId(npcIdSchema, npcId, 'npcId');
    const conversations = this.open();
    const keys = [...conversations.keys()].filter((key) => key.startsWith(`${id}/`));
    for (const key of keys) {
      const [, conversationId] = key.split('/') as [string, string];
      await this.closeConversation({ npcId: id, conversationId });
    }
    await rm(join(this.dir, id), { recursive: true, force: true });
    this.log.info({ npcId: id, closed: keys.length }, 'conversations of a deleted NPC removed');
  }

  /** Waits for pending appends and closes every journal. Idempotent. */
  async cleanup(): Promise<void> {
    const all = this.conversations;
    this.conversations = null;
    if (!all) return;
    const results = await Promise.allSettled([...all.values()].map(async (p) => closeJournal(await p)));
    const failed = results.filter((r) => r.status === 'rejected').length;
    this.log.info({ conversations: all.size, failed }, 'transcript store closed');
  }

  async healthCheck(): Promise<Health> {
    const open = this.conversations ? [...this.conversations.values()] : [];
    const settled = await Promise.all(open.map((p) => p.catch(() => null)));
    const problems = settled.reduce((n, c) => n + (c ? c.opened.length + c.state.problems.length : 0), 0);
    const resources = {
      openConversations: settled.filter((c) => c?.journal.isOpen).length,
      openFiles: openFilePaths().filter((p) => p.startsWith(this.dir + '/')).length,
      problems,
    };
    if (!this.conversations) return healthNow('stopped', resources);
    return healthNow(problems ? 'degraded' : 'healthy', resources, problems ? { lastError: `${problems} transcript record(s) dropped or skipped; see the conversation's problems` } : {});
  }

  private conversation(ref: ConversationRef): Promise<OpenConversation> {
    const conversations = this.open();
    const key = keyOf(ref);
    let pending = conversations.get(key);
    if (!pending) {
      pending = this.openConversation(ref);
      conversations.set(key, pending);
      pending.catch(() => conversations.delete(key));
    }
    return pending;
  }

  private async openConversation(ref: ConversationRef): Promise<OpenConversation> {
    const npcId = checkedId(npcIdSchema, ref.npcId, 'npcId');
    const conversationId = checkedId(conversationIdSchema, ref.conversationId, 'conversationId');
    await mkdir(join(this.dir, npcId), { recursive: true });
    const file = join(this.dir, npcId, `${conversationId}.jsonl`);
    const { journal, records, problems } = await Journal.open(file, transcriptEventSchema);
    const opened = problems.map((p) => ({ line: p.line, reason: p.reason, dropped: p.dropped }));
    for (const p of opened) this.log.warn({ file, line: p.line, dropped: p.dropped }, `transcript: ${p.reason}`);
    const state = new ConversationState(npcId, conversationId);
    records.forEach((event) => state.apply(event, undefined, true));
    for (const p of state.problems) this.log.warn({ file }, `transcript: ${p.reason}`);
    await recoverDrafts(journal, state, this.log, file);
    return { journal, state, opened, queue: Promise.resolve() };
  }

  /**
   * Builds the event from the current state, refuses it if it cannot apply (nothing written), appends it
   * (fsynced) and folds it in. Returns the message the event touched, when it touched one.
   */
  private async change(ref: ConversationRef, build: (state: ConversationState) => TranscriptEvent): Promise<TranscriptMessage | undefined> {
    const conv = await this.conversation(ref);
    const run = conv.queue.then(async () => {
      const event = build(conv.state);
      const problem = conv.state.check(event);
      if (problem) throw new TranscriptError(ref, problem);
      await conv.journal.append(event);
      conv.state.apply(event);
      return 'id' in event ? conv.state.message(event.id) : undefined;
    });
    conv.queue = run.catch(() => undefined);
    return run;
  }

  private viewOf(conv: OpenConversation): ConversationView {
    return conv.state.view(conv.opened);
  }

  private open(): Map<string, Promise<OpenConversation>> {
    if (!this.conversations) throw new StoreClosedError('the transcript store');
    return this.conversations;
  }
}

/**
 * Replies that were streaming when the host was killed: each becomes an interrupted reply with the text its
 * drafts saved, written to the journal so the mark stays.
 */
async function recoverDrafts(journal: Journal<TranscriptEvent>, state: ConversationState, log: Logger, file: string): Promise<void> {
  for (const draft of state.openDrafts()) {
    const at = new Date().toISOString();
    const common = { at, text: draft.text, interrupted: true, meta: { interruptedBy: DRAFT_RECOVERED_REASON }, turn: draft.turn };
    const event: TranscriptEvent = draft.swipeOf && state.canTakeSwipe(draft.swipeOf)
      ? { type: 'swipe-added', id: draft.swipeOf, ...common }
      : { type: 'message-added', id: state.nextMessageId(), role: 'assistant', ...common };
    await journal.append(event);
    state.apply(event);
    log.warn({ file, turn: draft.turn, chars: draft.text.length }, 'transcript: a reply cut by an unclean exit was recovered, interrupted');
  }
}

function touched(message: TranscriptMessage | undefined): TranscriptMessage {
  if (!message) throw new Error('internal: the change touched no message');
  return message;
}

async function closeJournal(conv: OpenConversation): Promise<void> {
  await conv.queue;
  await conv.journal.close();
}

function keyOf(ref: ConversationRef): string {
  return `${ref.npcId}/${ref.conversationId}`;
}

function checkedId(schema: z.ZodType<string>, value: string, name: string): string {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Error(`${name} "${value}" ${parsed.error.issues[0]!.message} (${formatZodPath(parsed.error.issues[0]!.path) || name})`);
  return parsed.data;
}

/** Sortable by start time: c-<base36 ms>-<random>. */
function newConversationId(): string {
  return `c-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}
