/** Errors the knowledge store gives for bad input or a state it cannot work in; each says what to do. */

export class KnowledgeInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KnowledgeInputError';
  }
}

export class UnknownNpcError extends Error {
  constructor(readonly npcId: string) {
    super(`unknown NPC "${npcId}": create the NPC before adding lore to it`);
    this.name = 'UnknownNpcError';
  }
}

export class UnknownSourceError extends Error {
  constructor(
    readonly npcId: string,
    readonly source: string,
  ) {
    super(`NPC "${npcId}" has no lore source "${source}"`);
    this.name = 'UnknownSourceError';
  }
}

/** The collection was embedded with another model or dimension than the store now uses. */
export class EmbeddingMismatchError extends Error {
  constructor(
    readonly npcId: string,
    readonly stored: { model: string; dimension: number },
    readonly current: { model: string; dimension: number | null },
  ) {
    const now = current.dimension === null ? current.model : `${current.model} (dimension ${current.dimension})`;
    super(
      `the lore of NPC "${npcId}" was embedded with ${stored.model} (dimension ${stored.dimension}), ` +
        `but the current embedding model is ${now}: reindex this NPC's lore to use the new model`,
    );
    this.name = 'EmbeddingMismatchError';
  }
}

export class KnowledgeClosedError extends Error {
  constructor() {
    super('the knowledge store is closed');
    this.name = 'KnowledgeClosedError';
  }
}
