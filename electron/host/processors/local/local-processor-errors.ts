import type { IssueRef } from '../../../../shared/errors';

/** Bad input to the processor, naming each field at fault (e.g. "sampling.temperature: must be at most 2"). */
export class ChatRequestError extends Error {
  constructor(readonly issues: IssueRef[]) {
    super(`Invalid chat request: ${issues.map((i) => `${i.path || '(request)'}: ${i.message}`).join('; ')}`);
    this.name = 'ChatRequestError';
  }
}

export class LocalProcessorClosedError extends Error {
  constructor() {
    super('The local processor is closed: the studio is shutting down.');
    this.name = 'LocalProcessorClosedError';
  }
}
