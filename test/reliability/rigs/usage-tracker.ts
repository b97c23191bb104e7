import { join } from 'node:path';
import { memoryLogger } from '../../../electron/host/log/logger';
import { UsageTracker } from '../../../electron/host/usage/usage-tracker';
import { filesUnder, type RigInstance } from './rig';

export const kind = 'usage-tracker';
export const capabilities = { server: false, stream: false };

/** The usage tracker on a real fsynced journal in `dir`. */
export async function create(dir: string): Promise<RigInstance> {
  const tracker = new UsageTracker({ file: join(dir, 'usage.jsonl') }, memoryLogger().logger);
  return {
    provider: tracker,
    companions: [],
    async use() {
      await tracker.record({ npcId: 'mira', processor: 'local', model: 'llama3.2', inputTokens: 120, outputTokens: 30, latencyMs: 40 });
    },
    held: () => ({ sockets: 0, files: filesUnder(dir), pids: [] }),
    dispose: () => tracker.cleanup(),
  };
}
