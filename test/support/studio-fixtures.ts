import { afterAll, beforeAll } from 'vitest';
import { OllamaTestServer } from '../../electron/host/demo/ollama';
import { tempDir } from './temp-dir';

export interface TempDirAndOllama {
  dir: Awaited<ReturnType<typeof tempDir>>;
  /** Replaceable (a test may stop it and start another on its port); afterAll stops the one set last. */
  ollama: OllamaTestServer;
}

/** For a whole test file: a fresh temp folder and a running demo Ollama server, made before all and removed after. */
export function useTempDirAndOllama(prefix?: string): TempDirAndOllama {
  const fixtures = {} as TempDirAndOllama;
  beforeAll(async () => {
    fixtures.dir = await tempDir(prefix);
    fixtures.ollama = new OllamaTestServer();
    await fixtures.ollama.start();
  });
  afterAll(async () => {
    await fixtures.ollama?.stop();
    await fixtures.dir?.remove();
  });
  return fixtures;
}
