import type { Channel } from './contract';

/**
 * The contract's channel names without its schemas, for the preload: it stays small (no zod) and loads
 * fast in the sandbox. The check below fails to compile when a channel is added to the contract but not here.
 */
export const CHANNEL_NAMES = [
  'npc.list', 'npc.get', 'npc.save', 'npc.delete', 'npc.importCard', 'npc.exportCard', 'npc.getArt', 'npc.setArt',
  'lorebook.list', 'lorebook.get', 'lorebook.save', 'lorebook.delete', 'lorebook.import', 'lorebook.export', 'lorebook.attach', 'lorebook.try',
  'chat.send', 'chat.stop', 'chat.regenerate', 'chat.chooseSwipe', 'chat.edit', 'chat.delete', 'chat.history', 'chat.export',
  'knowledge.ingest', 'knowledge.sources', 'knowledge.delete', 'knowledge.search', 'knowledge.reindex',
  'models.list', 'models.show', 'models.pull', 'models.cancelPull', 'models.delete',
  'providers.list', 'providers.health', 'providers.history', 'usage.summary', 'logs.tail', 'settings.get', 'settings.set',
  'app.quit', 'app.lastShutdownReport', 'app.info', 'app.diagnostics',
  'suite.list', 'suite.get', 'suite.save', 'suite.addFromChat', 'suite.run', 'suite.stop', 'suite.runs', 'suite.runGet', 'suite.diff',
] as const satisfies readonly Channel[];

type Unlisted = Exclude<Channel, (typeof CHANNEL_NAMES)[number]>;
export const everyChannelListed: [Unlisted] extends [never] ? true : { missing: Unlisted } = true;
