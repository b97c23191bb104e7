import type { Provider } from '../../../electron/host/lifecycle/provider';
import { openFilePaths } from '../../../electron/host/resources/proc';
import type { ChatEvent } from '../../../electron/host/processors/processor';

/** What a rig's providers still hold, read from the OS (/proc), not from the providers' own counters. */
export interface Held {
  /** TCP sockets of this process connected to the rig's server port. */
  sockets: number;
  /** Regular files this process holds open under the rig's folder. */
  files: string[];
  /** Child processes the rig's providers started that are still alive. */
  pids: number[];
}

/** A stream cut by its server dying: how many tokens came first, and how the stream ended. */
export interface MidStream {
  tokensBefore: number;
  /** Resolves (never rejects) with the error the stream ended with, or null if it completed. */
  ended: Promise<unknown>;
}

/** One provider of a kind, built on its real server (started by create()), not yet initialized. */
export interface RigInstance {
  provider: Provider;
  /** Real providers this one needs (e.g. the Ollama client under the local processor), registered before it. */
  companions: Provider[];
  /** One real use: a chat turn, a query, a save. Call after the provider is registered. */
  use(): Promise<void>;
  /** Its server gone (stopped, every connection cut). */
  killServer?(): Promise<void>;
  /** Starts a stream, reads a few tokens, kills the server, and hands back how the stream ends. */
  midStream?(): Promise<MidStream>;
  held(): Held;
  /** Closes whatever is still open (idempotent real closes) and stops the server. */
  dispose(): Promise<void>;
}

/** The shape of each module in test/reliability/rigs/<kind>.ts. */
export interface RigModule {
  kind: string;
  /** Which server faults apply: a real server to kill, a stream to cut. The instance must then offer them. */
  capabilities: { server: boolean; stream: boolean };
  create(dir: string): Promise<RigInstance>;
}

export function nothingHeld(held: Held): boolean {
  return held.sockets === 0 && held.files.length === 0 && held.pids.length === 0;
}

/**
 * Reads `n` tokens from a chat-like stream, runs `kill`, then drains the rest in the background.
 * `ended` settles with the stream's error (or null when it completed in spite of the kill).
 */
export async function cutStream<T>(
  stream: AsyncIterable<T>,
  isToken: (event: T) => boolean,
  n: number,
  kill: () => Promise<void>,
): Promise<MidStream> {
  const iterator = stream[Symbol.asyncIterator]();
  let tokens = 0;
  while (tokens < n) {
    const step = await iterator.next();
    if (step.done) throw new Error(`the stream ended after ${tokens} tokens, before the server could be killed mid-stream`);
    if (isToken(step.value)) tokens++;
  }
  await kill();
  const ended = (async () => {
    try {
      for (let step = await iterator.next(); !step.done; step = await iterator.next()) {
        /* the rest of the reply, if any got through */
      }
      return null;
    } catch (err) {
      return err;
    }
  })();
  return { tokensBefore: tokens, ended };
}

export const isChatToken = (e: ChatEvent): boolean => e.type === 'token';

/** Runs a chat to its end; throws unless it ends with a done event after at least one token. */
export async function chatTurn(events: AsyncIterable<ChatEvent>): Promise<void> {
  let tokens = 0;
  let done = false;
  for await (const e of events) {
    if (e.type === 'token') tokens++;
    else done = true;
  }
  if (!done || tokens === 0) throw new Error(`chat turn ended without a reply (tokens ${tokens}, done ${done})`);
}

/** Regular files this process holds open under `dir`. */
export function filesUnder(dir: string): string[] {
  return openFilePaths().filter((p) => p.startsWith(dir + '/'));
}
