import { LORE_DEFAULTS, type LorePosition, type LoreRole } from '../../../shared/lorebook';
import type { ResolvedEntry } from './resolved-entry';

/**
 * Where an activated entry goes. Its own position/depth/role, overridden by decorators as the V3 spec
 * orders them: `@@position` wins over `@@depth`; `@@depth N` puts it N messages from the end (at_depth);
 * `@@role` sets the role of an at-depth insertion.
 */
export interface Placement {
  position: LorePosition | number;
  depth: number | null;
  role: LoreRole;
  decorators: string[];
}

const ROLE_BY_NUMBER: readonly LoreRole[] = ['system', 'user', 'assistant'];

export function placementOf(e: ResolvedEntry): Placement {
  const d = e.decorators;
  const used: string[] = [];
  let position: LorePosition | number = e.entry.position ?? 'before_char';
  let depth = e.entry.depth ?? LORE_DEFAULTS.depth;
  if (d.position) {
    position = d.position.value;
    used.push(d.position.raw);
  } else if (d.depth) {
    position = 'at_depth';
    depth = d.depth.value;
    used.push(d.depth.raw);
  }
  const own = e.entry.role;
  let role: LoreRole = typeof own === 'string' ? own : typeof own === 'number' ? (ROLE_BY_NUMBER[own] ?? 'system') : 'system';
  if (d.role) {
    role = d.role.value;
    used.push(d.role.raw);
  }
  return { position, depth: position === 'at_depth' ? depth : null, role, decorators: used };
}

/**
 * Insertion order, as SillyTavern builds the prompt: ascending `order` (higher goes later, nearer the chat);
 * equal orders come out in reverse activation order, because SillyTavern sorts by order descending and
 * prepends each entry.
 */
export function insertionOrder<T extends { entry: ResolvedEntry }>(activated: readonly T[]): T[] {
  return activated
    .map((a, i) => ({ a, i }))
    .sort((x, y) => x.a.entry.order - y.a.entry.order || y.i - x.i)
    .map(({ a }) => a);
}
