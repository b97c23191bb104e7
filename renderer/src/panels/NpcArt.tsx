import { useEffect, useRef, useState } from 'react';
import type { NpcArtInfo } from '../../../shared/contract';
import { bridge } from '../bridge';
import { ErrorNote } from '../components/Field';
import { fileToBase64 } from '../files';
import { useAction } from '../hooks';

/**
 * The NPC's card art, and a button to replace it with a PNG, JPEG or WebP file. Replacing it moves the NPC's
 * updatedAt, so `onChanged` (the NPC list read again) makes every avatar of the NPC show the new picture.
 */
export function NpcArt(props: { npcId: string; name: string; onChanged: () => Promise<void> }) {
  const [art, setArt] = useState<(NpcArtInfo & { base64: string }) | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const { busy, error, clearError, run } = useAction();

  useEffect(() => {
    let current = true;
    setArt(null);
    void bridge()
      .invoke('npc.getArt', { id: props.npcId })
      .then((a) => current && setArt(a))
      .catch(() => current && setArt(null));
    return () => {
      current = false;
    };
  }, [props.npcId]);

  async function replace(file: File) {
    const id = props.npcId;
    const info = await run(async () => bridge().invoke('npc.setArt', { id, base64: await fileToBase64(file) }));
    if (!info) return;
    setArt(await bridge().invoke('npc.getArt', { id }));
    await props.onChanged();
  }

  return (
    <div className="npc-art" data-testid="npc-art">
      {art ? (
        <img
          src={`data:${art.mime};base64,${art.base64}`}
          alt={`${props.name}'s card art`}
          width={art.width}
          height={art.height}
          data-testid="npc-art-image"
        />
      ) : (
        <div className="npc-art-empty" data-testid="npc-art-empty">
          No art
        </div>
      )}
      <button data-testid="npc-art-set" onClick={() => fileInput.current?.click()} disabled={busy}>
        {art ? 'Replace art…' : 'Set art…'}
      </button>
      <input
        ref={fileInput}
        type="file"
        accept=".png,.jpg,.jpeg,.webp,image/png,image/jpeg,image/webp"
        hidden
        data-testid="npc-art-file"
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = '';
          if (file) void replace(file);
        }}
      />
      <ErrorNote error={error} testId="npc-art-error" onDismiss={clearError} />
    </div>
  );
}
