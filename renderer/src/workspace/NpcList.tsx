import { Button, Group, Stack, Text, TextInput, UnstyledButton } from '@mantine/core';
import { useState } from 'react';
import type { NpcSummary } from '../../../shared/npc';
import { NpcAvatar } from '../components/NpcAvatar';

/** The workspace's left column: every NPC with its card art; picking one opens its conversation. */
export function NpcList(props: { npcs: NpcSummary[]; selectedId: string | null; onSelect: (id: string) => void; onManage: () => void }) {
  const [filter, setFilter] = useState('');
  const needle = filter.trim().toLowerCase();
  const shown = needle ? props.npcs.filter((n) => `${n.name} ${n.tags.join(' ')}`.toLowerCase().includes(needle)) : props.npcs;
  return (
    <aside className="workspace-column" aria-label="NPCs" data-testid="workspace-npcs">
      <div className="column-head">
        <TextInput
          size="xs"
          style={{ flex: 1 }}
          placeholder="Find an NPC"
          aria-label="Find an NPC by name or tag"
          value={filter}
          onChange={(e) => setFilter(e.currentTarget.value)}
        />
        <Button size="xs" variant="default" onClick={props.onManage} data-testid="workspace-manage-npcs">
          Manage
        </Button>
      </div>
      <div className="column-body">
        {props.npcs.length === 0 && (
          <Text size="sm" c="dimmed" p="xs">
            No NPCs yet. Create or import one in NPCs.
          </Text>
        )}
        <Stack gap={2}>
          {shown.map((npc) => (
            <UnstyledButton
              key={npc.id}
              className="npc-row"
              data-testid="workspace-npc"
              data-npc-id={npc.id}
              data-selected={npc.id === props.selectedId}
              aria-current={npc.id === props.selectedId ? 'true' : undefined}
              onClick={() => props.onSelect(npc.id)}
              p={6}
              style={{ borderRadius: 8 }}
            >
              <Group gap="sm" wrap="nowrap">
                <NpcAvatar npcId={npc.id} name={npc.name} hasArt={npc.hasArt} version={npc.updatedAt} />
                <div style={{ minWidth: 0 }}>
                  <Text size="sm" fw={600} truncate>
                    {npc.name}
                  </Text>
                  <Text size="xs" c="dimmed" truncate>
                    {npc.model}
                  </Text>
                </div>
              </Group>
            </UnstyledButton>
          ))}
        </Stack>
      </div>
    </aside>
  );
}
