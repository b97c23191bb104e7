import { Button } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { TranscriptTurn } from '../../../shared/chat';
import { MessageText } from '../chat/MessageText';
import type { LiveReply } from '../panels/chat-stream';
import { LoreUsedView, PromptInspector } from './PromptInspector';

export interface TurnActions {
  regenerate: (turn: TranscriptTurn) => void;
  choose: (turn: TranscriptTurn, index: number) => void;
  edit: (turn: TranscriptTurn, text: string) => void;
  remove: (turn: TranscriptTurn) => void;
  /** Extends the last reply. */
  continueReply: (turn: TranscriptTurn) => void;
  /** Replaces a user message's text, drops what came after and answers it again. */
  editAndResend: (turn: TranscriptTurn, text: string) => void;
  /** A new conversation with the history up to this message. */
  branch: (turn: TranscriptTurn) => void;
  /** Shows this reply's lore, prompt and model in the inspector. */
  inspect: (turn: TranscriptTurn) => void;
  /** Turns this reply and the message before it into a test case of the NPC's suite. */
  toTest?: (turn: TranscriptTurn) => void;
}

export function ChatTurn(props: {
  turn: TranscriptTurn;
  live?: LiveReply;
  npcName: string;
  actions: TurnActions;
  busy: boolean;
  inspected?: boolean;
  /** The designer's message on its way to the host (not saved yet). */
  sending?: boolean;
  /** Grows when the designer asks to edit this message from the keyboard (Up in an empty composer). */
  editRequest?: number;
}) {
  const { turn, live, actions } = props;
  const [editing, setEditing] = useState<string | null>(null);
  useEffect(() => {
    if (props.editRequest) setEditing(turn.text);
  }, [props.editRequest]);
  const [confirming, setConfirming] = useState(false);
  const streaming = !props.sending && (live !== undefined || turn.status === 'streaming');
  const count = Math.max(turn.alternatives.length, live ? live.alternative + 1 : 0);
  const shown = live ? live.alternative : turn.chosen;
  // A continued reply streams only its new text, after what the reply said already.
  const text = live
    ? live.messageId === turn.id && live.alternative === turn.chosen && turn.role === 'assistant'
      ? turn.text + live.text
      : live.text
    : turn.text;
  const status = props.sending ? 'sending' : streaming ? 'streaming' : turn.status;

  return (
    <article
      className={`turn ${turn.role} ${status}`}
      data-testid="chat-turn"
      data-role={turn.role}
      data-turn-id={turn.id}
      data-status={status}
      data-inspected={props.inspected ? 'true' : undefined}
      aria-label={`${turn.role === 'user' ? 'You' : props.npcName}${streaming ? ', writing' : ''}`}
    >
      <header>
        <strong>{turn.role === 'user' ? 'You' : props.npcName}</strong>
        {turn.model && <small> · {turn.model}</small>}
        {turn.greeting && <span className="badge">greeting</span>}
        {status === 'interrupted' && (
          <span className="badge warn" data-testid="chat-turn-interrupted">
            interrupted
          </span>
        )}
        {status === 'error' && <span className="badge danger">failed</span>}
        {streaming && <span className="badge live">streaming…</span>}
        {props.sending && <span className="badge live">sending…</span>}
      </header>
      {editing !== null ? (
        <div className="edit">
          <textarea
            data-testid="chat-edit-text"
            aria-label="Edit the message"
            value={editing}
            onChange={(e) => setEditing(e.target.value)}
            onKeyDown={(e) => {
              if (e.key !== 'Escape') return;
              e.preventDefault();
              setEditing(null);
            }}
            rows={4}
            autoFocus
          />
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
          {turn.role === 'user' && (
            <button
              data-testid="chat-edit-resend"
              disabled={!editing.trim() || props.busy}
              onClick={() => {
                actions.editAndResend(turn, editing);
                setEditing(null);
              }}
            >
              Save and resend
            </button>
          )}
          <button data-testid="chat-edit-cancel" onClick={() => setEditing(null)}>
            Cancel
          </button>
        </div>
      ) : (
        <div className="text rendered" data-testid="chat-turn-text">
          <MessageText text={text} />
          {streaming && <span className="caret" aria-hidden="true" />}
        </div>
      )}
      {turn.error && <p className="turn-error">{turn.error}</p>}
      <footer>
        {turn.role === 'assistant' && count > 1 && (
          <span className="swipes">
            <button
              className="icon"
              data-testid="chat-swipe-prev"
              aria-label="previous alternative"
              disabled={streaming || props.busy || shown === 0}
              onClick={() => actions.choose(turn, shown - 1)}
            >
              ‹
            </button>
            <span data-testid="chat-swipe-index">
              {shown + 1}/{count}
            </span>
            <button
              className="icon"
              data-testid="chat-swipe-next"
              aria-label="next alternative"
              disabled={streaming || props.busy || shown >= count - 1}
              onClick={() => actions.choose(turn, shown + 1)}
            >
              ›
            </button>
          </span>
        )}
        {!streaming && !props.sending && (
          <span className="turn-actions">
            {turn.role === 'assistant' && (
              <button className="link" data-testid="chat-regenerate" disabled={props.busy} onClick={() => actions.regenerate(turn)}>
                Regenerate
              </button>
            )}
            {turn.role === 'assistant' && !turn.greeting && actions.toTest && (
              <button
                className="link"
                data-testid="chat-make-test"
                disabled={props.busy}
                onClick={() => actions.toTest!(turn)}
                title="Turn this exchange into a test"
              >
                Make test
              </button>
            )}
            {turn.role === 'assistant' && (
              <Button
                size="compact-xs"
                variant="subtle"
                data-testid="chat-inspect"
                aria-pressed={props.inspected ?? false}
                onClick={() => actions.inspect(turn)}
              >
                Inspect
              </Button>
            )}
            <button
              className="link"
              data-testid="chat-branch"
              disabled={props.busy}
              onClick={() => actions.branch(turn)}
              title="A new conversation with the messages up to this one"
            >
              Branch
            </button>
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
