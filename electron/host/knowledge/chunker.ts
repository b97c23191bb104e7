/** Splits lore text into chunks along Markdown headings and paragraphs, with overlap inside a section. */

export interface ChunkOptions {
  /** Upper bound on a chunk's body, in characters. */
  maxChars?: number;
  /** Characters of the previous chunk's end repeated at the start of the next one in the same section. */
  overlapChars?: number;
}

export interface TextChunk {
  index: number;
  /** Heading path, e.g. "Taverns > The Gilded Goose"; empty before the first heading. */
  heading: string;
  /** What is stored and embedded: the heading path, a blank line, then the body. */
  text: string;
}

const HEADING = /^(#{1,6})\s+(.+?)\s*#*\s*$/;

interface Section {
  heading: string;
  paragraphs: string[];
}

export function resolveChunkOptions(options: ChunkOptions = {}): Required<ChunkOptions> {
  const maxChars = options.maxChars ?? 1200;
  const overlapChars = options.overlapChars ?? 150;
  if (!Number.isInteger(maxChars) || maxChars < 50) throw new RangeError(`chunk maxChars must be an integer >= 50, got ${maxChars}`);
  if (!Number.isInteger(overlapChars) || overlapChars < 0 || overlapChars > maxChars / 2) {
    throw new RangeError(`chunk overlapChars must be an integer from 0 to maxChars / 2 (${maxChars / 2}), got ${overlapChars}`);
  }
  return { maxChars, overlapChars };
}

export function chunkText(text: string, options: ChunkOptions = {}): TextChunk[] {
  const { maxChars, overlapChars } = resolveChunkOptions(options);
  const chunks: TextChunk[] = [];
  for (const section of sections(text)) {
    for (const body of packSection(section.paragraphs, maxChars, overlapChars)) {
      chunks.push({ index: chunks.length, heading: section.heading, text: section.heading ? `${section.heading}\n\n${body}` : body });
    }
  }
  return chunks;
}

function sections(text: string): Section[] {
  const out: Section[] = [];
  const path: string[] = [];
  let current: Section = { heading: '', paragraphs: [] };
  let paragraph: string[] = [];
  const endParagraph = () => {
    const p = paragraph.join('\n').trim();
    if (p) current.paragraphs.push(p);
    paragraph = [];
  };
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    const h = HEADING.exec(line);
    if (h) {
      endParagraph();
      if (current.paragraphs.length) out.push(current);
      const level = h[1]!.length;
      path.length = Math.min(path.length, level - 1);
      path[level - 1] = h[2]!;
      current = { heading: path.filter(Boolean).join(' > '), paragraphs: [] };
    } else if (line.trim() === '') {
      endParagraph();
    } else {
      paragraph.push(line);
    }
  }
  endParagraph();
  if (current.paragraphs.length) out.push(current);
  return out;
}

/** Packs whole paragraphs up to maxChars; a paragraph longer than that is cut at sentence or word ends. */
function packSection(paragraphs: string[], maxChars: number, overlapChars: number): string[] {
  const pieces = paragraphs.flatMap((p) => (p.length <= maxChars ? [p] : splitLong(p, maxChars - overlapChars - 2)));
  const bodies: string[] = [];
  let current = '';
  for (const piece of pieces) {
    const joined = current ? `${current}\n\n${piece}` : piece;
    if (joined.length <= maxChars || !current) {
      current = joined;
      continue;
    }
    bodies.push(current);
    const overlap = tail(current, overlapChars);
    current = overlap && overlap.length + 2 + piece.length <= maxChars ? `${overlap}\n\n${piece}` : piece;
  }
  if (current) bodies.push(current);
  return bodies;
}

function splitLong(paragraph: string, size: number): string[] {
  const out: string[] = [];
  let rest = paragraph;
  while (rest.length > size) {
    const window = rest.slice(0, size);
    const cut = Math.max(window.lastIndexOf('. '), window.lastIndexOf('! '), window.lastIndexOf('? '));
    const at = cut > size / 2 ? cut + 1 : window.lastIndexOf(' ') > size / 2 ? window.lastIndexOf(' ') : size;
    out.push(rest.slice(0, at).trim());
    rest = rest.slice(at).trim();
  }
  if (rest) out.push(rest);
  return out;
}

/** The last `n` characters of `text`, starting at a word boundary. */
function tail(text: string, n: number): string {
  if (n <= 0) return '';
  if (text.length <= n) return text;
  const slice = text.slice(-n);
  const space = slice.search(/\s/);
  return (space >= 0 ? slice.slice(space) : slice).trim();
}
