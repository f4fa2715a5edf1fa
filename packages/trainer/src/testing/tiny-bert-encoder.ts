import { promises as fsp } from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { TokenIdsBatch, type Encoder, type NamedVariable, type PreparedBatch, type Side } from '../encoders/encoder';
import { Rng } from '../rng';
import { BertModel } from '../transformer/bert';
import { l2Normalize, pool } from '../transformer/ops';
import { writeSafetensors } from '../transformer/safetensors';

/**
 * A randomly initialised 2-layer BERT (the real BertModel: attention with a padding mask, GELU,
 * LayerNorm) behind the Encoder interface, with character codes as tokens and mean pooling: the test
 * double for training-loop code that must hold for transformer encoders. Writes its checkpoint
 * (config.json + model.safetensors) into `dir`.
 */
export async function tinyBertEncoder(dir: string, seed = 1): Promise<Encoder> {
  const H = 16;
  const I = 32;
  const V = 128;
  const rng = new Rng(seed);
  const tensors: Array<{ name: string; shape: number[]; data: Float32Array }> = [];
  const add = (name: string, shape: number[], fill?: number) => {
    const n = shape.reduce((a, b) => a * b, 1);
    tensors.push({ name, shape, data: fill === undefined ? Float32Array.from({ length: n }, () => 0.2 * rng.normal()) : new Float32Array(n).fill(fill) });
  };
  add('embeddings.word_embeddings.weight', [V, H]);
  add('embeddings.position_embeddings.weight', [64, H]);
  add('embeddings.token_type_embeddings.weight', [2, H]);
  add('embeddings.LayerNorm.weight', [H], 1);
  add('embeddings.LayerNorm.bias', [H], 0);
  for (let i = 0; i < 2; i++) {
    const p = `encoder.layer.${i}.`;
    for (const s of ['attention.self.query', 'attention.self.key', 'attention.self.value', 'attention.output.dense']) {
      add(`${p}${s}.weight`, [H, H]);
      add(`${p}${s}.bias`, [H]);
    }
    add(`${p}attention.output.LayerNorm.weight`, [H], 1);
    add(`${p}attention.output.LayerNorm.bias`, [H], 0);
    add(`${p}intermediate.dense.weight`, [I, H]);
    add(`${p}intermediate.dense.bias`, [I]);
    add(`${p}output.dense.weight`, [H, I]);
    add(`${p}output.dense.bias`, [H]);
    add(`${p}output.LayerNorm.weight`, [H], 1);
    add(`${p}output.LayerNorm.bias`, [H], 0);
  }
  await fsp.mkdir(dir, { recursive: true });
  await writeSafetensors(path.join(dir, 'model.safetensors'), tensors);
  const config = { model_type: 'bert', vocab_size: V, hidden_size: H, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: I, max_position_embeddings: 64, type_vocab_size: 2, hidden_act: 'gelu' };
  await fsp.writeFile(path.join(dir, 'config.json'), JSON.stringify(config));
  const model = await BertModel.load(dir);
  const vars: NamedVariable[] = model.weights.filter((w) => w.variable.trainable).map((w) => ({ name: w.hfName, variable: w.variable }));

  const encoder: Encoder = {
    // The kind only selects save formats and default learning rates, neither of which this double uses.
    kind: 'bow',
    id: 'tiny-bert',
    version: `tiny-bert-${seed}`,
    dim: H,
    queryPrefix: '',
    config: () => config,
    weights: () => vars,
    async prepare(texts: string[]): Promise<PreparedBatch> {
      // Texts of different lengths: padding and the attention mask are part of what is tested.
      const codes = texts.map((t) => Array.from(t.slice(0, 48)).map((c) => 1 + (c.charCodeAt(0) % (V - 1))));
      const t = Math.max(1, ...codes.map((c) => c.length));
      const ids = new Int32Array(texts.length * t);
      const mask = new Int32Array(texts.length * t);
      codes.forEach((c, i) => {
        ids.set(c, i * t);
        mask.fill(1, i * t, i * t + c.length);
      });
      return new TokenIdsBatch(tf.tensor2d(ids, [texts.length, t], 'int32'), tf.tensor2d(mask, [texts.length, t], 'int32'));
    },
    forward(batch: PreparedBatch, _side: Side): tf.Tensor2D {
      const b = batch as TokenIdsBatch;
      return tf.tidy(() => l2Normalize(pool(model.forward(b.ids, tf.zerosLike(b.ids), b.mask), b.mask, 'mean')));
    },
    embedQueries: () => Promise.reject(new Error('tinyBertEncoder: training only')),
    embedDocuments: () => Promise.reject(new Error('tinyBertEncoder: training only')),
    save: () => Promise.reject(new Error('tinyBertEncoder: training only')),
    dispose: () => model.dispose(),
  };
  return encoder;
}
