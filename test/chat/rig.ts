import { join } from 'node:path';
import { ExecutionEngine } from '../../electron/host/engine/execution-engine';
import { memoryLogger, type LogSinks } from '../../electron/host/log/logger';
import { ChatService } from '../../electron/host/npc/chat-service';
import type { ChatEvents, ChatServiceOptions, LoreRetriever } from '../../electron/host/npc/chat-types';
import type { Npc, NpcDraft } from '../../shared/npc';
import { NpcStore } from '../../electron/host/npc/npc-store';
import { LorebookStore } from '../../electron/host/lore/lorebook-store';
import { TranscriptStore } from '../../electron/host/npc/transcript-store';
import { LocalProcessor } from '../../electron/host/processors/local/local-processor';
import { OllamaClientProvider } from '../../electron/host/processors/local/ollama-client-provider';
import type { Processor } from '../../electron/host/processors/processor';
import { OllamaTestServer, type SwitchesPatch } from '../../electron/host/demo/ollama';
import { tempDir } from '../support/temp-dir';

type EventOf<K extends keyof ChatEvents> = Parameters<ChatEvents[K]>[0];

/** Every chat event, in the order ChatService emitted them. */
export class EventLog implements ChatEvents {
  readonly all: Array<
    { kind: 'token'; e: EventOf<'token'> } | { kind: 'done'; e: EventOf<'done'> } | { kind: 'error'; e: EventOf<'error'> }
  > = [];
  private readonly waiters: Array<{ turnId: string; resolve: () => void }> = [];

  token(e: EventOf<'token'>): void {
    this.all.push({ kind: 'token', e });
  }
  done(e: EventOf<'done'>): void {
    this.all.push({ kind: 'done', e });
  }
  error(e: EventOf<'error'>): void {
    this.all.push({ kind: 'error', e });
  }

  tokens(turnId: string): string[] {
    return this.all.flatMap((x) => (x.kind === 'token' && x.e.turnId === turnId ? [x.e.text] : []));
  }

  /** The done or error events of a turn (exactly one is expected). */
  ends(turnId: string) {
    return this.all.filter((x) => x.kind !== 'token' && x.e.turnId === turnId);
  }

  /** Resolves once `count` tokens of the turn have arrived. */
  async untilTokens(turnId: string, count: number): Promise<void> {
    while (this.tokens(turnId).length < count) await new Promise((r) => setTimeout(r, 2));
  }
}

/** An NPC whose prompt the Ollama test server can read back: a "You are <Name>" prompt and a keyed lorebook entry. */
export function miraDraft(overrides: Partial<NpcDraft> = {}): NpcDraft {
  return {
    card: {
      name: 'Mira Vell',
      description: '{{char}} is the blacksmith of Emberfall.',
      first_mes: 'Welcome to my forge, {{user}}.',
      alternate_greetings: ['Back again, {{user}}?'],
      character_book: {
        entries: [
          {
            keys: ['guild'],
            content: 'Lore: Mira owes the guild forty crowns.',
            extensions: {},
            enabled: true,
            insertion_order: 10,
            comment: 'debt',
          },
          {
            keys: ['dragon'],
            content: 'Lore: No dragon has been seen in a hundred years.',
            extensions: {},
            enabled: true,
            insertion_order: 20,
          },
        ],
        extensions: {},
      },
    },
    ...overrides,
  };
}

export interface ChatRigOptions {
  switches?: SwitchesPatch;
  lore?: LoreRetriever | null;
  /** Replaces the processor lookup (the local processor on the test server by default). */
  processorFor?: (kind: Npc['studio']['processor'], local: LocalProcessor) => Processor;
  abortGraceMs?: number;
  /** The designer's personas (who {{user}} is); none: "Ada". */
  personas?: ChatServiceOptions['personas'];
}

/** The studio's chat path on real stores in a temp folder and the Ollama test server, closed in shutdown order. */
export interface ChatRig {
  dir: string;
  logs: LogSinks;
  engine: ExecutionEngine;
  npcs: NpcStore;
  lorebooks: LorebookStore;
  transcripts: TranscriptStore;
  server: OllamaTestServer;
  client: OllamaClientProvider;
  local: LocalProcessor;
  events: EventLog;
  service: ChatService;
  close(): Promise<void>;
}

export async function startChatRig(options: ChatRigOptions = {}): Promise<ChatRig> {
  const temp = await tempDir('npc-chat-test-');
  const logs = memoryLogger();
  const server = new OllamaTestServer({ switches: options.switches });
  const url = await server.start();
  const client = new OllamaClientProvider({ url, logger: logs.logger });
  await client.initialize();
  const local = new LocalProcessor({ client, logger: logs.logger });
  const npcs = new NpcStore({ dir: join(temp.path, 'npcs'), logger: logs.logger });
  const transcripts = new TranscriptStore({ dir: join(temp.path, 'transcripts'), logger: logs.logger });
  const lorebooks = new LorebookStore({ dir: join(temp.path, 'lorebooks'), logger: logs.logger });
  await npcs.initialize();
  await lorebooks.initialize();
  await transcripts.initialize();
  const engine = new ExecutionEngine({ logger: logs.logger, abortGraceMs: options.abortGraceMs ?? 2000 });
  const events = new EventLog();
  const processorFor =
    options.processorFor ??
    ((kind) => {
      if (kind !== 'local') throw new Error(`no ${kind} processor in this rig`);
      return local;
    });
  const service = new ChatService({
    engine,
    npcs,
    transcripts,
    events,
    logger: logs.logger,
    lore: options.lore ?? null,
    lorebooks,
    userName: 'Ada',
    personas: options.personas ?? null,
    processorFor: (kind) => processorFor(kind, local),
  });
  let closing: Promise<void> | null = null;
  return {
    dir: temp.path,
    logs,
    engine,
    npcs,
    lorebooks,
    transcripts,
    server,
    client,
    local,
    events,
    service,
    close: () =>
      (closing ??= (async () => {
        engine.stopAccepting();
        await engine.drain(1000);
        await local.cleanup();
        await client.cleanup();
        await Promise.all([npcs.cleanup(), lorebooks.cleanup(), transcripts.cleanup()]);
        await server.stop();
        await temp.remove();
      })()),
  };
}
