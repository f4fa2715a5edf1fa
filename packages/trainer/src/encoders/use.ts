import * as tf from '@tensorflow/tfjs';
import { inferenceBlas, withInferenceRows, type InferenceBlas } from '../backend/native-inference';
import { loadUseTokenizer } from '../use/use-model';
import type { SentencePieceTokenizer } from '../use/sentencepiece-tokenizer';
import { loadUseTensors, type UseArchitecture } from '../use/use-weights';
import { padTokens, useForwardBuckets, useParams, type UseParams } from '../use/use-transformer';
import { TokenIdsBatch, type Encoder, type NamedVariable, type PreparedBatch, type PrepareOptions, type Side } from './encoder';
import { UseAdapterEncoder } from './use-adapter';
import { saveEncoderFiles, weightsVersion } from './weights-io';
import { transformerTapeBytes } from '../memory-budget';

/** `all`: every tensor, embeddings included; N: the top N transformer layers and the tanh pooler. */
export type TrainLayers = 'all' | number;

/**
 * `both`: one tower for queries and documents, trained on both sides. `query`: only the query tower
 * trains; documents keep the pretrained model's vectors, so an index built with the base model stays
 * valid and training never re-encodes the corpus.
 */
export const USE_TRAIN_SIDES = ['both', 'query'] as const;
export type UseTrainSides = (typeof USE_TRAIN_SIDES)[number];

export interface UseOptions {
  /** Prepended to every query. USE-lite is not instruction-tuned, so the default is none. */
  queryPrefix?: string;
  /** Tokens kept per passage (the graph model keeps 128; at most that, the timing signal was trained to it). */
  passageMaxLength?: number;
  /** Tokens kept per query. */
  queryMaxLength?: number;
  trainLayers?: TrainLayers;
  /** Texts per forward pass when embedding (sorted by length first, so little padding). */
  embedBatchSize?: number;
  /** Which sides training changes (default `both`); `document` alone is refused (see parseUseTrainSides). */
  trainSides?: UseTrainSides | 'document';
  /** trainSides `query`: root of the frozen document vectors' cache (default $LRAT_CACHE_DIR or ./.lrat-cache). */
  cacheDir?: string;
}

/** Parses `--train-sides` for the `use` encoder. */
export function parseUseTrainSides(value: string | undefined): UseTrainSides {
  if (value === undefined) return 'both';
  if ((USE_TRAIN_SIDES as readonly string[]).includes(value)) return value as UseTrainSides;
  // A document-only tower would re-encode the corpus for what use-adapter's document side does cheaply.
  throw new Error(`use: trainSides must be both or query, got ${JSON.stringify(value)} (use-adapter trains the document side alone)`);
}

/** Rows per length bucket of a training batch (see LengthBuckets). */
const BUCKET_ROWS = 4;

/**
 * A training batch as token-id batches of similar lengths: rows sorted by length and cut into
 * buckets of BUCKET_ROWS, each padded only to its own longest row (one bucket when that saves less
 * than a quarter of the positions). Agents' queries are ≈ 11 tokens on average but up to 50, and
 * every padded position costs the full transformer: one padded batch did about 3× the work.
 * The buckets' token rows share every weight product (useForwardBuckets), so a smaller bucket only
 * adds an attention call: measured over 10 of the agents' 32-query batches, gradients took 490 ms
 * with buckets of 2 or 4 rows, 640 ms with 8 and 740 ms with 16.
 * `inverse` puts the buckets' rows back in the caller's order.
 */
class LengthBuckets implements PreparedBatch {
  constructor(
    readonly buckets: TokenIdsBatch[],
    readonly inverse: tf.Tensor1D,
    readonly size: number,
  ) {}
  dispose(): void {
    for (const b of this.buckets) b.dispose();
    this.inverse.dispose();
  }
}

/** Parses `--train-layers`: "all" or a non-negative integer. */
export function parseTrainLayers(value: string | number): TrainLayers {
  if (value === 'all') return 'all';
  const n = typeof value === 'number' ? value : /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 0) throw new Error(`--train-layers must be "all" or a non-negative integer, got ${JSON.stringify(value)}`);
  return n;
}

interface UseBase {
  architecture: UseArchitecture;
  tensors: Map<string, tf.Tensor>;
  names: string[];
  tokenizer: SentencePieceTokenizer;
  version: string;
}

/** Read once per process: the 7 M pretrained values every `use` encoder starts from (never disposed). */
let sharedBase: Promise<UseBase> | undefined;
function useBase(): Promise<UseBase> {
  sharedBase ??= Promise.all([loadUseTensors(), loadUseTokenizer()]).then(([{ architecture, tensors }, { tokenizer, version }]) => ({
    architecture,
    tensors: new Map(tensors.map((t) => [t.name, t.tensor])),
    names: tensors.map((t) => t.name),
    tokenizer,
    version,
  }));
  sharedBase.catch(() => (sharedBase = undefined));
  return sharedBase;
}

let instance = 0;

/**
 * Universal Sentence Encoder lite rebuilt from its own tensors (`use/use-transformer.ts`): gives the
 * frozen graph model's vectors, and every tensor is a trainable variable. One tower for queries and
 * documents (queries get `queryPrefix`), as the pretrained model was trained.
 *
 * With trainSides `query` the tower embeds and trains queries only; documents are the frozen graph
 * model's vectors, served by the base-embedding cache and its worker pool (the same vectors the
 * rebuilt tower gives, within 1e-5, before any training). On 2 cores a training step then costs a
 * forward and backward pass over the batch's short queries instead of its 10× more, 128-token
 * passages, and the corpus index of the base model is the trained model's index too.
 */
export class UseEncoder implements Encoder {
  readonly kind = 'use' as const;
  readonly id = 'use';
  readonly dim: number;
  readonly queryPrefix: string;
  private readonly opts: Required<Omit<UseOptions, 'embedBatchSize' | 'trainSides' | 'cacheDir'>>;
  private readonly embedBatchSize: number;
  private readonly vars: NamedVariable[];
  private readonly trainable: NamedVariable[];
  private readonly params: UseParams;
  /** Embedding's products on the native BLAS (null: XNNPACK); see backend/native-inference.ts. */
  private readonly native: InferenceBlas | null = tf.getBackend() === 'wasm' ? inferenceBlas() : null;

  private constructor(
    private readonly base: UseBase,
    options: UseOptions,
    /**
     * trainSides `query`: the frozen document side — an untrained use-adapter, i.e. the normalised
     * USE-lite graph vectors through its cache and pool (its identity adapters never train here).
     */
    private readonly documents?: UseAdapterEncoder,
  ) {
    const arch = base.architecture;
    const trainLayers = options.trainLayers === undefined ? 'all' : parseTrainLayers(options.trainLayers);
    this.opts = {
      queryPrefix: options.queryPrefix ?? '',
      passageMaxLength: options.passageMaxLength ?? arch.maxLength,
      queryMaxLength: options.queryMaxLength ?? arch.maxLength,
      trainLayers,
    };
    for (const key of ['passageMaxLength', 'queryMaxLength'] as const) {
      const v = this.opts[key];
      if (!Number.isInteger(v) || v < 1 || v > arch.maxLength) throw new Error(`use: ${key} must be an integer from 1 to ${arch.maxLength} (the model's positions), got ${v}`);
    }
    this.embedBatchSize = options.embedBatchSize ?? 32;
    this.queryPrefix = this.opts.queryPrefix;
    const tag = `use_${instance++}`;
    const layerCount = arch.layers.length;
    const isTrainable = (name: string): boolean => {
      if (trainLayers === 'all') return true;
      if (name.startsWith('pooler/')) return true;
      const m = /^layer_(\d+)\//.exec(name);
      return m !== null && Number(m[1]) >= layerCount - trainLayers;
    };
    // Variables share the pretrained buffers until their first update (tfjs assign swaps buffers).
    this.vars = base.names.map((name) => ({ name, variable: tf.variable(base.tensors.get(name) as tf.Tensor, isTrainable(name), `${tag}/${name}`) }));
    this.trainable = this.vars.filter((v) => v.variable.trainable);
    const byName = new Map(this.vars.map((v) => [v.name, v.variable]));
    this.params = useParams(arch, (name) => {
      const v = byName.get(name);
      if (!v) throw new Error(`use: no variable ${name}`);
      return v;
    });
    this.dim = this.params.pooler.kernel.shape[1];
  }

  static async create(options: UseOptions = {}): Promise<UseEncoder> {
    const base = await useBase();
    if (parseUseTrainSides(options.trainSides) === 'both') return new UseEncoder(base, options);
    // The untrained adapter encoder is exactly the normalised graph model: its vectors, its cache, its pool.
    const documents = await UseAdapterEncoder.create({ cacheDir: options.cacheDir, embedBatchSize: options.embedBatchSize });
    if (documents.baseVersion !== base.version) {
      documents.dispose();
      throw new Error(`use: the graph model (${documents.baseVersion}) and the tensors (${base.version}) come from different USE-lite builds`);
    }
    return new UseEncoder(base, options, documents);
  }

  get version(): string {
    return weightsVersion(this.kind, this.vars, this.config());
  }

  /** `query` when documents come from the frozen model, else `both`. */
  get trainSides(): UseTrainSides {
    return this.documents ? 'query' : 'both';
  }

  config(): Record<string, unknown> {
    // trainSides is recorded only when not the default, so models trained before it keep their version.
    return { ...this.opts, ...(this.documents ? { trainSides: this.trainSides } : {}), baseModel: this.base.version };
  }

  /** False for the document side with trainSides `query`: gradient caching skips its backward pass. */
  trainsSide(side: Side): boolean {
    return !this.documents || side === 'query';
  }

  /** Tape bytes per text at its token count, through the layers that train (see memory-budget.ts). */
  tapeBytes(texts: readonly string[], side: Side): number[] {
    if (!this.trainsSide(side)) return texts.map(() => 0);
    const layers = this.base.architecture.layers;
    const trained = this.opts.trainLayers === 'all' ? layers : layers.slice(layers.length - this.opts.trainLayers);
    const shapes = trained.map((l) => ({ width: l.outWidth, heads: l.heads }));
    return texts.map((t) => transformerTapeBytes(shapes, Math.max(1, this.tokenize(t, side).length)));
  }

  /** Every tensor (what is saved and loaded). */
  weights(): NamedVariable[] {
    return this.vars;
  }

  /** The tensors training updates (`trainLayers`). */
  trainableWeights(): NamedVariable[] {
    return this.trainable;
  }

  /** Token ids as the model sees them: the query prefix, then truncation to the side's max length. */
  tokenize(text: string, side: Side): number[] {
    const input = side === 'query' ? this.queryPrefix + text : text;
    return this.base.tokenizer.encode(input).slice(0, side === 'query' ? this.opts.queryMaxLength : this.opts.passageMaxLength);
  }

  private tensors(lists: number[][]): TokenIdsBatch {
    const b = padTokens(lists);
    return new TokenIdsBatch(tf.tensor2d(b.ids, [b.size, b.length], 'int32'), tf.tensor2d(b.mask, [b.size, b.length], 'int32'));
  }

  async prepare(texts: string[], side: Side, options: PrepareOptions = {}): Promise<PreparedBatch> {
    if (side === 'document' && this.documents) return this.documents.prepare(texts, side, options);
    const lists = texts.map((t) => this.tokenize(t, side));
    const order = lists.map((_, i) => i).sort((a, b) => lists[a].length - lists[b].length || a - b);
    const groups: number[][] = [];
    for (let i = 0; i < order.length; i += BUCKET_ROWS) groups.push(order.slice(i, i + BUCKET_ROWS));
    // Positions computed: each bucket pads to its longest row. When buckets would save little (texts
    // of about one length, e.g. clipped passages), one batch: every bucket adds attention calls.
    const padded = (g: number[]) => g.length * Math.max(1, ...g.map((r) => lists[r].length));
    if (groups.reduce((a, g) => a + padded(g), 0) > 0.75 * padded(order)) groups.splice(0, groups.length, order);
    const buckets = groups.map((g) => this.tensors(g.map((r) => lists[r])));
    const inverse = new Int32Array(order.length);
    order.forEach((row, position) => (inverse[row] = position));
    return new LengthBuckets(buckets, tf.tensor1d(inverse, 'int32'), texts.length);
  }

  forward(batch: PreparedBatch, side: Side): tf.Tensor2D {
    if (side === 'document' && this.documents) return this.documents.forward(batch, side);
    const { buckets, inverse } = batch as LengthBuckets;
    return tf.tidy(() => tf.gather(useForwardBuckets(this.params, this.base.architecture, buckets), inverse));
  }

  /** trainSides `query`: fills the frozen document vectors' cache ahead of training (on the pool for large fills). */
  async warm(texts: string[], side: Side, options: PrepareOptions = {}): Promise<void> {
    if (side === 'document' && this.documents) await this.documents.warm(texts, side, options);
  }

  private async embed(texts: string[], side: Side): Promise<Float32Array> {
    const lists = texts.map((t) => this.tokenize(t, side));
    // Similar lengths together: few buckets. A row does not depend on its batch.
    const order = lists.map((_, i) => i).sort((a, b) => lists[a].length - lists[b].length || a - b);
    const out = new Float32Array(texts.length * this.dim);
    for (let i = 0; i < order.length; i += this.embedBatchSize) {
      const rows = order.slice(i, i + this.embedBatchSize);
      const data = await this.forwardCanonical(rows.map((r) => lists[r]));
      rows.forEach((r, k) => out.set(data.subarray(k * this.dim, (k + 1) * this.dim), r * this.dim));
    }
    return out;
  }

  /**
   * Token-id lists (sorted by length) with each text's bits independent of the others: one bucket per
   * length, so no text is padded (softmax, attention products and pooling sum over the padded length in
   * an order that depends on it), and products segmented text by text on the native BLAS. On XNNPACK
   * too: unpadded buckets were also faster there (8 agent queries: 62 vs 82–95 ms).
   */
  private async forwardCanonical(lists: number[][]): Promise<Float32Array> {
    const groups: number[][][] = [];
    for (const l of lists) {
      const last = groups[groups.length - 1];
      if (last && last[0].length === l.length) last.push(l);
      else groups.push([l]);
    }
    const buckets = groups.map((g) => this.tensors(g));
    // Products take each text's positions (dense layers) or its pooled row (the pooler).
    const layouts = [buckets.flatMap((b) => new Array<number>(b.ids.shape[0]).fill(b.ids.shape[1])), lists.map(() => 1)];
    const y = withInferenceRows(this.native, this.vars.map((v) => v.variable), layouts, () => useForwardBuckets(this.params, this.base.architecture, buckets));
    const data = (await y.data()) as Float32Array;
    y.dispose();
    for (const b of buckets) b.dispose();
    return data;
  }

  embedQueries(texts: string[]): Promise<Float32Array> {
    return this.embed(texts, 'query');
  }

  embedDocuments(texts: string[]): Promise<Float32Array> {
    return this.documents ? this.documents.embedDocuments(texts) : this.embed(texts, 'document');
  }

  save(dir: string, extra?: Record<string, unknown>): Promise<void> {
    return saveEncoderFiles(this, dir, extra);
  }

  dispose(): void {
    this.documents?.dispose();
    for (const { variable } of this.vars) variable.dispose();
  }
}
