import { Button } from '@mantine/core';
import { useClipboard } from '@mantine/hooks';
import { useState } from 'react';
import type { LoreUsed, PromptInspection } from '../../../shared/chat';
import type { ReplyLoreTrace } from '../../../shared/lorebook-trace';
import { LoreTraceView } from './LoreTrace';

/** Why each lorebook entry fired, and which were left out: a toggle (not a nested <details>) inside "Lore used". */
function LoreWhy(props: { trace: ReplyLoreTrace }) {
  const [open, setOpen] = useState(false);
  return (
    <div className="lore-why">
      <button type="button" className="link" data-testid="chat-lore-why" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
        {open ? 'Hide why' : 'Why these entries, and which were left out'}
      </button>
      {open && <LoreTraceView trace={props.trace} books={props.trace.books} testId="chat-lore-trace" />}
    </div>
  );
}

export function LoreUsedView(props: { lore: LoreUsed; open?: boolean }) {
  const { entries, chunks, entriesDropped = 0, chunksDropped = 0 } = props.lore;
  if (entries.length === 0 && chunks.length === 0 && entriesDropped === 0 && chunksDropped === 0) return null;
  return (
    <details className="lore-used" data-testid="chat-lore" open={props.open}>
      <summary>
        Lore used: {entries.length} lorebook {entries.length === 1 ? 'entry' : 'entries'}, {chunks.length} knowledge{' '}
        {chunks.length === 1 ? 'chunk' : 'chunks'}
        {(entriesDropped > 0 || chunksDropped > 0) && (
          <span className="badge warn" data-testid="chat-lore-dropped">
            left out for space: {entriesDropped} entries, {chunksDropped} chunks
          </span>
        )}
      </summary>
      {entries.map((entry, i) => (
        <div className="lore-item" key={`e${i}`} data-testid="chat-lore-entry">
          <span className="badge">lorebook</span> <strong>{entry.comment || entry.keys.join(', ')}</strong>
          {entry.book && <small> · {entry.book}</small>}
          {entry.matchedKeys && entry.matchedKeys.length > 0 && <small> · matched {entry.matchedKeys.join(', ')}</small>}
          {entry.reason === 'constant' && <small> · always on</small>}
          {(entry.reason === 'recursion' || entry.reason === 'recursive') && <small> · named by another entry</small>}
          {entry.reason === 'sticky' && <small> · still active (sticky)</small>}
          {entry.reason === 'decorator' && <small> · switched on by a decorator</small>}
          <p>{entry.content}</p>
        </div>
      ))}
      {props.lore.trace && <LoreWhy trace={props.lore.trace} />}
      {chunks.map((chunk, i) => (
        <div className="lore-item" key={`c${i}`} data-testid="chat-lore-chunk">
          <span className="badge">source</span>{' '}
          <cite data-testid="chat-lore-source" data-source-id={chunk.sourceId ?? ''}>
            {chunk.source}
          </cite>
          {chunk.distance !== undefined && <small> · distance {chunk.distance.toFixed(3)}</small>}
          <p>{chunk.text}</p>
        </div>
      ))}
    </details>
  );
}

/** The parts' texts in order, as one text to paste elsewhere. */
export function promptAsText(prompt: PromptInspection): string {
  return prompt.parts
    .filter((part) => part.text)
    .map((part) => `### ${part.name} (${part.tokens} tokens)\n${part.text}`)
    .join('\n\n');
}

/** `open` and with each part's text and a copy button: in the inspector; folded, figures only: under a reply. */
export function PromptInspector(props: { prompt: PromptInspection; open?: boolean }) {
  const { parts, contextSize, totalTokens, estimator, replyReserve, historyDropped } = props.prompt;
  const over = totalTokens > contextSize;
  const clipboard = useClipboard({ timeout: 1500 });
  return (
    <details className="prompt-inspector" data-testid="chat-prompt" open={props.open}>
      <summary>
        Prompt: <span data-testid="chat-prompt-total">{totalTokens}</span> / {contextSize} tokens
        {over && <span className="badge danger"> over the context size</span>}
      </summary>
      <table>
        <thead>
          <tr>
            <th>Part</th>
            <th>Tokens</th>
            <th>Share of context</th>
          </tr>
        </thead>
        <tbody>
          {parts.map((part, i) => (
            <tr key={i} data-testid="chat-prompt-part" data-part={part.name}>
              <td>{part.name}</td>
              <td>{part.tokens}</td>
              <td>
                <meter min={0} max={contextSize} value={part.tokens} aria-label={`${part.name}: ${part.tokens} of ${contextSize} tokens`} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {props.open &&
        parts
          .filter((part) => part.text)
          .map((part, i) => (
            <details key={i} className="prompt-message" data-testid="chat-prompt-part-text" data-part={part.name}>
              <summary>
                {part.name} · {part.tokens} tokens
              </summary>
              <pre>{part.text}</pre>
            </details>
          ))}
      {props.open && (
        <Button
          size="compact-xs"
          variant="default"
          mt={4}
          data-testid="chat-prompt-copy"
          onClick={() => clipboard.copy(promptAsText(props.prompt))}
        >
          {clipboard.copied ? 'Copied' : 'Copy as text'}
        </Button>
      )}
      <small>
        {' '}
        Token counts are estimates ({estimator}).
        {replyReserve !== undefined && ` ${replyReserve} tokens kept for the reply.`}
        {historyDropped ? ` ${historyDropped} oldest messages trimmed to fit.` : ''}
      </small>
    </details>
  );
}
