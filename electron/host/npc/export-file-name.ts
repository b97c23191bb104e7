import { CARD_LIMITS } from '../../../shared/npc';

/** Device names Windows reserves, with or without an extension ("con.txt" is as bad as "CON"). */
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;

/**
 * A file name for an export, safe on Windows, macOS and Linux: no path separators, control characters or
 * characters Windows forbids; no trailing dots or spaces; not a reserved device name; at most
 * CARD_LIMITS.exportBaseName characters before the extension (cut between characters, never inside one).
 * Falls back to `fallback` (e.g. the NPC id) when nothing usable is left.
 */
export function exportFileName(name: string, fallback: string, ext: string): string {
  const cleaned = name
    .normalize('NFC')
    // eslint-disable-next-line no-control-regex -- control characters are what is replaced here
    .replace(/[\u0000-\u001f\u007f-\u009f/\\<>:"|?*\u2028\u2029\u200b-\u200f\ufeff]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  let base = [...cleaned]
    .slice(0, CARD_LIMITS.exportBaseName)
    .join('')
    .replace(/[. ]+$/, '')
    .replace(/^[. ]+/, '');
  if (!base) base = fallback;
  if (WINDOWS_RESERVED.test(base)) base = `_${base}`;
  return `${base}.${ext}`;
}
