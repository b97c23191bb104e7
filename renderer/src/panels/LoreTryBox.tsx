import { useState } from 'react';
import type { LoreTryResult } from '../../../shared/contract';
import type { NpcSummary } from '../../../shared/npc';
import { bridge } from '../bridge';
import { ErrorNote } from '../components/Field';
import { LoreTraceView } from '../components/LoreTrace';
import { useAction } from '../hooks';
import type { LorebookDraftState } from './lorebook-form';

/** Type a message and see which entries of the lorebook (as edited, unsaved) would fire, and why. */
export function LoreTryBox(props: { draft: LorebookDraftState; npcs: NpcSummary[]; initialNpc?: string }) {
  const [message, setMessage] = useState('');
  const [npcId, setNpcId] = useState(props.initialNpc ?? '');
  const [result, setResult] = useState<LoreTryResult | null>(null);
  const { busy, error, run } = useAction();

  async function tryIt() {
    const { id, name, book } = props.draft;
    const out = await run(() =>
      bridge().invoke('lorebook.try', {
        message,
        book: { ...(id ? { id } : {}), name: name || 'This lorebook', book },
        ...(npcId ? { npcId } : {}),
      }),
    );
    if (out) setResult(out);
  }

  return (
    <fieldset className="lore-try" data-testid="lore-try">
      <legend>Try a message</legend>
      <textarea
        data-testid="lore-try-message"
        rows={2}
        placeholder="Type what a player might say, e.g. “Any news from the harbor?”"
        value={message}
        onChange={(e) => setMessage(e.target.value)}
      />
      <div className="toolbar">
        <label className="inline">
          With
          <select data-testid="lore-try-npc" value={npcId} onChange={(e) => setNpcId(e.target.value)}>
            <option value="">this lorebook alone</option>
            {props.npcs.map((n) => (
              <option key={n.id} value={n.id}>
                {n.name}'s lorebooks too
              </option>
            ))}
          </select>
        </label>
        <button type="button" data-testid="lore-try-run" disabled={busy || !message.trim()} onClick={() => void tryIt()}>
          Try
        </button>
      </div>
      <ErrorNote error={error} testId="lore-try-error" />
      {result && (
        <>
          {result.missing.length > 0 && <p className="muted">Not found, left out: {result.missing.join(', ')}</p>}
          <LoreTraceView trace={result.trace} books={result.books} testId="lore-try-trace" showContent />
        </>
      )}
    </fieldset>
  );
}
