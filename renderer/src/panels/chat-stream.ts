import { useCallback, useEffect, useRef, useState } from 'react';
import type { ChatDoneEvent, ChatErrorEvent } from '../../../shared/events';
import { useStudioEvent } from '../hooks';

export interface LiveReply {
  turnId: string;
  alternative: number;
  text: string;
  /** For a regenerated reply: the transcript turn it belongs to (shown in place). */
  messageId?: string;
}

/**
 * Replies streaming in one conversation. Tokens are buffered and applied once per animation frame, so a
 * fast model does not re-render the transcript per token. Chat events name their conversation: only this
 * conversation's are shown; a reply ending in another conversation of the NPC is reported (`onElsewhere`).
 */
export function useChatStream(
  npcId: string | null,
  conversationId: string,
  handlers: {
    onDone: (e: ChatDoneEvent) => void;
    onError: (e: ChatErrorEvent) => void;
    onElsewhere?: (e: ChatDoneEvent | ChatErrorEvent) => void;
  },
): {
  live: Record<string, LiveReply>;
  expect: (turnId: string, alternative: number, messageId?: string) => void;
  seed: (replies: LiveReply[]) => void;
  settle: (turnId: string) => void;
} {
  const [live, setLive] = useState<Record<string, LiveReply>>({});
  const buffer = useRef(new Map<string, { alternative: number; text: string }>());
  const frame = useRef<number | null>(null);
  /** Replies already finished: a late `expect` (send's answer after a fast reply's done event) is ignored. */
  const finished = useRef(new Set<string>());
  const here = (e: { npcId: string; conversationId: string }) => e.npcId === npcId && e.conversationId === conversationId;

  const flush = useCallback(() => {
    frame.current = null;
    if (buffer.current.size === 0) return;
    const batch = [...buffer.current.entries()];
    buffer.current.clear();
    setLive((prev) => {
      const next = { ...prev };
      for (const [turnId, { alternative, text }] of batch) {
        const current = next[turnId];
        next[turnId] =
          current && current.alternative === alternative
            ? { ...current, text: current.text + text }
            : { ...current, turnId, alternative, text };
      }
      return next;
    });
  }, []);

  useEffect(() => {
    setLive({});
    buffer.current.clear();
    finished.current.clear();
    return () => {
      if (frame.current !== null) cancelAnimationFrame(frame.current);
      frame.current = null;
    };
  }, [npcId, conversationId]);

  useStudioEvent('chat.token', (token) => {
    if (!here(token)) return;
    const alternative = token.alternative ?? 0;
    const pending = buffer.current.get(token.turnId);
    if (pending && pending.alternative === alternative) pending.text += token.text;
    else buffer.current.set(token.turnId, { alternative, text: token.text });
    frame.current ??= requestAnimationFrame(flush);
  });
  useStudioEvent('chat.done', (done) => {
    if (done.npcId !== npcId) return;
    if (!here(done)) return handlers.onElsewhere?.(done);
    flush();
    finished.current.add(`${done.turnId}:${done.alternative ?? 0}`);
    handlers.onDone(done);
  });
  useStudioEvent('chat.error', (error) => {
    if (error.npcId !== npcId) return;
    if (!here(error)) return handlers.onElsewhere?.(error);
    flush();
    finished.current.add(`${error.turnId}:${error.alternative ?? 0}`);
    handlers.onError(error);
  });

  /** A reply this view started: a regenerated or continued one shows in place of `messageId`. */
  const expect = useCallback((turnId: string, alternative: number, messageId?: string) => {
    if (finished.current.has(`${turnId}:${alternative}`)) return;
    setLive((prev) => {
      const current = prev[turnId];
      if (current?.alternative === alternative) return { ...prev, [turnId]: { ...current, messageId } };
      return { ...prev, [turnId]: { turnId, alternative, text: '', messageId } };
    });
  }, []);
  /** Replies the host says are streaming (after a reload): keep what arrived already, else take its text. */
  const seed = useCallback((replies: LiveReply[]) => {
    const fresh = replies.filter((r) => !finished.current.has(`${r.turnId}:${r.alternative}`));
    if (fresh.length === 0) return;
    setLive((prev) => {
      const missing = fresh.filter((r) => !prev[r.turnId]);
      return missing.length ? { ...prev, ...Object.fromEntries(missing.map((r) => [r.turnId, r])) } : prev;
    });
  }, []);
  const settle = useCallback((turnId: string) => {
    buffer.current.delete(turnId);
    setLive((prev) => {
      if (!(turnId in prev)) return prev;
      const { [turnId]: _gone, ...rest } = prev;
      return rest;
    });
  }, []);
  return { live, expect, seed, settle };
}
