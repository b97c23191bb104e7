import { randomUUID } from 'node:crypto';
import type { KnowledgeChunk, Usage } from '../../../shared/chat';
import { MAIN_CONVERSATION } from '../../../shared/conversations';
import { errorMessage } from '../../../shared/errors';
import type { Npc } from '../../../shared/npc';
import { isAbortError } from '../engine/errors';
import { npcLorebooks, seedOf } from '../lore/npc-lore';
import { ConversationNotFoundError, TurnBusyError } from './chat-errors';
import type { ChatServiceOptions, StartedTurn, StreamingTurn, TurnOutcome, TurnPlan } from './chat-types';
import { NpcDeletingError } from './npc-errors';
import type { ResolvedPersona } from './persona-store';
import { assemblePrompt, chatRequestOf, type AssembledPrompt } from './prompt/assemble';
import { ReplyDraft } from './reply-draft';
import { ReplyText } from './reply-text';
import { keptUsage, replyMeta } from './reply-meta';
import type { ConversationRef, ConversationSettings } from './transcript-schema';

/**
 * Runs chat turns: admit (engine) → retrieve → assemble → stream → persist. Admission comes first, so a turn refused
 * at shutdown writes nothing. A stopped or drained turn keeps its partial reply, marked interrupted; the stop
 * reaches the backend as an aborted request. One turn streams per NPC at a time.
 */
export class TurnRunner {
  private readonly streaming = new Map<string, StreamingTurn>();
  /** Conversations being deleted (how many deletes of each run): no turn starts in them. */
  private readonly deleting = new Map<string, number>();
  /** NPCs being deleted, the same way: no turn starts for them. */
  private readonly deletingNpcs = new Map<string, number>();

  constructor(
    private readonly options: ChatServiceOptions,
    /** The persona a conversation with these settings plays (chat-service.ts). */
    private readonly personaOf: (settings: ConversationSettings) => ResolvedPersona,
  ) {}

  /** Streaming turns not yet saved, for the history view. */
  inProgress(npcId: string, conversationId: string = MAIN_CONVERSATION): { turnId: string; text: string; alternative: number }[] {
    return [...this.streaming.entries()]
      .filter(([, t]) => t.npcId === npcId && t.conversationId === conversationId && t.alternative >= 0)
      .map(([turnId, t]) => ({ turnId, text: t.reply.text, alternative: t.alternative }));
  }

  /** The lorebooks an NPC's turn scans, and the seed of its rolls. */
  loreOf(npc: Npc, turnId: string) {
    const books = npcLorebooks(npc, this.options.lorebooks ?? null);
    if (books.missing.length) {
      this.options.logger.warn({ npcId: npc.id }, `Lorebooks of ${npc.card.name} not found, left out: ${books.missing.join(', ')}`);
    }
    return { books: books.books, named: books.named, seed: seedOf(turnId) };
  }

  /** Stops a streaming turn; false when it is not streaming (already finished or unknown). */
  stop(turnId: string): boolean {
    const turn = this.streaming.get(turnId);
    if (!turn) return false;
    turn.controller.abort(new DOMException('stopped by the user', 'AbortError'));
    return true;
  }

  /**
   * Runs `remove` (the conversation's deletion) once no reply streams into it: its turns are stopped and have ended,
   * saving nothing, and none can start in it until `remove` is done. So nothing writes the conversation back.
   */
  deleteConversation<T>(ref: ConversationRef, remove: () => Promise<T>): Promise<T> {
    const inIt = (t: StreamingTurn) => t.npcId === ref.npcId && t.conversationId === ref.conversationId;
    return this.stopThenRemove(this.deleting, `${ref.npcId}/${ref.conversationId}`, inIt, 'the conversation was deleted', remove);
  }

  /** The same for a whole NPC (npc-deletion.ts): its turns in every conversation stop, and none starts for it meanwhile. */
  deleteNpc<T>(npcId: string, remove: () => Promise<T>): Promise<T> {
    return this.stopThenRemove(this.deletingNpcs, npcId, (t) => t.npcId === npcId, 'the NPC was deleted', remove);
  }

  /** Whether the NPC is being deleted (deleteNpc): nothing new may start for it. */
  npcDeleting(npcId: string): boolean {
    return this.deletingNpcs.has(npcId);
  }

  /** Marks `key` (synchronously, so no turn slips in), stops the matching turns as deleted, awaits them, runs `remove`. */
  private async stopThenRemove<T>(
    marks: Map<string, number>,
    key: string,
    matches: (turn: StreamingTurn) => boolean,
    why: string,
    remove: () => Promise<T>,
  ): Promise<T> {
    marks.set(key, (marks.get(key) ?? 0) + 1);
    try {
      const turns = [...this.streaming.values()].filter(matches);
      for (const turn of turns) {
        turn.conversationDeleted = true;
        turn.controller.abort(new DOMException(why, 'AbortError'));
      }
      await Promise.all(turns.map((t) => t.finished));
      return await remove();
    } finally {
      const left = marks.get(key)! - 1;
      if (left > 0) marks.set(key, left);
      else marks.delete(key);
    }
  }

  /** Admits the turn, runs `prepare` inside it, and resolves once prepared; the reply streams on in `finished`. */
  begin(npc: Npc, ref: ConversationRef, prepare: () => Promise<TurnPlan>): Promise<StartedTurn> {
    const { engine, events, logger } = this.options;
    const npcId = npc.id;
    if (this.deletingNpcs.has(npcId)) return Promise.reject(new NpcDeletingError(npc.card.name, npcId));
    if (this.deleting.has(`${npcId}/${ref.conversationId}`)) return Promise.reject(new ConversationNotFoundError(ref));
    const busy = [...this.streaming.entries()].find(([, t]) => t.npcId === npcId);
    if (busy) return Promise.reject(new TurnBusyError(npcId, busy[0]));

    const turnId = `t-${randomUUID()}`;
    const turn: StreamingTurn = {
      npcId,
      conversationId: ref.conversationId,
      controller: new AbortController(),
      reply: new ReplyText(),
      alternative: -1,
    };
    this.streaming.set(turnId, turn);
    let prepared = false;
    let announce!: (plan: TurnPlan) => void;
    let refuse!: (err: unknown) => void;
    const planned = new Promise<TurnPlan>((resolve, reject) => ((announce = resolve), (refuse = reject)));

    const work = engine.run(
      `chat ${npcId}`,
      async (signal) => {
        const plan = await prepare();
        prepared = true;
        turn.alternative = plan.alternative;
        plan.userSaved?.catch((err: unknown) => turn.controller.abort(err));
        announce(plan);
        return this.stream(turnId, turn, npc, plan, signal);
      },
      turn.controller.signal,
    );
    const finished = work.catch((err: unknown): TurnOutcome => {
      this.streaming.delete(turnId);
      refuse(err); // refused (shutting down) or not prepared: send() rejects with it, no events
      if (!prepared) return { turnId, messageId: '', text: '', interrupted: false, error: errorMessage(err) };
      // Streamed, but the reply could not be saved.
      logger.error({ npcId, turnId }, `Chat reply of ${npcId} could not be saved: ${errorMessage(err)}`);
      events.error({ turnId, npcId, conversationId: ref.conversationId, alternative: turn.alternative, error: err });
      return { turnId, messageId: '', text: turn.reply.text, interrupted: true, error: errorMessage(err) };
    });
    turn.finished = finished;
    return planned.then(async (plan) => {
      const userMessageId = plan.userSaved ? (await plan.userSaved).id : undefined;
      return { ...(userMessageId ? { userMessageId } : {}), turnId, alternative: plan.alternative, finished };
    });
  }

  private async stream(turnId: string, turn: StreamingTurn, npc: Npc, plan: TurnPlan, signal: AbortSignal): Promise<TurnOutcome> {
    const { events, logger } = this.options;
    const { npcId, conversationId, alternative } = turn;
    let prompt: AssembledPrompt | undefined;
    let persona: ResolvedPersona | undefined;
    let usage: Usage | undefined;
    let failure: unknown;
    let interrupted = false;
    let interruption: unknown;
    const ref = plan.ref;
    const draft = new ReplyDraft(
      async (text) => {
        if (turn.conversationDeleted) return;
        await this.options.transcripts.appendDraft(ref, turnId, text, { swipeOf: plan.swipeOf, continues: plan.continues });
      },
      (err) => logger.warn({ npcId, turnId }, `Could not journal the streaming reply of ${npcId} (saved at its end): ${errorMessage(err)}`),
    );
    try {
      const chunks = await this.retrieve(npcId, plan.latestText);
      signal.throwIfAborted();
      const lore = { ...this.loreOf(npc, turnId), ...(plan.loreState ? { state: plan.loreState } : {}) };
      const local = npc.studio.processor === 'local';
      const modelContextLength = local ? await this.options.modelContextLength?.(npc.studio.model, signal) : undefined;
      const settings = await this.options.transcripts.settings(ref);
      persona = this.personaOf(settings);
      prompt = assemblePrompt({
        npcId,
        card: npc.card,
        studio: npc.studio,
        history: plan.history,
        chunks,
        userName: this.options.userName,
        lore,
        modelContextLength,
        persona,
        authorsNote: settings.authorsNote,
        mode: plan.mode,
      });
      const request = chatRequestOf(prompt);
      const processor = this.options.processorFor(npc.studio.processor);
      for await (const event of processor.chat(request, signal)) {
        if (event.type === 'token') {
          turn.reply.add(event.text);
          draft.add(event.text);
          events.token({ turnId, npcId, conversationId, text: event.text, alternative });
        } else {
          usage = keptUsage(event.usage);
        }
      }
    } catch (err) {
      // A processor closing under an abandoned turn also ends in an AbortError: that too is an interruption.
      if (signal.aborted || isAbortError(err)) {
        interrupted = true;
        interruption = signal.aborted ? signal.reason : err;
      } else {
        failure = err;
      }
    }
    const text = turn.reply.text;
    if (turn.conversationDeleted) return this.discard(turnId, turn, plan, draft);
    const meta = replyMeta(npc, prompt, usage, failure, interruption, persona);
    let messageId: string;
    try {
      await draft.close();
      const reply = { text, turn: turnId, ...(interrupted || failure ? { interrupted: true } : {}), meta };
      messageId = await plan.save(reply, Boolean(failure) && text === '');
    } finally {
      this.streaming.delete(turnId);
    }
    if (failure) {
      logger.warn({ npcId, turnId }, `Chat turn for ${npcId} failed: ${errorMessage(failure)}`);
      events.error({ turnId, npcId, conversationId, alternative, error: failure });
      return { turnId, messageId, text, interrupted: true, ...(usage ? { usage } : {}), error: errorMessage(failure) };
    }
    events.done({ turnId, npcId, conversationId, alternative, interrupted, messageId });
    return { turnId, messageId, text, interrupted, ...(usage ? { usage } : {}) };
  }

  /** A turn whose conversation is being deleted: it ends as stopped, and nothing of it is saved. */
  private async discard(turnId: string, turn: StreamingTurn, plan: TurnPlan, draft: ReplyDraft): Promise<TurnOutcome> {
    const { npcId, conversationId, alternative } = turn;
    const text = turn.reply.text;
    try {
      // Writes already under way finish before the deletion closes the journal; they are deleted with it.
      await draft.close();
      await plan.userSaved?.catch(() => undefined);
    } finally {
      this.streaming.delete(turnId);
    }
    this.options.events.done({ turnId, npcId, conversationId, alternative, interrupted: true, conversationDeleted: true });
    return { turnId, messageId: '', text, interrupted: true };
  }

  private async retrieve(npcId: string, text: string): Promise<KnowledgeChunk[]> {
    if (!this.options.lore) return [];
    try {
      return await this.options.lore.query(npcId, text, this.options.loreChunks ?? 4);
    } catch (err) {
      // Lore is an enrichment: the turn goes on without it, and the log says why.
      this.options.logger.warn({ npcId }, `Knowledge lookup failed; answering without lore: ${errorMessage(err)}`);
      return [];
    }
  }
}
