import type { IssueRef } from '../../../shared/errors';
import type { ConversationRef } from './transcript-schema';

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

export class ConversationNotFoundError extends Error {
  constructor(readonly ref: ConversationRef) {
    super(`There is no conversation "${ref.conversationId}" with ${ref.npcId}; it may have been deleted. Pick one from the list.`);
    this.name = 'ConversationNotFoundError';
  }
}
