import { access, mkdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { TranscriptRole } from '../../../shared/chat';
import { conversationIdSchema, type AuthorsNote } from '../../../shared/conversations';
import type { Health } from '../../../shared/health';
import { npcIdSchema } from '../../../shared/ids';
import { healthNow, type Provider } from '../lifecycle/provider';
import type { Logger } from '../log/logger';
import { openFilePaths } from '../resources/proc';
import { ConversationNotFoundError } from './chat-errors';
import { seedJournalText } from './conversation-seed';
import { StoreClosedError } from './npc-errors';
import { change, closeJournal, openConversation, peekConversation, type OpenConversation } from './open-conversation';
import { transcriptToJson, transcriptToMarkdown, type ExportNames } from './transcript-export';
import { ConversationState } from './transcript-fold';
import { checkedId, cursorNumber, keyOf, newConversationId } from './transcript-ids';
import { conversationFiles, draftsFileOf } from './transcript-io';
import { PartStore } from './transcript-parts';
import {
  type ConversationRef,
  type ConversationSettings,
  type ConversationView,
  type TranscriptEvent,
  type TranscriptMessage,
} from './transcript-schema';
import {
  TranscriptError,
  type ConversationInfo,
  type ConversationSeed,
  type ReplyInput,
  type TranscriptPage,
} from './transcript-store-api';
import { pageFromEnd } from './transcript-tail-page';
import { writeFileAtomicText } from './transcript-write';

export interface TranscriptStoreOptions {
  /** e.g. <user-data>/transcripts; conversations live in <dir>/<npcId>/<conversationId>.jsonl */
  dir: string;
  logger: Logger;
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
  private readonly partStores = new Map<string, Promise<PartStore>>();
  /** Deletions under way: their conversations are not opened again meanwhile (that would undo the delete). */
  private readonly deleting = new Map<string, Promise<boolean>>();
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
  async start(
    npcId: string,
    options: { conversationId?: string; greetings?: string[]; title?: string; personaId?: string | null } = {},
  ): Promise<ConversationView> {
    const ref = { npcId, conversationId: options.conversationId ?? newConversationId() };
    const at = new Date().toISOString();
    await this.change(ref, () => ({
      type: 'conversation-started',
      at,
      npcId,
      conversationId: ref.conversationId,
      ...(options.title ? { title: options.title } : {}),
      ...(options.personaId !== undefined ? { personaId: options.personaId } : {}),
    }));
    const [first, ...alternatives] = (options.greetings ?? []).filter((g) => g.trim() !== '');
    if (first !== undefined) {
      await this.change(ref, (state) => ({
        type: 'message-added',
        at,
        id: state.nextMessageId(),
        role: 'assistant',
        text: first,
        greeting: true,
        ...(alternatives.length ? { alternatives } : {}),
      }));
    }
    return this.view(ref);
  }

  /** The conversation as it stands, opening its journal if needed; ConversationNotFoundError when it has none. */
  async view(ref: ConversationRef): Promise<ConversationView> {
    return this.viewOf(await this.conversation(ref, 'read'));
  }

  /** The messages' roles, chosen texts and meta, oldest first: what a new turn reads, without the copies view() makes. */
  async history(ref: ConversationRef): Promise<Pick<TranscriptMessage, 'role' | 'text' | 'meta'>[]> {
    return (await this.conversation(ref, 'read')).state.chosen();
  }

  /** The conversation's settings as view() gives them, without copying its messages (a turn reads them as it starts). */
  async settings(ref: ConversationRef): Promise<ConversationSettings> {
    return (await this.conversation(ref, 'read')).state.currentSettings();
  }

  async listConversations(npcId: string): Promise<ConversationInfo[]> {
    this.open();
    return conversationFiles(join(this.dir, checkedId(npcIdSchema, npcId, 'npcId')));
  }

  async addMessage(ref: ConversationRef, role: TranscriptRole, input: ReplyInput): Promise<TranscriptMessage> {
    return touched(
      await this.change(ref, (state) => ({
        type: 'message-added',
        at: new Date().toISOString(),
        id: state.nextMessageId(),
        role,
        text: input.text,
        ...(input.interrupted ? { interrupted: true } : {}),
        ...(input.meta ? { meta: input.meta } : {}),
        ...(input.turn ? { turn: input.turn } : {}),
      })),
    );
  }

  /** A regenerated reply: added as a new swipe of `messageId` and chosen. */
  async addSwipe(ref: ConversationRef, messageId: string, input: ReplyInput): Promise<TranscriptMessage> {
    return touched(
      await this.change(ref, () => ({
        type: 'swipe-added',
        at: new Date().toISOString(),
        id: messageId,
        text: input.text,
        ...(input.interrupted ? { interrupted: true } : {}),
        ...(input.meta ? { meta: input.meta } : {}),
        ...(input.turn ? { turn: input.turn } : {}),
      })),
    );
  }

  /**
   * More text of a reply still streaming: `swipeOf` the message a regenerated reply will be a swipe of, `continues` the
   * message a continuation will be appended to (each recovered that way after a kill).
   */
  async appendDraft(ref: ConversationRef, turn: string, text: string, of: { swipeOf?: string; continues?: string } = {}): Promise<void> {
    const { swipeOf, continues } = of;
    await this.change(ref, () => ({
      type: 'reply-draft',
      at: new Date().toISOString(),
      turn,
      text,
      ...(swipeOf ? { swipeOf } : {}),
      ...(continues ? { continues } : {}),
    }));
  }

  /**
   * A continued reply: `text` appended to the chosen swipe of `messageId` (`turn` closes its drafts; `interrupted` marks
   * the reply, as a stopped continuation is partial).
   */
  async appendText(
    ref: ConversationRef,
    messageId: string,
    input: Pick<ReplyInput, 'text' | 'turn' | 'interrupted'>,
  ): Promise<TranscriptMessage> {
    const { text, turn, interrupted } = input;
    const at = new Date().toISOString();
    return touched(
      await this.change(ref, () => ({
        type: 'text-appended',
        at,
        id: messageId,
        text,
        ...(interrupted ? { interrupted: true } : {}),
        ...(turn ? { turn } : {}),
      })),
    );
  }

  /** Title, persona, author's note: a field left out stays, null clears. */
  async configure(
    ref: ConversationRef,
    settings: { title?: string; personaId?: string | null; authorsNote?: AuthorsNote | null },
  ): Promise<ConversationView> {
    await this.change(ref, () => ({ type: 'conversation-configured', at: new Date().toISOString(), ...settings }));
    return this.view(ref);
  }

  /**
   * The newest `limit` messages, or the ones before `cursor` (an olderCursor). A conversation not open yet is read
   * from its end (transcript-tail.ts), so a long one does not have to be read whole for its first page.
   */
  async page(ref: ConversationRef, limit: number, cursor?: string): Promise<TranscriptPage> {
    const before = cursor === undefined ? undefined : cursorNumber(ref, cursor);
    const key = keyOf(ref);
    if (before === undefined && !this.open().has(key)) {
      const tail = await pageFromEnd(this.fileOf(ref), ref, limit, () => this.partsOf(ref.npcId));
      if (tail) return tail;
    }
    const conv = await this.conversation(ref, 'read');
    await conv.queue;
    const messages = conv.state.pageBefore(before, limit + 1);
    const hasOlder = messages.length > limit;
    const page = hasOlder ? messages.slice(1) : messages;
    return { messages: page, olderCursor: hasOlder ? page[0]!.id : null, problems: [...conv.opened, ...conv.state.problems] };
  }

  /** Whether the conversation has a journal on disk. */
  async exists(ref: ConversationRef): Promise<boolean> {
    if (this.deleting.has(keyOf(ref))) return false;
    if (this.open().has(keyOf(ref))) return true;
    return access(this.fileOf(ref)).then(
      () => true,
      () => false,
    );
  }

  /**
   * Whether the conversation has started: an open one by its fold (after the changes already queued), one not open
   * by a journal with something in it (not read, so a long conversation's first page can still come from its end).
   */
  async hasStarted(ref: ConversationRef): Promise<boolean> {
    const pending = this.open().get(keyOf(ref));
    if (pending) {
      const conv = await pending;
      await conv.queue;
      return conv.state.hasStarted();
    }
    return stat(this.fileOf(ref)).then(
      (s) => s.size > 0,
      () => false,
    );
  }

  /** The conversation's view without keeping its journal open (for lists). */
  async peek(ref: ConversationRef): Promise<ConversationView> {
    const pending = this.open().get(keyOf(ref));
    if (pending) return this.viewOf(await pending);
    return peekConversation(this.fileOf(ref), ref, await this.partsOf(ref.npcId));
  }

  /**
   * Writes a whole new conversation (a branch, a duplicate, an import): every message with its swipes and their
   * meta, ids kept; the file is written atomically, so a failed write leaves no half conversation.
   */
  async create(npcId: string, seed: ConversationSeed, conversationId = newConversationId()): Promise<ConversationView> {
    const ref = { npcId, conversationId };
    if (await this.exists(ref)) throw new TranscriptError(ref, 'a conversation with this id already exists');
    const text = await seedJournalText(ref, seed, await this.partsOf(npcId));
    await mkdir(join(this.dir, npcId), { recursive: true });
    await writeFileAtomicText(this.fileOf(ref), text);
    return this.view(ref);
  }

  /** Deletes one conversation (its journal closed first); a second delete while one runs joins it. */
  deleteConversation(ref: ConversationRef): Promise<boolean> {
    const key = keyOf(ref);
    let deletion = this.deleting.get(key);
    if (!deletion) {
      deletion = this.removeConversation(ref).finally(() => this.deleting.delete(key));
      this.deleting.set(key, deletion);
    }
    return deletion;
  }

  private async removeConversation(ref: ConversationRef): Promise<boolean> {
    const file = this.fileOf(ref);
    const existed =
      this.open().has(keyOf(ref)) ||
      (await access(file).then(
        () => true,
        () => false,
      ));
    await this.closeConversation(ref);
    await rm(file, { force: true });
    await rm(draftsFileOf(file), { force: true });
    return existed;
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
    const parts = this.partStores.get(id);
    this.partStores.delete(id);
    await (await parts?.catch(() => null))?.close();
    await rm(join(this.dir, id), { recursive: true, force: true });
    this.log.info({ npcId: id, closed: keys.length }, 'conversations of a deleted NPC removed');
  }

  /** Waits for pending appends and closes every journal. Idempotent. */
  async cleanup(): Promise<void> {
    const all = this.conversations;
    this.conversations = null;
    if (!all) return;
    const results = await Promise.allSettled([...all.values()].map(async (p) => closeJournal(await p)));
    const partStores = [...this.partStores.values()];
    this.partStores.clear();
    await Promise.allSettled(partStores.map(async (p) => (await p).close()));
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
    return healthNow(
      problems ? 'degraded' : 'healthy',
      resources,
      problems ? { lastError: `${problems} transcript record(s) dropped or skipped; see the conversation's problems` } : {},
    );
  }

  /**
   * The conversation, its journal opened on first use. A read opens only a journal already on disk (none:
   * ConversationNotFoundError, and nothing is created); a write starts a missing one, afresh if it joined a read that
   * found none.
   */
  private conversation(ref: ConversationRef, use: 'read' | 'write' = 'write'): Promise<OpenConversation> {
    const conversations = this.open();
    const key = keyOf(ref);
    if (this.deleting.has(key)) return Promise.reject(new TranscriptError(ref, 'it is being deleted; pick another conversation'));
    let pending = conversations.get(key);
    if (!pending) {
      pending = this.openConversation(ref, use);
      conversations.set(key, pending);
      pending.catch(() => conversations.delete(key));
    }
    if (use === 'read') return pending;
    return pending.catch((err: unknown) => (err instanceof ConversationNotFoundError ? this.conversation(ref) : Promise.reject(err)));
  }

  private async openConversation(ref: ConversationRef, use: 'read' | 'write'): Promise<OpenConversation> {
    const file = this.fileOf(ref);
    if (use === 'write') await mkdir(dirname(file), { recursive: true });
    else if (!(await fileExists(file))) throw new ConversationNotFoundError(ref);
    return openConversation(file, ref, await this.partsOf(ref.npcId), this.log);
  }

  private partsOf(npcId: string): Promise<PartStore> {
    const id = checkedId(npcIdSchema, npcId, 'npcId');
    let pending = this.partStores.get(id);
    if (!pending) {
      pending = mkdir(join(this.dir, id), { recursive: true }).then(() => PartStore.open(join(this.dir, id, '.parts.jsonl')));
      this.partStores.set(id, pending);
      pending.catch(() => this.partStores.delete(id));
    }
    return pending;
  }

  private fileOf(ref: ConversationRef): string {
    const npcId = checkedId(npcIdSchema, ref.npcId, 'npcId');
    return join(this.dir, npcId, `${checkedId(conversationIdSchema, ref.conversationId, 'conversationId')}.jsonl`);
  }

  private async change(ref: ConversationRef, build: (state: ConversationState) => TranscriptEvent): Promise<TranscriptMessage | undefined> {
    return change(await this.conversation(ref), ref, build);
  }

  private viewOf(conv: OpenConversation): ConversationView {
    return conv.state.view(conv.opened);
  }

  private open(): Map<string, Promise<OpenConversation>> {
    if (!this.conversations) throw new StoreClosedError('the transcript store');
    return this.conversations;
  }
}

function fileExists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

function touched(message: TranscriptMessage | undefined): TranscriptMessage {
  if (!message) throw new Error('internal: the change touched no message');
  return message;
}
