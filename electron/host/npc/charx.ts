import { posix } from 'node:path';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { CARD_LIMITS } from '../../../shared/npc';
import { formatBytes, sizeOverLimit } from './byte-size';

/**
 * CHARX files (Character Card V3): a zip with `card.json` at the root and assets under `assets/…`.
 *
 * Read with yauzl: it reads the central directory (not the local headers a hostile file can disagree
 * with), refuses absolute and `..` paths, and with validateEntrySizes stops an entry that inflates past its
 * declared size. On top of that every limit is checked before anything is inflated (entry count, each
 * declared size, their total) and again while inflating (bytes actually produced), so a decompression
 * bomb is refused after at most the limit, never inflated whole. Symbolic links and encrypted entries are
 * refused. Written with yazl, yauzl's sibling.
 */

export class CharxError extends Error {
  constructor(
    reason: string,
    /** The entry inside the zip the problem is about, if one. */
    readonly entry?: string,
  ) {
    super(`cannot read the CHARX file: ${entry ? `${entry}: ` : ''}${reason}`);
    this.name = 'CharxError';
  }
}

export interface CharxLimits {
  entries: number;
  entryBytes: number;
  totalBytes: number;
}

const DEFAULT_LIMITS: CharxLimits = {
  entries: CARD_LIMITS.charxEntries,
  entryBytes: CARD_LIMITS.charxEntryBytes,
  totalBytes: CARD_LIMITS.charxTotalBytes,
};

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** The zip signature (a local file header, or an empty archive's end record). */
export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5);
}

/** A path inside a CHARX that is safe to write under a folder: relative, `/`-separated, no `.`/`..` parts. */
export function safeEntryPath(name: string): boolean {
  if (name.length === 0 || name.length > 512 || name.startsWith('/') || /^[A-Za-z]:/.test(name)) return false;
  // eslint-disable-next-line no-control-regex -- control characters are what is refused here
  if (/[\\\x00-\x1f\x7f]/.test(name)) return false;
  return name.split('/').every((part) => part !== '' && part !== '.' && part !== '..') && posix.normalize(name) === name;
}

/** Every file of the zip (folders skipped), by path. */
export async function readCharx(bytes: Uint8Array, limits: CharxLimits = DEFAULT_LIMITS): Promise<Map<string, Buffer>> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(buffer, { lazyEntries: true, validateEntrySizes: true, strictFileNames: true });
  } catch (err) {
    throw new CharxError(`it is not a readable zip file (${(err as Error).message}); it may be cut off or damaged`);
  }
  if (zip.entryCount > limits.entries) {
    zip.close();
    throw new CharxError(`it has ${zip.entryCount.toLocaleString('en-US')} entries, at most ${limits.entries.toLocaleString('en-US')}`);
  }
  const files = new Map<string, Buffer>();
  let total = 0;
  try {
    for (;;) {
      const entry = await nextEntry(zip);
      if (!entry) break;
      const name = entry.fileName;
      if (!safeEntryPath(name.replace(/\/$/, ''))) throw new CharxError('the path is absolute or leaves the archive (`..`); refused', name);
      if (((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK) throw new CharxError('symbolic links are refused', name);
      if (name.endsWith('/')) continue;
      if (entry.isEncrypted()) throw new CharxError('encrypted entries cannot be read', name);
      if (!entry.canDecodeFileData()) throw new CharxError(`compression method ${entry.compressionMethod} is not supported`, name);
      if (entry.uncompressedSize > limits.entryBytes) {
        throw new CharxError(`it inflates to ${sizeOverLimit(entry.uncompressedSize, limits.entryBytes)} an entry`, name);
      }
      total += entry.uncompressedSize;
      if (total > limits.totalBytes)
        throw new CharxError(`the entries inflate to more than ${formatBytes(limits.totalBytes)} together`, name);
      if (files.has(name)) throw new CharxError('the path appears twice', name);
      files.set(name, await inflate(zip, entry, Math.min(limits.entryBytes, entry.uncompressedSize)));
    }
  } catch (err) {
    if (err instanceof CharxError) throw err;
    const message = (err as Error).message;
    if (/too many bytes in the stream/.test(message)) {
      throw new CharxError(`an entry inflates past its declared size; refused as a likely decompression bomb (${message})`);
    }
    if (/invalid relative path|absolute path|invalid characters in fileName/.test(message)) {
      throw new CharxError(`unsafe path refused (${message})`);
    }
    throw new CharxError(`it is damaged (${message})`);
  } finally {
    zip.close();
  }
  return files;
}

function nextEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | null> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (entry: yauzl.Entry) => (cleanup(), resolve(entry));
    const onEnd = () => (cleanup(), resolve(null));
    const onError = (err: Error) => (cleanup(), reject(err));
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

/** Inflates one entry, counting the bytes: past `max` the stream is destroyed and the entry refused. */
async function inflate(zip: yauzl.ZipFile, entry: yauzl.Entry, max: number): Promise<Buffer> {
  const stream = await zip.openReadStreamPromise(entry);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) {
      stream.destroy();
      throw new CharxError(`it inflates past its declared ${formatBytes(max)}; refused as a likely decompression bomb`, entry.fileName);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/** A zip of these files, in this order; images and other compressed media are stored, the rest deflated. */
export async function writeCharx(files: ReadonlyMap<string, Uint8Array>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  const mtime = new Date(Date.UTC(2000, 0, 1)); // fixed, so one card gives one file
  for (const [path, data] of files) {
    if (!safeEntryPath(path)) throw new CharxError('the path is not a safe relative path', path);
    zip.addBuffer(Buffer.from(data.buffer, data.byteOffset, data.byteLength), path, {
      mtime,
      compress: !/\.(png|jpe?g|webp|gif|avif|mp3|mp4|webm|ogg|zip|risum)$/i.test(path),
    });
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}
