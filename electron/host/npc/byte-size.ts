const KiB = 1024;
const MiB = 1024 * KiB;

/** A byte count for people: "812 bytes", "14.2 KB", "20.0 MB". */
export function formatBytes(n: number): string {
  if (n < 10 * KiB) return `${n.toLocaleString('en-US')} bytes`;
  if (n < MiB) return `${(n / KiB).toFixed(1)} KB`;
  return `${(n / MiB).toFixed(1)} MB`;
}

/** "N, at most M", exact in bytes when the rounded figures would read the same. */
export function sizeOverLimit(n: number, max: number): string {
  const [a, b] = [formatBytes(n), formatBytes(max)];
  return a === b ? `${n.toLocaleString('en-US')} bytes, at most ${max.toLocaleString('en-US')}` : `${a}, at most ${b}`;
}
