import { Badge, Button, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import type { TranscriptTurn } from '../../../shared/chat';
import type { Npc, NpcSummary } from '../../../shared/npc';
import { bridge } from '../bridge';
import { LoreUsedView, PromptInspector } from '../components/PromptInspector';
import { PromptViewer } from './PromptViewer';

function hasLore(turn: TranscriptTurn): boolean {
  const lore = turn.lore;
  return !!lore && (lore.entries.length > 0 || lore.chunks.length > 0 || !!lore.entriesDropped || !!lore.chunksDropped);
}

function Row(props: { label: string; value: string | number | undefined; testId?: string }) {
  if (props.value === undefined || props.value === '') return null;
  return (
    <>
      <dt>{props.label}</dt>
      <dd data-testid={props.testId}>{props.value}</dd>
    </>
  );
}

/**
 * The workspace's right column, for the reply being inspected (the last one unless another is picked):
 * the lore it used and why each entry fired, its prompt part by part, and the model and sampling.
 */
export function Inspector(props: { npc: NpcSummary | null; turn: TranscriptTurn | null; conversationId: string | null }) {
  const [npc, setNpc] = useState<Npc | null>(null);
  const [viewing, setViewing] = useState(false);
  const npcId = props.npc?.id;
  const version = props.npc?.updatedAt;
  useEffect(() => {
    let current = true;
    setNpc(null);
    if (npcId)
      void bridge()
        .invoke('npc.get', { id: npcId })
        .then(
          (n) => current && setNpc(n),
          () => undefined,
        );
    return () => {
      current = false;
    };
  }, [npcId, version]);

  const turn = props.turn;
  const sampling = npc?.studio.sampling;
  return (
    <aside className="workspace-column inspector" aria-label="Inspector" data-testid="inspector">
      <div className="column-head">
        <Text fw={600} size="sm">
          Inspector
        </Text>
        {turn && (
          <Badge variant="light" size="sm" data-testid="inspector-turn" data-turn-id={turn.id}>
            {turn.greeting ? 'greeting' : 'reply'} · {new Date(turn.createdAt).toLocaleTimeString()}
          </Badge>
        )}
      </div>
      <div className="column-body">
        {!props.npc && (
          <Text size="sm" c="dimmed">
            Pick an NPC to see its model, and for each reply the lore and prompt that made it.
          </Text>
        )}
        {props.npc && (
          <section aria-label="Model and sampling">
            <h3>Model and sampling</h3>
            <dl data-testid="inspector-model">
              <Row label="Backend" value={(turn?.processor ?? props.npc.processor) === 'local' ? 'Local (Ollama)' : 'Hosted (Bedrock)'} />
              <Row label="Model" value={turn?.model ?? props.npc.model} testId="inspector-model-name" />
              <Row label="Temperature" value={sampling?.temperature ?? 'model default'} />
              <Row label="Top P" value={sampling?.topP ?? 'model default'} />
              <Row label="Context" value={sampling?.numCtx ? `${sampling.numCtx} tokens` : 'model default'} />
              <Row label="Reply at most" value={sampling?.maxTokens ? `${sampling.maxTokens} tokens` : 'model default'} />
              {turn?.usage && (
                <>
                  <Row label="Tokens" value={`${turn.usage.promptTokens} prompt + ${turn.usage.replyTokens} reply`} />
                  <Row label="Took" value={`${Math.round(turn.usage.latencyMs)} ms`} />
                </>
              )}
            </dl>
          </section>
        )}
        {props.npc && !turn && (
          <Text size="sm" c="dimmed" mt="sm">
            No reply yet: the lore and prompt of a reply show here once it is written.
          </Text>
        )}
        {turn && (
          <section aria-label="Lore used" data-testid="inspector-lore">
            <h3>Lore used</h3>
            {hasLore(turn) ? (
              <LoreUsedView lore={turn.lore!} open />
            ) : (
              <Text size="sm" c="dimmed" data-testid="inspector-no-lore">
                No lorebook entry or knowledge went into this reply.
              </Text>
            )}
          </section>
        )}
        {turn && !turn.greeting && (
          <section aria-label="Prompt" data-testid="inspector-prompt">
            <h3>Prompt</h3>
            <Button size="xs" data-testid="prompt-view" onClick={() => setViewing(true)}>
              View the exact prompt
            </Button>
            {turn.prompt && <PromptInspector prompt={turn.prompt} open />}
            {props.npc && (
              <PromptViewer
                npcId={props.npc.id}
                conversationId={props.conversationId}
                turnId={turn.id}
                alternative={turn.chosen}
                opened={viewing}
                onClose={() => setViewing(false)}
              />
            )}
          </section>
        )}
      </div>
    </aside>
  );
}
