import { diagnosticsFileName, diagnosticsZip } from '../../diagnostics/diagnostics-bundle';
import type { Handlers } from '../router';
import type { StudioServices } from './services';

export function resourceHandlers(s: StudioServices): Pick<Handlers, 'providers.history' | 'app.diagnostics'> {
  return {
    'providers.history': async () => s.healthHistory(),
    'app.diagnostics': async () => {
      const now = new Date();
      const about = {
        app: s.info.name,
        version: s.info.version,
        mode: s.info.mode,
        demo: s.info.demo,
        platform: process.platform,
        arch: process.arch,
        node: process.versions.node,
      };
      const zip = await diagnosticsZip({ dataDir: s.info.dataDir, health: await s.health(), about, now });
      return { fileName: diagnosticsFileName(now), base64: zip.toString('base64'), bytes: zip.length };
    },
  };
}
