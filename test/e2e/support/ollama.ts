import { OllamaTestServer, type SwitchesPatch } from '../../../electron/host/demo/ollama';

/**
 * The Ollama-protocol test server in the test process, on one port for the whole run, so it can be
 * stopped (the studio sees Ollama go away) and started again where the studio still looks for it.
 */
export class OllamaStandIn {
  private server: OllamaTestServer | null = null;
  private fixedPort = 0;

  async start(): Promise<void> {
    if (this.server) return;
    const server = new OllamaTestServer({ port: this.fixedPort });
    await server.start();
    this.fixedPort = server.port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    await server?.stop();
  }

  get port(): number {
    if (!this.fixedPort) throw new Error('the Ollama stand-in was never started');
    return this.fixedPort;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The live server; throws while it is stopped. */
  get live(): OllamaTestServer {
    if (!this.server) throw new Error('the Ollama stand-in is stopped');
    return this.server;
  }

  set(patch: SwitchesPatch): void {
    this.live.set(patch);
  }

  reset(): void {
    this.live.reset();
  }
}
