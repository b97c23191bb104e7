import type { Handlers } from '../router';
import { appHandlers } from './app-handlers';
import { chatHandlers } from './chat-handlers';
import { withDomainErrors } from './domain-errors';
import { knowledgeHandlers } from './knowledge-handlers';
import { npcHandlers } from './npc-handlers';
import type { StudioServices } from './services';

export type { StudioServices } from './services';

/** Every channel of the contract bound to the studio's services. */
export function studioHandlers(services: StudioServices): Handlers {
  return withDomainErrors({
    ...npcHandlers(services),
    ...chatHandlers(services),
    ...knowledgeHandlers(services),
    ...appHandlers(services),
  });
}
