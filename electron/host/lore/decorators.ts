import type { LoreRole } from '../../../shared/lorebook';

/**
 * Character Card V3 lorebook decorators: `@@name value` lines at the top of an entry's content, each
 * optionally followed by `@@@name value` fallbacks used when the one before is not supported or not valid.
 * The entry's content is never rewritten; the engine inserts the body below the decorator lines.
 */

export interface Decorator {
  name: string;
  /** The text after the name, trimmed; '' when there is none. */
  value: string;
  /** The line as written. */
  raw: string;
}

export interface DecoratorChain {
  primary: Decorator;
  fallbacks: Decorator[];
}

export interface ParsedContent {
  chains: DecoratorChain[];
  /** The content below the decorator lines. */
  body: string;
}

const LINE = /^@@(@?)([A-Za-z_][A-Za-z0-9_]*)(?:[ \t]+(.*))?$/;

export function parseDecorators(content: string): ParsedContent {
  if (!content.startsWith('@@')) return { chains: [], body: content };
  const lines = content.split('\n');
  const chains: DecoratorChain[] = [];
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (!line.startsWith('@@')) break;
    const m = LINE.exec(line);
    if (!m) continue; // "@@" followed by something that is no name: not a decorator, dropped from the body as SillyTavern does
    const d: Decorator = { name: m[2]!.toLowerCase(), value: (m[3] ?? '').trim(), raw: line };
    if (m[1] && chains.length) chains.at(-1)!.fallbacks.push(d);
    else if (!m[1]) chains.push({ primary: d, fallbacks: [] });
  }
  return { chains, body: lines.slice(i).join('\n') };
}

/** What the decorators of one entry ask for, as far as the studio supports them. */
export interface EntryDecorators {
  activate?: string;
  dontActivate?: string;
  depth?: { value: number; raw: string };
  role?: { value: LoreRole; raw: string };
  position?: { value: 'before_char' | 'after_char'; raw: string };
  scanDepth?: { value: number; raw: string };
  activateOnlyAfter?: { value: number; raw: string };
  activateOnlyEvery?: { value: number; raw: string };
  excludeKeys?: { value: string[]; raw: string };
  /** `@@additional_keys` may repeat: each list must match. */
  additionalKeys: { value: string[]; raw: string }[];
  ignoreOnMaxContext?: string;
  keepActivateAfterMatch?: string;
  dontActivateAfterMatch?: string;
  /** Every decorator applied, verbatim, in content order. */
  applied: string[];
  /** Decorators (and their fallbacks) the studio does not support or found invalid, verbatim. */
  ignored: string[];
}

const integer = (v: string) => (/^-?\d+$/.test(v) ? Number(v) : undefined);
const list = (v: string) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
const POSITION_VALUES: Record<string, 'before_char' | 'after_char'> = { before_desc: 'before_char', after_desc: 'after_char' };

type Apply = (d: Decorator, out: EntryDecorators) => boolean;

/** Supported decorators: each returns false when its value is invalid (then the fallback is tried). */
const SUPPORTED: Record<string, Apply> = {
  activate: (d, o) => ((o.activate ??= d.raw), true),
  dont_activate: (d, o) => ((o.dontActivate ??= d.raw), true),
  ignore_on_max_context: (d, o) => ((o.ignoreOnMaxContext ??= d.raw), true),
  keep_activate_after_match: (d, o) => ((o.keepActivateAfterMatch ??= d.raw), true),
  dont_activate_after_match: (d, o) => ((o.dontActivateAfterMatch ??= d.raw), true),
  depth: numberInto('depth', 0),
  scan_depth: numberInto('scanDepth', 0),
  activate_only_after: numberInto('activateOnlyAfter', 0),
  activate_only_every: numberInto('activateOnlyEvery', 1),
  role: (d, o) => {
    const v = d.value.toLowerCase();
    if (v !== 'system' && v !== 'user' && v !== 'assistant') return false;
    o.role ??= { value: v, raw: d.raw };
    return true;
  },
  position: (d, o) => {
    const v = POSITION_VALUES[d.value.toLowerCase()];
    if (!v) return false;
    o.position ??= { value: v, raw: d.raw };
    return true;
  },
  exclude_keys: (d, o) => {
    const v = list(d.value);
    if (!v.length) return false;
    o.excludeKeys ??= { value: v, raw: d.raw };
    return true;
  },
  additional_keys: (d, o) => {
    const v = list(d.value);
    if (!v.length) return false;
    o.additionalKeys.push({ value: v, raw: d.raw });
    return true;
  },
};

function numberInto(field: 'depth' | 'scanDepth' | 'activateOnlyAfter' | 'activateOnlyEvery', min: number): Apply {
  return (d, o) => {
    const n = integer(d.value);
    if (n === undefined || n < min) return false;
    o[field] ??= { value: n, raw: d.raw };
    return true;
  };
}

export function resolveDecorators(chains: readonly DecoratorChain[]): EntryDecorators {
  const out: EntryDecorators = { additionalKeys: [], applied: [], ignored: [] };
  for (const chain of chains) {
    let used = false;
    for (const d of [chain.primary, ...chain.fallbacks]) {
      if (!used && SUPPORTED[d.name]?.(d, out)) {
        out.applied.push(d.raw);
        used = true;
      } else if (!used) {
        out.ignored.push(d.raw);
      }
    }
  }
  return out;
}
