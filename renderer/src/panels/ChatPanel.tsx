import { useCallback, useEffect, useRef, useState } from 'react';
import type { TranscriptTurn } from '../../../shared/chat';
import type { NpcSummary } from '../../../shared/npc';
import { bridge } from '../bridge';
import { ChatTurn, type TurnActions } from '../components/ChatTurn';
import { ErrorNote } from '../components/Field';
import { download } from '../files';
import { useAction, type ActionError } from '../hooks';
import { useChatStream, type LiveReply } from './chat-stream';

export function ChatPanel(props: { npc: NpcSummary | null; npcs: NpcSummary[]; onSelect: (id: string) => void; onReplyDone: () => void }) {
  const npcId = props.npc?.id ?? null;
  const [turns, setTurns] = useState<TranscriptTurn[]>([]);
  const [problems, setProblems] = useState<string[]>([]);
  const [draft, setDraft] = useState('');
  const [streamError, setStreamError] = useState<ActionError | null>(null);
  const [madeTest, setMadeTest] = useState<string | null>(null);
  const { busy, error, clearError, run } = useAction();
  const bottom = useRef<HTMLDivElement>(null);

  const reload = useCallback(async () => {
    if (!npcId) return setTurns([]);
    const history = await run(() => bridge().invoke('chat.history', { npcId }));
    if (history && history.npcId === npcId) {
      setTurns(history.turns);
      setProblems(history.problems ?? []);
      // Replies streaming when the page (re)loaded: keep their text so far, then append tokens.
      const streaming = history.turns.filter((t) => t.status === 'streaming').map((t) => ({ turnId: t.id, alternative: 0, text: t.text }));
      seedRef.current([...streaming, ...(history.inProgress ?? [])]);
    }
  }, [npcId, run]);
  const seedRef = useRef<(replies: LiveReply[]) => void>(() => undefined);

  const { live, expect, seed, settle } = useChatStream(npcId, {
    onDone: (done) => {
      void reload().then(() => settle(done.turnId));
      props.onReplyDone();
    },
    onError: (failed) => {
      setStreamError({ message: failed.error.message, code: failed.error.code, hint: failed.error.code === 'ProviderUnavailable' ? failed.error.hint : undefined });
      void reload().then(() => settle(failed.turnId));
    },
  });

  seedRef.current = seed;

  useEffect(() => {
    setStreamError(null);
    void reload();
  }, [reload]);

  const liveIds = Object.keys(live);
  useEffect(() => {
    // Braces matter: newer Chromium returns a Promise from scrollIntoView, and an effect must not return one.
    void bottom.current?.scrollIntoView({ block: 'end' });
  }, [turns.length, liveIds.length, live]);

  if (!props.npc || !npcId) {
    return (
      <section className="panel chat-panel" data-testid="panel-chat">
        <p className="empty">Pick an NPC to chat with.</p>
        <NpcPicker npcs={props.npcs} value={null} onSelect={props.onSelect} />
      </section>
    );
  }

  async function send() {
    const text = draft.trim();
    if (!text || !npcId) return;
    setStreamError(null);
    const sent = await run(() => bridge().invoke('chat.send', { npcId, text }));
    if (!sent) return;
    setDraft('');
    expect(sent.turnId, 0);
    await reload();
  }

  const actions: TurnActions = {
    regenerate: (turn) =>
      void run(async () => {
        setStreamError(null);
        const result = await bridge().invoke('chat.regenerate', { npcId, turnId: turn.id });
        expect(result.turnId, result.alternative, result.messageId);
      }),
    choose: (turn, index) =>
      void run(async () => {
        const updated = await bridge().invoke('chat.chooseSwipe', { npcId, turnId: turn.id, index });
        setTurns((all) => all.map((t) => (t.id === updated.id ? updated : t)));
      }),
    edit: (turn, text) =>
      void run(async () => {
        const updated = await bridge().invoke('chat.edit', { npcId, turnId: turn.id, text });
        setTurns((all) => all.map((t) => (t.id === updated.id ? updated : t)));
      }),
    remove: (turn) => void run(() => bridge().invoke('chat.delete', { npcId, turnId: turn.id })).then(reload),
    toTest: (turn) =>
      void run(async () => {
        const { caseName } = await bridge().invoke('suite.addFromChat', { npcId, turnId: turn.id });
        setMadeTest(caseName);
      }),
  };

  async function stop() {
    await run(() => Promise.all(liveIds.map((turnId) => bridge().invoke('chat.stop', { npcId: npcId!, turnId }))));
  }

  async function exportChat(format: 'json' | 'markdown') {
    const file = await run(() => bridge().invoke('chat.export', { npcId: npcId!, format }));
    if (file) download(file.fileName, file.mime, file.text);
  }

  // A live reply shows in place when it belongs to a transcript turn (same id, or a regenerated
  // alternative of it); otherwise (a new reply, saved only when it ends) after the transcript.
  const known = new Set(turns.map((t) => t.id));
  const liveFor = (turnId: string) => live[turnId] ?? Object.values(live).find((reply) => reply.messageId === turnId);
  const pendingReplies = liveIds.filter((id) => !known.has(id) && !(live[id]?.messageId && known.has(live[id]!.messageId!)));
  const placeholder = (turnId: string): TranscriptTurn => ({
    id: turnId, role: 'assistant', text: '', alternatives: [], chosen: 0, status: 'streaming', createdAt: new Date().toISOString(),
  });

  return (
    <section className="panel chat-panel" data-testid="panel-chat">
      <div className="toolbar">
        <NpcPicker npcs={props.npcs} value={npcId} onSelect={props.onSelect} />
        <span className="spacer" />
        <button data-testid="chat-export-markdown" onClick={() => void exportChat('markdown')}>
          Export Markdown
        </button>
        <button data-testid="chat-export-json" onClick={() => void exportChat('json')}>
          Export JSON
        </button>
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
          <button className="link" onClick={() => setMadeTest(null)}>Dismiss</button>
        </div>
      )}
      <div className="transcript" data-testid="chat-transcript">
        {turns.length === 0 && pendingReplies.length === 0 && <p className="empty">No messages yet. Say hello to {props.npc.name}.</p>}
        {turns.map((turn) => (
          <ChatTurn key={turn.id} turn={turn} live={liveFor(turn.id)} npcName={props.npc!.name} actions={actions} busy={busy} />
        ))}
        {pendingReplies.map((turnId) => (
          <ChatTurn key={turnId} turn={placeholder(turnId)} live={live[turnId]} npcName={props.npc!.name} actions={actions} busy={busy} />
        ))}
        <div ref={bottom} />
      </div>
      <form
        className="composer"
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        <textarea
          data-testid="chat-input"
          value={draft}
          placeholder={`Message ${props.npc.name}…  (Enter sends, Shift+Enter for a new line)`}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) {
              e.preventDefault();
              void send();
            }
          }}
          rows={3}
        />
        {liveIds.length > 0 ? (
          <button type="button" className="danger" data-testid="chat-stop" onClick={() => void stop()}>
            Stop
          </button>
        ) : (
          <button type="submit" className="primary" data-testid="chat-send" disabled={busy || !draft.trim()}>
            Send
          </button>
        )}
      </form>
    </section>
  );
}

function NpcPicker(props: { npcs: NpcSummary[]; value: string | null; onSelect: (id: string) => void }) {
  return (
    <select data-testid="chat-npc-select" value={props.value ?? ''} onChange={(e) => e.target.value && props.onSelect(e.target.value)}>
      <option value="" disabled>
        Choose an NPC…
      </option>
      {props.npcs.map((npc) => (
        <option key={npc.id} value={npc.id}>
          {npc.name}
        </option>
      ))}
    </select>
  );
}
