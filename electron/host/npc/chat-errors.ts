import type { IssueRef } from '../../../shared/errors';

/** The designer's message cannot be sent as it is; crosses IPC as a ValidationError on its field. */
export class ChatInputError extends Error {
  readonly code = 'ValidationError';
  readonly issues: IssueRef[];

  constructor(fieldPath: string, reason: string) {
    super(reason);
    this.name = 'ChatInputError';
    this.issues = [{ path: fieldPath, message: reason }];
  }
}

/** A reply of this NPC is still streaming, so another turn cannot start; crosses IPC as Busy. */
export class TurnBusyError extends Error {
  readonly code = 'Busy';

  constructor(
    readonly npcId: string,
    readonly turnId: string,
  ) {
    super(`a reply is still streaming (turn ${turnId}); stop it or wait for it to finish`);
    this.name = 'TurnBusyError';
  }
}
