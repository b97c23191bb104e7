/**
 * Errors of NPC behaviour tests. Each says what is wrong and, where the designer can act, a hint; the IPC layer
 * (ipc/handlers/domain-errors.ts) and the CLI (exit 2 for configuration errors) map them by class.
 */

/** A suite (from IPC, a file or a CHARX) that does not validate: the field at fault and why. */
export class SuiteValidationError extends Error {
  constructor(
    readonly fieldPath: string,
    readonly reason: string,
    readonly file?: string,
  ) {
    super(`invalid test suite${file ? ` ${file}` : ''}: ${fieldPath}: ${reason}`);
    this.name = 'SuiteValidationError';
  }
}

/** Something about the run's setup the designer must fix before it can run (exit 2 in the CLI). */
export abstract class SuiteConfigError extends Error {
  abstract readonly hint: string;
}

export class NoSuiteError extends SuiteConfigError {
  readonly hint: string;
  constructor(readonly npcId: string) {
    super(`the NPC "${npcId}" has no test suite`);
    this.hint = 'Write one in the Tests panel, or import a CHARX that carries x_npc_studio/suite.json.';
    this.name = 'NoSuiteError';
  }
}

export class UnknownTestNpcError extends SuiteConfigError {
  readonly hint = 'List the NPCs with `npm run cli -- npc list` and use one of their ids.';
  constructor(readonly npcId: string) {
    super(`no NPC with id "${npcId}"`);
    this.name = 'UnknownTestNpcError';
  }
}

/** A judge assertion with no judge model, or a judge model the backend does not have. */
export class JudgeModelMissingError extends SuiteConfigError {
  readonly hint: string;
  constructor(
    readonly caseName: string,
    readonly model: string | null,
    where?: string,
  ) {
    super(
      model
        ? `case "${caseName}": the judge model "${model}" is not available${where ? ` on ${where}` : ''}`
        : `case "${caseName}" has a judge assertion but the suite names no judge model`,
    );
    this.hint = model
      ? `Pull it (ollama pull ${model}) or choose another judge model in the suite.`
      : 'Set the suite\'s "judge" ({ "processor": "local", "model": "llama3.2" }) or a judge on the assertion.';
    this.name = 'JudgeModelMissingError';
  }
}

/** A backend of the run cannot be reached before it starts. (A backend failing mid-run marks samples `error` instead.) */
export class BackendUnreachableError extends SuiteConfigError {
  constructor(
    readonly endpoint: string,
    readonly detail: string,
    readonly hint: string,
  ) {
    super(`the backend ${endpoint} cannot be reached: ${detail}`);
    this.name = 'BackendUnreachableError';
  }
}

/** The run asks for a processor no endpoint serves (e.g. hosted with no Bedrock configured, or no Ollama URL). */
export class NoEndpointError extends SuiteConfigError {
  readonly hint: string;
  constructor(readonly processor: string) {
    super(`no endpoint serves the ${processor} backend`);
    this.hint =
      processor === 'local'
        ? 'Set an Ollama URL (ollama.url or ollama.endpoints) in Settings.'
        : 'Configure Bedrock (region, credentials) in Settings.';
    this.name = 'NoEndpointError';
  }
}

export class RunNotFoundError extends Error {
  constructor(readonly runId: string) {
    super(`no test run "${runId}"`);
    this.name = 'RunNotFoundError';
  }
}

/** A model of the run that no endpoint of its processor has. */
export class ModelMissingError extends SuiteConfigError {
  readonly hint: string;
  constructor(
    readonly model: string,
    where: string,
  ) {
    super(`the model "${model}" is not available on ${where}`);
    this.hint = `Pull it (ollama pull ${model}) on that machine, or run with another --model.`;
    this.name = 'ModelMissingError';
  }
}
