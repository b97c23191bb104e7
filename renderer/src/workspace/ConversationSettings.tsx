import { Button, Group, Modal, NumberInput, Popover, Select, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useCallback, useEffect, useState } from 'react';
import { AUTHORS_NOTE_ROLES, MAIN_CONVERSATION, type AuthorsNote, type ConversationSummary } from '../../../shared/conversations';
import type { Persona, PersonaList } from '../../../shared/personas';
import { bridge } from '../bridge';
import { ErrorNote } from '../components/Field';
import { useAction } from '../hooks';

const DEFAULT = '__default__';

/** The conversation's persona (who `{{user}}` is) and author's note, beside the conversation's title. */
export function ConversationSettings(props: { npcId: string; conversationId: string | null; version: number; onChanged: () => void }) {
  const [personas, setPersonas] = useState<PersonaList>({ personas: [], defaultId: null });
  const [conversation, setConversation] = useState<ConversationSummary | null>(null);
  const [managing, setManaging] = useState(false);
  const { error, clearError, run } = useAction();
  const conversationId = props.conversationId ?? MAIN_CONVERSATION;
  const { npcId, onChanged } = props;

  const reload = useCallback(async () => {
    const [list, conversations] = await Promise.all([
      run(() => bridge().invoke('persona.list', {})),
      run(() => bridge().invoke('conversation.list', { npcId })),
    ]);
    if (list) setPersonas(list);
    if (conversations) setConversation(conversations.find((c) => c.conversationId === conversationId) ?? null);
  }, [npcId, conversationId, run]);
  useEffect(() => void reload(), [reload, props.version]);

  async function configure(change: { personaId?: string | null; authorsNote?: AuthorsNote | null }) {
    const updated = await run(() => bridge().invoke('conversation.configure', { npcId, conversationId, ...change }));
    if (updated) {
      setConversation(updated);
      onChanged();
    }
  }

  const defaultName = personas.personas.find((p) => p.id === personas.defaultId)?.name ?? 'User';
  return (
    <Group gap="xs" data-testid="conversation-settings">
      <Text size="sm" fw={600} truncate data-testid="chat-conversation-title" maw={220}>
        {conversation?.title ?? ''}
      </Text>
      <Select
        size="xs"
        w={170}
        aria-label="Persona in this conversation"
        data-testid="chat-persona"
        value={conversation?.personaId ?? DEFAULT}
        allowDeselect={false}
        data={[{ value: DEFAULT, label: `Default (${defaultName})` }, ...personas.personas.map((p) => ({ value: p.id, label: p.name }))]}
        onChange={(value) => void configure({ personaId: value === DEFAULT || value === null ? null : value })}
      />
      <Button size="xs" variant="default" data-testid="personas-manage" onClick={() => setManaging(true)}>
        Personas…
      </Button>
      <AuthorsNoteButton note={conversation?.authorsNote ?? null} onSave={(note) => void configure({ authorsNote: note })} />
      <ErrorNote error={error} testId="conversation-settings-error" onDismiss={clearError} />
      <Modal opened={managing} onClose={() => setManaging(false)} title="Personas" size="lg">
        <PersonaManager list={personas} onChanged={() => void reload()} />
      </Modal>
    </Group>
  );
}

function AuthorsNoteButton(props: { note: AuthorsNote | null; onSave: (note: AuthorsNote | null) => void }) {
  const [opened, setOpened] = useState(false);
  const [text, setText] = useState('');
  const [depth, setDepth] = useState<number>(4);
  const [role, setRole] = useState<AuthorsNote['role']>('system');
  function open() {
    setText(props.note?.text ?? '');
    setDepth(props.note?.depth ?? 4);
    setRole(props.note?.role ?? 'system');
    setOpened(true);
  }
  return (
    <Popover opened={opened} onChange={setOpened} width={340} position="bottom-end" trapFocus withinPortal>
      <Popover.Target>
        <Button
          size="xs"
          variant={props.note?.text ? 'light' : 'default'}
          data-testid="authors-note"
          onClick={() => (opened ? setOpened(false) : open())}
        >
          Author&apos;s note{props.note?.text ? ' ✓' : ''}
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="xs">
          <Textarea
            label="Author's note"
            description="Put into the prompt near the end, on every reply of this conversation."
            autosize
            minRows={3}
            data-testid="authors-note-text"
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
          />
          <Group grow>
            <NumberInput
              label="Depth (messages from the end)"
              min={0}
              max={999}
              data-testid="authors-note-depth"
              value={depth}
              onChange={(v) => setDepth(typeof v === 'number' ? v : 4)}
            />
            <Select
              label="As"
              data={[...AUTHORS_NOTE_ROLES]}
              value={role}
              allowDeselect={false}
              onChange={(v) => v && setRole(v as AuthorsNote['role'])}
            />
          </Group>
          <Group justify="flex-end">
            <Button size="xs" variant="default" data-testid="authors-note-clear" onClick={() => (props.onSave(null), setOpened(false))}>
              Remove
            </Button>
            <Button
              size="xs"
              data-testid="authors-note-save"
              onClick={() => (props.onSave(text.trim() ? { text, depth, role } : null), setOpened(false))}
            >
              Save
            </Button>
          </Group>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}

/** Add, edit and delete personas, and pick the default one new conversations get. */
function PersonaManager(props: { list: PersonaList; onChanged: () => void }) {
  const [editing, setEditing] = useState<{ id?: string; name: string; description: string } | null>(null);
  const { busy, error, clearError, run } = useAction();
  async function save() {
    if (!editing) return;
    const saved = await run(() => bridge().invoke('persona.save', editing));
    if (saved) {
      setEditing(null);
      props.onChanged();
    }
  }
  async function call(work: () => Promise<unknown>) {
    if ((await run(work)) !== undefined) props.onChanged();
  }
  return (
    <Stack gap="xs" data-testid="persona-manager">
      <ErrorNote error={error} testId="persona-error" onDismiss={clearError} />
      {props.list.personas.length === 0 && (
        <Text size="sm" c="dimmed">
          No personas yet: {'{{user}}'} is &quot;User&quot;.
        </Text>
      )}
      {props.list.personas.map((p: Persona) => (
        <Group key={p.id} justify="space-between" data-testid="persona-item" wrap="nowrap">
          <div style={{ minWidth: 0 }}>
            <Text size="sm" fw={600}>
              {p.name} {props.list.defaultId === p.id && <span className="badge">default</span>}
            </Text>
            <Text size="xs" c="dimmed" truncate>
              {p.description || 'No description'}
            </Text>
          </div>
          <Group gap={4} wrap="nowrap">
            {props.list.defaultId !== p.id && (
              <Button
                size="compact-xs"
                variant="default"
                data-testid="persona-make-default"
                disabled={busy}
                onClick={() => void call(() => bridge().invoke('persona.setDefault', { id: p.id }))}
              >
                Make default
              </Button>
            )}
            <Button
              size="compact-xs"
              variant="default"
              data-testid="persona-edit"
              onClick={() => setEditing({ id: p.id, name: p.name, description: p.description })}
            >
              Edit
            </Button>
            <Button
              size="compact-xs"
              color="red"
              variant="light"
              data-testid="persona-delete"
              disabled={busy}
              onClick={() => void call(() => bridge().invoke('persona.delete', { id: p.id }))}
            >
              Delete
            </Button>
          </Group>
        </Group>
      ))}
      {editing ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <TextInput
            label="Name ({{user}})"
            data-testid="persona-name"
            value={editing.name}
            onChange={(e) => setEditing({ ...editing, name: e.currentTarget.value })}
            data-autofocus
          />
          <Textarea
            label="Description (goes into the prompt)"
            autosize
            minRows={3}
            data-testid="persona-description"
            value={editing.description}
            onChange={(e) => setEditing({ ...editing, description: e.currentTarget.value })}
          />
          <Group justify="flex-end" mt="xs">
            <Button size="xs" variant="default" onClick={() => setEditing(null)}>
              Cancel
            </Button>
            <Button size="xs" type="submit" data-testid="persona-save" disabled={busy || !editing.name.trim()}>
              Save persona
            </Button>
          </Group>
        </form>
      ) : (
        <Group>
          <Button size="xs" data-testid="persona-new" onClick={() => setEditing({ name: '', description: '' })}>
            New persona
          </Button>
        </Group>
      )}
    </Stack>
  );
}
