import { get } from 'node:http';

/**
 * One GET /api/v2/heartbeat on a fresh connection that is closed afterwards (agent: false), so probing
 * leaves no socket behind. Resolves with the latency in ms; rejects on any failure or after `timeoutMs`.
 */
export function chromaHeartbeat(baseUrl: string, timeoutMs: number): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = get(new URL('/api/v2/heartbeat', baseUrl), { agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        if (res.statusCode === 200 && body.includes('heartbeat')) resolve(Math.round((performance.now() - started) * 10) / 10);
        else reject(new Error(`heartbeat answered ${res.statusCode}: ${body.slice(0, 200)}`));
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no heartbeat within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/** Polls the heartbeat until it answers, `giveUp()` says stop, or `timeoutMs` passes. */
export async function waitForHeartbeat(baseUrl: string, timeoutMs: number, giveUp: () => string | null): Promise<number> {
  const end = Date.now() + timeoutMs;
  let lastError = 'no attempt';
  while (Date.now() < end) {
    const reason = giveUp();
    if (reason) throw new Error(reason);
    try {
      return await chromaHeartbeat(baseUrl, Math.max(100, Math.min(1000, end - Date.now())));
    } catch (err) {
      lastError = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the Chroma server at ${baseUrl} did not answer its heartbeat within ${timeoutMs} ms (${lastError})`);
}
