import type { ConversationSettings, ConversationView, TranscriptEvent, TranscriptMessage, TranscriptProblem } from './transcript-schema';

/** A reply that was streaming: its text so far, from its reply-draft events. */
export interface OpenDraft {
  turn: string;
  swipeOf?: string;
  /** A continuation: the message its text will be appended to. */
  continues?: string;
  text: string;
  at: string;
}

interface MessageState {
  id: string;
  role: TranscriptMessage['role'];
  greeting: boolean;
  createdAt: string;
  swipes: TranscriptMessage['swipes'];
  chosen: number;
}

/**
 * Folds transcript events into the conversation as it stands. `check` says why an event cannot apply
 * (the store refuses it before writing); on replay such an event is skipped and listed as a problem.
 */
export class ConversationState {
  private readonly messages = new Map<string, MessageState>();
  private readonly drafts = new Map<string, OpenDraft>();
  private startedAt: string | null = null;
  private lastAt: string | null = null;
  private settings: ConversationSettings = { personaId: null, authorsNote: null };
  private added = 0;
  readonly problems: TranscriptProblem[] = [];

  constructor(
    readonly npcId: string,
    readonly conversationId: string,
  ) {}

  /** Whether a conversation-started event has been folded in. */
  hasStarted(): boolean {
    return this.startedAt !== null;
  }

  /** The id the next message-added will get; ids are never reused, even after a delete. */
  nextMessageId(): string {
    return `m${this.added + 1}`;
  }

  /**
   * Live events must give the next id in sequence; on replay a gap is allowed (a bad line kept in the
   * journal may have held the message before), so one damaged record costs only itself.
   */
  check(event: TranscriptEvent, replay = false): string | null {
    switch (event.type) {
      case 'reply-draft':
      case 'conversation-configured':
        return null;
      case 'conversation-started':
        return this.startedAt ? 'the conversation has already started' : null;
      case 'message-added': {
        const n = Number(event.id.slice(1));
        const ok = replay ? n > this.added : event.id === this.nextMessageId();
        return ok ? null : `message id ${event.id} is out of sequence (next is ${this.nextMessageId()})`;
      }
      case 'swipe-chosen': {
        const m = this.messages.get(event.id);
        if (!m) return `no message ${event.id}`;
        return event.index < m.swipes.length ? null : `message ${event.id} has ${m.swipes.length} swipe(s), no index ${event.index}`;
      }
      case 'swipe-added': {
        const m = this.messages.get(event.id);
        if (!m) return `no message ${event.id}`;
        return m.role === 'assistant' ? null : `message ${event.id} is a user message; only replies get swipes`;
      }
      default:
        return this.messages.has(event.id) ? null : `no message ${event.id}`;
    }
  }

  /** Applies a checked event; returns false (and records a problem) for one that does not apply. */
  apply(event: TranscriptEvent, line?: number, replay = false): boolean {
    const problem = this.check(event, replay);
    if (problem) {
      this.problems.push({ line, reason: `${event.type} skipped: ${problem}`, dropped: false });
      return false;
    }
    if ((event.type === 'message-added' || event.type === 'swipe-added' || event.type === 'text-appended') && event.turn)
      this.drafts.delete(event.turn);
    if (event.type !== 'reply-draft') this.lastAt = event.at;
    switch (event.type) {
      case 'reply-draft': {
        const draft = this.drafts.get(event.turn);
        if (draft) draft.text += event.text;
        else
          this.drafts.set(event.turn, {
            turn: event.turn,
            text: event.text,
            at: event.at,
            ...(event.swipeOf ? { swipeOf: event.swipeOf } : {}),
            ...(event.continues ? { continues: event.continues } : {}),
          });
        break;
      }
      case 'conversation-started':
        this.startedAt = event.at;
        this.settings = {
          personaId: event.personaId ?? null,
          authorsNote: null,
          ...(event.title !== undefined ? { title: event.title } : {}),
          ...(event.branchedFrom ? { branchedFrom: event.branchedFrom } : {}),
          ...(event.importedFrom ? { importedFrom: event.importedFrom } : {}),
        };
        break;
      case 'conversation-configured':
        if (event.title !== undefined) this.settings.title = event.title;
        if (event.personaId !== undefined) this.settings.personaId = event.personaId;
        if (event.authorsNote !== undefined) this.settings.authorsNote = event.authorsNote;
        break;
      case 'text-appended': {
        const m = this.messages.get(event.id)!;
        const swipe = m.swipes[m.chosen]!;
        m.swipes[m.chosen] = { ...swipe, text: swipe.text + event.text, ...(event.interrupted ? { interrupted: true } : {}) };
        break;
      }
      case 'message-added':
        this.added = Number(event.id.slice(1));
        this.messages.set(event.id, {
          id: event.id,
          role: event.role,
          greeting: event.greeting ?? false,
          createdAt: event.at,
          chosen: 0,
          swipes: [event.text, ...(event.alternatives ?? [])].map((text, i) => ({
            text,
            at: event.at,
            interrupted: i === 0 && (event.interrupted ?? false),
            ...(i === 0 && event.meta ? { meta: event.meta } : {}),
          })),
        });
        break;
      case 'message-edited': {
        const m = this.messages.get(event.id)!;
        const swipe = m.swipes[m.chosen]!;
        m.swipes[m.chosen] = { ...swipe, text: event.text, editedAt: event.at };
        break;
      }
      case 'message-deleted':
        this.messages.delete(event.id);
        break;
      case 'swipe-added': {
        const m = this.messages.get(event.id)!;
        m.swipes.push({
          text: event.text,
          at: event.at,
          interrupted: event.interrupted ?? false,
          ...(event.meta ? { meta: event.meta } : {}),
        });
        m.chosen = m.swipes.length - 1;
        break;
      }
      case 'swipe-chosen':
        this.messages.get(event.id)!.chosen = event.index;
        break;
    }
    return true;
  }

  /** Replies whose stream never ended in this journal. */
  openDrafts(): OpenDraft[] {
    return [...this.drafts.values()].map((d) => ({ ...d }));
  }

  /** Whether a recovered draft can become a swipe of `id`, or be appended to it (an assistant message still there). */
  canTakeSwipe(id: string): boolean {
    return this.messages.get(id)?.role === 'assistant';
  }

  /** Alive messages, in order, without copying them all (for paging). */
  messageCount(): number {
    return this.messages.size;
  }

  /** The alive messages with an id number below `beforeNumber` (all when undefined): the last `limit` of them. */
  pageBefore(beforeNumber: number | undefined, limit: number): TranscriptMessage[] {
    const out: MessageState[] = [];
    const all = [...this.messages.values()];
    for (let i = all.length - 1; i >= 0 && out.length < limit; i--) {
      const m = all[i]!;
      if (beforeNumber === undefined || Number(m.id.slice(1)) < beforeNumber) out.push(m);
    }
    return out.reverse().map(toView);
  }

  /** An alive message's role and chosen text, without copying it (reply-meta-codec.ts MessageLookup). */
  messageText(id: string): { role: string; text: string } | undefined {
    const m = this.messages.get(id);
    return m && { role: m.role, text: m.swipes[m.chosen]!.text };
  }

  /** The alive messages' roles, chosen texts and their meta, oldest first, without copying their swipes (a new turn's history). */
  chosen(): Pick<TranscriptMessage, 'role' | 'text' | 'meta'>[] {
    const out: Pick<TranscriptMessage, 'role' | 'text' | 'meta'>[] = [];
    for (const m of this.messages.values()) {
      const swipe = m.swipes[m.chosen]!;
      out.push(swipe.meta ? { role: m.role, text: swipe.text, meta: swipe.meta } : { role: m.role, text: swipe.text });
    }
    return out;
  }

  message(id: string): TranscriptMessage | undefined {
    const m = this.messages.get(id);
    return m && toView(m);
  }

  /** Title, persona, author's note as they stand (a copy). */
  currentSettings(): ConversationSettings {
    return { ...this.settings };
  }

  view(extraProblems: TranscriptProblem[] = []): ConversationView {
    return {
      npcId: this.npcId,
      conversationId: this.conversationId,
      startedAt: this.startedAt,
      settings: this.currentSettings(),
      lastAt: this.lastAt,
      messages: [...this.messages.values()].map(toView),
      problems: [...extraProblems, ...this.problems],
    };
  }
}

function toView(m: MessageState): TranscriptMessage {
  const swipe = m.swipes[m.chosen]!;
  return {
    id: m.id,
    role: m.role,
    text: swipe.text,
    interrupted: swipe.interrupted,
    swipes: m.swipes.map((s) => ({ ...s })),
    chosen: m.chosen,
    greeting: m.greeting,
    createdAt: m.createdAt,
    ...(swipe.editedAt ? { editedAt: swipe.editedAt } : {}),
    ...(swipe.meta ? { meta: swipe.meta } : {}),
  };
}
