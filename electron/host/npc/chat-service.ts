import { randomUUID } from 'node:crypto';
import { MAIN_CONVERSATION } from '../../../shared/conversations';
import type { ImpersonateResult } from '../../../shared/chat';
import type { Npc } from '../../../shared/npc';
import { ChatInputError, ConversationNotFoundError } from './chat-errors';
import { lastReplyIndex, loreStateBefore, toChatMessages } from './chat-history';
import type { ChatServiceOptions, StartedTurn } from './chat-types';
import { Impersonations } from './impersonations';
import { NpcDeletingError } from './npc-errors';
import type { ResolvedPersona } from './persona-store';
import { assemblePrompt, chatRequestOf } from './prompt/assemble';
import { renderGreetings } from './prompt/macros';
import type { ConversationRef, ConversationView } from './transcript-schema';
import { TranscriptError } from './transcript-store-api';
import { TurnRunner } from './turn-runner';

/**
 * The chat a designer has with an NPC: conversations started with the card's greetings, and each kind of turn
 * (send, regenerate, continue, edit and resend, impersonate) planned from the conversation as it stands; the
 * turns run in turn-runner.ts.
 */
export class ChatService {
  private readonly starting = new Map<string, Promise<void>>();
  private readonly turns: TurnRunner;
  private readonly impersonations = new Impersonations();

  constructor(private readonly options: ChatServiceOptions) {
    this.turns = new TurnRunner(options, (settings) => this.resolvePersona(settings.personaId));
  }

  refOf(npcId: string, conversationId: string = MAIN_CONVERSATION): ConversationRef {
    return { npcId, conversationId };
  }

  /** The conversation; the main one is started (with the card's greetings as its first message) on first use. */
  async conversation(npcId: string, conversationId: string = MAIN_CONVERSATION): Promise<ConversationView> {
    await this.ensureStarted(npcId, conversationId);
    return this.options.transcripts.view(this.refOf(npcId, conversationId));
  }

  /**
   * Resolves once the conversation has started: a start under way is awaited, the main conversation never used is
   * started. The check itself is shared while it runs, so a reader (chat.page) never sees a conversation a list or
   * a send has just opened but not yet greeted.
   */
  ensureStarted(npcId: string, conversationId: string = MAIN_CONVERSATION, npc: Npc = this.options.npcs.get(npcId)): Promise<void> {
    const key = `${npcId}/${conversationId}`;
    let pending = this.starting.get(key);
    if (!pending) {
      pending = this.startIfNew(npc, this.refOf(npcId, conversationId)).finally(() => this.starting.delete(key));
      this.starting.set(key, pending);
    }
    return pending;
  }

  private async startIfNew(npc: Npc, ref: ConversationRef): Promise<void> {
    const { transcripts } = this.options;
    if (ref.conversationId !== MAIN_CONVERSATION && !(await transcripts.exists(ref))) throw new ConversationNotFoundError(ref);
    if (await transcripts.hasStarted(ref)) return;
    // Its folder is being removed: a journal started now would come back as a conversation of a deleted NPC.
    if (this.turns.npcDeleting(npc.id)) throw new NpcDeletingError(npc.card.name, npc.id);
    await transcripts.start(ref.npcId, { conversationId: ref.conversationId, greetings: renderGreetings(npc.card, this.names(npc, null)) });
  }

  /** A new conversation with the card's greetings (rendered for its persona). */
  async createConversation(npcId: string, options: { title?: string; personaId?: string | null } = {}): Promise<ConversationView> {
    const npc = this.options.npcs.get(npcId);
    const greetings = renderGreetings(npc.card, this.names(npc, options.personaId ?? null));
    return this.options.transcripts.start(npcId, { greetings, ...options });
  }

  /** The persona a conversation plays: its own, else the default, else "User". */
  personaOf(view: ConversationView): ResolvedPersona {
    return this.resolvePersona(view.settings.personaId);
  }

  /** No persona chosen and none by default: the service's userName (else "User"). */
  private resolvePersona(personaId: string | null): ResolvedPersona {
    const found = this.options.personas?.resolve(personaId);
    return found?.personaId ? found : { name: this.options.userName ?? found?.name ?? 'User', description: '' };
  }

  private names(npc: Npc, personaId: string | null): { char: string; user: string } {
    return { char: npc.card.name, user: this.resolvePersona(personaId).name };
  }

  /** Streaming turns not yet saved, for the history view. */
  inProgress(npcId: string, conversationId: string = MAIN_CONVERSATION): { turnId: string; text: string; alternative: number }[] {
    return this.turns.inProgress(npcId, conversationId);
  }

  /** Saves the designer's message and starts the reply. Rejects with ShuttingDownError once shutdown has begun. */
  async send(npcId: string, text: string, conversationId: string = MAIN_CONVERSATION): Promise<StartedTurn> {
    // Read, not copied: copying the NPC cost the first token about 0.08 ms (bench part `stream`); the turn only reads it.
    const npc = this.options.npcs.peek(npcId);
    const ref = this.refOf(npcId, conversationId);
    if (typeof text !== 'string' || !text.trim()) throw new ChatInputError('text', 'the message is empty; say something');
    return this.turns.begin(npc, ref, async () => {
      await this.ensureStarted(npcId, conversationId, npc);
      // Roles and texts only: a full view() would copy every message with its swipes, and the first token waits for it.
      const messages = await this.options.transcripts.history(ref);
      // The message is written (fsynced) while the reply starts: the first token need not wait for the disk.
      const userSaved = this.options.transcripts.addMessage(ref, 'user', { text });
      return {
        ref,
        mode: 'reply',
        userSaved,
        alternative: 0,
        history: [...toChatMessages(messages), { role: 'user', content: text }],
        latestText: text,
        ...loreStateBefore(messages, messages.length),
        // Never a reply without its question: the reply is written only once the message is on disk.
        // A failed reply is kept even when empty: the transcript says the message went unanswered and why.
        save: async (reply) => {
          await userSaved;
          return (await this.options.transcripts.addMessage(ref, 'assistant', reply)).id;
        },
      };
    });
  }

  /** A new alternative (swipe) for the assistant message `messageId`, which must be the last message. */
  async regenerate(npcId: string, messageId: string, conversationId: string = MAIN_CONVERSATION): Promise<StartedTurn> {
    const npc = this.options.npcs.get(npcId);
    const ref = this.refOf(npcId, conversationId);
    return this.turns.begin(npc, ref, async () => {
      const view = await this.conversation(npcId, conversationId);
      const index = lastReplyIndex(view, messageId, ref, npc, 'regenerated');
      const history = toChatMessages(view.messages.slice(0, index));
      const latest = history.at(-1);
      if (latest?.role !== 'user') throw new TranscriptError(ref, `reply ${messageId} answers no message of yours; send one first`);
      const target = view.messages[index]!;
      return {
        ref,
        mode: 'reply',
        alternative: target.swipes.length,
        swipeOf: messageId,
        // The state from before the reply being regenerated: its own effects are not counted twice.
        ...loreStateBefore(view.messages, index),
        history,
        latestText: latest.content,
        // A failed attempt with nothing streamed adds no empty alternative: the chosen reply stays as it was.
        save: async (reply, failedEmpty) => (failedEmpty ? messageId : (await this.options.transcripts.addSwipe(ref, messageId, reply)).id),
      };
    });
  }

  /**
   * Extends the last reply: the model continues its chosen alternative, and the new text is appended to it.
   * The continuation is journaled as drafts while it streams: after a kill it is appended, marked interrupted.
   */
  async continueReply(npcId: string, messageId: string, conversationId: string = MAIN_CONVERSATION): Promise<StartedTurn> {
    const npc = this.options.npcs.get(npcId);
    const ref = this.refOf(npcId, conversationId);
    return this.turns.begin(npc, ref, async () => {
      const view = await this.conversation(npcId, conversationId);
      const index = lastReplyIndex(view, messageId, ref, npc, 'continued');
      const target = view.messages[index]!;
      const history = toChatMessages(view.messages.slice(0, index + 1));
      return {
        ref,
        mode: 'continue',
        alternative: target.chosen,
        continues: messageId,
        ...loreStateBefore(view.messages, index),
        history,
        latestText: target.text,
        save: async (reply) => {
          if (!reply.text) return messageId;
          return (await this.options.transcripts.appendText(ref, messageId, reply)).id;
        },
      };
    });
  }

  /** Replaces the text of the user message `messageId`, deletes every message after it, and answers it again. */
  async editAndResend(npcId: string, messageId: string, text: string, conversationId: string = MAIN_CONVERSATION): Promise<StartedTurn> {
    const npc = this.options.npcs.get(npcId);
    const ref = this.refOf(npcId, conversationId);
    if (typeof text !== 'string' || !text.trim()) throw new ChatInputError('text', 'the message is empty; say something');
    return this.turns.begin(npc, ref, async () => {
      const view = await this.conversation(npcId, conversationId);
      const index = view.messages.findIndex((m) => m.id === messageId);
      if (view.messages[index]?.role !== 'user') {
        throw new TranscriptError(ref, `message ${messageId} is not one of yours; only your messages can be edited and sent again`);
      }
      const { transcripts } = this.options;
      const userSaved = (async () => {
        for (const later of view.messages.slice(index + 1).reverse()) await transcripts.deleteMessage(ref, later.id);
        return transcripts.editMessage(ref, messageId, text);
      })();
      return {
        ref,
        mode: 'reply',
        userSaved,
        alternative: 0,
        history: [...toChatMessages(view.messages.slice(0, index)), { role: 'user', content: text }],
        latestText: text,
        ...loreStateBefore(view.messages, index),
        save: async (reply) => {
          await userSaved;
          return (await transcripts.addMessage(ref, 'assistant', reply)).id;
        },
      };
    });
  }

  /**
   * Drafts the designer's next line in their persona's voice (SillyTavern's impersonate); nothing is saved. One per
   * conversation at a time; stopImpersonate ends it with `stopped: true` and the text drafted so far. Aborted any other
   * way (a shutdown, the caller's `signal`) it rejects with that abort, which the router answers as ShuttingDown.
   */
  async impersonate(npcId: string, conversationId: string = MAIN_CONVERSATION, signal?: AbortSignal): Promise<ImpersonateResult> {
    const npc = this.options.npcs.get(npcId);
    if (this.turns.npcDeleting(npcId)) throw new NpcDeletingError(npc.card.name, npcId);
    const running = this.impersonations.begin(this.refOf(npcId, conversationId), signal);
    let text = '';
    try {
      const view = await this.conversation(npcId, conversationId);
      const history = toChatMessages(view.messages);
      if (history.length === 0) throw new ChatInputError('conversation', 'the conversation is empty; there is nothing to answer yet');
      await this.options.engine.run(
        `impersonate ${npcId}`,
        async (runSignal) => {
          runSignal.throwIfAborted();
          const persona = this.personaOf(view);
          const lore = { ...this.turns.loreOf(npc, `imp-${randomUUID()}`), ...loreStateBefore(view.messages, view.messages.length) };
          const prompt = assemblePrompt({
            npcId,
            card: npc.card,
            studio: npc.studio,
            history,
            persona,
            authorsNote: view.settings.authorsNote,
            mode: 'impersonate',
            lore: { books: lore.books, named: lore.named, seed: lore.seed, ...(lore.loreState ? { state: lore.loreState } : {}) },
          });
          const request = chatRequestOf(prompt);
          for await (const event of this.options.processorFor(npc.studio.processor).chat(request, runSignal)) {
            if (event.type === 'token') text += event.text;
          }
        },
        running.signal,
      );
      return { text: text.trim(), stopped: false };
    } catch (err) {
      if (running.stoppedByUser()) return { text: text.trim(), stopped: true };
      throw err;
    } finally {
      running.end();
    }
  }

  /** Stops the conversation's impersonation; false when none is running. */
  stopImpersonate(npcId: string, conversationId: string = MAIN_CONVERSATION): boolean {
    return this.impersonations.stop(this.refOf(npcId, conversationId));
  }

  /** Stops a streaming turn; false when it is not streaming (already finished or unknown). */
  stop(turnId: string): boolean {
    return this.turns.stop(turnId);
  }

  /**
   * Deletes a conversation for good; false when there was none. A reply streaming into it is stopped first and ends
   * with chat.done (`conversationDeleted`), nothing of it saved; no turn starts in it while it is deleted.
   */
  deleteConversation(npcId: string, conversationId: string): Promise<boolean> {
    const ref = this.refOf(npcId, conversationId);
    return this.turns.deleteConversation(ref, () => this.options.transcripts.deleteConversation(ref));
  }

  /**
   * Runs `remove` (the NPC's deletion, npc-deletion.ts) once nothing of the NPC streams: its replies, in every
   * conversation, are stopped and end with chat.done (`conversationDeleted`), nothing of them saved; its impersonations
   * are stopped (`stopped: true`); and neither starts for it until `remove` is done.
   */
  deleteNpc<T>(npcId: string, remove: () => Promise<T>): Promise<T> {
    // Both are stopped in this same tick, so nothing of the NPC starts in between.
    const drafts = this.impersonations.stopNpc(npcId);
    return this.turns.deleteNpc(npcId, async () => {
      await drafts;
      return remove();
    });
  }
}
