import { z } from 'zod';

/** An Ollama model name with its tag, e.g. "llama3.2" or "qwen2.5:0.5b" (what `ollama pull` takes). */
export const modelNameSchema = z
  .string()
  .trim()
  .min(1, 'name the model, e.g. llama3.2')
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/, 'a model name has letters, digits and . _ : / - only, e.g. llama3.2:latest');

/** A model Ollama has on disk (/api/tags). */
export interface AvailableModel {
  name: string;
  sizeBytes: number;
  family: string;
  parameterSize: string;
  quantization: string;
  modifiedAt: string;
}

/** A model loaded in memory (/api/ps). */
export interface LoadedModel {
  name: string;
  sizeBytes: number;
  /** Bytes of it in GPU memory; sizeBytes - vramBytes run on the CPU. */
  vramBytes: number;
  /** When Ollama unloads it unless used again (ISO). */
  expiresAt: string;
}

export interface ModelList {
  available: AvailableModel[];
  loaded: LoadedModel[];
}

/** /api/show, the parts a designer reads. contextLength: the model's trained context, in tokens (null: not told). */
export interface ModelDetails {
  name: string;
  family: string;
  parameterSize: string;
  quantization: string;
  contextLength: number | null;
  capabilities: string[];
}

/** Progress of one pull, pushed as it goes (at most a few per second) and once when it ends. */
export interface ModelPullEvent {
  pullId: string;
  model: string;
  state: 'pulling' | 'done' | 'cancelled' | 'failed';
  /** Ollama's own words, e.g. "pulling manifest", "verifying sha256 digest". */
  status: string;
  completedBytes: number;
  totalBytes: number;
  error?: string;
}
