import { createHash } from 'node:crypto';

/**
 * Lore sources are named by the designer ("Harbor lore.md"); IPC ids are restricted to [A-Za-z0-9_-].
 * The id is a readable slug plus a hash of the exact name, so two names never share an id.
 */
export function sourceIdOf(name: string): string {
  const slug =
    name
      .replace(/[^A-Za-z0-9_-]+/g, '-')
      .replace(/^[-_]+|-+$/g, '')
      .slice(0, 40) || 'source';
  return `${slug}-${createHash('sha256').update(name).digest('hex').slice(0, 10)}`;
}
