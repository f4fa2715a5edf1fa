import { promises as fsp } from 'fs';
import * as path from 'path';
import * as crypto from 'crypto';
import * as tf from '@tensorflow/tfjs';
import { BertModel } from '../transformer/bert';
import { ByteLevelBpeTokenizer } from '../transformer/bpe-tokenizer';
import { Qwen3Model } from '../transformer/qwen3';
import { l2Normalize, pool, type PoolingMode } from '../transformer/ops';
import { readSafetensors, writeSafetensors } from '../transformer/safetensors';
import { poolingConfigFor, promptFor, readStFolder, type StFolder } from '../transformer/st-folder';
import { pythonStrip, WordPieceTokenizer, type Encoded } from '../transformer/wordpiece-tokenizer';
import type { Encoder, EncoderManifest, NamedVariable, PreparedBatch, Side } from './encoder';
import { MANIFEST_FILE } from './weights-io';
import { transformerTapeBytes } from '../memory-budget';

export interface TransformerOptions {
  /** A Hugging Face / sentence-transformers folder, or a folder written by `lrat train`. */
  model?: string;
  /** Pooling for a folder without sentence-transformers files (no modules.json); default cls, lasttoken for Qwen3. */
  pooling?: 'cls' | 'mean' | 'lasttoken';
  /** 'all' (default): every layer and the embeddings; N: only the top N layers (embeddings frozen). */
  trainLayers?: 'all' | number;
  /** Token limits (special tokens included) per side; default the folder's max_seq_length. */
  queryMaxLength?: number;
  passageMaxLength?: number;
  /** Overrides the folder's `query` prompt. */
  queryPrefix?: string;
  /** Overrides the folder's document prompt (`document`, else `passage` / `corpus`). */
  documentPrefix?: string;
}

/** Files of the source folder copied verbatim into an export (the weights and configs are rewritten). */
const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt', 'vocab.json', 'merges.txt', 'added_tokens.json'];
/** Texts per forward pass in embedQueries / embedDocuments. */
const EMBED_CHUNK = 32;

class TokenBatch implements PreparedBatch {
  constructor(
    readonly size: number,
    readonly ids: tf.Tensor2D,
    readonly typeIds: tf.Tensor2D,
    readonly mask: tf.Tensor2D,
  ) {}
  dispose(): void {
    this.ids.dispose();
    this.typeIds.dispose();
    this.mask.dispose();
  }
}

/** The architectures a folder's config.json `model_type` selects: BERT family (encoders) and Qwen3 (decoders). */
type Model = BertModel | Qwen3Model;
type Tokenizer = WordPieceTokenizer | ByteLevelBpeTokenizer;

async function loadArchitecture(dir: string, modelType: unknown, trainableLayer: (layer: number) => boolean): Promise<{ model: Model; tokenizer: Tokenizer }> {
  const tokenizerFile = path.join(dir, 'tokenizer.json');
  if (modelType === 'qwen3') return { model: await Qwen3Model.load(dir, trainableLayer), tokenizer: await ByteLevelBpeTokenizer.load(tokenizerFile) };
  return { model: await BertModel.load(dir, trainableLayer), tokenizer: await WordPieceTokenizer.load(tokenizerFile) };
}

function parseTrainLayers(v: TransformerOptions['trainLayers'], numLayers: number): number {
  if (v === undefined || v === 'all') return numLayers;
  const n = typeof v === 'string' ? Number(v) : v;
  if (!Number.isInteger(n) || n < 1 || n > numLayers) throw new Error(`trainLayers must be "all" or an integer in 1..${numLayers}, got ${JSON.stringify(v)}`);
  return n;
}

/**
 * A BERT-family retriever loaded from a Hugging Face / sentence-transformers folder: tokenisation,
 * truncation, pooling, normalisation and prompts as sentence-transformers applies them. `forward`
 * (training) returns L2-normalised rows (cosine InfoNCE); `embedQueries` / `embedDocuments` return
 * exactly what sentence-transformers' encode gives (normalised only where the folder has Normalize).
 */
export class TransformerEncoder implements Encoder {
  readonly kind = 'transformer' as const;
  readonly id: string;
  readonly dim: number;
  readonly queryPrefix: string;
  private readonly documentPrefix: string;
  private readonly trainable: NamedVariable[];

  private constructor(
    private readonly folder: StFolder,
    private readonly model: Model,
    private readonly tokenizer: Tokenizer,
    private readonly opts: TransformerOptions & { trainLayers: 'all' | number },
    private readonly maxLength: { query: number; document: number },
  ) {
    this.id = `transformer:${path.basename(path.resolve(folder.dir))}`;
    this.dim = model.config.hiddenSize * folder.pooling.length;
    this.queryPrefix = opts.queryPrefix ?? promptFor(folder.prompts, 'query');
    this.documentPrefix = opts.documentPrefix ?? promptFor(folder.prompts, 'document');
    this.trainable = model.weights.filter((w) => w.variable.trainable).map((w) => ({ name: w.hfName, variable: w.variable }));
  }

  static async load(options: TransformerOptions): Promise<TransformerEncoder> {
    if (!options.model) throw new Error('transformer encoder: no model folder given (--encoder <folder>)');
    const dir = path.resolve(options.model);
    // A bare decoder folder (no modules.json) embeds with its last token, as decoder embedders do.
    const bareType = (JSON.parse(await fsp.readFile(path.join(dir, 'config.json'), 'utf8').catch(() => '{}')) as { model_type?: unknown }).model_type;
    const folder = await readStFolder(dir, options.pooling ?? (bareType === 'qwen3' ? 'lasttoken' : 'cls'));
    const cfgPeek = JSON.parse(await fsp.readFile(path.join(folder.transformerDir, 'config.json'), 'utf8').catch(() => '{}')) as { num_hidden_layers?: number; model_type?: unknown };
    const numLayers = typeof cfgPeek.num_hidden_layers === 'number' ? cfgPeek.num_hidden_layers : 0;
    const top = parseTrainLayers(options.trainLayers, Math.max(1, numLayers));
    const all = options.trainLayers === undefined || options.trainLayers === 'all';
    const { model, tokenizer } = await loadArchitecture(folder.transformerDir, cfgPeek.model_type, (layer) => (layer === -1 ? all : layer >= numLayers - top));
    const cap = Math.min(folder.maxSeqLength, model.config.maxPositions);
    const lim = (v: number | undefined, name: string) => {
      if (v === undefined) return cap;
      if (!Number.isInteger(v) || v < tokenizer.specialCount + 1) throw new Error(`${name} must be an integer ≥ ${tokenizer.specialCount + 1}, got ${v}`);
      return Math.min(v, model.config.maxPositions);
    };
    const maxLength = { query: lim(options.queryMaxLength, 'queryMaxLength'), document: lim(options.passageMaxLength, 'passageMaxLength') };
    return new TransformerEncoder(folder, model, tokenizer, { ...options, trainLayers: all ? 'all' : top }, maxLength);
  }

  get version(): string {
    const h = crypto.createHash('sha256').update(this.kind).update(JSON.stringify(this.config()));
    for (const w of this.model.weights) {
      const d = w.variable.dataSync() as Float32Array;
      h.update(Buffer.from(d.buffer, d.byteOffset, d.byteLength));
    }
    return h.digest('hex').slice(0, 16);
  }

  config(): Record<string, unknown> {
    return {
      model: this.folder.dir,
      architecture: this.model instanceof Qwen3Model ? 'qwen3' : 'bert',
      poolingModes: this.folder.pooling.join('+'),
      normalize: this.folder.normalize,
      trainLayers: this.opts.trainLayers,
      queryMaxLength: this.maxLength.query,
      passageMaxLength: this.maxLength.document,
      queryPrefix: this.queryPrefix,
      documentPrefix: this.documentPrefix,
    };
  }

  weights(): NamedVariable[] {
    return this.trainable;
  }

  /** Tokens for one text as sentence-transformers builds them: prompt, strip, lower-case, truncate. */
  private tokenize(text: string, side: Side): Encoded {
    let s = pythonStrip((side === 'query' ? this.queryPrefix : this.documentPrefix) + text);
    if (this.folder.doLowerCase) s = s.toLowerCase();
    return this.tokenizer.encode(s, side === 'query' ? this.maxLength.query : this.maxLength.document);
  }

  tokenIds(text: string, side: Side): number[] {
    return this.tokenize(text, side).ids;
  }

  async prepare(texts: string[], side: Side): Promise<PreparedBatch> {
    const rows = texts.map((t) => this.tokenize(t, side));
    // Padded to the batch's longest row on the tokenizer's side (left for decoders such as
    // Qwen3-Embedding); padding is masked out of attention and pooling.
    const len = Math.max(1, ...rows.map((r) => r.ids.length));
    const left = this.tokenizer instanceof ByteLevelBpeTokenizer && this.tokenizer.paddingSide === 'left';
    const ids = new Int32Array(texts.length * len).fill(this.tokenizer.padId);
    const types = new Int32Array(texts.length * len);
    const mask = new Int32Array(texts.length * len);
    rows.forEach((r, i) => {
      const start = i * len + (left ? len - r.ids.length : 0);
      ids.set(r.ids, start);
      types.set(r.typeIds, start);
      mask.fill(1, start, start + r.ids.length);
    });
    const n = texts.length;
    return new TokenBatch(n, tf.tensor2d(ids, [n, len], 'int32'), tf.tensor2d(types, [n, len], 'int32'), tf.tensor2d(mask, [n, len], 'int32'));
  }

  /**
   * Tape bytes per text (see memory-budget.ts). A batch pads to its longest row, so every text is
   * counted at that length; only the layers that train keep activations.
   */
  tapeBytes(texts: readonly string[], side: Side): number[] {
    const tokens = Math.max(1, ...texts.map((t) => this.tokenize(t, side).ids.length));
    const c = this.model.config;
    const trained = this.opts.trainLayers === 'all' ? c.numLayers : this.opts.trainLayers;
    const bytes = transformerTapeBytes(Array.from({ length: trained }, () => ({ width: c.hiddenSize, heads: c.numHeads })), tokens);
    return texts.map(() => bytes);
  }

  /** Pooled sentence embeddings before any normalisation. */
  private pooled(batch: TokenBatch): tf.Tensor2D {
    return tf.tidy(() => {
      const hidden = this.model.forward(batch.ids, batch.typeIds, batch.mask);
      const parts = this.folder.pooling.map((m: PoolingMode) => pool(hidden, batch.mask, m));
      return (parts.length === 1 ? parts[0] : tf.concat(parts, 1)) as tf.Tensor2D;
    });
  }

  forward(batch: PreparedBatch, _side: Side): tf.Tensor2D {
    return tf.tidy(() => l2Normalize(this.pooled(batch as TokenBatch)));
  }

  /** sentence-transformers' encode(): the folder's pooling, then Normalize only if the folder has one. */
  async encode(texts: string[], side: Side): Promise<Float32Array> {
    const out = new Float32Array(texts.length * this.dim);
    // Length-sorted chunks keep padding (wasted compute) small; rows go back to input order.
    const order = texts.map((t, i) => ({ i, n: t.length })).sort((a, b) => a.n - b.n).map((x) => x.i);
    for (let s = 0; s < order.length; s += EMBED_CHUNK) {
      const idx = order.slice(s, s + EMBED_CHUNK);
      const batch = (await this.prepare(idx.map((i) => texts[i]), side)) as TokenBatch;
      const y = tf.tidy(() => (this.folder.normalize ? l2Normalize(this.pooled(batch)) : this.pooled(batch)));
      const data = await y.data();
      idx.forEach((row, j) => out.set(data.subarray(j * this.dim, (j + 1) * this.dim), row * this.dim));
      y.dispose();
      batch.dispose();
    }
    return out;
  }

  embedQueries(texts: string[]): Promise<Float32Array> {
    return this.encode(texts, 'query');
  }

  embedDocuments(texts: string[]): Promise<Float32Array> {
    return this.encode(texts, 'document');
  }

  /**
   * Writes a folder that sentence-transformers (`SentenceTransformer(dir)`), transformers
   * (`AutoModel.from_pretrained(dir)`) and `loadEncoder` all load: fp32 BertModel weights, the
   * source tokenizer files, modules.json, pooling / normalise / max-length / prompt configs, and
   * LRAT's encoder.json.
   */
  async save(dir: string, extra: Record<string, unknown> = {}): Promise<void> {
    await fsp.mkdir(dir, { recursive: true });
    const w = async (rel: string, value: unknown) => {
      await fsp.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
      await fsp.writeFile(path.join(dir, rel), JSON.stringify(value, null, 2) + '\n');
    };
    await w('config.json', this.model.exportConfig());
    await writeSafetensors(path.join(dir, 'model.safetensors'), this.model.tensorsForExport(), { format: 'pt' });
    for (const f of TOKENIZER_FILES) {
      const src = path.join(this.folder.transformerDir, f);
      try {
        await fsp.copyFile(src, path.join(dir, f));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    const modules = [
      { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
      { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
    ];
    if (this.folder.normalize) modules.push({ idx: 2, name: '2', path: '2_Normalize', type: 'sentence_transformers.models.Normalize' });
    await w('modules.json', modules);
    await w('1_Pooling/config.json', poolingConfigFor(this.model.config.hiddenSize, this.folder.pooling));
    if (this.folder.normalize) await fsp.mkdir(path.join(dir, '2_Normalize'), { recursive: true });
    // One limit in sentence-transformers: the passage one (queries are short; encode.json keeps both).
    await w('sentence_bert_config.json', { max_seq_length: this.maxLength.document, do_lower_case: this.folder.doLowerCase });
    const prompts: Record<string, string> = { ...this.folder.prompts };
    if (this.queryPrefix) prompts.query = this.queryPrefix;
    if (this.documentPrefix) prompts.document = this.documentPrefix;
    await w('config_sentence_transformers.json', {
      ...(this.folder.stConfig ?? {}),
      prompts,
      default_prompt_name: (this.folder.stConfig?.default_prompt_name as string | null | undefined) ?? null,
      similarity_fn_name: (this.folder.stConfig?.similarity_fn_name as string | undefined) ?? 'cosine',
    });
    const manifest: EncoderManifest = {
      format: 'lrat-encoder',
      formatVersion: 1,
      kind: this.kind,
      id: this.id,
      version: this.version,
      dim: this.dim,
      config: this.config(),
      // The weights are model.safetensors (Hugging Face names), not weights.bin.
      weights: [],
      weightsFile: 'model.safetensors',
      ...extra,
    };
    await fsp.writeFile(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
  }

  /** Restores every weight (trainable or frozen) from a folder this encoder saved (checkpoints). */
  async loadWeights(dir: string): Promise<void> {
    const file = path.join(dir, 'model.safetensors');
    const tensors = await readSafetensors(file);
    for (const w of this.model.weights) {
      const t = tensors.get(w.hfName);
      if (!t) throw new Error(`${file}: no tensor "${w.hfName}"`);
      const value = tf.tidy(() => {
        const x = tf.tensor(t.data, t.shape, 'float32');
        return w.transposed ? tf.transpose(x) : x;
      });
      if (value.shape.join('x') !== w.variable.shape.join('x')) {
        value.dispose();
        throw new Error(`${file}: tensor "${w.hfName}" has shape [${t.shape}], the model expects another`);
      }
      w.variable.assign(value);
      value.dispose();
    }
  }

  dispose(): void {
    this.model.dispose();
  }
}
