import type { ModelManager } from '../../processors/local/model-manager';
import type { Handlers } from '../router';

type ModelChannels = 'models.list' | 'models.show' | 'models.pull' | 'models.cancelPull' | 'models.delete';

export function modelHandlers(models: ModelManager): Pick<Handlers, ModelChannels> {
  return {
    'models.list': () => models.list(),
    'models.show': ({ model }) => models.show(model),
    'models.pull': async ({ model }) => {
      const { pullId, finished } = models.pull(model);
      void finished; // its end is told by the last models.pull event
      return { pullId };
    },
    'models.cancelPull': async ({ pullId }) => ({ cancelled: models.cancel(pullId) }),
    'models.delete': async ({ model }) => {
      await models.delete(model);
      return { deleted: true };
    },
  };
}
