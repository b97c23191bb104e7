import type { Usage } from '../../../shared/chat';
import type { ProcessorKind, Sampling } from '../../../shared/npc';

/** The one interface the local (Ollama) and hosted (Bedrock) processors share. */

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

export interface ChatRequest {
  npcId: string;
  model: string;
  system: string;
  messages: ChatMessage[];
  sampling?: Sampling;
  /** Fixed sampling seed (Ollama options.seed), for reproducible test samples; Bedrock Converse has none and ignores it. */
  seed?: number;
}

export type ChatEvent = { type: 'token'; text: string } | { type: 'done'; usage: Usage; model: string; stopReason?: string };

export interface Processor {
  readonly kind: ProcessorKind;
  /** Streams the reply. Aborting `signal` cancels the request upstream and ends the iteration with an AbortError. */
  chat(request: ChatRequest, signal: AbortSignal): AsyncIterable<ChatEvent>;
}

/** What the knowledge store is given to turn text into vectors. */
export interface EmbeddingFunction {
  /** Names the model, e.g. "ollama:nomic-embed-text"; recorded on each collection. */
  readonly model: string;
  embed(texts: string[], signal?: AbortSignal): Promise<number[][]>;
}
