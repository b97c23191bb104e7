import {
  DEFAULT_LOCAL_MODEL,
  type CardData,
  type CharacterBook,
  type LorebookEntry,
  type Npc,
  type NpcDraft,
  type ProcessorKind,
} from '../../../shared/npc';

/** The editor's flat, string-typed state; converted to an NpcDraft on save. */
export interface NpcForm {
  id?: string;
  name: string;
  description: string;
  personality: string;
  scenario: string;
  first_mes: string;
  mes_example: string;
  system_prompt: string;
  post_history_instructions: string;
  creator_notes: string;
  alternate_greetings: string;
  tags: string;
  creator: string;
  character_version: string;
  processor: ProcessorKind;
  model: string;
  temperature: string;
  topP: string;
  numCtx: string;
  maxTokens: string;
  /** `savedKeys`: the entry's keys as loaded, saved as they were while the keys text is left as shown. */
  lore: { keys: string; content: string; enabled: boolean; savedKeys?: string[] }[];
  /** Ids of the standalone lorebooks attached to this NPC. */
  lorebooks: string[];
  /** What the form does not edit (extensions, keys other tools wrote), carried through unchanged. */
  keep: { card: Partial<CardData>; bookExtras?: Omit<CharacterBook, 'entries'>; entryExtras: Partial<LorebookEntry>[] };
}

/** Alternate greetings are separated by a line holding only "---". */
const GREETING_SEPARATOR = /\n-{3,}\n/;

export function blankForm(): NpcForm {
  return {
    name: '',
    description: '',
    personality: '',
    scenario: '',
    first_mes: '',
    mes_example: '',
    system_prompt: '',
    post_history_instructions: '',
    creator_notes: '',
    alternate_greetings: '',
    tags: '',
    creator: '',
    character_version: '',
    processor: 'local',
    model: DEFAULT_LOCAL_MODEL,
    temperature: '',
    topP: '',
    numCtx: '',
    maxTokens: '',
    lore: [],
    lorebooks: [],
    keep: { card: {}, entryExtras: [] },
  };
}

const str = (n: number | undefined) => (n === undefined ? '' : String(n));

export function formFromNpc(npc: Npc): NpcForm {
  const { card, studio } = npc;
  const book = card.character_book;
  const entries = book?.entries ?? [];
  const bookExtras = book ? (({ entries: _entries, ...rest }) => rest)(book) : undefined;
  return {
    id: npc.id,
    name: card.name,
    description: card.description,
    personality: card.personality,
    scenario: card.scenario,
    first_mes: card.first_mes,
    mes_example: card.mes_example,
    system_prompt: card.system_prompt,
    post_history_instructions: card.post_history_instructions,
    creator_notes: card.creator_notes,
    alternate_greetings: card.alternate_greetings.join('\n---\n'),
    tags: card.tags.join(', '),
    creator: card.creator,
    character_version: card.character_version,
    processor: studio.processor,
    model: studio.model,
    temperature: str(studio.sampling.temperature),
    topP: str(studio.sampling.topP),
    numCtx: str(studio.sampling.numCtx),
    maxTokens: str(studio.sampling.maxTokens),
    lore: entries.map((e) => ({ keys: e.keys.join(', '), content: e.content, enabled: e.enabled, savedKeys: e.keys })),
    lorebooks: [...(studio.lorebooks ?? [])],
    keep: {
      card: (({ character_book: _book, ...rest }) => rest)(card),
      bookExtras,
      entryExtras: entries.map(({ keys: _k, content: _c, enabled: _e, ...rest }) => rest),
    },
  };
}

function num(text: string): number | undefined {
  const trimmed = text.trim();
  return trimmed === '' ? undefined : Number(trimmed);
}

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export function inputFromForm(form: NpcForm): NpcDraft {
  const entries = form.lore.map((entry, i) => ({
    insertion_order: 100,
    extensions: {},
    ...form.keep.entryExtras[i],
    // Shown comma-joined, so an empty key or a comma inside a key (a regex) would not survive a split.
    keys: entry.savedKeys && entry.keys === entry.savedKeys.join(', ') ? entry.savedKeys : list(entry.keys),
    content: entry.content,
    enabled: entry.enabled,
  }));
  const sampling = { temperature: num(form.temperature), topP: num(form.topP), numCtx: num(form.numCtx), maxTokens: num(form.maxTokens) };
  return {
    ...(form.id ? { id: form.id } : {}),
    card: {
      ...form.keep.card,
      name: form.name,
      description: form.description,
      personality: form.personality,
      scenario: form.scenario,
      first_mes: form.first_mes,
      mes_example: form.mes_example,
      system_prompt: form.system_prompt,
      post_history_instructions: form.post_history_instructions,
      creator_notes: form.creator_notes,
      alternate_greetings: form.alternate_greetings.trim()
        ? form.alternate_greetings
            .split(GREETING_SEPARATOR)
            .map((g) => g.trim())
            .filter(Boolean)
        : [],
      tags: list(form.tags),
      creator: form.creator,
      character_version: form.character_version,
      extensions: form.keep.card.extensions ?? {},
      ...(entries.length || form.keep.bookExtras ? { character_book: { extensions: {}, ...form.keep.bookExtras, entries } } : {}),
    },
    studio: {
      processor: form.processor,
      model: form.model,
      sampling: Object.fromEntries(Object.entries(sampling).filter(([, v]) => v !== undefined)),
      ...(form.lorebooks.length ? { lorebooks: form.lorebooks } : {}),
    },
  };
}
