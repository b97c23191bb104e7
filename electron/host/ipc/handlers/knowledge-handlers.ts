import type { Handlers } from '../router';
import { HostError } from '../host-error';
import type { StudioServices } from './services';
import { sourceIdOf } from './source-id';

type KnowledgeChannels = 'knowledge.ingest' | 'knowledge.sources' | 'knowledge.delete' | 'knowledge.search' | 'knowledge.reindex';

export function knowledgeHandlers(s: StudioServices): Pick<Handlers, KnowledgeChannels> {
  const sourceName = (npcId: string, sourceId: string) => {
    const found = s.knowledge.listSources(npcId).find((src) => sourceIdOf(src.source) === sourceId);
    if (!found) throw HostError.notFound(`lore source ${sourceId} of ${npcId}`);
    return found.source;
  };
  return {
    'knowledge.ingest': async ({ npcId, source, text }) => {
      const started = performance.now();
      const sourceId = sourceIdOf(source);
      const progress = (stage: 'storing' | 'done' | 'failed', done: number, total: number, error?: string) =>
        s.publish('ingest.progress', { npcId, source, sourceId, stage, done, total, ...(error ? { error } : {}) });
      try {
        const result = await s.knowledge.ingestText(npcId, source, text, { onProgress: (p) => progress('storing', p.done, p.total) });
        progress('done', result.chunks, result.chunks);
        return { sourceId, chunks: result.chunks, ms: Math.round(performance.now() - started) };
      } catch (err) {
        progress('failed', 0, 0, (err as Error).message);
        throw err;
      }
    },
    'knowledge.sources': async ({ npcId }) => {
      const current = s.knowledge.embeddingModel;
      const built = await s.knowledge.collectionModel(npcId);
      const sources = s.knowledge.listSources(npcId).map((src) => ({
        id: sourceIdOf(src.source),
        name: src.source,
        chunks: src.chunks,
        state: src.state,
        addedAt: src.updatedAt,
        embeddingModel: built?.model ?? current,
      }));
      return { npcId, sources, embeddingModel: current, needsReindex: built !== null && built.model !== current };
    },
    'knowledge.delete': async ({ npcId, sourceId }) => {
      await s.knowledge.deleteSource(npcId, sourceName(npcId, sourceId));
      return { deleted: true };
    },
    'knowledge.search': async ({ npcId, query, limit }) =>
      (await s.knowledge.query(npcId, query, limit)).map((hit) => ({
        sourceId: sourceIdOf(hit.source),
        source: hit.source,
        text: hit.text,
        distance: hit.distance,
      })),
    'knowledge.reindex': async ({ npcId }) => {
      const started = performance.now();
      const done = await s.knowledge.reindex(npcId, (p) =>
        s.publish('ingest.progress', {
          npcId,
          source: p.source,
          sourceId: sourceIdOf(p.source),
          stage: 'embedding',
          done: p.done,
          total: p.total,
        }),
      );
      return { ...done, ms: Math.round(performance.now() - started) };
    },
  };
}
