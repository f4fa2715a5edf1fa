import * as tf from '@tensorflow/tfjs';
import * as os from 'os';
import { EmbeddingCache, defaultCacheDir } from '../embedding-cache';
import { UseEmbeddingPool } from '../use/embed-pool';

/** Fewer missing texts than this are embedded on the calling thread (a pool costs seconds to start). */
const PARALLEL_MIN_TEXTS = 128;

function defaultEmbedWorkers(env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = Number(env.LRAT_EMBED_WORKERS);
  if (Number.isInteger(fromEnv) && fromEnv >= 1) return fromEnv;
  return Math.max(1, Math.min(4, os.availableParallelism()));
}
import { Rng } from '../rng';
import { USE_DIM, UseLiteModel } from '../use/use-model';
import { embedInChunks, type Encoder, type NamedVariable, type PreparedBatch, type PrepareOptions, type Side } from './encoder';
import { saveEncoderFiles, weightsVersion } from './weights-io';

export interface UseAdapterOptions {
  /** `linear`: y = x + xA + b. `mlp`: y = x + relu(xW1 + b1)W2 + b2. Both start as the identity. */
  adapter?: 'linear' | 'mlp';
  /** Hidden width of the mlp adapter. */
  hidden?: number;
  /** Prepended to every query. USE-lite is not instruction-tuned, so the default is none. */
  queryPrefix?: string;
  /** Root of the base-embedding cache; default $LRAT_CACHE_DIR or ./.lrat-cache. */
  cacheDir?: string;
  /** Seed for the mlp's first layer (the only randomly initialised weights). */
  seed?: number;
  /**
   * Which adapters training updates: `both` (default), or only the `query` / `document` side (the
   * other stays the identity, e.g. so document vectors remain the base model's).
   */
  trainSides?: 'both' | 'query' | 'document';
  /** Texts per USE graph execution when filling the cache. */
  embedBatchSize?: number;
  /**
   * Threads for large base-embedding fills on the wasm backend (default: the cores, at most 4, or
   * $LRAT_EMBED_WORKERS); 1 keeps everything on the calling thread.
   */
  embedWorkers?: number;
}

/** The `trainSides` values use-adapter takes. */
export const USE_ADAPTER_TRAIN_SIDES = ['both', 'query', 'document'] as const;

let instance = 0;

/** Loaded once per process: the frozen model is 28 MB and takes ~0.4 s to load. */
let sharedModel: Promise<UseLiteModel> | undefined;
function baseModel(): Promise<UseLiteModel> {
  sharedModel ??= UseLiteModel.load();
  return sharedModel;
}

class TensorBatch implements PreparedBatch {
  constructor(readonly x: tf.Tensor2D) {}
  get size(): number {
    return this.x.shape[0];
  }
  dispose(): void {
    this.x.dispose();
  }
}

/**
 * Universal Sentence Encoder lite, frozen, with trainable query-side and document-side adapters
 * initialised to the identity (so the untrained encoder is exactly the base model, normalised).
 * Base embeddings come from a disk cache keyed by text hash and model version (with the kernel path: embeddingVersion).
 */
export class UseAdapterEncoder implements Encoder {
  readonly kind = 'use-adapter' as const;
  readonly id = 'use-adapter';
  readonly dim = USE_DIM;
  readonly queryPrefix: string;
  private readonly vars: NamedVariable[];
  private readonly opts: Required<Omit<UseAdapterOptions, 'cacheDir' | 'trainSides'>>;
  private readonly trainSides: 'both' | 'query' | 'document';
  private pool?: Promise<UseEmbeddingPool | null>;
  private readonly waiting: Array<{ texts: string[]; resolve: () => void; reject: (err: Error) => void }> = [];

  private constructor(
    private readonly model: UseLiteModel,
    private readonly cache: EmbeddingCache,
    options: UseAdapterOptions,
  ) {
    this.opts = {
      adapter: options.adapter ?? 'linear',
      hidden: options.hidden ?? 256,
      queryPrefix: options.queryPrefix ?? '',
      seed: options.seed ?? 0,
      embedBatchSize: options.embedBatchSize ?? 32,
      embedWorkers: options.embedWorkers ?? defaultEmbedWorkers(),
    };
    this.queryPrefix = this.opts.queryPrefix;
    this.trainSides = options.trainSides ?? 'both';
    if (!USE_ADAPTER_TRAIN_SIDES.includes(this.trainSides)) throw new Error(`use-adapter: trainSides must be both, query or document, got ${String(this.trainSides)}`);
    const tag = `use_adapter_${instance++}`;
    const rng = Rng.derive(this.opts.seed, 0x5eed);
    const v = (name: string, t: tf.Tensor) => ({ name, variable: tf.variable(t, true, `${tag}/${name}`) });
    this.vars = [];
    for (const side of ['query', 'document'] as const) {
      if (this.opts.adapter === 'linear') {
        this.vars.push(v(`${side}/A`, tf.zeros([USE_DIM, USE_DIM])), v(`${side}/b`, tf.zeros([USE_DIM])));
      } else {
        const h = this.opts.hidden;
        const scale = Math.sqrt(2 / USE_DIM);
        const w1 = Float32Array.from({ length: USE_DIM * h }, () => rng.normal() * scale);
        this.vars.push(
          v(`${side}/W1`, tf.tensor2d(w1, [USE_DIM, h])),
          v(`${side}/b1`, tf.zeros([h])),
          // Zero output layer: the residual branch starts silent, so the adapter starts as the identity.
          v(`${side}/W2`, tf.zeros([h, USE_DIM])),
          v(`${side}/b2`, tf.zeros([USE_DIM])),
        );
      }
    }
  }

  static async create(options: UseAdapterOptions = {}): Promise<UseAdapterEncoder> {
    const model = await baseModel();
    const cache = await EmbeddingCache.open(options.cacheDir ?? defaultCacheDir(), model.embeddingVersion, USE_DIM);
    return new UseAdapterEncoder(model, cache, options);
  }

  get version(): string {
    return weightsVersion(this.kind, this.vars, this.config());
  }

  /** Version of the frozen base model (recorded by trained models). */
  get baseVersion(): string {
    return this.model.version;
  }

  /** Key of the base vectors in the cache: the base version and the kernel path that computes them. */
  get embeddingVersion(): string {
    return this.model.embeddingVersion;
  }

  config(): Record<string, unknown> {
    // Threads are a property of the machine, not of the model: kept out of its version.
    const { embedWorkers: _threads, ...model } = this.opts;
    // Recorded only when not the default, so models trained before the option keep their version.
    return { ...model, ...(this.trainSides === 'both' ? {} : { trainSides: this.trainSides }), baseModel: this.model.version };
  }

  weights(): NamedVariable[] {
    return this.vars;
  }

  /** The adapters `trainSides` names (all of them by default). */
  trainableWeights(): NamedVariable[] {
    return this.trainSides === 'both' ? this.vars : this.vars.filter((v) => v.name.startsWith(`${this.trainSides}/`));
  }

  /** False for a side `trainSides` leaves at the identity. */
  trainsSide(side: Side): boolean {
    return this.trainSides === 'both' || this.trainSides === side;
  }

  private w(name: string): tf.Variable {
    const found = this.vars.find((x) => x.name === name);
    if (!found) throw new Error(`use-adapter: no variable ${name}`);
    return found.variable;
  }

  /** Base (frozen) embeddings, n × 512, from the cache or computed once. */
  async baseEmbeddings(texts: string[], side: Side, options: PrepareOptions = {}): Promise<Float32Array> {
    const inputs = side === 'query' && this.queryPrefix ? texts.map((t) => this.queryPrefix + t) : texts;
    const missing = this.cache.missing(inputs).length;
    if (missing >= PARALLEL_MIN_TEXTS) {
      // A large fill (a corpus, often in chunks): one model per core when there are several.
      const pool = await this.threads();
      if (pool) {
        return this.cache.getOrCompute(inputs, (batch) => pool.embed(batch), {
          batchSize: this.opts.embedBatchSize,
          concurrency: 2 * pool.size,
          onProgress: options.onProgress,
        });
      }
    } else if (missing > 0) {
      // Small fills (an agent's next query) from concurrent callers are gathered into one batch.
      await this.fillTogether(inputs);
    }
    return this.cache.getOrCompute(inputs, (batch) => this.model.embed(batch), {
      batchSize: this.opts.embedBatchSize,
      onProgress: options.onProgress,
    });
  }

  /**
   * The embedding threads, started once and kept for the encoder's life; null when one thread is all
   * there is (a single core, another backend, or workers that cannot start).
   */
  private threads(): Promise<UseEmbeddingPool | null> {
    if (this.opts.embedWorkers <= 1 || tf.getBackend() !== 'wasm') return Promise.resolve(null);
    this.pool ??= UseEmbeddingPool.start(this.opts.embedWorkers, this.model.embeddingVersion).catch((err: Error) => {
      process.stderr.write(`use-adapter: embedding threads unavailable (${err.message}); embedding on this thread\n`);
      return null;
    });
    return this.pool;
  }

  /**
   * Queues texts to embed and resolves once they are cached. Everything queued before the event loop
   * turns is embedded as one batch on this thread (USE-lite: ≈9 ms for one short query alone, ≈4 ms
   * each in a batch of 8). On XNNPACK a text's vector can differ in the 7th decimal with the other
   * texts of its batch (the graph's sums over its padded length; native inference computes each text
   * at its own length); the first vector computed is cached and used from then on. This
   * thread rather than the pool, so the batches — and so those last digits — follow the callers'
   * deterministic order rather than worker timing.
   */
  private fillTogether(texts: string[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ texts, resolve, reject });
      if (this.waiting.length === 1) setImmediate(() => void this.drainWaiting());
    });
  }

  private async drainWaiting(): Promise<void> {
    const jobs = this.waiting.splice(0);
    const texts = this.cache.missing(jobs.flatMap((j) => j.texts));
    try {
      await this.cache.getOrCompute(texts, (batch) => this.model.embed(batch), { batchSize: this.opts.embedBatchSize });
      for (const j of jobs) j.resolve();
    } catch (err) {
      for (const j of jobs) j.reject(err as Error);
    }
  }

  async warm(texts: string[], side: Side, options: PrepareOptions = {}): Promise<void> {
    await this.baseEmbeddings(texts, side, options);
  }

  async prepare(texts: string[], side: Side, options: PrepareOptions = {}): Promise<PreparedBatch> {
    const base = await this.baseEmbeddings(texts, side, options);
    return new TensorBatch(tf.tensor2d(base, [texts.length, USE_DIM]));
  }

  forward(batch: PreparedBatch, side: Side): tf.Tensor2D {
    const x = (batch as TensorBatch).x;
    return tf.tidy(() => {
      let residual: tf.Tensor2D;
      if (this.opts.adapter === 'linear') {
        residual = tf.add(tf.matMul(x, this.w(`${side}/A`)), this.w(`${side}/b`));
      } else {
        const h = tf.relu(tf.add(tf.matMul(x, this.w(`${side}/W1`)), this.w(`${side}/b1`)));
        residual = tf.add(tf.matMul(h, this.w(`${side}/W2`)), this.w(`${side}/b2`));
      }
      return l2Normalize(tf.add(x, residual));
    });
  }

  private async embed(texts: string[], side: Side): Promise<Float32Array> {
    // Fill the cache for everything first (sorted by length, batched), then run the cheap adapter.
    await this.baseEmbeddings(texts, side);
    return embedInChunks(this, texts, side, 1024);
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

  /** Writes base embeddings still held in memory to the disk cache (dispose and process exit do too). */
  async persistCache(): Promise<void> {
    await this.cache.flush();
  }

  dispose(): void {
    this.cache.flushSync();
    void this.pool?.then((p) => p?.close());
    this.pool = undefined;
    for (const { variable } of this.vars) variable.dispose();
  }
}

export function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.div(x, tf.maximum(tf.norm(x, 'euclidean', 1, true), 1e-12)) as tf.Tensor2D);
}
