/** Where the knowledge store finds Chroma: the embedded server it started, or one the user runs. */
export interface ChromaEndpoint {
  /** Base URL, e.g. http://127.0.0.1:41234; throws with a clear message when there is no server. */
  url(): string;
}

export class ChromaUnavailableError extends Error {
  constructor(reason: string) {
    super(`Chroma is not available: ${reason}`);
    this.name = 'ChromaUnavailableError';
  }
}
