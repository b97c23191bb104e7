import { useEffect, useState } from 'react';
import type { TranscriptTurn } from '../../../shared/chat';
import type { NpcSummary } from '../../../shared/npc';
import { ChatPanel } from '../panels/ChatPanel';
import { ConversationList } from './ConversationList';
import { Inspector } from './Inspector';
import { NpcList } from './NpcList';

/** The chat workspace: NPCs and their conversations | the conversation | the inspector. */
export function Workspace(props: {
  npc: NpcSummary | null;
  npcs: NpcSummary[];
  active: boolean;
  onSelect: (id: string) => void;
  onReplyDone: () => void;
  onManageNpcs: () => void;
}) {
  const npcId = props.npc?.id ?? null;
  const [conversationId, setConversationId] = useState<string | null>(null);
  const [inspected, setInspected] = useState<TranscriptTurn | null>(null);
  const [listVersion, setListVersion] = useState(0);
  useEffect(() => {
    setConversationId(null);
    setInspected(null);
  }, [npcId]);

  return (
    <div className="workspace" data-testid="workspace">
      <div style={{ display: 'flex', flexDirection: 'column', gap: 12, minHeight: 0 }}>
        <NpcList npcs={props.npcs} selectedId={npcId} onSelect={props.onSelect} onManage={props.onManageNpcs} />
        {npcId && (
          <ConversationList
            npcId={npcId}
            selectedId={conversationId}
            version={listVersion}
            onChanged={() => setListVersion((v) => v + 1)}
            onSelect={(id) => {
              setConversationId(id);
              setInspected(null);
            }}
          />
        )}
      </div>
      <ChatPanel
        npc={props.npc}
        conversationId={conversationId}
        active={props.active}
        version={listVersion}
        inspectedId={inspected?.id ?? null}
        onInspect={setInspected}
        onReplyDone={props.onReplyDone}
        onChanged={() => setListVersion((v) => v + 1)}
        onOpenConversation={(id) => {
          setConversationId(id);
          setListVersion((v) => v + 1);
        }}
      />
      <Inspector npc={props.npc} turn={inspected} conversationId={conversationId} />
    </div>
  );
}
