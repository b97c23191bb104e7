import { useState } from 'react';
import type { TranscriptTurn } from '../../../shared/chat';
import type { LiveReply } from '../panels/chat-stream';
import { LoreUsedView, PromptInspector } from './PromptInspector';

export interface TurnActions {
  regenerate: (turn: TranscriptTurn) => void;
  choose: (turn: TranscriptTurn, index: number) => void;
  edit: (turn: TranscriptTurn, text: string) => void;
  remove: (turn: TranscriptTurn) => void;
  /** Turns this reply and the message before it into a test case of the NPC's suite. */
  toTest?: (turn: TranscriptTurn) => void;
}

export function ChatTurn(props: { turn: TranscriptTurn; live?: LiveReply; npcName: string; actions: TurnActions; busy: boolean }) {
  const { turn, live, actions } = props;
  const [editing, setEditing] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const streaming = live !== undefined || turn.status === 'streaming';
  const count = Math.max(turn.alternatives.length, live ? live.alternative + 1 : 0);
  const shown = live ? live.alternative : turn.chosen;
  const text = live ? live.text : turn.text;
  const status = streaming ? 'streaming' : turn.status;

  return (
    <article className={`turn ${turn.role} ${status}`} data-testid="chat-turn" data-role={turn.role} data-turn-id={turn.id} data-status={status}>
      <header>
        <strong>{turn.role === 'user' ? 'You' : props.npcName}</strong>
        {turn.model && <small> · {turn.model}</small>}
        {turn.greeting && <span className="badge">greeting</span>}
        {status === 'interrupted' && <span className="badge warn" data-testid="chat-turn-interrupted">interrupted</span>}
        {status === 'error' && <span className="badge danger">failed</span>}
        {streaming && <span className="badge live">streaming…</span>}
      </header>
      {editing !== null ? (
        <div className="edit">
          <textarea data-testid="chat-edit-text" value={editing} onChange={(e) => setEditing(e.target.value)} rows={4} autoFocus />
          <button
            className="primary"
            data-testid="chat-edit-save"
            disabled={!editing.trim()}
            onClick={() => {
              actions.edit(turn, editing);
              setEditing(null);
            }}
          >
            Save
          </button>
          <button data-testid="chat-edit-cancel" onClick={() => setEditing(null)}>
            Cancel
          </button>
        </div>
      ) : (
        <p className="text" data-testid="chat-turn-text">
          {text}
          {streaming && <span className="caret" aria-hidden="true" />}
        </p>
      )}
      {turn.error && <p className="turn-error">{turn.error}</p>}
      <footer>
        {turn.role === 'assistant' && count > 1 && (
          <span className="swipes">
            <button className="icon" data-testid="chat-swipe-prev" aria-label="previous alternative" disabled={streaming || props.busy || shown === 0} onClick={() => actions.choose(turn, shown - 1)}>
              ‹
            </button>
            <span data-testid="chat-swipe-index">
              {shown + 1}/{count}
            </span>
            <button className="icon" data-testid="chat-swipe-next" aria-label="next alternative" disabled={streaming || props.busy || shown >= count - 1} onClick={() => actions.choose(turn, shown + 1)}>
              ›
            </button>
          </span>
        )}
        {!streaming && (
          <span className="turn-actions">
            {turn.role === 'assistant' && (
              <button className="link" data-testid="chat-regenerate" disabled={props.busy} onClick={() => actions.regenerate(turn)}>
                Regenerate
              </button>
            )}
            {turn.role === 'assistant' && !turn.greeting && actions.toTest && (
              <button className="link" data-testid="chat-make-test" disabled={props.busy} onClick={() => actions.toTest!(turn)} title="Turn this exchange into a test">
                Make test
              </button>
            )}
            <button className="link" data-testid="chat-edit" onClick={() => setEditing(turn.text)}>
              Edit
            </button>
            <button className="link danger" data-testid="chat-delete" onClick={() => setConfirming(true)}>
              Delete
            </button>
          </span>
        )}
        {turn.usage && !streaming && (
          <small className="usage">
            {turn.usage.promptTokens} + {turn.usage.replyTokens} tokens · {Math.round(turn.usage.latencyMs)} ms
          </small>
        )}
      </footer>
      {confirming && (
        <div className="confirm" role="alertdialog" data-testid="chat-delete-confirm">
          Delete this message?
          <button className="danger" data-testid="chat-delete-yes" onClick={() => (setConfirming(false), actions.remove(turn))}>
            Delete
          </button>
          <button data-testid="chat-delete-no" onClick={() => setConfirming(false)}>
            Keep
          </button>
        </div>
      )}
      {!streaming && turn.lore && <LoreUsedView lore={turn.lore} />}
      {!streaming && turn.prompt && <PromptInspector prompt={turn.prompt} />}
    </article>
  );
}
