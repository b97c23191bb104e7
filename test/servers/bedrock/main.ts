/**
 * Runs the Bedrock test server on its own, for demos: `tsx test/servers/bedrock/main.ts [--token-delay-ms N]`.
 * Point the studio at the printed endpoint with region us-east-1 and any dummy static credentials.
 */
import { BedrockTestServer } from './server';

async function main(): Promise<void> {
  const server = await BedrockTestServer.start();
  const delayArg = process.argv.indexOf('--token-delay-ms');
  if (delayArg > 0) server.switches.tokenDelayMs = Number(process.argv[delayArg + 1] ?? 0);
  process.stdout.write(`Bedrock test server on ${server.endpoint}\n`);
  const stop = () => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
