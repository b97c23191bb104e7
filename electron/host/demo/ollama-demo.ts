/* `npm run ollama:demo [-- --port 11435]`: serves the Ollama-protocol demo server until Ctrl-C. */
import { parseArgs } from 'node:util';
import { OllamaTestServer } from './ollama';
import { watchLaunchChain } from '../lifecycle/launch-chain';
import { SignalRule } from '../lifecycle/signal-rule';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, 'token-delay': { type: 'string', default: '20' } } });
  const port = Number(values.port);
  const tokenDelayMs = Number(values['token-delay']);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, got "${values.port}"`);
  if (!(tokenDelayMs >= 0)) throw new Error(`--token-delay must be a number of ms >= 0, got "${values['token-delay']}"`);
  const server = new OllamaTestServer({ port, switches: { tokenDelayMs } });
  // Copies of the first signal relayed by the launch chain are the same request; a later one forces exit 1.
  let stopping = false;
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${why}: stopping`);
    void server.stop().then(() => process.exit(0));
  };
  const rule = new SignalRule();
  const onSignal = (signal: string) => {
    const verdict = rule.onSignal();
    if (verdict === 'force') process.exit(1);
    if (verdict === 'first') stop(signal);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  // npm killed (or the sh between): nothing would signal this process; see lifecycle/launch-chain.ts. Watched
  // before the URL is printed, so a launcher killed right after it is noticed too.
  watchLaunchChain({ onGone: stop });
  const url = await server.start();
  console.log(`Ollama test server listening on ${url}`);
  console.log(`models: llama3.2, nomic-embed-text · token delay ${tokenDelayMs} ms · switches: POST ${url}/__control`);
  console.log(`try: curl ${url}/api/tags`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
