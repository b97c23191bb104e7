/** Errors the NPC store gives; each names the NPC, the file or the field so a person can act on it. */

export class NpcValidationError extends Error {
  constructor(
    readonly fieldPath: string,
    readonly reason: string,
  ) {
    super(`NPC not saved: ${fieldPath}: ${reason}`);
    this.name = 'NpcValidationError';
  }
}

export class NpcNotFoundError extends Error {
  constructor(readonly npcId: string) {
    super(`no NPC with id "${npcId}"`);
    this.name = 'NpcNotFoundError';
  }
}

/** The id belongs to a file the store could not read; it is kept, so the store will not replace or delete it. */
export class NpcFileConflictError extends Error {
  constructor(
    readonly npcId: string,
    readonly file: string,
    detail: string,
    action: 'save' | 'delete',
  ) {
    super(
      `${action} refused: ${file} failed validation (${detail}) and is kept as it is. ` +
        `Fix or move that file by hand and restart the studio${action === 'save' ? ', or save without an id to create a new NPC' : ''}.`,
    );
    this.name = 'NpcFileConflictError';
  }
}

export class StoreClosedError extends Error {
  constructor(store: string) {
    super(`${store} is not open (initialize() was not called, or it was closed)`);
    this.name = 'StoreClosedError';
  }
}

/** The NPC is being deleted (npc-deletion.ts): no reply or impersonation starts for it meanwhile; crosses IPC as NotFound. */
export class NpcDeletingError extends Error {
  constructor(
    readonly npcName: string,
    readonly npcId: string,
  ) {
    super(`${npcName} (${npcId}) is being deleted, so nothing new can start with it; pick another NPC`);
    this.name = 'NpcDeletingError';
  }
}
