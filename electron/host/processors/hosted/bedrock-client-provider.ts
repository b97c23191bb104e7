import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  type ConverseCommandInput,
  type ConverseCommandOutput,
  type ConverseStreamCommandInput,
  type ConverseStreamOutput,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { Health } from '../../../../shared/health';
import { healthNow, type Provider } from '../../lifecycle/provider';
import { withTimeout } from '../../lifecycle/timeout';
import type { Logger } from '../../log/logger';
import { socketsToPort } from '../../resources/proc';
import { CallStats } from './call-stats';
import { abortError, BedrockError, missingCredentialsError, toBedrockError, type BedrockCallContext } from './bedrock-error';
import { parseBedrockSettings, type BedrockSettings, type BedrockSettingsInput } from './bedrock-settings';
import { errorMessage } from '../../../../shared/errors';

export interface BedrockConfiguration {
  configured: boolean;
  region: string | null;
  /** Why it is not configured: no region, no credentials found. */
  reason?: string;
}

export interface BedrockCallRecord {
  ok: boolean;
  operation: 'converse' | 'converse-stream';
  model: string;
  latencyMs: number;
  code?: string;
  at: string;
}

/**
 * Owns the BedrockRuntimeClient and the HTTP agents under it, so its sockets can be counted and closed.
 * Calls go through converse()/converseStream(), which track in-flight work and map failures to BedrockError.
 */
export class BedrockClientProvider implements Provider {
  readonly id = 'bedrock';
  readonly kind = 'bedrock-client';
  readonly phase = 'clients' as const;
  readonly settings: BedrockSettings;
  private client: BedrockRuntimeClient | null = null;
  private httpAgent: HttpAgent | null = null;
  private httpsAgent: HttpsAgent | null = null;
  private readonly inFlight = new Set<AbortController>();
  private configuration: BedrockConfiguration = { configured: false, region: null, reason: 'not initialized' };
  private lastCall: BedrockCallRecord | null = null;
  private closing: Promise<void> | null = null;
  private readonly counts = { calls: 0, failures: 0 };
  private readonly stats = new CallStats();

  constructor(
    settings: BedrockSettingsInput,
    private readonly logger: Logger,
  ) {
    this.settings = parseBedrockSettings(settings);
  }

  async initialize(): Promise<void> {
    // A desktop studio is not an EC2 instance: without this the default chain probes 169.254.169.254 off-box.
    process.env.AWS_EC2_METADATA_DISABLED ??= 'true';
    const { region, profile, endpoint, credentials, maxAttempts, requestTimeoutMs, connectTimeoutMs } = this.settings;
    this.httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 50 });
    this.httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 50 });
    this.client = new BedrockRuntimeClient({
      region,
      profile,
      endpoint,
      credentials,
      maxAttempts,
      retryMode: 'standard',
      requestHandler: new NodeHttpHandler({
        httpAgent: this.httpAgent,
        httpsAgent: this.httpsAgent,
        connectionTimeout: connectTimeoutMs,
        requestTimeout: requestTimeoutMs,
        socketTimeout: requestTimeoutMs,
        throwOnRequestTimeout: true,
      }),
    });
    this.configuration = await this.resolveConfiguration(this.client);
    if (this.configuration.configured) this.logger.info({ region: this.configuration.region }, 'Bedrock client ready');
    else this.logger.warn({ reason: this.configuration.reason }, 'Bedrock is not configured; hosted NPCs will fail until it is');
  }

  get status(): BedrockConfiguration {
    return { ...this.configuration };
  }

  /** Streams ConverseStream events. Aborting `signal` (or closing the provider) cancels the HTTP request. */
  async *converseStream(input: ConverseStreamCommandInput, signal: AbortSignal): AsyncGenerator<ConverseStreamOutput> {
    const call = this.begin('converse-stream', input.modelId ?? '', signal);
    let finished = false;
    try {
      const out = await this.requireClient().send(new ConverseStreamCommand(input), { abortSignal: call.signal });
      if (!out.stream) throw new Error('ConverseStream answered without a stream');
      for await (const event of out.stream) {
        if (call.signal.aborted) break;
        yield event;
      }
      if (call.signal.aborted) throw abortError(call.signal.reason);
      finished = true;
      this.end(call, null);
    } catch (err) {
      throw this.fail(call, err);
    } finally {
      // A consumer that stops iterating early must not leave the response half-read on a pooled socket.
      if (!finished) call.controller.abort(abortError('Bedrock stream closed by its consumer'));
      call.release();
    }
  }

  async converse(input: ConverseCommandInput, signal: AbortSignal): Promise<ConverseCommandOutput> {
    const call = this.begin('converse', input.modelId ?? '', signal);
    try {
      const out = await this.requireClient().send(new ConverseCommand(input), { abortSignal: call.signal });
      this.end(call, null);
      return out;
    } catch (err) {
      throw this.fail(call, err);
    } finally {
      call.release();
    }
  }

  /** Sockets its agents hold, busy or idle in the keep-alive pool. */
  openSockets(): number {
    let n = 0;
    for (const agent of [this.httpAgent, this.httpsAgent]) {
      if (!agent) continue;
      for (const list of [...Object.values(agent.sockets), ...Object.values(agent.freeSockets)]) n += list?.length ?? 0;
    }
    return n;
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  async healthCheck(): Promise<Health> {
    const closed = this.client === null && this.closing !== null;
    const resources = {
      openSockets: this.openSockets(),
      socketsToEndpoint: this.endpointPort() === null ? undefined : socketsToPort(this.endpointPort()!),
      inFlight: this.inFlight.size,
      configured: this.configuration.configured,
      region: this.configuration.region,
      calls: this.counts.calls,
      failures: this.counts.failures,
      lastCall: this.lastCall,
      ...this.stats.figures(),
    };
    if (closed) return healthNow('stopped', resources);
    if (!this.configuration.configured) {
      return healthNow('degraded', resources, {
        lastError: this.configuration.reason,
        hint: 'Set a region and AWS credentials (env, "aws configure", "aws sso login" or a profile) to use hosted NPCs.',
      });
    }
    const extra = { latencyMs: this.lastCall?.latencyMs, lastError: this.lastCall?.ok === false ? this.lastCall.code : undefined };
    return healthNow(this.lastCall?.ok === false ? 'degraded' : 'healthy', resources, extra);
  }

  /** Aborts streams, destroys the client and both agents. Idempotent: every caller gets the same promise. */
  cleanup(): Promise<void> {
    this.closing ??= this.close();
    return this.closing;
  }

  private async close(): Promise<void> {
    for (const controller of this.inFlight) controller.abort(abortError('Bedrock client closing'));
    this.client?.destroy();
    this.httpAgent?.destroy();
    this.httpsAgent?.destroy();
    this.client = null;
    this.httpAgent = null;
    this.httpsAgent = null;
    this.logger.debug('Bedrock client closed');
  }

  private async resolveConfiguration(client: BedrockRuntimeClient): Promise<BedrockConfiguration> {
    let region: string;
    try {
      region = await client.config.region();
    } catch (err) {
      return { configured: false, region: null, reason: `no region: set one in settings or AWS_REGION (${errorMessage(err)})` };
    }
    try {
      await withTimeout(client.config.credentials(), this.settings.credentialsTimeoutMs, 'AWS credential lookup');
    } catch (err) {
      const missing = missingCredentialsError({ model: '', region, profile: this.settings.profile }, err);
      return { configured: false, region, reason: missing.message };
    }
    return { configured: true, region };
  }

  private requireClient(): BedrockRuntimeClient {
    if (!this.client)
      throw new BedrockError('closed', 'Bedrock client is closed (or was never initialized)', '', this.configuration.region);
    return this.client;
  }

  private begin(operation: BedrockCallRecord['operation'], model: string, signal: AbortSignal) {
    const controller = new AbortController();
    const combined = AbortSignal.any([signal, controller.signal]);
    this.inFlight.add(controller);
    this.counts.calls++;
    return {
      operation,
      model,
      controller,
      signal: combined,
      started: performance.now(),
      release: () => this.inFlight.delete(controller),
    };
  }

  private end(call: ReturnType<BedrockClientProvider['begin']>, code: string | null): void {
    this.stats.add(code, performance.now() - call.started);
    this.lastCall = {
      ok: code === null,
      operation: call.operation,
      model: call.model,
      latencyMs: Math.round(performance.now() - call.started),
      at: new Date().toISOString(),
      ...(code === null ? {} : { code }),
    };
    // A call that got through proves the region and credentials work, whatever the start-up lookup said.
    if (code === null && !this.configuration.configured)
      this.configuration = { configured: true, region: this.configuration.region ?? this.settings.region ?? null };
  }

  private fail(call: ReturnType<BedrockClientProvider['begin']>, err: unknown): Error {
    if (call.signal.aborted) {
      this.end(call, 'aborted');
      const reason: unknown = call.signal.reason;
      return reason instanceof Error && reason.name === 'AbortError' ? reason : abortError(reason);
    }
    const mapped = toBedrockError(err, this.context(call.model));
    this.counts.failures++;
    this.end(call, mapped.code);
    if (mapped.code === 'missing-credentials' || mapped.code === 'not-configured') {
      this.configuration = { configured: false, region: this.configuration.region, reason: mapped.message };
    }
    this.logger.warn({ code: mapped.code, model: call.model, attempts: mapped.attempts }, mapped.message);
    return mapped;
  }

  private context(model: string): BedrockCallContext {
    return {
      model,
      region: this.configuration.region ?? this.settings.region ?? null,
      profile: this.settings.profile,
      endpoint: this.settings.endpoint,
      maxAttempts: this.settings.maxAttempts,
      timeoutMs: this.settings.requestTimeoutMs,
    };
  }

  private endpointPort(): number | null {
    if (!this.settings.endpoint) return null;
    const url = new URL(this.settings.endpoint);
    return Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  }
}
