import { describe, expect, it } from 'vitest';
import { loreEntrySchema, lorebookSchema, worldInfoEntrySchema, worldInfoFileSchema } from '../../shared/lorebook';

/**
 * zod writes a parsed object's keys in its schema's shape order, and exports are compared byte for byte with
 * the files they came from. These lists are the key orders as they stood before the shared field definitions
 * were made one fragment; a change to the shapes must keep them.
 */
// prettier-ignore
const LORE_ENTRY_KEYS = [
  'id', 'keys', 'secondaryKeys', 'selective', 'selectiveLogic', 'comment', 'name', 'content', 'constant', 'enabled', 'vectorized',
  'addMemo', 'order', 'priority', 'useRegex', 'position', 'depth', 'role', 'caseSensitive', 'matchWholeWords', 'scanDepth',
  'excludeRecursion', 'preventRecursion', 'delayUntilRecursion', 'probability', 'useProbability', 'group', 'groupOverride',
  'groupWeight', 'useGroupScoring', 'sticky', 'cooldown', 'delay', 'automationId', 'displayIndex', 'outletName', 'ignoreBudget',
  'triggers', 'matchPersonaDescription', 'matchCharacterDescription', 'matchCharacterPersonality', 'matchCharacterDepthPrompt',
  'matchScenario', 'matchCreatorNotes', 'extensions', 'extra', 'sourceSpelling',
];

// prettier-ignore
const WORLD_INFO_ENTRY_KEYS = [
  'uid', 'key', 'keysecondary', 'comment', 'content', 'constant', 'vectorized', 'selective', 'selectiveLogic', 'addMemo', 'order',
  'position', 'disable', 'excludeRecursion', 'preventRecursion', 'delayUntilRecursion', 'probability', 'useProbability', 'depth',
  'group', 'groupOverride', 'groupWeight', 'scanDepth', 'caseSensitive', 'matchWholeWords', 'useGroupScoring', 'automationId', 'role',
  'sticky', 'cooldown', 'delay', 'displayIndex', 'outletName', 'ignoreBudget', 'triggers', 'matchPersonaDescription',
  'matchCharacterDescription', 'matchCharacterPersonality', 'matchCharacterDepthPrompt', 'matchScenario', 'matchCreatorNotes', 'name',
  'priority', 'useRegex', 'extensions',
];

const LOREBOOK_KEYS = ['name', 'description', 'scanDepth', 'tokenBudget', 'recursiveScanning', 'extensions', 'extra', 'entries'];
const WORLD_INFO_FILE_KEYS = ['entries', 'name', 'description', 'scanDepth', 'tokenBudget', 'recursiveScanning', 'extensions'];

/** Fields both entry formats spell alike, each with a value its schema accepts. */
const shared = {
  selective: true,
  comment: 'Harbor',
  name: 'harbor',
  content: 'The harbor smells of tar.',
  constant: false,
  vectorized: false,
  addMemo: true,
  order: 100,
  priority: 10,
  useRegex: false,
  depth: 4,
  caseSensitive: null,
  matchWholeWords: true,
  scanDepth: 2,
  excludeRecursion: false,
  preventRecursion: true,
  delayUntilRecursion: 1,
  probability: 50,
  useProbability: true,
  group: 'docks',
  groupOverride: false,
  groupWeight: 100,
  useGroupScoring: null,
  sticky: 2,
  cooldown: 3,
  delay: 1,
  automationId: 'auto',
  displayIndex: 0,
  outletName: 'out',
  ignoreBudget: false,
  triggers: ['normal'],
  matchPersonaDescription: true,
  matchCharacterDescription: false,
  matchCharacterPersonality: true,
  matchCharacterDepthPrompt: false,
  matchScenario: true,
  matchCreatorNotes: false,
  extensions: { x: 1 },
};

const loreEntry = {
  ...shared,
  id: 7,
  keys: ['harbor'],
  secondaryKeys: ['ship'],
  selectiveLogic: 'and_any',
  enabled: true,
  position: 'at_depth',
  role: 'system',
  extra: { y: 2 },
  sourceSpelling: { worldInfoKey: '7' },
};

const worldInfoEntry = {
  ...shared,
  uid: 7,
  key: ['harbor'],
  keysecondary: ['ship'],
  selectiveLogic: 0,
  position: 4,
  disable: false,
  role: 0,
};

const bookFields = { name: 'Harbor', description: 'The docks.', scanDepth: 2, tokenBudget: 500, recursiveScanning: true, extensions: {} };

/** The same object with its keys written last to first, so the output order cannot come from the input's. */
const reversed = (o: object) => Object.fromEntries(Object.entries(o).reverse());

describe('lorebook schemas keep their key order', () => {
  it('the inputs populate every field the shapes name', () => {
    expect(Object.keys(loreEntry).sort()).toEqual([...LORE_ENTRY_KEYS].sort());
    expect(Object.keys(worldInfoEntry).sort()).toEqual([...WORLD_INFO_ENTRY_KEYS].sort());
  });

  it('a fully populated studio entry parses to its keys in the model order, unknown keys last', () => {
    const parsed = loreEntrySchema.parse(reversed({ ...loreEntry, unknownField: 1 }));
    expect(Object.keys(parsed)).toEqual([...LORE_ENTRY_KEYS, 'unknownField']);
  });

  it('a fully populated World Info entry parses to its keys in the World Info order, unknown keys last', () => {
    const parsed = worldInfoEntrySchema.parse(reversed({ ...worldInfoEntry, unknownField: 1 }));
    expect(Object.keys(parsed)).toEqual([...WORLD_INFO_ENTRY_KEYS, 'unknownField']);
  });

  it('a lorebook and a World Info file parse to their keys in their own orders', () => {
    expect(Object.keys(lorebookSchema.parse(reversed({ ...bookFields, extra: {}, entries: [loreEntry] })))).toEqual(LOREBOOK_KEYS);
    const file = worldInfoFileSchema.parse(reversed({ ...bookFields, entries: { 7: worldInfoEntry } }));
    expect(Object.keys(file)).toEqual(WORLD_INFO_FILE_KEYS);
  });
});
