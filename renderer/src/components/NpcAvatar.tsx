import { Avatar } from '@mantine/core';
import { useEffect, useState } from 'react';
import { bridge } from '../bridge';

/** Card art as data URLs, per NPC and its `updatedAt` (replacing the art moves it), shared by every avatar. */
const artCache = new Map<string, Promise<string | null>>();

function artUrl(npcId: string, version: string): Promise<string | null> {
  const key = `${npcId}@${version}`;
  let url = artCache.get(key);
  if (!url) {
    url = bridge()
      .invoke('npc.getArt', { id: npcId })
      .then((art) => (art ? `data:${art.mime};base64,${art.base64}` : null))
      .catch(() => null);
    artCache.set(key, url);
  }
  return url;
}

/** An NPC's card art as a round avatar (read only when the NPC has art); its initials otherwise. */
export function NpcAvatar(props: { npcId: string; name: string; hasArt: boolean; version: string; size?: number | 'sm' | 'md' | 'lg' }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    if (!props.hasArt) return setSrc(null);
    let current = true;
    void artUrl(props.npcId, props.version).then((url) => current && setSrc(url));
    return () => {
      current = false;
    };
  }, [props.npcId, props.hasArt, props.version]);
  return (
    <Avatar
      src={src}
      alt={`${props.name}'s card art`}
      name={props.name}
      color="initials"
      size={props.size ?? 'md'}
      data-testid="npc-avatar"
      data-has-art={src ? 'true' : 'false'}
    />
  );
}
