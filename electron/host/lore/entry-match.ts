import type { MatchSource } from '../../../shared/lorebook-trace';
import { findKey, type MatchOptions, type ScanBuffer } from './key-matching';
import type { ResolvedEntry } from './resolved-entry';

/**
 * Does an entry's keys match the scanned text: a primary key, then the secondary keys under the entry's
 * selective logic (SillyTavern's checkWorldInfo), then the `@@additional_keys` and `@@exclude_keys` decorators.
 */

export interface ScanView {
  buffer: ScanBuffer;
  depth: number;
  withRecursion: boolean;
  options: MatchOptions;
  /** Macros in keys ({{char}}, {{user}}) are replaced before matching, as SillyTavern's substituteParams. */
  render(text: string): string;
}

export type EntryMatch =
  | { matched: true; key: string; secondaryKey?: string; source: MatchSource; decorators: string[] }
  | {
      matched: false;
      reason: 'no_key_match' | 'secondary_logic_failed' | 'decorator';
      key?: string;
      source?: MatchSource;
      detail: string;
      decorator?: string;
    };

const LOGIC_WORDS: Record<string, string> = {
  and_any: 'AND ANY (one of them must be there)',
  not_all: 'NOT ALL (at least one of them must be missing)',
  not_any: 'NOT ANY (none of them may be there)',
  and_all: 'AND ALL (all of them must be there)',
};

export function matchEntry(e: ResolvedEntry, view: ScanView): EntryMatch {
  const text = view.buffer.text(view.depth, view.withRecursion);
  const hit = (k: string) => {
    const key = view.render(k).trim();
    return key !== '' && findKey(text, key, view.options) >= 0;
  };
  const primary = e.keys.find(hit);
  if (primary === undefined) {
    return {
      matched: false,
      reason: 'no_key_match',
      detail: `none of its keys is in the last ${view.depth} message(s)${view.withRecursion ? ' or the recursed entries' : ''}`,
    };
  }
  const source = view.buffer.locate(view.render(primary).trim(), view.options, view.depth, view.withRecursion);

  let secondaryKey: string | undefined;
  if (e.selective && e.secondaryKeys.length) {
    const found = e.secondaryKeys.map(hit);
    const i = found.indexOf(true);
    const j = found.indexOf(false);
    let ok: boolean;
    switch (e.logic) {
      case 'and_any':
        ok = i >= 0;
        secondaryKey = e.secondaryKeys[i];
        break;
      case 'not_all':
        ok = j >= 0;
        secondaryKey = e.secondaryKeys[j];
        break;
      case 'not_any':
        ok = i < 0;
        break;
      case 'and_all':
        ok = j < 0;
        break;
      default:
        ok = false; // a logic this studio does not know: never guess
    }
    if (!ok) {
      const logic = LOGIC_WORDS[String(e.logic)] ?? `unknown logic ${String(e.logic)}`;
      return {
        matched: false,
        reason: 'secondary_logic_failed',
        key: primary,
        source,
        detail: `key "${primary}" matched, but the secondary keys failed ${logic}`,
      };
    }
  }

  const applied: string[] = [];
  for (const extra of e.decorators.additionalKeys) {
    if (!extra.value.some(hit))
      return {
        matched: false,
        reason: 'decorator',
        key: primary,
        source,
        decorator: extra.raw,
        detail: `${extra.raw}: none of these keys is there`,
      };
    applied.push(extra.raw);
  }
  const exclude = e.decorators.excludeKeys;
  if (exclude) {
    const found = exclude.value.find(hit);
    if (found !== undefined)
      return {
        matched: false,
        reason: 'decorator',
        key: primary,
        source,
        decorator: exclude.raw,
        detail: `${exclude.raw}: "${found}" is there`,
      };
    applied.push(exclude.raw);
  }
  return { matched: true, key: primary, ...(secondaryKey !== undefined ? { secondaryKey } : {}), source, decorators: applied };
}

/** SillyTavern's getScore: matched primary keys, plus matched secondary keys when the logic is AND ANY, or AND ALL and all matched. */
export function scoreEntry(e: ResolvedEntry, view: ScanView): number {
  const text = view.buffer.text(view.depth, view.withRecursion);
  const count = (keys: string[]) =>
    keys.filter((k) => {
      const key = view.render(k).trim();
      return key !== '' && findKey(text, key, view.options) >= 0;
    }).length;
  if (!e.keys.length) return 0;
  const primary = count(e.keys);
  if (!e.secondaryKeys.length) return primary;
  const secondary = count(e.secondaryKeys);
  if (e.logic === 'and_any') return primary + secondary;
  if (e.logic === 'and_all') return secondary === e.secondaryKeys.length ? primary + secondary : primary;
  return primary;
}
