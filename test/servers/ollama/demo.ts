/* `npm run ollama:demo [-- --port 11435]`: serves the Ollama test server until Ctrl-C. */
import { parseArgs } from 'node:util';
import { OllamaTestServer } from './server';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, 'token-delay': { type: 'string', default: '20' } } });
  const port = Number(values.port);
  const tokenDelayMs = Number(values['token-delay']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, got "${values.port}"`);
  if (!(tokenDelayMs >= 0)) throw new Error(`--token-delay must be a number of ms >= 0, got "${values['token-delay']}"`);
  const server = new OllamaTestServer({ port, switches: { tokenDelayMs } });
  const url = await server.start();
  console.log(`Ollama test server listening on ${url}`);
  console.log(`models: llama3.2, nomic-embed-text · token delay ${tokenDelayMs} ms · switches: POST ${url}/__control`);
  console.log(`try: curl ${url}/api/tags`);
  const stop = (signal: string) => {
    console.log(`${signal}: stopping`);
    void server.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
