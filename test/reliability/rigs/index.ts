import * as bedrockClient from './bedrock-client';
import * as chromaServer from './chroma-server';
import * as hostedProcessor from './hosted-processor';
import * as knowledgeStore from './knowledge-store';
import * as localProcessor from './local-processor';
import * as npcStore from './npc-store';
import * as ollamaClient from './ollama-client';
import type { RigModule } from './rig';
import * as transcriptStore from './transcript-store';
import * as usageTracker from './usage-tracker';

/** One rig per provider kind; the fault matrix and the leak cycles run over all of them. */
export const RIGS: readonly RigModule[] = [
  ollamaClient,
  localProcessor,
  bedrockClient,
  hostedProcessor,
  usageTracker,
  knowledgeStore,
  chromaServer,
  npcStore,
  transcriptStore,
];
