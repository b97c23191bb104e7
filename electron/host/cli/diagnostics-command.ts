import { resolve } from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { ProviderHealth } from '../../../shared/health';
import { diagnosticsZip } from '../diagnostics/diagnostics-bundle';
import { OllamaClientProvider } from '../processors/local/ollama-client-provider';
import { ProcessProbe } from '../resources/process-figures';
import { SettingsStore } from '../settings/settings-store';
import { CliFailure, CliUsageError, type CliCommand } from './command';

/**
 * `diagnostics --out FILE`: the same zip as the Resources panel's button, for when the studio does not start.
 * The studio is not running (the CLI holds the folder's lock), so health is what the CLI can check itself:
 * Ollama at the configured URL, and this process.
 */
export const diagnosticsCommand: CliCommand = {
  words: ['diagnostics'],
  synopsis: '--out FILE',
  summary: 'write a zip for a bug report: health, last shutdown report, log tail, settings without secrets',
  options: { out: { type: 'string' } },
  args: { min: 0, max: 0 },
  async run(ctx, { values }) {
    if (typeof values.out !== 'string' || values.out === '') throw new CliUsageError('--out FILE is required', diagnosticsCommand);
    const out = resolve(values.out);
    const settings = await new SettingsStore(ctx.dataDir, ctx.logger).load();
    const ollama = await ctx.register(
      new OllamaClientProvider({ url: settings.ollama.url, logger: ctx.logger, timeouts: { healthMs: 2000 } }),
    );
    const ollamaHealth: ProviderHealth = { id: ollama.id, kind: ollama.kind, phase: ollama.phase, ...(await ollama.healthCheck()) };
    const cli = new ProcessProbe().host();
    const self: ProviderHealth = {
      id: 'cli',
      kind: 'cli',
      phase: 'resources',
      status: 'healthy',
      checkedAt: new Date().toISOString(),
      resources: { pid: cli.pid, rssBytes: cli.rssBytes, note: 'taken by the CLI: the studio was not running' },
    };
    const about = { app: 'NPC Studio', mode: 'cli', platform: process.platform, arch: process.arch, node: process.versions.node };
    const zip = await diagnosticsZip({ dataDir: ctx.dataDir, health: [self, ollamaHealth], about });
    try {
      await writeFileAtomic(out, zip);
    } catch (err) {
      throw new CliFailure(`cannot write ${out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    ctx.out(`Wrote diagnostics to ${out} (${Math.ceil(zip.length / 1024)} KB)`);
    return 0;
  },
};
