import { Button, Group, Textarea } from '@mantine/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { TranscriptTurn } from '../../../shared/chat';
import { MAIN_CONVERSATION, type ChatPage } from '../../../shared/conversations';
import type { NpcSummary } from '../../../shared/npc';
import { bridge } from '../bridge';
import { ChatTurn, type TurnActions } from '../components/ChatTurn';
import { ErrorNote } from '../components/Field';
import { download } from '../files';
import { useAction, type ActionError } from '../hooks';
import { ConversationSettings } from '../workspace/ConversationSettings';
import { mergeNewest, prependOlder } from '../chat/paging';
import { useChatStream, type LiveReply } from './chat-stream';

/** Turns read per page; older pages load as the designer scrolls up. */
const PAGE = 50;

export function ChatPanel(props: {
  npc: NpcSummary | null;
  /** null: the NPC's main conversation. */
  conversationId: string | null;
  /** Shown (Esc stops a reply only then). */
  active: boolean;
  /** Grows when the workspace changed a conversation (renamed, configured). */
  version: number;
  inspectedId: string | null;
  onInspect: (turn: TranscriptTurn | null) => void;
  onReplyDone: () => void;
  /** A conversation's messages changed (the list shows its last message). */
  onChanged: () => void;
  onOpenConversation: (conversationId: string) => void;
}) {
  const npcId = props.npc?.id ?? null;
  const conversationId = props.conversationId ?? undefined;
  const [turns, setTurns] = useState<TranscriptTurn[]>([]);
  const [olderCursor, setOlderCursor] = useState<string | null>(null);
  const [problems, setProblems] = useState<string[]>([]);
  const [draft, setDraft] = useState('');
  const [streamError, setStreamError] = useState<ActionError | null>(null);
  const [madeTest, setMadeTest] = useState<string | null>(null);
  const [editRequest, setEditRequest] = useState<{ turnId: string; n: number } | null>(null);
  const [settingsVersion, setSettingsVersion] = useState(0);
  const [sending, setSending] = useState<{ text: string; replying: boolean; before: number } | null>(null);
  const [impersonating, setImpersonating] = useState(false);
  const { busy, error, clearError, run } = useAction();
  const scroller = useRef<HTMLDivElement>(null);
  const composer = useRef<HTMLTextAreaElement>(null);
  const atBottom = useRef(true);
  const turnsRef = useRef(turns);
  turnsRef.current = turns;
  const seedRef = useRef<(replies: LiveReply[]) => void>(() => undefined);
  const { onInspect, onChanged } = props;

  const apply = useCallback((page: Pick<ChatPage, 'turns' | 'inProgress' | 'problems'>, merge: boolean) => {
    setTurns((current) => (merge ? mergeNewest(current, page.turns) : page.turns));
    setProblems(page.problems ?? []);
    // Replies streaming when the page (re)loaded: keep their text so far, then append tokens.
    const streaming = page.turns.filter((t) => t.status === 'streaming').map((t) => ({ turnId: t.id, alternative: 0, text: t.text }));
    seedRef.current([...streaming, ...(page.inProgress ?? [])]);
  }, []);

  /** The newest page; `fresh`: another conversation, nothing of the current list is kept. */
  const reload = useCallback(
    async (fresh = false) => {
      if (!npcId) return setTurns([]);
      const limit = fresh ? PAGE : Math.min(200, Math.max(PAGE, turnsRef.current.length));
      const page = await run(() => bridge().invoke('chat.page', { npcId, conversationId, limit }));
      if (!page || page.npcId !== npcId) return;
      if (fresh || turnsRef.current.length <= limit) setOlderCursor(page.olderCursor);
      apply(page, !fresh);
    },
    [npcId, conversationId, run, apply],
  );

  async function loadOlder() {
    if (!npcId || !olderCursor || busy) return;
    const page = await run(() => bridge().invoke('chat.page', { npcId, conversationId, cursor: olderCursor, limit: PAGE }));
    if (!page) return;
    setOlderCursor(page.olderCursor);
    setTurns((current) => prependOlder(current, page.turns));
    keepAnchor.current = page.turns.length;
  }
  const keepAnchor = useRef(0);

  const { live, expect, seed, settle } = useChatStream(npcId, props.conversationId ?? MAIN_CONVERSATION, {
    onDone: (done) => {
      // Its conversation is being deleted: the reply just stops showing; there is nothing left to reload.
      if (done.conversationDeleted) {
        settle(done.turnId);
        return onChanged();
      }
      void reload().then(() => settle(done.turnId));
      props.onReplyDone();
      onChanged();
    },
    onError: (failed) => {
      setStreamError({
        message: failed.error.message,
        code: failed.error.code,
        hint: failed.error.code === 'ProviderUnavailable' ? failed.error.hint : undefined,
      });
      void reload().then(() => settle(failed.turnId));
    },
    // A reply of another conversation of this NPC ended: the list shows its new last message.
    onElsewhere: () => {
      props.onReplyDone();
      onChanged();
    },
  });
  seedRef.current = seed;

  useEffect(() => {
    setStreamError(null);
    setTurns([]);
    setOlderCursor(null);
    atBottom.current = true;
    void reload(true);
  }, [reload]);

  // The inspector follows the newest reply; one the designer picks stays until a newer reply is written.
  const lastReply = turns.findLast((t) => t.role === 'assistant' && t.status !== 'streaming') ?? null;
  const lastReplyKey = lastReply ? `${lastReply.id}:${lastReply.alternatives.length}:${lastReply.text.length}` : '';
  const inspectedRef = useRef(props.inspectedId);
  inspectedRef.current = props.inspectedId;
  const newestSeen = useRef('');
  useEffect(() => {
    if (lastReplyKey !== newestSeen.current) {
      newestSeen.current = lastReplyKey;
      onInspect(lastReply);
      return;
    }
    const shown = turns.find((t) => t.id === inspectedRef.current);
    if (shown) onInspect(shown);
  }, [turns, lastReply, lastReplyKey, onInspect]);

  const liveIds = Object.keys(live);
  const known = new Set(turns.map((t) => t.id));
  const liveFor = (turnId: string) => live[turnId] ?? Object.values(live).find((reply) => reply.messageId === turnId);
  // A live reply shows in place when it belongs to a transcript turn (same id, or a regenerated or continued
  // alternative of it); otherwise (a new reply, saved only when it ends) after the transcript.
  const pendingReplies = liveIds.filter((id) => !known.has(id) && !(live[id]?.messageId && known.has(live[id]!.messageId!)));
  const rows: { turn: TranscriptTurn; live?: LiveReply; sending?: boolean }[] = [
    ...turns.map((turn) => ({ turn, live: liveFor(turn.id) })),
    ...(sending && turns.length <= sending.before
      ? [{ turn: { ...placeholder('sending-message'), role: 'user' as const, text: sending.text }, sending: true }]
      : []),
    ...pendingReplies.map((turnId) => ({ turn: placeholder(turnId), live: live[turnId] })),
    ...(sending?.replying ? [{ turn: placeholder('sending-reply') }] : []),
  ];

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 140,
    overscan: 8,
    getItemKey: (index) => rows[index]?.turn.id ?? index,
  });

  // Older turns put above: keep the turn that was at the top where it was.
  useLayoutEffect(() => {
    if (keepAnchor.current > 0) {
      virtualizer.scrollToIndex(keepAnchor.current, { align: 'start' });
      keepAnchor.current = 0;
    }
  }, [turns, virtualizer]);

  // Follow the end while the designer is there (new messages, a reply growing).
  const liveLength = Object.values(live).reduce((n, r) => n + r.text.length, 0);
  useEffect(() => {
    if (atBottom.current && rows.length > 0) virtualizer.scrollToIndex(rows.length - 1, { align: 'end' });
  }, [rows.length, liveLength, virtualizer]);

  const stop = useCallback(async () => {
    if (!npcId) return;
    await run(() => Promise.all(Object.keys(live).map((turnId) => bridge().invoke('chat.stop', { npcId, conversationId, turnId }))));
  }, [npcId, conversationId, live, run]);

  // Esc stops a streaming reply wherever the focus is in the workspace (a dialog open takes Esc for itself).
  useEffect(() => {
    if (!props.active || liveIds.length === 0) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !e.defaultPrevented && !document.querySelector('[role="dialog"]')) void stop();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [props.active, liveIds.length, stop]);

  if (!props.npc || !npcId) {
    return (
      <section className="panel chat-panel" data-testid="panel-chat">
        <p className="empty">Pick an NPC on the left to chat with.</p>
      </section>
    );
  }

  async function send() {
    const text = draft.trim();
    if (!text || !npcId) return;
    setStreamError(null);
    // Shown at once, before the host answers: the message and a reply being written.
    setSending({ text, replying: true, before: turns.length });
    atBottom.current = true;
    const sent = await run(() => bridge().invoke('chat.send', { npcId, conversationId, text }));
    if (!sent) return setSending(null);
    setDraft('');
    expect(sent.turnId, 0);
    setSending((s) => s && { ...s, replying: false });
    await reload();
    setSending(null);
  }

  async function impersonate() {
    setImpersonating(true);
    try {
      const drafted = await run(() => bridge().invoke('chat.impersonate', { npcId: npcId!, conversationId }));
      // Stopped, it brings what was drafted so far (maybe nothing): no error, the composer just gets that text.
      if (drafted && (!drafted.stopped || drafted.text)) {
        setDraft(drafted.text);
        composer.current?.focus();
      }
    } finally {
      setImpersonating(false);
    }
  }

  /** Not through run(): the impersonation's own call holds the panel busy and reports any error. */
  function stopImpersonating() {
    void bridge()
      .invoke('chat.stopImpersonate', { npcId: npcId!, conversationId })
      .catch(() => undefined);
  }

  function editLastUserMessage() {
    const index = turns.findLastIndex((t) => t.role === 'user');
    if (index < 0) return;
    virtualizer.scrollToIndex(index, { align: 'center' });
    setEditRequest((r) => ({ turnId: turns[index]!.id, n: (r?.n ?? 0) + 1 }));
  }

  const actions: TurnActions = {
    regenerate: (turn) =>
      void run(async () => {
        setStreamError(null);
        const result = await bridge().invoke('chat.regenerate', { npcId, conversationId, turnId: turn.id });
        expect(result.turnId, result.alternative, result.messageId);
      }),
    continueReply: (turn) =>
      void run(async () => {
        setStreamError(null);
        const result = await bridge().invoke('chat.continue', { npcId, conversationId, turnId: turn.id });
        atBottom.current = true;
        expect(result.turnId, result.alternative, result.messageId);
      }),
    choose: (turn, index) =>
      void run(async () => {
        const updated = await bridge().invoke('chat.chooseSwipe', { npcId, conversationId, turnId: turn.id, index });
        setTurns((all) => all.map((t) => (t.id === updated.id ? updated : t)));
      }),
    edit: (turn, text) =>
      void run(async () => {
        const updated = await bridge().invoke('chat.edit', { npcId, conversationId, turnId: turn.id, text });
        setTurns((all) => all.map((t) => (t.id === updated.id ? updated : t)));
        onChanged();
      }),
    editAndResend: (turn, text) =>
      void run(async () => {
        setStreamError(null);
        const sent = await bridge().invoke('chat.editAndResend', { npcId, conversationId, turnId: turn.id, text });
        atBottom.current = true;
        expect(sent.turnId, 0);
        await reload(true);
      }),
    remove: (turn) =>
      void run(() => bridge().invoke('chat.delete', { npcId, conversationId, turnId: turn.id })).then(async () => {
        await reload(true);
        onChanged();
      }),
    branch: (turn) =>
      void run(async () => {
        const made = await bridge().invoke('conversation.branch', {
          npcId,
          conversationId: props.conversationId ?? 'main',
          messageId: turn.id,
        });
        props.onOpenConversation(made.conversationId);
      }),
    inspect: (turn) => onInspect(turn),
    toTest: (turn) =>
      void run(async () => {
        const { caseName } = await bridge().invoke('suite.addFromChat', { npcId, turnId: turn.id, conversationId });
        setMadeTest(caseName);
      }),
  };

  async function exportChat(format: 'json' | 'markdown') {
    const file = await run(() => bridge().invoke('chat.export', { npcId: npcId!, conversationId, format }));
    if (file) download(file.fileName, file.mime, file.text);
  }

  const streaming = liveIds.length > 0;
  const lastTurn = turns.at(-1);
  const canContinue = !streaming && lastTurn?.role === 'assistant' && lastTurn.status !== 'streaming';

  return (
    <section className="panel chat-panel" data-testid="panel-chat" aria-label={`Conversation with ${props.npc.name}`}>
      <div className="toolbar">
        <ConversationSettings
          npcId={npcId}
          conversationId={props.conversationId}
          version={settingsVersion + props.version}
          onChanged={() => {
            setSettingsVersion((v) => v + 1);
            onChanged();
          }}
        />
        <span className="spacer" />
        <Button size="xs" variant="default" data-testid="chat-export-markdown" onClick={() => void exportChat('markdown')}>
          Export Markdown
        </Button>
        <Button size="xs" variant="default" data-testid="chat-export-json" onClick={() => void exportChat('json')}>
          Export JSON
        </Button>
      </div>
      {problems.length > 0 && (
        <div className="banner warn" role="alert" data-testid="chat-transcript-problems">
          This conversation&apos;s file had damage: {problems.join('; ')}
        </div>
      )}
      <ErrorNote error={streamError} testId="chat-stream-error" onDismiss={() => setStreamError(null)} />
      <ErrorNote error={error} testId="chat-error" onDismiss={clearError} />
      {madeTest && (
        <div className="note ok" data-testid="chat-made-test">
          Added the test case &quot;{madeTest}&quot; to {props.npc.name}&apos;s suite; add its assertions in Tests.
          <button className="link" onClick={() => setMadeTest(null)}>
            Dismiss
          </button>
        </div>
      )}
      <div
        className="transcript"
        data-testid="chat-transcript"
        data-turns={rows.length}
        ref={scroller}
        role="log"
        aria-label="Messages"
        onScroll={(e) => {
          const el = e.currentTarget;
          atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
          if (el.scrollTop < 200 && olderCursor) void loadOlder();
        }}
      >
        {olderCursor && (
          <Button size="compact-xs" variant="subtle" data-testid="chat-load-older" onClick={() => void loadOlder()} disabled={busy}>
            Load older messages
          </Button>
        )}
        {rows.length === 0 && <p className="empty">No messages yet. Say hello to {props.npc.name}.</p>}
        <div className="transcript-rows" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index]!;
            return (
              <div
                key={item.key}
                className="transcript-row"
                data-index={item.index}
                ref={virtualizer.measureElement}
                style={{ transform: `translateY(${item.start}px)` }}
              >
                <ChatTurn
                  turn={row.turn}
                  live={row.live}
                  npcName={props.npc!.name}
                  actions={actions}
                  busy={busy}
                  inspected={row.turn.id === props.inspectedId}
                  sending={row.sending}
                  editRequest={editRequest?.turnId === row.turn.id ? editRequest.n : 0}
                />
              </div>
            );
          })}
        </div>
      </div>
      <form
        className="composer"
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        <Textarea
          ref={composer}
          style={{ flex: 1 }}
          aria-label={`Message to ${props.npc.name}`}
          data-testid="chat-input"
          value={draft}
          placeholder={`Message ${props.npc.name}…  (Enter sends, Shift+Enter new line, Esc stops, ↑ edits your last message)`}
          onChange={(e) => setDraft(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              void send();
            } else if (e.key === 'Escape' && streaming) {
              e.preventDefault();
              void stop();
            } else if (e.key === 'ArrowUp' && draft === '') {
              e.preventDefault();
              editLastUserMessage();
            }
          }}
          autosize
          minRows={2}
          maxRows={10}
        />
        <Group gap={6} style={{ flexDirection: 'column', alignItems: 'stretch' }}>
          {streaming ? (
            <Button type="button" color="red" data-testid="chat-stop" onClick={() => void stop()}>
              Stop
            </Button>
          ) : (
            <Button type="submit" data-testid="chat-send" disabled={busy || !draft.trim()}>
              Send
            </Button>
          )}
          <Group gap={6} wrap="nowrap">
            <Button
              type="button"
              size="compact-sm"
              variant="default"
              data-testid="chat-continue"
              disabled={!canContinue || busy}
              onClick={() => lastTurn && actions.continueReply(lastTurn)}
            >
              Continue
            </Button>
            {impersonating ? (
              <Button type="button" size="compact-sm" color="red" data-testid="chat-impersonate-stop" onClick={stopImpersonating}>
                Stop
              </Button>
            ) : (
              <Button
                type="button"
                size="compact-sm"
                variant="default"
                data-testid="chat-impersonate"
                disabled={streaming || busy}
                onClick={() => void impersonate()}
              >
                Impersonate
              </Button>
            )}
          </Group>
        </Group>
      </form>
    </section>
  );
}

function placeholder(turnId: string): TranscriptTurn {
  return { id: turnId, role: 'assistant', text: '', alternatives: [], chosen: 0, status: 'streaming', createdAt: new Date().toISOString() };
}
