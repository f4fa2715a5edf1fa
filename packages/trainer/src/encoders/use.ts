import * as tf from '@tensorflow/tfjs';
import { loadUseTokenizer } from '../use/use-model';
import type { SentencePieceTokenizer } from '../use/sentencepiece-tokenizer';
import { loadUseTensors, type UseArchitecture } from '../use/use-weights';
import { padTokens, useForward, useParams, type UseParams } from '../use/use-transformer';
import { TokenIdsBatch, type Encoder, type NamedVariable, type PreparedBatch, type Side } from './encoder';
import { saveEncoderFiles, weightsVersion } from './weights-io';

/** `all`: every tensor, embeddings included; N: the top N transformer layers and the tanh pooler. */
export type TrainLayers = 'all' | number;

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
 */
export class UseEncoder implements Encoder {
  readonly kind = 'use' as const;
  readonly id = 'use';
  readonly dim: number;
  readonly queryPrefix: string;
  private readonly opts: Required<Omit<UseOptions, 'embedBatchSize'>>;
  private readonly embedBatchSize: number;
  private readonly vars: NamedVariable[];
  private readonly trainable: NamedVariable[];
  private readonly params: UseParams;

  private constructor(
    private readonly base: UseBase,
    options: UseOptions,
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
    return new UseEncoder(await useBase(), options);
  }

  get version(): string {
    return weightsVersion(this.kind, this.vars, this.config());
  }

  config(): Record<string, unknown> {
    return { ...this.opts, baseModel: this.base.version };
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

  async prepare(texts: string[], side: Side): Promise<PreparedBatch> {
    return this.tensors(texts.map((t) => this.tokenize(t, side)));
  }

  forward(batch: PreparedBatch, _side: Side): tf.Tensor2D {
    const b = batch as TokenIdsBatch;
    return useForward(this.params, this.base.architecture, b.ids, b.mask);
  }

  private async embed(texts: string[], side: Side): Promise<Float32Array> {
    const lists = texts.map((t) => this.tokenize(t, side));
    // Similar lengths together: little padding. A row does not depend on its batch.
    const order = lists.map((_, i) => i).sort((a, b) => lists[a].length - lists[b].length || a - b);
    const out = new Float32Array(texts.length * this.dim);
    for (let i = 0; i < order.length; i += this.embedBatchSize) {
      const rows = order.slice(i, i + this.embedBatchSize);
      const batch = this.tensors(rows.map((r) => lists[r]));
      const y = this.forward(batch, side);
      const data = (await y.data()) as Float32Array;
      y.dispose();
      batch.dispose();
      rows.forEach((r, k) => out.set(data.subarray(k * this.dim, (k + 1) * this.dim), r * this.dim));
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
