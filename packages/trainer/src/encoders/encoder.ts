import type { TextEmbedder } from '@lrat/indexer';
import type * as tf from '@tensorflow/tfjs';

export type EncoderKind = 'use-adapter' | 'bow' | 'use' | 'transformer';
export type Side = 'query' | 'document';

/** Model inputs prepared outside the gradient tape (cached base embeddings, token ids…). */
export interface PreparedBatch {
  readonly size: number;
  dispose(): void;
}

/** Token ids and their padding mask (1 = real token), both batch × length: what transformer encoders prepare. */
export class TokenIdsBatch implements PreparedBatch {
  constructor(
    readonly ids: tf.Tensor2D,
    readonly mask: tf.Tensor2D,
  ) {}
  get size(): number {
    return this.ids.shape[0];
  }
  dispose(): void {
    this.ids.dispose();
    this.mask.dispose();
  }
}

export interface PrepareOptions {
  onProgress?: (p: { done: number; total: number }) => void;
}

/**
 * A trainable text encoder. `prepare` does the slow, non-differentiable part once per batch;
 * `forward` is the differentiable part and returns L2-normalised rows. `embedQueries` /
 * `embedDocuments` (the indexer's TextEmbedder) chain the two; queries get `queryPrefix`.
 */
export interface Encoder extends TextEmbedder {
  readonly kind: EncoderKind;
  readonly queryPrefix: string;
  /** Everything besides the weights needed to rebuild the encoder (written to encoder.json). */
  config(): Record<string, unknown>;
  /** Trainable variables with stable logical names (tfjs variable names must be globally unique). */
  weights(): NamedVariable[];
  /** Optional: the subset of `weights()` training updates (default: all of them). */
  trainableWeights?(): NamedVariable[];
  /**
   * Optional: false when no trainable weight acts on this side (e.g. frozen documents), so gradient
   * caching skips that side's backward passes (default: true).
   */
  trainsSide?(side: Side): boolean;
  /**
   * Optional: estimated bytes the gradient tape holds for each of these texts (0 on a side that does
   * not train). train() divides the wasm heap's budget by it to pick micro-batches (memory-budget.ts);
   * encoders whose activations are small leave it out.
   */
  tapeBytes?(texts: readonly string[], side: Side): number[];
  prepare(texts: string[], side: Side, options?: PrepareOptions): Promise<PreparedBatch>;
  forward(batch: PreparedBatch, side: Side): tf.Tensor2D;
  /** Optional: precompute the slow part for these texts once (use-adapter fills its embedding cache). */
  warm?(texts: string[], side: Side, options?: PrepareOptions): Promise<void>;
  /** Writes encoder.json + weights into `dir` (not atomically: callers build dirs atomically). */
  save(dir: string, extra?: Record<string, unknown>): Promise<void>;
  /**
   * Optional: restores every weight from a folder `save` wrote (checkpoint resume). Encoders whose
   * weights are not encoder.json + weights.bin (the transformer's model.safetensors) provide it.
   */
  loadWeights?(dir: string): Promise<void>;
  dispose(): void;
}

export interface NamedVariable {
  name: string;
  variable: tf.Variable;
}

export interface EncoderManifest {
  format: 'lrat-encoder';
  formatVersion: 1;
  kind: EncoderKind;
  id: string;
  version: string;
  dim: number;
  config: Record<string, unknown>;
  weights: Array<{ name: string; shape: number[]; offset: number }>;
  [extra: string]: unknown;
}

/**
 * `prepare` then `forward` over `texts` in chunks of `chunk`, rows gathered into one n × dim matrix:
 * what `embedQueries` / `embedDocuments` are for every encoder.
 */
export async function embedInChunks(encoder: Encoder, texts: string[], side: Side, chunk: number): Promise<Float32Array> {
  const out = new Float32Array(texts.length * encoder.dim);
  for (let i = 0; i < texts.length; i += chunk) {
    const batch = await encoder.prepare(texts.slice(i, i + chunk), side);
    const y = encoder.forward(batch, side);
    out.set(await y.data(), i * encoder.dim);
    y.dispose();
    batch.dispose();
  }
  return out;
}
