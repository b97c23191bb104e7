import type { Handlers } from '../router';
import { appHandlers } from './app-handlers';
import { chatHandlers } from './chat-handlers';
import { conversationHandlers } from './conversation-handlers';
import { withDomainErrors } from './domain-errors';
import { knowledgeHandlers } from './knowledge-handlers';
import { lorebookHandlers } from './lorebook-handlers';
import { modelHandlers } from './model-handlers';
import { resourceHandlers } from './resource-handlers';
import { npcHandlers } from './npc-handlers';
import { suiteHandlers } from './suite-handlers';
import type { StudioServices } from './services';

export type { StudioServices } from './services';

/** Every channel of the contract bound to the studio's services. */
export function studioHandlers(services: StudioServices): Handlers {
  return withDomainErrors({
    ...npcHandlers(services),
    ...lorebookHandlers(services),
    ...chatHandlers(services),
    ...conversationHandlers(services),
    ...knowledgeHandlers(services),
    ...appHandlers(services),
    ...modelHandlers(services.models),
    ...resourceHandlers(services),
    ...suiteHandlers(services),
  });
}
