import type { CharacterBook } from './npc';
import {
  LORE_POSITIONS,
  LORE_ROLES,
  SELECTIVE_LOGICS,
  type LoreEntry,
  type Lorebook,
  type LorebookV3File,
  type WorldInfoEntry,
  type WorldInfoFile,
} from './lorebook';

/**
 * Pure converters: SillyTavern World Info file ⇄ studio lorebook ⇄ Card V2/V3 `character_book`.
 *
 * One table names each field's home in the three shapes; the card homes follow SillyTavern's own
 * conversion (convertWorldInfoToCharacterBook / convertCharacterBook: its fields under `extensions`, snake
 * case). A field absent in the source stays absent; fields no shape names travel in `extra` and are written
 * back at the top of the entry; a card's doubled fields (`position` beside `extensions.position`,
 * `case_sensitive` twice) are written back as the source spelled them while their value is unchanged.
 * So World Info → lorebook → World Info and card book → lorebook → card book are the identity.
 */

type Json = Record<string, unknown>;
interface Codec {
  decode(v: unknown): unknown;
  encode(v: unknown): unknown;
}

const same: Codec = { decode: (v) => v, encode: (v) => v };
/** A numeric enum ⇄ its names; a number the studio does not know is kept as it is. */
function enumCodec(names: readonly string[]): Codec {
  return {
    decode: (v) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < names.length ? names[v] : v),
    encode: (v) => (typeof v === 'string' && names.includes(v) ? names.indexOf(v) : v),
  };
}
const invertBoolean: Codec = {
  decode: (v) => (typeof v === 'boolean' ? !v : v),
  encode: (v) => (typeof v === 'boolean' ? !v : v),
};

interface FieldHome {
  model: string;
  wi: string;
  card: readonly [string] | readonly ['extensions', string];
  codec?: Codec;
  wiCodec?: Codec;
}

const ext = (name: string) => ['extensions', name] as const;

/** Entry fields: model name, World Info key, card path. */
const ENTRY_FIELDS: readonly FieldHome[] = [
  { model: 'id', wi: 'uid', card: ['id'] },
  { model: 'keys', wi: 'key', card: ['keys'] },
  { model: 'secondaryKeys', wi: 'keysecondary', card: ['secondary_keys'] },
  { model: 'comment', wi: 'comment', card: ['comment'] },
  { model: 'name', wi: 'name', card: ['name'] },
  { model: 'content', wi: 'content', card: ['content'] },
  { model: 'constant', wi: 'constant', card: ['constant'] },
  { model: 'enabled', wi: 'disable', card: ['enabled'], wiCodec: invertBoolean },
  { model: 'selective', wi: 'selective', card: ['selective'] },
  { model: 'selectiveLogic', wi: 'selectiveLogic', card: ext('selectiveLogic'), codec: enumCodec(SELECTIVE_LOGICS) },
  { model: 'order', wi: 'order', card: ['insertion_order'] },
  { model: 'priority', wi: 'priority', card: ['priority'] },
  { model: 'useRegex', wi: 'useRegex', card: ['use_regex'] },
  { model: 'position', wi: 'position', card: ext('position'), codec: enumCodec(LORE_POSITIONS) },
  { model: 'depth', wi: 'depth', card: ext('depth') },
  { model: 'role', wi: 'role', card: ext('role'), codec: enumCodec(LORE_ROLES) },
  { model: 'caseSensitive', wi: 'caseSensitive', card: ext('case_sensitive') },
  { model: 'matchWholeWords', wi: 'matchWholeWords', card: ext('match_whole_words') },
  { model: 'scanDepth', wi: 'scanDepth', card: ext('scan_depth') },
  { model: 'excludeRecursion', wi: 'excludeRecursion', card: ext('exclude_recursion') },
  { model: 'preventRecursion', wi: 'preventRecursion', card: ext('prevent_recursion') },
  { model: 'delayUntilRecursion', wi: 'delayUntilRecursion', card: ext('delay_until_recursion') },
  { model: 'probability', wi: 'probability', card: ext('probability') },
  { model: 'useProbability', wi: 'useProbability', card: ext('useProbability') },
  { model: 'group', wi: 'group', card: ext('group') },
  { model: 'groupOverride', wi: 'groupOverride', card: ext('group_override') },
  { model: 'groupWeight', wi: 'groupWeight', card: ext('group_weight') },
  { model: 'useGroupScoring', wi: 'useGroupScoring', card: ext('use_group_scoring') },
  { model: 'sticky', wi: 'sticky', card: ext('sticky') },
  { model: 'cooldown', wi: 'cooldown', card: ext('cooldown') },
  { model: 'delay', wi: 'delay', card: ext('delay') },
  { model: 'automationId', wi: 'automationId', card: ext('automation_id') },
  { model: 'vectorized', wi: 'vectorized', card: ext('vectorized') },
  { model: 'displayIndex', wi: 'displayIndex', card: ext('display_index') },
  { model: 'addMemo', wi: 'addMemo', card: ext('add_memo') },
  { model: 'outletName', wi: 'outletName', card: ext('outlet_name') },
  { model: 'ignoreBudget', wi: 'ignoreBudget', card: ext('ignore_budget') },
  { model: 'triggers', wi: 'triggers', card: ext('triggers') },
  { model: 'matchPersonaDescription', wi: 'matchPersonaDescription', card: ext('match_persona_description') },
  { model: 'matchCharacterDescription', wi: 'matchCharacterDescription', card: ext('match_character_description') },
  { model: 'matchCharacterPersonality', wi: 'matchCharacterPersonality', card: ext('match_character_personality') },
  { model: 'matchCharacterDepthPrompt', wi: 'matchCharacterDepthPrompt', card: ext('match_character_depth_prompt') },
  { model: 'matchScenario', wi: 'matchScenario', card: ext('match_scenario') },
  { model: 'matchCreatorNotes', wi: 'matchCreatorNotes', card: ext('match_creator_notes') },
];

/** Book fields: model name, World Info top-level key (studio addition but `entries`), card key. */
const BOOK_FIELDS: readonly { model: string; wi: string; card: string }[] = [
  { model: 'name', wi: 'name', card: 'name' },
  { model: 'description', wi: 'description', card: 'description' },
  { model: 'scanDepth', wi: 'scanDepth', card: 'scan_depth' },
  { model: 'tokenBudget', wi: 'tokenBudget', card: 'token_budget' },
  { model: 'recursiveScanning', wi: 'recursiveScanning', card: 'recursive_scanning' },
  { model: 'extensions', wi: 'extensions', card: 'extensions' },
];

/** Model keys handled by the tables; anything else on a model object is carried to both shapes as is. */
const ENTRY_MODEL_KEYS = new Set([...ENTRY_FIELDS.map((f) => f.model), 'extensions', 'extra', 'sourceSpelling']);
const ENTRY_WI_KEYS = new Set([...ENTRY_FIELDS.map((f) => f.wi), 'extensions']);
const ENTRY_CARD_TOP_KEYS = new Set([
  ...ENTRY_FIELDS.filter((f) => f.card.length === 1).map((f) => f.card[0]),
  'extensions',
  'position',
  'case_sensitive',
]);
const CARD_EXT_KEYS = new Set(ENTRY_FIELDS.flatMap((f) => (f.card.length === 2 ? [f.card[1]] : [])));
const BOOK_MODEL_KEYS = new Set([...BOOK_FIELDS.map((f) => f.model), 'extra', 'entries']);

/** Card slots written from one model field each (slot → field); the source's spelling is kept for them. */
const CARD_DOUBLED_SLOTS: Record<string, 'position' | 'caseSensitive'> = {
  position: 'position',
  'extensions.position': 'position',
  case_sensitive: 'caseSensitive',
  'extensions.case_sensitive': 'caseSensitive',
};

const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);
const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function unknownKeys(source: Json, known: Set<string>): Json | undefined {
  const rest = Object.fromEntries(Object.entries(source).filter(([k]) => !known.has(k)));
  return Object.keys(rest).length ? rest : undefined;
}

/** Keys a newer model added that no table names: carried to every shape. */
function modelExtras(model: Json, known: Set<string>): Json {
  return Object.fromEntries(Object.entries(model).filter(([k]) => !known.has(k)));
}

// ---------------------------------------------------------------- World Info

export function worldInfoEntryToLore(source: WorldInfoEntry, recordKey?: string, index?: number): LoreEntry {
  const entry: Json = {};
  for (const f of ENTRY_FIELDS) {
    if (has(source, f.wi)) entry[f.model] = (f.wiCodec ?? f.codec ?? same).decode(source[f.wi]);
  }
  if (has(source, 'extensions')) entry.extensions = source.extensions;
  const extra = unknownKeys(source, ENTRY_WI_KEYS);
  if (extra) entry.extra = extra;
  if (recordKey !== undefined && recordKey !== defaultWorldInfoKey(entry, index ?? 0)) entry.sourceSpelling = { worldInfoKey: recordKey };
  return entry as LoreEntry;
}

export function loreEntryToWorldInfo(model: LoreEntry): WorldInfoEntry {
  const out: Json = { ...modelExtras(model, ENTRY_MODEL_KEYS) };
  for (const f of ENTRY_FIELDS) {
    if (model[f.model] !== undefined) out[f.wi] = (f.wiCodec ?? f.codec ?? same).encode(model[f.model]);
  }
  if (model.extensions !== undefined) out.extensions = model.extensions;
  return { ...model.extra, ...out } as WorldInfoEntry;
}

function defaultWorldInfoKey(entry: Json, index: number): string {
  const id = entry.id;
  return typeof id === 'number' || typeof id === 'string' ? String(id) : String(index);
}

export function worldInfoToLorebook(file: WorldInfoFile): Lorebook {
  const book: Json = {};
  for (const f of BOOK_FIELDS) if (has(file, f.wi)) book[f.model] = file[f.wi];
  const extra = unknownKeys(file, new Set([...BOOK_FIELDS.map((f) => f.wi), 'entries']));
  if (extra) book.extra = extra;
  book.entries = Object.entries(file.entries).map(([k, e], i) => worldInfoEntryToLore(e, k, i));
  return book as Lorebook;
}

export function lorebookToWorldInfo(book: Lorebook): WorldInfoFile {
  const out: Json = { ...book.extra, ...modelExtras(book, BOOK_MODEL_KEYS) };
  for (const f of BOOK_FIELDS) if (book[f.model] !== undefined) out[f.wi] = book[f.model];
  const wanted = book.entries.map((e, i) => e.sourceSpelling?.worldInfoKey ?? defaultWorldInfoKey(e, i));
  const taken = new Set<string>();
  let free = 0;
  const keys = wanted.map((k) => {
    if (!taken.has(k)) return (taken.add(k), k);
    // Two entries want one key (duplicate uids, or an index that is another entry's uid): the next free number,
    // as SillyTavern's getFreeWorldEntryUid, so no entry overwrites another.
    while (taken.has(String(free)) || wanted.includes(String(free))) free++;
    taken.add(String(free));
    return String(free);
  });
  // fromEntries, not assignment: a key such as "__proto__" stays an own key.
  out.entries = Object.fromEntries(book.entries.map((e, i) => [keys[i]!, loreEntryToWorldInfo(e)]));
  return out as WorldInfoFile;
}

// ---------------------------------------------------------------- Card V2/V3 character_book

type CardEntry = CharacterBook['entries'][number];

export function cardEntryToLore(source: CardEntry): LoreEntry {
  const src = source as Json;
  const sourceExt = isRecord(src.extensions) ? src.extensions : undefined;
  const entry: Json = {};
  for (const f of ENTRY_FIELDS) {
    const home = f.card.length === 1 ? src : sourceExt;
    const k = f.card.length === 1 ? f.card[0] : f.card[1];
    if (home && has(home, k)) entry[f.model] = (f.codec ?? same).decode(home[k]);
  }
  // The V2 spec's own fields, when SillyTavern's richer ones are absent.
  if (entry.position === undefined && (src.position === 'before_char' || src.position === 'after_char')) entry.position = src.position;
  if (entry.caseSensitive === undefined && typeof src.case_sensitive === 'boolean') entry.caseSensitive = src.case_sensitive;
  if (has(src, 'extensions')) {
    const others = sourceExt ? unknownKeys(sourceExt, CARD_EXT_KEYS) : src.extensions;
    // An extensions object holding only fields the model names comes back from them; an empty one is kept as it was.
    if (others !== undefined || Object.keys(sourceExt ?? {}).length === 0) entry.extensions = others ?? {};
  }
  const extra = unknownKeys(src, ENTRY_CARD_TOP_KEYS);
  if (extra) entry.extra = extra;

  const written = loreEntryToCard(entry as LoreEntry) as Json;
  const slots: Record<string, { absent: true } | { value: unknown }> = {};
  for (const slot of Object.keys(CARD_DOUBLED_SLOTS)) {
    const was = readSlot(src, slot);
    const now = readSlot(written, slot);
    if (was.present !== now.present || !deepEqual(was.value, now.value))
      slots[slot] = was.present ? { value: was.value } : { absent: true };
  }
  if (Object.keys(slots).length) {
    entry.sourceSpelling = {
      card: { basis: Object.fromEntries(Object.values(CARD_DOUBLED_SLOTS).map((k) => [k, entry[k] ?? null])), slots },
    };
  }
  return entry as LoreEntry;
}

export function loreEntryToCard(model: LoreEntry): CardEntry {
  const out: Json = { ...modelExtras(model, ENTRY_MODEL_KEYS) };
  const extensions: Json = { ...model.extensions };
  let anyExtension = model.extensions !== undefined;
  for (const f of ENTRY_FIELDS) {
    const value = model[f.model];
    if (value === undefined) continue;
    const encoded = (f.codec ?? same).encode(value);
    if (f.card.length === 1) out[f.card[0]] = encoded;
    else {
      extensions[f.card[1]] = encoded;
      anyExtension = true;
    }
  }
  // SillyTavern's V2 spelling beside its own: before_char for position 0, after_char for every other.
  if (model.position !== undefined) out.position = model.position === 'before_char' ? 'before_char' : 'after_char';
  if (typeof model.caseSensitive === 'boolean') out.case_sensitive = model.caseSensitive;
  if (anyExtension) out.extensions = extensions;

  // The source's spelling of a doubled field, while the field still has the value it was read with.
  const kept = model.sourceSpelling?.card;
  if (kept) {
    for (const [slot, spelled] of Object.entries(kept.slots)) {
      const field = CARD_DOUBLED_SLOTS[slot];
      if (field && deepEqual(kept.basis[field], model[field] ?? null)) writeSlot(out, slot, spelled);
    }
    // Emptied by a kept absence, and the source had no extensions of its own.
    if (model.extensions === undefined && isRecord(out.extensions) && Object.keys(out.extensions).length === 0) delete out.extensions;
  }
  return { ...model.extra, ...out } as CardEntry;
}

export function characterBookToLorebook(source: CharacterBook): Lorebook {
  const src = source as Json;
  const book: Json = {};
  for (const f of BOOK_FIELDS) if (has(src, f.card)) book[f.model] = src[f.card];
  const extra = unknownKeys(src, new Set([...BOOK_FIELDS.map((f) => f.card), 'entries']));
  if (extra) book.extra = extra;
  book.entries = source.entries.map(cardEntryToLore);
  return book as Lorebook;
}

export function lorebookToCharacterBook(book: Lorebook): CharacterBook {
  const out: Json = { ...book.extra, ...modelExtras(book, BOOK_MODEL_KEYS) };
  for (const f of BOOK_FIELDS) if (book[f.model] !== undefined) out[f.card] = book[f.model];
  out.entries = book.entries.map(loreEntryToCard);
  return out as CharacterBook;
}

export function lorebookV3ToLorebook(file: LorebookV3File): Lorebook {
  return characterBookToLorebook(file.data as CharacterBook);
}

export function lorebookToV3(book: Lorebook): LorebookV3File {
  return { spec: 'lorebook_v3', data: lorebookToCharacterBook(book) } as LorebookV3File;
}

// ---------------------------------------------------------------- helpers

function readSlot(o: Json, slot: string): { present: boolean; value?: unknown } {
  const [head, tail] = slot.split('.') as [string, string | undefined];
  if (tail === undefined) return has(o, head) ? { present: true, value: o[head] } : { present: false };
  const inner = o[head];
  return isRecord(inner) && has(inner, tail) ? { present: true, value: inner[tail] } : { present: false };
}

function writeSlot(o: Json, slot: string, spelled: { absent: true } | { value: unknown }) {
  const [head, tail] = slot.split('.') as [string, string | undefined];
  const target = tail === undefined ? o : isRecord(o[head]) ? (o[head] as Json) : undefined;
  if (!target) return;
  const k = tail ?? head;
  if ('absent' in spelled) delete target[k];
  else target[k] = spelled.value;
}

/** Structural equality of JSON values (key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (!isRecord(a) || !isRecord(b)) return false;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => has(b, k) && deepEqual(a[k], b[k]));
}
