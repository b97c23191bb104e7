import { describe, expect, it } from 'vitest';
import { chunkText } from '../../electron/host/knowledge/chunker';

describe('chunkText', () => {
  it('splits at headings and keeps the heading path with each chunk', () => {
    const text = '# Taverns\n\nThe Gilded Goose serves ale.\n\n## Staff\n\nMira pours.\n\n# Docks\n\nShips arrive at dawn.';
    const chunks = chunkText(text);
    expect(chunks.map((c) => c.heading)).toEqual(['Taverns', 'Taverns > Staff', 'Docks']);
    expect(chunks[1]!.text).toBe('Taverns > Staff\n\nMira pours.');
    expect(chunks.map((c) => c.index)).toEqual([0, 1, 2]);
  });

  it('packs paragraphs up to maxChars and repeats the end of a chunk at the start of the next', () => {
    const paragraphs = Array.from({ length: 6 }, (_, i) => `Paragraph ${i} ${'word '.repeat(30).trim()} end${i}.`);
    const chunks = chunkText(paragraphs.join('\n\n'), { maxChars: 400, overlapChars: 60 });
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(c.text.length).toBeLessThanOrEqual(400);
    for (let i = 1; i < chunks.length; i++) {
      const prevEnd = chunks[i - 1]!.text.slice(-20);
      expect(chunks[i]!.text).toContain(prevEnd);
    }
    // Every paragraph is somewhere.
    for (const p of paragraphs) expect(chunks.some((c) => c.text.includes(p))).toBe(true);
  });

  it('cuts a paragraph longer than maxChars at sentence ends', () => {
    const long = Array.from({ length: 40 }, (_, i) => `Sentence number ${i} is here.`).join(' ');
    const chunks = chunkText(long, { maxChars: 200, overlapChars: 0 });
    expect(chunks.length).toBeGreaterThan(4);
    for (const c of chunks) {
      expect(c.text.length).toBeLessThanOrEqual(200);
      expect(c.text.endsWith('.')).toBe(true);
    }
  });

  it('ignores blank text and rejects bad sizes', () => {
    expect(chunkText('\n\n   \n# Empty heading\n\n')).toEqual([]);
    expect(() => chunkText('x', { maxChars: 10 })).toThrow(/maxChars/);
    expect(() => chunkText('x', { maxChars: 100, overlapChars: 80 })).toThrow(/overlapChars/);
  });
});
