// The transformer rows of `nx run trainer:bench`: one full fine-tuning step (forward of every query
// and passage, weighted InfoNCE, backward through every layer, gradient clipping, AdamW) of
//   - a MiniLM-shaped BERT (helper A's BertModel on randomly initialised weights written as a Hugging
//     Face folder: 6 layers, 384 wide, 12 heads, 1536 intermediate, 30,522-token vocabulary), and
//   - USE-lite rebuilt from its own tensors (helper B's useForward: every weight trainable),
// on random token ids of a fixed length, exactly as tools/bench/transformer_reference.py does in PyTorch.
import { promises as fsp } from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { AdamW } from '../src/adamw';
import { contrastiveGradients, type MicroBatchSizes } from '../src/contrastive-step';
import { TokenIdsBatch, type Encoder } from '../src/encoders/encoder';
import { Rng } from '../src/rng';
import { BertModel } from '../src/transformer/bert';
import { l2Normalize, pool } from '../src/transformer/ops';
import { writeSafetensors } from '../src/transformer/safetensors';
import { useForward, useParams } from '../src/use/use-transformer';
import { loadUseTensors, type UseArchitecture } from '../src/use/use-weights';

export interface StepShape {
  queries: number;
  /** Passages per query: 1 positive + hard negatives. */
  group: number;
  tokens: number;
}

export const MINILM = { layers: 6, hidden: 384, heads: 12, intermediate: 1536, vocab: 30522, maxPositions: 512 };

/** A MiniLM-shaped BERT folder (config.json + model.safetensors), N(0, 0.02) weights, made once. */
export async function minilmFolder(dir: string): Promise<string> {
  const config = path.join(dir, 'config.json');
  try {
    await fsp.access(config);
    return dir;
  } catch {
    // not made yet
  }
  await fsp.mkdir(dir, { recursive: true });
  const rng = new Rng(7);
  const H = MINILM.hidden;
  const normal = (n: number) => Float32Array.from({ length: n }, () => 0.02 * rng.normal());
  const tensors: Array<{ name: string; shape: number[]; data: Float32Array }> = [];
  const add = (name: string, shape: number[], fill?: number) => tensors.push({ name, shape, data: fill === undefined ? normal(shape.reduce((a, b) => a * b, 1)) : new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(fill) });
  add('embeddings.word_embeddings.weight', [MINILM.vocab, H]);
  add('embeddings.position_embeddings.weight', [MINILM.maxPositions, H]);
  add('embeddings.token_type_embeddings.weight', [2, H]);
  add('embeddings.LayerNorm.weight', [H], 1);
  add('embeddings.LayerNorm.bias', [H], 0);
  for (let i = 0; i < MINILM.layers; i++) {
    const p = `encoder.layer.${i}.`;
    for (const s of ['attention.self.query', 'attention.self.key', 'attention.self.value', 'attention.output.dense']) {
      add(`${p}${s}.weight`, [H, H]);
      add(`${p}${s}.bias`, [H], 0);
    }
    add(`${p}attention.output.LayerNorm.weight`, [H], 1);
    add(`${p}attention.output.LayerNorm.bias`, [H], 0);
    add(`${p}intermediate.dense.weight`, [MINILM.intermediate, H]);
    add(`${p}intermediate.dense.bias`, [MINILM.intermediate], 0);
    add(`${p}output.dense.weight`, [H, MINILM.intermediate]);
    add(`${p}output.dense.bias`, [H], 0);
    add(`${p}output.LayerNorm.weight`, [H], 1);
    add(`${p}output.LayerNorm.bias`, [H], 0);
  }
  add('pooler.dense.weight', [H, H]);
  add('pooler.dense.bias', [H], 0);
  await writeSafetensors(path.join(dir, 'model.safetensors'), tensors);
  await fsp.writeFile(
    config,
    JSON.stringify({
      architectures: ['BertModel'],
      model_type: 'bert',
      vocab_size: MINILM.vocab,
      hidden_size: H,
      num_hidden_layers: MINILM.layers,
      num_attention_heads: MINILM.heads,
      intermediate_size: MINILM.intermediate,
      max_position_embeddings: MINILM.maxPositions,
      type_vocab_size: 2,
      layer_norm_eps: 1e-12,
      hidden_act: 'gelu',
    }),
  );
  return dir;
}

/** A differentiable sentence encoder over int32 [n, T] token ids, and its trainable variables. */
export interface TokenModel {
  vars: tf.Variable[];
  vocab: number;
  embed(ids: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor2D;
  /** What the PyTorch reference needs to build the same shapes. */
  referenceArgs: string[];
  dispose(): void;
}

export async function minilmModel(dir: string): Promise<TokenModel> {
  const model = await BertModel.load(await minilmFolder(dir));
  return {
    vars: model.weights.filter((w) => w.variable.trainable).map((w) => w.variable),
    vocab: MINILM.vocab,
    embed: (ids, mask) => tf.tidy(() => l2Normalize(pool(model.forward(ids, tf.zerosLike(ids), mask), mask, 'mean'))),
    referenceArgs: ['--arch', 'bert', '--layers', String(MINILM.layers), '--hidden', String(MINILM.hidden), '--heads', String(MINILM.heads), '--intermediate', String(MINILM.intermediate), '--vocab', String(MINILM.vocab)],
    dispose: () => model.dispose(),
  };
}

/** `inWidth:outWidth:ffnWidth:heads` per layer, the form the PyTorch reference takes. */
function useLayersArg(a: UseArchitecture): string {
  return a.layers.map((l) => `${l.inWidth}:${l.outWidth}:${l.ffnWidth}:${l.heads}`).join(',');
}

export async function useModel(): Promise<TokenModel> {
  const { architecture, tensors } = await loadUseTensors();
  const vars = new Map(tensors.map(({ name, tensor }) => [name, tf.variable(tensor, true, `bench_use/${name}`)]));
  tensors.forEach(({ tensor }) => tensor.dispose());
  const params = useParams(architecture, (name) => {
    const v = vars.get(name);
    if (!v) throw new Error(`USE-lite: no tensor ${name}`);
    return v;
  });
  return {
    vars: [...vars.values()],
    vocab: architecture.vocabSize,
    embed: (ids, mask) => useForward(params, architecture, ids, mask),
    referenceArgs: ['--arch', 'use', '--use-layers', useLayersArg(architecture), '--vocab', String(architecture.vocabSize), '--pooler', String(architecture.layers[architecture.layers.length - 1].outWidth)],
    dispose: () => [...vars.values()].forEach((v) => v.dispose()),
  };
}

/**
 * The model behind the Encoder interface so the step is the trainer's own (contrastiveGradients, with
 * or without gradient caching). Its "texts" are row numbers into fixed random token ids per side.
 */
function benchEncoder(model: TokenModel, ids: Record<'query' | 'document', tf.Tensor2D>): Encoder {
  const fail = () => Promise.reject(new Error('bench encoder: training steps only'));
  return {
    kind: 'bow',
    id: 'bench',
    version: 'bench',
    dim: 0,
    queryPrefix: '',
    config: () => ({}),
    weights: () => model.vars.map((variable) => ({ name: variable.name, variable })),
    prepare: async (rows, side) => {
      const idx = tf.tensor1d(rows.map(Number), 'int32');
      const picked = tf.gather(ids[side], idx) as tf.Tensor2D;
      idx.dispose();
      return new TokenIdsBatch(picked, tf.onesLike(picked) as tf.Tensor2D);
    },
    forward: (batch) => model.embed((batch as TokenIdsBatch).ids, (batch as TokenIdsBatch).mask),
    embedQueries: fail,
    embedDocuments: fail,
    save: fail,
    dispose: () => undefined,
  };
}

/** ms of `steps` timed training steps after `warmup` untimed ones; `micro` turns on gradient caching. */
export async function timeSteps(model: TokenModel, shape: StepShape, steps: number, warmup = 1, micro: MicroBatchSizes = { query: 0, passage: 0 }): Promise<number[]> {
  const rng = new Rng(11);
  const nq = shape.queries;
  const np = shape.queries * shape.group;
  const ids = (n: number) => tf.tensor2d(Int32Array.from({ length: n * shape.tokens }, () => 1 + rng.int(model.vocab - 1)), [n, shape.tokens], 'int32');
  const sides = { query: ids(nq), document: ids(np) };
  const encoder = benchEncoder(model, sides);
  const rows = (n: number) => Array.from({ length: n }, (_, i) => String(i));
  const batch = { queries: rows(nq), passages: rows(np), targets: Array.from({ length: nq }, (_, i) => i * shape.group), weights: Array.from({ length: nq }, () => 0.5 + rng.next()), temperature: 0.02 };
  const opt = new AdamW(model.vars);
  const step = async () => {
    const { grads } = await contrastiveGradients(encoder, model.vars, batch, micro);
    opt.step(grads, 1e-5);
    // Reading a weight forces asynchronous backends (webgpu) to finish the update.
    await model.vars[0].data();
    tf.dispose(grads);
  };
  for (let i = 0; i < warmup; i++) await step();
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = process.hrtime.bigint();
    await step();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  opt.dispose();
  tf.dispose([sides.query, sides.document]);
  return times;
}
