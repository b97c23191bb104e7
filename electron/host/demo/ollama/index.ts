export { OllamaTestServer, type OllamaTestServerOptions, type RecordedRequest } from './server';
export { ConnectionTracker, type ConnectionInfo } from './connections';
export { defaultSwitches, switchesSchema, type Switches, type SwitchesPatch } from './switches';
export { DEFAULT_MODELS, PULLABLE_MODELS, type ModelSpec } from './models';
export { type PullRecord } from './pull';
export { EMBEDDING_DIM, cosine, hashedEmbedding } from './embedding';
export {
  LORE_MARKER,
  MAX_QUOTED_LORE,
  fitTokens,
  loreFrom,
  loreLine,
  npcNameFrom,
  promptTokenCount,
  replyText,
  tokenize,
} from './conventions';
