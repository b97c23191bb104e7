import writeFileAtomic from 'write-file-atomic';

/** Temp file, fsync, rename: a conversation written whole is there complete or not at all. */
export async function writeFileAtomicText(file: string, text: string): Promise<void> {
  await writeFileAtomic(file, text, { fsync: true, mode: 0o600 });
}
