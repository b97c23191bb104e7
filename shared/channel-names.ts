import type { Channel } from './contract';

/**
 * The contract's channel names without its schemas, for the preload: it stays small (no zod) and loads
 * fast in the sandbox. The check below fails to compile when a channel is added to the contract but not here.
 */
export const CHANNEL_NAMES = [
  'npc.list', 'npc.get', 'npc.save', 'npc.delete', 'npc.importCard', 'npc.exportCard',
  'chat.send', 'chat.stop', 'chat.regenerate', 'chat.chooseSwipe', 'chat.edit', 'chat.delete', 'chat.history', 'chat.export',
  'knowledge.ingest', 'knowledge.sources', 'knowledge.delete', 'knowledge.search', 'knowledge.reindex',
  'providers.list', 'providers.health', 'usage.summary', 'logs.tail', 'settings.get', 'settings.set',
  'app.quit', 'app.lastShutdownReport', 'app.info',
] as const satisfies readonly Channel[];

type Unlisted = Exclude<Channel, (typeof CHANNEL_NAMES)[number]>;
export const everyChannelListed: [Unlisted] extends [never] ? true : { missing: Unlisted } = true;
