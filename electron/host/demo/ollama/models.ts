import { EMBEDDING_DIM, fnv1a } from './embedding';

export interface ModelSpec {
  /** Full name with tag, e.g. "llama3.2:latest". */
  name: string;
  family: string;
  parameterSize: string;
  capabilities: Array<'completion' | 'embedding' | 'tools'>;
  contextLength: number;
  sizeBytes: number;
}

export const DEFAULT_MODELS: readonly ModelSpec[] = [
  {
    name: 'llama3.2:latest',
    family: 'llama',
    parameterSize: '3.2B',
    capabilities: ['completion', 'tools'],
    contextLength: 131072,
    sizeBytes: 2_019_393_189,
  },
  {
    name: 'nomic-embed-text:latest',
    family: 'nomic-bert',
    parameterSize: '137M',
    capabilities: ['embedding'],
    contextLength: 2048,
    sizeBytes: 274_302_450,
  },
];

/** Models the demo's "registry" offers to /api/pull besides the ones installed. */
export const PULLABLE_MODELS: readonly ModelSpec[] = [
  {
    name: 'qwen2.5:0.5b',
    family: 'qwen2',
    parameterSize: '494.03M',
    capabilities: ['completion', 'tools'],
    contextLength: 32768,
    sizeBytes: 397_821_319,
  },
  {
    name: 'phi3:mini',
    family: 'phi3',
    parameterSize: '3.8B',
    capabilities: ['completion'],
    contextLength: 131072,
    sizeBytes: 2_176_178_913,
  },
];

const DEFAULT_KEEP_ALIVE_MS = 5 * 60_000;
const DEFAULT_NUM_CTX = 4096;

/** Parses Ollama's keep_alive: seconds as a number, or a Go-style duration ("5m", "1h30m", "-1"); negative = forever. */
export function keepAliveMs(value: unknown): number {
  if (value === undefined || value === null || value === '') return DEFAULT_KEEP_ALIVE_MS;
  if (typeof value === 'number') return value < 0 ? Infinity : value * 1000;
  if (typeof value !== 'string') throw new TypeError(`invalid keep_alive: ${JSON.stringify(value)}`);
  if (/^-?\d+(\.\d+)?$/.test(value)) return keepAliveMs(Number(value));
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...value.matchAll(/(-?\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== value) throw new TypeError(`invalid keep_alive duration: "${value}"`);
  const ms = parts.reduce((sum, p) => sum + Number(p[1]) * units[p[2]!]!, 0);
  return ms < 0 ? Infinity : ms;
}

function fullName(name: string): string {
  return name.includes(':') ? name : `${name}:latest`;
}

export function digest(name: string): string {
  return fnv1a(name).toString(16).padStart(8, '0').repeat(8);
}

function details(spec: ModelSpec) {
  return {
    parent_model: '',
    format: 'gguf',
    family: spec.family,
    families: [spec.family],
    parameter_size: spec.parameterSize,
    quantization_level: 'Q4_K_M',
  };
}

/** The models the server "has" and which of them are loaded (for /api/ps). */
export class ModelCatalogue {
  private readonly loaded = new Map<string, { expiresAt: number; numCtx: number }>();

  private models: ModelSpec[];

  constructor(
    models: readonly ModelSpec[] = DEFAULT_MODELS,
    private readonly pullable: readonly ModelSpec[] = PULLABLE_MODELS,
  ) {
    this.models = [...models];
  }

  /** "llama3.2" finds "llama3.2:latest", as Ollama does. */
  find(name: string): ModelSpec | undefined {
    return this.models.find((m) => m.name === fullName(name));
  }

  /** What /api/pull can fetch: an installed model (pulled again) or one of the registry's. */
  findPullable(name: string): ModelSpec | undefined {
    return this.find(name) ?? this.pullable.find((m) => m.name === fullName(name));
  }

  install(spec: ModelSpec): void {
    if (!this.find(spec.name)) this.models.push(spec);
  }

  /** Removes a model (and unloads it); false when it is not installed. */
  remove(name: string): boolean {
    const spec = this.find(name);
    if (!spec) return false;
    this.models = this.models.filter((m) => m !== spec);
    this.loaded.delete(spec.name);
    return true;
  }

  /** Records a use: the model is loaded until keep_alive runs out (0 unloads it at once). */
  touch(spec: ModelSpec, keepAlive: unknown, numCtx: unknown): void {
    const ms = keepAliveMs(keepAlive);
    if (ms === 0) {
      this.loaded.delete(spec.name);
      return;
    }
    this.loaded.set(spec.name, { expiresAt: Date.now() + ms, numCtx: typeof numCtx === 'number' ? numCtx : DEFAULT_NUM_CTX });
  }

  isLoaded(spec: ModelSpec): boolean {
    const entry = this.loaded.get(spec.name);
    return entry !== undefined && entry.expiresAt > Date.now();
  }

  tags() {
    return {
      models: this.models.map((m) => ({
        name: m.name,
        model: m.name,
        modified_at: '2025-01-01T00:00:00Z',
        size: m.sizeBytes,
        digest: digest(m.name),
        details: details(m),
      })),
    };
  }

  ps() {
    const now = Date.now();
    const models = [];
    for (const [name, entry] of this.loaded) {
      const spec = this.find(name);
      if (!spec || entry.expiresAt <= now) continue;
      models.push({
        name: spec.name,
        model: spec.name,
        size: spec.sizeBytes,
        digest: digest(spec.name),
        details: details(spec),
        // Go's zero-ish "forever" is far in the future; JSON cannot carry Infinity.
        expires_at: new Date(Number.isFinite(entry.expiresAt) ? entry.expiresAt : Date.UTC(2318, 0, 1)).toISOString(),
        size_vram: spec.sizeBytes,
        context_length: entry.numCtx,
      });
    }
    return { models };
  }

  show(spec: ModelSpec) {
    const arch = spec.family;
    return {
      license: '',
      modelfile: `# Modelfile generated by the NPC Studio test server\nFROM ${spec.name}\n`,
      parameters: '',
      template: '{{ .Prompt }}',
      details: details(spec),
      model_info: {
        'general.architecture': arch,
        [`${arch}.context_length`]: spec.contextLength,
        [`${arch}.embedding_length`]: EMBEDDING_DIM,
      },
      capabilities: spec.capabilities,
      modified_at: '2025-01-01T00:00:00Z',
    };
  }
}
