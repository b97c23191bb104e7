import getPort from 'get-port';
import { afterEach, describe, expect, it } from 'vitest';
import { OllamaClientProvider } from '../../../electron/host/processors/local/ollama-client-provider';
import { LocalProcessor } from '../../../electron/host/processors/local/local-processor';
import {
  ModelMissingError,
  OllamaConnectionLostError,
  OllamaHttpError,
  OllamaTimeoutError,
  OllamaUnreachableError,
} from '../../../electron/host/processors/local/ollama-errors';
import { socketsToPort } from '../../../electron/host/resources/proc';
import { collect, mirasRequest, startRig, type Rig } from './fixtures';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const chat = (r: Rig, overrides = {}) => collect(r.processor.chat(mirasRequest(overrides), new AbortController().signal));

describe('each failure maps to a clear, typed error', () => {
  it('unreachable: a closed port names the URL and how to start Ollama', async () => {
    const port = await getPort({ host: '127.0.0.1' });
    const client = new OllamaClientProvider({ url: `http://127.0.0.1:${port}` });
    await client.initialize();
    const processor = new LocalProcessor({ client });
    try {
      const { error, events } = await collect(processor.chat(mirasRequest(), new AbortController().signal));
      expect(events).toEqual([]);
      expect(error).toBeInstanceOf(OllamaUnreachableError);
      expect((error as Error).message).toBe(
        `Ollama is not reachable at http://127.0.0.1:${port} (ECONNREFUSED). ` +
          'Start Ollama with `ollama serve`, or check the Ollama URL in settings.',
      );
      await expect(processor.embed(['x'])).rejects.toBeInstanceOf(OllamaUnreachableError);
      const health = await client.healthCheck();
      expect(health).toMatchObject({ status: 'unhealthy', resources: { reachable: false }, hint: expect.stringContaining('ollama serve') });
    } finally {
      await processor.cleanup();
      await client.cleanup();
    }
  });

  it('model missing: Ollama\'s 404 becomes "ollama pull <model>"', async () => {
    rig = await startRig();
    const { error } = await chat(rig, { model: 'mistral-nemo' });
    expect(error).toBeInstanceOf(ModelMissingError);
    expect((error as Error).message).toBe(
      `The model "mistral-nemo" is not installed in Ollama at ${rig.server.url}. Run \`ollama pull mistral-nemo\`.`,
    );
    rig.server.set({ modelNotFound: true });
    await expect(rig.processor.embed(['lore'])).rejects.toThrow('Run `ollama pull nomic-embed-text`.');
  });

  it("HTTP 500 carries the status and the server's own message", async () => {
    rig = await startRig({ failNext: { status: 500, count: 1, message: 'llama runner process has terminated: signal: killed' } });
    const { error } = await chat(rig);
    expect(error).toBeInstanceOf(OllamaHttpError);
    expect((error as OllamaHttpError).status).toBe(500);
    expect((error as Error).message).toBe(
      `Ollama at ${rig.server.url} answered HTTP 500: llama runner process has terminated: signal: killed`,
    );
    // The switch was for one request only: the next chat works.
    expect((await chat(rig)).error).toBeUndefined();
  });

  it('hang: no answer within the first-byte timeout is a timeout error, and the hung socket is closed', async () => {
    rig = await startRig({ hang: true }, { firstByteMs: 300 });
    const closed = rig.server.connections.nextClose();
    const { error } = await chat(rig);
    expect(error).toBeInstanceOf(OllamaTimeoutError);
    expect((error as Error).message).toBe(`Ollama at ${rig.server.url} timed out: it never began answering within 300 ms.`);
    await closed;
    expect(socketsToPort(rig.server.port)).toBe(0);
  });

  it('a stall between tokens is a timeout too', async () => {
    rig = await startRig({ tokenDelayMs: 5_000 }, { nextChunkMs: 300 });
    const { error, events } = await chat(rig);
    expect(events).toEqual([{ type: 'token', text: 'I' }]);
    expect(error).toBeInstanceOf(OllamaTimeoutError);
    expect((error as Error).message).toContain('never sent the next part of its reply within 300 ms');
  });

  it('reset mid-stream: the tokens so far arrive, then a connection-lost error', async () => {
    rig = await startRig({ resetAfterTokens: 3, tokenDelayMs: 5 });
    const { error, events } = await chat(rig);
    expect(events.map((e) => e.type === 'token' && e.text)).toEqual(['I', ' am', ' Mira']);
    expect(error).toBeInstanceOf(OllamaConnectionLostError);
    expect((error as Error).message).toMatch(
      new RegExp(`^Ollama at ${rig.server.url} dropped the connection mid-reply \\((ECONNRESET|UND_ERR_SOCKET|terminated)\\)\\.$`),
    );
  });

  it('errors leave nothing in flight and no stuck sockets', async () => {
    rig = await startRig({ resetAfterTokens: 1 });
    await chat(rig);
    rig.server.set({ resetAfterTokens: null, failNext: { status: 503, count: 1 } });
    await chat(rig);
    expect(rig.client.inFlightStreams).toBe(0);
    expect((await rig.processor.healthCheck()).resources.inFlight).toBe(0);
    await rig.client.cleanup();
    expect(socketsToPort(rig.server.port)).toBe(0);
  });
});
