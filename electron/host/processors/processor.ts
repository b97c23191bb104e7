/** The one interface the local (Ollama) and hosted (Bedrock) processors share. */

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

export interface Sampling {
  temperature?: number;
  topP?: number;
  /** Context window in tokens (Ollama num_ctx). */
  numCtx?: number;
  maxTokens?: number;
  /** Ollama keep_alive, e.g. "5m". */
  keepAlive?: string;
}

export interface ChatRequest {
  npcId: string;
  model: string;
  system: string;
  messages: ChatMessage[];
  sampling?: Sampling;
}

export interface Usage {
  promptTokens: number;
  replyTokens: number;
  /** Wall time of the whole call as the processor measured it. */
  latencyMs: number;
  /** Model-side durations where the backend reports them. */
  totalDurationMs?: number;
  loadDurationMs?: number;
  promptEvalDurationMs?: number;
  evalDurationMs?: number;
}

export type ChatEvent =
  | { type: 'token'; text: string }
  | { type: 'done'; usage: Usage; model: string; stopReason?: string };

export interface Processor {
  readonly kind: 'local' | 'hosted';
  /** Streams the reply. Aborting `signal` cancels the request upstream and ends the iteration with an AbortError. */
  chat(request: ChatRequest, signal: AbortSignal): AsyncIterable<ChatEvent>;
}

/** What the knowledge store is given to turn text into vectors. */
export interface EmbeddingFunction {
  /** Names the model, e.g. "ollama:nomic-embed-text"; recorded on each collection. */
  readonly model: string;
  embed(texts: string[], signal?: AbortSignal): Promise<number[][]>;
}
