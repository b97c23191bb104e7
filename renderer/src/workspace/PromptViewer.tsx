import { Alert, Badge, Button, Group, Loader, Modal, Stack, Table, Text } from '@mantine/core';
import { useClipboard } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import type { PromptSource, PromptView } from '../../../shared/conversations';
import { bridge } from '../bridge';
import { ErrorNote } from '../components/Field';
import { useAction } from '../hooks';

/** Where a piece of the prompt came from, in words. */
export function sourceLabel(source: PromptSource): string {
  switch (source.kind) {
    case 'card':
      return source.field ? `card · ${source.field}` : 'card';
    case 'persona':
      return `persona · ${source.name}`;
    case 'lorebook':
      return `lorebook · ${source.book} · ${source.comment || source.entry}`;
    case 'knowledge':
      return `knowledge · ${source.source}`;
    case 'authors-note':
      return "author's note";
    default:
      return source.kind;
  }
}

/** The exact messages sent, as one text: role headings, then the message. */
export function promptViewAsText(view: PromptView): string {
  return view.messages.map((m) => `### ${m.role}\n${m.text}`).join('\n\n');
}

/** The prompt viewer: every message as sent, each piece with its source and tokens; copy as text or the request body. */
export function PromptViewer(props: {
  npcId: string;
  conversationId: string | null;
  turnId: string;
  alternative: number;
  opened: boolean;
  onClose: () => void;
}) {
  const [view, setView] = useState<PromptView | null>(null);
  const { error, clearError, run } = useAction();
  const copyText = useClipboard({ timeout: 1500 });
  const copyBody = useClipboard({ timeout: 1500 });
  const { npcId, conversationId, turnId, alternative, opened } = props;

  useEffect(() => {
    if (!opened) return;
    setView(null);
    void run(() => bridge().invoke('chat.prompt', { npcId, conversationId: conversationId ?? undefined, turnId, alternative })).then(
      (v) => v && setView(v),
    );
  }, [opened, npcId, conversationId, turnId, alternative, run]);

  return (
    <Modal opened={opened} onClose={props.onClose} title="The prompt as it was sent" size="xl" data-testid="prompt-viewer">
      <ErrorNote error={error} testId="prompt-viewer-error" onDismiss={clearError} />
      {!view && !error && <Loader size="sm" />}
      {view && (
        <Stack gap="sm">
          {!view.exact && (
            <Alert color="yellow" data-testid="prompt-viewer-inexact">
              This reply was saved before the studio kept each piece of its prompt: the system prompt is shown whole, and the history is
              today&apos;s conversation up to the reply.
            </Alert>
          )}
          <Group gap="xs">
            <Text size="sm">
              <strong data-testid="prompt-viewer-total">{view.totalTokens}</strong>
              {view.contextSize ? ` / ${view.contextSize}` : ''} tokens ({view.estimator}) · {view.model ?? 'model unknown'}
            </Text>
            <span className="spacer" />
            <Button size="xs" variant="default" data-testid="prompt-copy-text" onClick={() => copyText.copy(promptViewAsText(view))}>
              {copyText.copied ? 'Copied' : 'Copy as text'}
            </Button>
            <Button size="xs" variant="default" data-testid="prompt-copy-body" onClick={() => copyBody.copy(view.requestBody)}>
              {copyBody.copied ? 'Copied' : 'Copy request body (JSON)'}
            </Button>
          </Group>
          <Table striped withTableBorder data-testid="prompt-viewer-sources" aria-label="Tokens per source">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Source</Table.Th>
                <Table.Th>Tokens</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {Object.entries(view.tokensBySource).map(([kind, tokens]) => (
                <Table.Tr key={kind} data-testid="prompt-viewer-source" data-source={kind}>
                  <Table.Td>{kind}</Table.Td>
                  <Table.Td>{tokens}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          {view.messages.map((message, i) => (
            <div key={i} className="prompt-message" data-testid="prompt-viewer-message" data-role={message.role}>
              <Group gap="xs">
                <Badge variant="light">{message.role}</Badge>
                <Text size="xs" c="dimmed">
                  {message.tokens} tokens
                </Text>
              </Group>
              {message.pieces.map((piece, j) => (
                <div key={j} data-testid="prompt-viewer-piece" data-source={piece.source.kind}>
                  <Text size="xs" c="dimmed" mt={4}>
                    {sourceLabel(piece.source)} · {piece.tokens} tokens
                  </Text>
                  <pre>{piece.text}</pre>
                </div>
              ))}
            </div>
          ))}
        </Stack>
      )}
    </Modal>
  );
}
