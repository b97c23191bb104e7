/**
 * `npm run studio:web -- --demo`: the studio with the Ollama-protocol test server standing in for
 * Ollama, a data folder of its own and a sample NPC with lore, so it can be tried without Ollama.
 */
import getPort from 'get-port';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Health } from '../shared/health';
import { healthNow, type Provider } from './host/lifecycle/provider';
import type { Studio } from './host/studio';
import { OllamaTestServer } from './host/demo/ollama';
import { DEMO_NPC_ID, demoNpcDraft, demoSuite } from './host/demo/demo-npc';

export { DEMO_NPC_ID };

/** Kept apart from the real user data; survives between demo runs until the OS cleans its temp folder. */
export function demoDataDir(): string {
  return join(tmpdir(), 'npc-studio-demo');
}

/** The test server as a provider: the studio starts it, shows it on the Resources panel and closes it last. */
class DemoOllamaServer implements Provider {
  readonly id = 'ollama-demo-server';
  readonly kind = 'ollama-test-server';
  readonly phase = 'resources' as const;
  private server: OllamaTestServer | null;

  constructor(private readonly port: number) {
    // A visible token pace, as a small local model streams.
    this.server = new OllamaTestServer({ port, switches: { tokenDelayMs: 25, firstTokenDelayMs: 150 } });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async initialize(): Promise<void> {
    await this.server?.start();
  }

  async shutdown(): Promise<void> {
    const server = this.server;
    this.server = null;
    await server?.stop();
  }

  async healthCheck(): Promise<Health> {
    if (!this.server) return healthNow('stopped', { openSockets: 0 });
    return healthNow('healthy', { openSockets: this.server.connections.openCount, port: this.port });
  }
}

export async function demoOllamaServer(): Promise<DemoOllamaServer> {
  return new DemoOllamaServer(await getPort({ host: '127.0.0.1' }));
}

const LORE = `# The Harbor Chronicle of Saltmere

Saltmere harbor was built in the year of the long winter, when the sea froze as far as the Gull Rocks.
The lighthouse at the harbor mouth is called Old Wick; its keeper lights it with whale oil bought from the north.
Three piers serve the town: the Fish Pier, the Salt Pier and the Queen's Pier, which only royal ships may use.
Smugglers use the caves under the Gull Rocks at low tide; the harbor master pretends not to know.
`;

/** Adds the sample NPC and its lore once; a later demo run finds them in the demo data folder. */
export async function seedDemo(studio: Studio, say: (line: string) => void): Promise<void> {
  if (!studio.npcs.list().some((n) => n.id === DEMO_NPC_ID)) {
    await studio.npcs.save(demoNpcDraft());
    say(`Demo: added the sample NPC "Mira" (${DEMO_NPC_ID}).`);
  }
  if (!studio.suites.get(DEMO_NPC_ID)) {
    await studio.suites.save(demoSuite());
    say('Demo: added her test suite (6 cases, one fails on the demo model by design: open Tests).');
  }
  if (studio.knowledge.listSources(DEMO_NPC_ID).length === 0) {
    try {
      await studio.knowledge.ingestText(DEMO_NPC_ID, 'harbor-chronicle.md', LORE);
      say('Demo: added her lore (harbor-chronicle.md).');
    } catch (err) {
      say(`Demo: the lore could not be added (${(err as Error).message}); chat works without it.`);
    }
  }
}
