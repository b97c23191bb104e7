import { ActionIcon, Alert, Button, Group, List, Menu, Modal, Text, TextInput, UnstyledButton } from '@mantine/core';
import { IconDots } from '@tabler/icons-react';
import { useCallback, useEffect, useRef, useState } from 'react';
import { MAIN_CONVERSATION, type ChatImportResult, type ConversationSummary } from '../../../shared/conversations';
import { bridge } from '../bridge';
import { ErrorNote } from '../components/Field';
import { useAction } from '../hooks';

function when(iso: string): string {
  const date = new Date(iso);
  return date.toDateString() === new Date().toDateString()
    ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleDateString();
}

/** An NPC's conversations, newest first: open, new, rename, duplicate, delete, and import a SillyTavern chat. */
export function ConversationList(props: {
  npcId: string;
  selectedId: string | null;
  version: number;
  onSelect: (id: string) => void;
  /** A conversation was renamed, added or removed. */
  onChanged: () => void;
}) {
  const [list, setList] = useState<ConversationSummary[]>([]);
  const [renaming, setRenaming] = useState<ConversationSummary | null>(null);
  const [title, setTitle] = useState('');
  const [deleting, setDeleting] = useState<ConversationSummary | null>(null);
  const [imported, setImported] = useState<ChatImportResult | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const { busy, error, clearError, run } = useAction();
  const { npcId, onSelect, onChanged } = props;
  const selected = props.selectedId ?? MAIN_CONVERSATION;

  const reload = useCallback(async () => {
    const found = await run(() => bridge().invoke('conversation.list', { npcId }));
    if (found) setList([...found].sort((a, b) => b.lastAt.localeCompare(a.lastAt)));
  }, [npcId, run]);
  useEffect(() => void reload(), [reload, props.version]);

  async function act(work: () => Promise<ConversationSummary | undefined>) {
    const made = await work();
    onChanged();
    if (made) onSelect(made.conversationId);
  }

  async function importFile(file: File) {
    const result = await run(async () =>
      bridge().invoke('conversation.importSillyTavern', { npcId, fileName: file.name, text: await file.text() }),
    );
    if (!result) return;
    setImported(result);
    onChanged();
    onSelect(result.conversation.conversationId);
  }

  return (
    <section className="workspace-column" style={{ flex: 1 }} aria-label="Conversations" data-testid="conversations">
      <div className="column-head">
        <Text fw={600} size="sm" style={{ flex: 1 }}>
          Conversations
        </Text>
        <Button
          size="compact-xs"
          data-testid="conversation-new"
          disabled={busy}
          onClick={() => void act(() => run(() => bridge().invoke('conversation.create', { npcId })))}
        >
          New
        </Button>
        <Button
          size="compact-xs"
          variant="default"
          data-testid="conversation-import"
          disabled={busy}
          onClick={() => fileInput.current?.click()}
        >
          Import…
        </Button>
        <input
          ref={fileInput}
          type="file"
          accept=".jsonl,application/jsonl,application/x-ndjson"
          hidden
          data-testid="conversation-import-file"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void importFile(file);
          }}
        />
      </div>
      <div className="column-body">
        <ErrorNote error={error} testId="conversation-error" onDismiss={clearError} />
        {list.map((c) => (
          <Group
            key={c.conversationId}
            gap={2}
            wrap="nowrap"
            className="npc-row"
            data-selected={c.conversationId === selected}
            style={{ borderRadius: 8 }}
          >
            <UnstyledButton
              style={{ flex: 1, minWidth: 0, padding: 6 }}
              data-testid="conversation-item"
              data-conversation-id={c.conversationId}
              aria-current={c.conversationId === selected ? 'true' : undefined}
              onClick={() => onSelect(c.conversationId)}
            >
              <Group justify="space-between" wrap="nowrap" gap={4}>
                <Text size="sm" fw={600} truncate data-testid="conversation-title">
                  {c.title}
                </Text>
                <Text size="xs" c="dimmed" style={{ flexShrink: 0 }} data-testid="conversation-date">
                  {when(c.lastAt)}
                </Text>
              </Group>
              <Text size="xs" c="dimmed" truncate data-testid="conversation-last">
                {c.lastMessage ? `${c.lastMessage.role === 'user' ? 'You: ' : ''}${c.lastMessage.excerpt}` : 'No messages yet'}
                {c.damaged ? ' · damaged file' : ''}
              </Text>
            </UnstyledButton>
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <ActionIcon variant="subtle" color="gray" size="sm" aria-label={`Actions for ${c.title}`} data-testid="conversation-menu">
                  <IconDots size={16} aria-hidden="true" />
                </ActionIcon>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Item data-testid="conversation-rename" onClick={() => (setTitle(c.title), setRenaming(c))}>
                  Rename…
                </Menu.Item>
                <Menu.Item
                  data-testid="conversation-duplicate"
                  onClick={() =>
                    void act(() => run(() => bridge().invoke('conversation.duplicate', { npcId, conversationId: c.conversationId })))
                  }
                >
                  Duplicate
                </Menu.Item>
                <Menu.Item color="red" data-testid="conversation-delete" onClick={() => setDeleting(c)}>
                  Delete…
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        ))}
      </div>
      <Modal opened={renaming !== null} onClose={() => setRenaming(null)} title="Rename the conversation">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const target = renaming!;
            setRenaming(null);
            void act(() => run(() => bridge().invoke('conversation.rename', { npcId, conversationId: target.conversationId, title })));
          }}
        >
          <TextInput
            label="Title"
            data-testid="conversation-title-input"
            value={title}
            onChange={(e) => setTitle(e.currentTarget.value)}
            data-autofocus
          />
          <Group justify="flex-end" mt="md">
            <Button type="submit" data-testid="conversation-rename-save" disabled={!title.trim()}>
              Rename
            </Button>
          </Group>
        </form>
      </Modal>
      <Modal opened={deleting !== null} onClose={() => setDeleting(null)} title="Delete the conversation?">
        <Text size="sm">
          &quot;{deleting?.title}&quot; and its {deleting?.messageCount ?? 0} messages will be deleted. This cannot be undone.
        </Text>
        <Group justify="flex-end" mt="md">
          <Button variant="default" onClick={() => setDeleting(null)}>
            Keep
          </Button>
          <Button
            color="red"
            data-testid="conversation-delete-yes"
            onClick={() => {
              const target = deleting!;
              setDeleting(null);
              void run(() => bridge().invoke('conversation.delete', { npcId, conversationId: target.conversationId })).then(() => {
                onChanged();
                if (target.conversationId === selected) onSelect(MAIN_CONVERSATION);
              });
            }}
          >
            Delete
          </Button>
        </Group>
      </Modal>
      <Modal opened={imported !== null} onClose={() => setImported(null)} title="SillyTavern chat imported" size="lg">
        {imported && <ImportReport result={imported} />}
      </Modal>
    </section>
  );
}

function ImportReport({ result }: { result: ChatImportResult }) {
  const { report } = result;
  return (
    <div data-testid="conversation-import-report">
      <Text size="sm">
        &quot;{result.conversation.title}&quot;: <strong data-testid="import-messages">{report.messages}</strong> messages and{' '}
        {report.alternatives} alternative replies kept
        {report.characterName ? `, between ${report.userName ?? 'the user'} and ${report.characterName}` : ''}.
      </Text>
      {report.skipped.length > 0 && (
        <Alert color="yellow" mt="sm" title={`${report.skipped.length} lines skipped`}>
          <List size="sm" data-testid="import-skipped">
            {report.skipped.slice(0, 20).map((s) => (
              <List.Item key={s.line}>
                line {s.line}: {s.reason}
              </List.Item>
            ))}
          </List>
        </Alert>
      )}
      {report.dropped.length > 0 && (
        <Alert color="gray" mt="sm" title="Not kept (the studio has no place for these)">
          <List size="sm" data-testid="import-dropped">
            {report.dropped.map((d) => (
              <List.Item key={d.field}>
                {d.field} ({d.count} messages): {d.why}
              </List.Item>
            ))}
          </List>
        </Alert>
      )}
    </div>
  );
}
