import { randomUUID } from 'node:crypto';
import type { KnowledgeChunk, ReplyMeta, Usage } from '../../../shared/chat';
import type { ExecutionEngine } from '../engine/execution-engine';
import { isAbortError } from '../engine/errors';
import type { Logger } from '../log/logger';
import type { ChatMessage, ChatRequest, Processor } from '../processors/processor';
import type { Npc } from '../../../shared/npc';
import type { NpcStore } from './npc-store';
import type { TimedEffectState } from '../../../shared/lorebook';
import { npcLorebooks, seedOf, type LorebookLookup } from '../lore/npc-lore';
import { assemblePrompt, type AssembledPrompt } from './prompt/assemble';
import { renderGreetings } from './prompt/macros';
import { ReplyDraft } from './reply-draft';
import type { ConversationRef, ConversationView, TranscriptMessage } from './transcript-schema';
import { ChatInputError, TurnBusyError } from './chat-errors';
import { TranscriptError, type ReplyInput, type TranscriptStore } from './transcript-store';
import { errorMessage } from '../../../shared/errors';

/** Where a turn's lore chunks come from (the knowledge store, adapted by knowledge-lore.ts). */
export interface LoreRetriever {
  query(npcId: string, text: string, k: number): Promise<KnowledgeChunk[]>;
}

/** What the chat streams out; the router turns these into `chat.*` events. */
export interface ChatEvents {
  token(e: { turnId: string; npcId: string; text: string; alternative: number }): void;
  done(e: { turnId: string; npcId: string; alternative: number; interrupted: boolean; messageId: string }): void;
  error(e: { turnId: string; npcId: string; alternative: number; error: unknown }): void;
}

export interface ChatServiceOptions {
  engine: ExecutionEngine;
  npcs: NpcStore;
  transcripts: TranscriptStore;
  lore: LoreRetriever | null;
  /** Standalone lorebooks (attached to NPCs, or linked by a card's `extensions.world`); null: the card's own book only. */
  lorebooks?: LorebookLookup | null;
  /** The processor for an NPC's `studio.processor`; throws a clear error when it is not available. */
  processorFor(kind: Npc['studio']['processor']): Processor;
  events: ChatEvents;
  logger: Logger;
  /** Knowledge chunks retrieved per turn. */
  loreChunks?: number;
  /** A local model's trained context length (Ollama's /api/show), for the prompt budget; undefined if unknown. */
  modelContextLength?(model: string, signal: AbortSignal): Promise<number | undefined>;
  userName?: string;
}

export interface TurnOutcome {
  turnId: string;
  /** The transcript message holding the reply ('' when the turn could not be saved). */
  messageId: string;
  text: string;
  interrupted: boolean;
  usage?: Usage;
  error?: string;
}

export interface StartedTurn {
  userMessageId?: string;
  turnId: string;
  alternative: number;
  /** Settles once the reply is saved (complete, interrupted or failed); never rejects. */
  finished: Promise<TurnOutcome>;
}

/** The conversation the studio keeps per NPC. */
export const MAIN_CONVERSATION = 'main';

/** What a turn needs once admitted and prepared (the user's message saved, or the reply to regenerate found). */
interface Plan {
  /** The designer's message being written (send only); the reply streams meanwhile and is saved after it. */
  userSaved?: Promise<TranscriptMessage>;
  alternative: number;
  history: ChatMessage[];
  latestText: string;
  /** The message a regenerated reply becomes a swipe of (journaled with its drafts). */
  swipeOf?: string;
  /** The conversation's lore timed effects (sticky, cooldown) as the reply before this one left them. */
  loreState?: TimedEffectState;
  /** Saves the reply and returns its message id. */
  save(reply: ReplyInput, failedEmpty: boolean): Promise<string>;
}

interface Turn {
  npcId: string;
  controller: AbortController;
  text: string;
  /** -1 until the turn is prepared (a regenerate learns its index then). */
  alternative: number;
}

/**
 * A chat turn: admit (engine) → retrieve → assemble → stream → persist. Admission comes first, so a turn refused
 * at shutdown writes nothing. A stopped or drained turn keeps its partial reply, marked interrupted; the stop
 * reaches the backend as an aborted request. One turn streams per NPC at a time.
 */
export class ChatService {
  private readonly streaming = new Map<string, Turn>();
  private readonly starting = new Map<string, Promise<ConversationView>>();

  constructor(private readonly options: ChatServiceOptions) {}

  refOf(npcId: string): ConversationRef {
    return { npcId, conversationId: MAIN_CONVERSATION };
  }

  /** The NPC's conversation, started (with its greetings as the first message) on first use. */
  async conversation(npcId: string): Promise<ConversationView> {
    const npc = this.options.npcs.get(npcId);
    const view = await this.options.transcripts.view(this.refOf(npcId));
    if (view.startedAt) return view;
    // Two first calls at once (history view and send) must not both start it.
    let pending = this.starting.get(npcId);
    if (!pending) {
      const names = { char: npc.card.name, user: this.options.userName ?? 'User' };
      pending = this.options.transcripts
        .start(npcId, { conversationId: MAIN_CONVERSATION, greetings: renderGreetings(npc.card, names) })
        .finally(() => this.starting.delete(npcId));
      this.starting.set(npcId, pending);
    }
    return pending;
  }

  /** Streaming turns not yet saved, for the history view. */
  inProgress(npcId: string): { turnId: string; text: string; alternative: number }[] {
    return [...this.streaming.entries()].filter(([, t]) => t.npcId === npcId && t.alternative >= 0).map(([turnId, t]) => ({ turnId, text: t.text, alternative: t.alternative }));
  }

  /** Saves the designer's message and starts the reply. Rejects with ShuttingDownError once shutdown has begun. */
  async send(npcId: string, text: string): Promise<StartedTurn> {
    const npc = this.options.npcs.get(npcId);
    const ref = this.refOf(npcId);
    if (typeof text !== 'string' || !text.trim()) throw new ChatInputError('text', 'the message is empty; say something');
    return this.begin(npc, async () => {
      const view = await this.conversation(npcId);
      // The message is written (fsynced) while the reply starts: the first token need not wait for the disk.
      const userSaved = this.options.transcripts.addMessage(ref, 'user', { text });
      return {
        userSaved,
        alternative: 0,
        history: [...toChatMessages(view.messages), { role: 'user', content: text }],
        latestText: text,
        ...loreStateBefore(view.messages, view.messages.length),
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
  async regenerate(npcId: string, messageId: string): Promise<StartedTurn> {
    const npc = this.options.npcs.get(npcId);
    const ref = this.refOf(npcId);
    return this.begin(npc, async () => {
      const view = await this.conversation(npcId);
      const index = view.messages.findIndex((m) => m.id === messageId);
      const target = view.messages[index];
      if (!target || target.role !== 'assistant') throw new TranscriptError(ref, `message ${messageId} is not a reply of ${npc.card.name}`);
      if (index !== view.messages.length - 1) throw new TranscriptError(ref, `only the last reply can be regenerated; ${messageId} is not the last message`);
      const history = toChatMessages(view.messages.slice(0, index));
      const latest = history.at(-1);
      if (latest?.role !== 'user') throw new TranscriptError(ref, `reply ${messageId} answers no message of yours; send one first`);
      return {
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

  /** Stops a streaming turn; false when it is not streaming (already finished or unknown). */
  stop(turnId: string): boolean {
    const turn = this.streaming.get(turnId);
    if (!turn) return false;
    turn.controller.abort(new DOMException('stopped by the user', 'AbortError'));
    return true;
  }

  /** Admits the turn, runs `prepare` inside it, and resolves once prepared; the reply streams on in `finished`. */
  private begin(npc: Npc, prepare: () => Promise<Plan>): Promise<StartedTurn> {
    const { engine, events, logger } = this.options;
    const npcId = npc.id;
    const busy = [...this.streaming.entries()].find(([, t]) => t.npcId === npcId);
    if (busy) return Promise.reject(new TurnBusyError(npcId, busy[0]));

    const turnId = `t-${randomUUID()}`;
    const turn: Turn = { npcId, controller: new AbortController(), text: '', alternative: -1 };
    this.streaming.set(turnId, turn);
    let prepared = false;
    let announce!: (plan: Plan) => void;
    let refuse!: (err: unknown) => void;
    const planned = new Promise<Plan>((resolve, reject) => ((announce = resolve), (refuse = reject)));

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
      events.error({ turnId, npcId, alternative: turn.alternative, error: err });
      return { turnId, messageId: '', text: turn.text, interrupted: true, error: errorMessage(err) };
    });
    return planned.then(async (plan) => {
      const userMessageId = plan.userSaved ? (await plan.userSaved).id : undefined;
      return { ...(userMessageId ? { userMessageId } : {}), turnId, alternative: plan.alternative, finished };
    });
  }

  private async stream(turnId: string, turn: Turn, npc: Npc, plan: Plan, signal: AbortSignal): Promise<TurnOutcome> {
    const { events, logger } = this.options;
    const { npcId, alternative } = turn;
    let prompt: AssembledPrompt | undefined;
    let usage: Usage | undefined;
    let failure: unknown;
    let interrupted = false;
    let interruption: unknown;
    const ref = this.refOf(npcId);
    const draft = new ReplyDraft(
      (text) => this.options.transcripts.appendDraft(ref, turnId, text, plan.swipeOf),
      (err) => logger.warn({ npcId, turnId }, `Could not journal the streaming reply of ${npcId} (saved at its end): ${errorMessage(err)}`),
    );
    try {
      const chunks = await this.retrieve(npcId, plan.latestText);
      signal.throwIfAborted();
      const books = npcLorebooks(npc, this.options.lorebooks ?? null);
      if (books.missing.length) logger.warn({ npcId }, `Lorebooks of ${npc.card.name} not found, left out: ${books.missing.join(', ')}`);
      const lore = { books: books.books, named: books.named, seed: seedOf(turnId), ...(plan.loreState ? { state: plan.loreState } : {}) };
      const local = npc.studio.processor === 'local';
      const modelContextLength = local ? await this.options.modelContextLength?.(npc.studio.model, signal) : undefined;
      prompt = assemblePrompt({ npcId, card: npc.card, studio: npc.studio, history: plan.history, chunks, userName: this.options.userName, lore, modelContextLength });
      const request: ChatRequest = { npcId, model: prompt.model, system: prompt.system, messages: prompt.messages, sampling: prompt.sampling };
      const processor = this.options.processorFor(npc.studio.processor);
      for await (const event of processor.chat(request, signal)) {
        if (event.type === 'token') {
          turn.text += event.text;
          draft.add(event.text);
          events.token({ turnId, npcId, text: event.text, alternative });
        } else {
          usage = event.usage;
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
    const text = turn.text;
    const meta = replyMeta(npc, prompt, usage, failure, interruption);
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
      events.error({ turnId, npcId, alternative, error: failure });
      return { turnId, messageId, text, interrupted: true, ...(usage ? { usage } : {}), error: errorMessage(failure) };
    }
    events.done({ turnId, npcId, alternative, interrupted, messageId });
    return { turnId, messageId, text, interrupted, ...(usage ? { usage } : {}) };
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

/** The lore timed-effect state the last reply before `end` saved (sticky and cooldown carry over from it). */
function loreStateBefore(messages: readonly TranscriptMessage[], end: number): { loreState?: TimedEffectState } {
  for (let i = end - 1; i >= 0; i--) {
    const state = messages[i]!.meta?.used?.lore?.state;
    if (state) return { loreState: state };
  }
  return {};
}

function toChatMessages(messages: readonly TranscriptMessage[]): ChatMessage[] {
  return messages.filter((m) => m.text.trim() !== '').map((m) => ({ role: m.role, content: m.text }));
}

/**
 * What is kept with a reply for the UI (ipc/handlers/transcript-turns.ts reads it): processor, model, usage, the
 * error or why it was interrupted, what the prompt used (lorebook entries, chunks with sources, token estimate
 * per part) and the parts of the prompt that are not in the transcript already, for the prompt inspector.
 */
function replyMeta(npc: Npc, prompt: AssembledPrompt | undefined, usage: Usage | undefined, failure: unknown, interruption: unknown): ReplyMeta {
  return {
    processor: npc.studio.processor,
    model: npc.studio.model,
    ...(usage ? { usage } : {}),
    ...(failure ? { error: errorMessage(failure) } : {}),
    ...(interruption !== undefined ? { interruptedBy: errorMessage(interruption) } : {}),
    ...(prompt ? { used: prompt.used, prompt: promptParts(prompt) } : {}),
  };
}

/**
 * The system prompt and the turn's own messages. The earlier history is not copied: it is the transcript
 * itself, and copying it into every reply would make a transcript grow with the square of its length.
 */
function promptParts(prompt: AssembledPrompt): NonNullable<ReplyMeta['prompt']> {
  const lastUser = prompt.messages.map((m) => m.role).lastIndexOf('user');
  return {
    system: prompt.system,
    user: lastUser >= 0 ? prompt.messages[lastUser]!.content : '',
    postHistory: prompt.messages.slice(lastUser + 1).filter((m) => m.role === 'system').map((m) => m.content),
  };
}
