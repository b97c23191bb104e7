/** Errors from talking to Ollama, each with a message that names the URL and a hint a person can act on. */

export class OllamaError extends Error {
  constructor(
    message: string,
    readonly url: string,
    readonly hint: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OllamaError';
  }
}

export class OllamaUnreachableError extends OllamaError {
  constructor(url: string, detail: string, cause?: unknown) {
    super(
      `Ollama is not reachable at ${url} (${detail}). Start Ollama with \`ollama serve\`, or check the Ollama URL in settings.`,
      url,
      'Start Ollama with `ollama serve`, or check the Ollama URL in settings.',
      { cause },
    );
    this.name = 'OllamaUnreachableError';
  }
}

export class ModelMissingError extends OllamaError {
  constructor(
    readonly model: string,
    url: string,
    cause?: unknown,
  ) {
    super(
      `The model "${model}" is not installed in Ollama at ${url}. Run \`ollama pull ${model}\`.`,
      url,
      `Run \`ollama pull ${model}\`.`,
      { cause },
    );
    this.name = 'ModelMissingError';
  }
}

export type TimeoutPhase = 'first byte' | 'next chunk' | 'health check';

export class OllamaTimeoutError extends OllamaError {
  constructor(
    url: string,
    readonly phase: TimeoutPhase,
    readonly ms: number,
    cause?: unknown,
  ) {
    const what =
      phase === 'first byte' ? 'began answering' : phase === 'next chunk' ? 'sent the next part of its reply' : 'answered the health check';
    super(
      `Ollama at ${url} timed out: it never ${what} within ${ms} ms.`,
      url,
      'Ollama may be overloaded or stuck loading the model; check `ollama ps` and the Ollama logs, or raise the timeout.',
      { cause },
    );
    this.name = 'OllamaTimeoutError';
  }
}

export class OllamaHttpError extends OllamaError {
  constructor(
    url: string,
    readonly status: number,
    serverMessage: string,
    cause?: unknown,
  ) {
    super(`Ollama at ${url} answered HTTP ${status}: ${serverMessage}`, url, 'See the Ollama server logs for the cause.', { cause });
    this.name = 'OllamaHttpError';
  }
}

export class OllamaConnectionLostError extends OllamaError {
  constructor(url: string, detail: string, cause?: unknown) {
    super(
      `Ollama at ${url} dropped the connection mid-reply (${detail}).`,
      url,
      'Ollama may have crashed or restarted; check that `ollama serve` is still running.',
      { cause },
    );
    this.name = 'OllamaConnectionLostError';
  }
}

export class OllamaClosedError extends OllamaError {
  constructor(url: string) {
    super(`The Ollama client for ${url} is closed.`, url, 'The studio is shutting down; this request was not sent.');
    this.name = 'OllamaClosedError';
  }
}
