import { writeFileSync } from 'node:fs';
import { encodeCardPng } from '../../../electron/host/npc/card-codec';
import { cardDataSchema, studioSettingsSchema } from '../../../shared/npc';

export const IMPORTED_NPC = {
  name: 'Sable Quill',
  loreKey: 'lighthouse',
  loreContent: 'The lighthouse on Gannet Point has been dark since the wreck of the Tern.',
};

/**
 * A Character Card V2 PNG written by the studio's own exporter (a `chara` tEXt chunk with the V2 JSON),
 * with one lorebook entry keyed on "lighthouse".
 */
export function writeCardPng(path: string): string {
  const card = cardDataSchema.parse({
    name: IMPORTED_NPC.name,
    description: '{{char}} keeps the tide tables for the coast guard and trusts no ship captain.',
    personality: 'precise, suspicious, secretly kind',
    scenario: '{{user}} knocks on the tide office door at midnight.',
    first_mes: '*looks up from the tide tables* The office is closed. Unless it is about the tides.',
    tags: ['e2e', 'imported'],
    character_book: {
      entries: [{ keys: [IMPORTED_NPC.loreKey], content: IMPORTED_NPC.loreContent, enabled: true, insertion_order: 100, extensions: {} }],
      extensions: {},
    },
  });
  const studio = studioSettingsSchema.parse({ processor: 'local', model: 'llama3.2', sampling: { temperature: 0.5 } });
  writeFileSync(path, encodeCardPng({ card, studio }));
  return path;
}
