// The transformer rows of `nx run trainer:bench`: one full fine-tuning step (forward of every query
// and passage, weighted InfoNCE, backward through every layer, gradient clipping, AdamW) of
//   - a MiniLM-shaped BERT (helper A's BertModel on randomly initialised weights written as a Hugging
//     Face folder: 6 layers, 384 wide, 12 heads, 1536 intermediate, 30,522-token vocabulary), and
//   - USE-lite rebuilt from its own tensors (helper B's useForward: every weight trainable), and
//   - USE-lite's query tower alone against frozen passage vectors (trainSides query),
// through the trainer's own encoders (TransformerEncoder, UseEncoder: tokenisation included) on texts
// that tokenise to exactly the step's length, as tools/bench/transformer_reference.py does in PyTorch
// with random token ids; one thread, or data-parallel over worker threads (DataParallelSteps).
import { promises as fsp } from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { AdamW } from '../src/adamw';
import { contrastiveGradients, type MicroBatchSizes } from '../src/contrastive-step';
import type { Encoder } from '../src/encoders/encoder';
import { TransformerEncoder } from '../src/encoders/transformer';
import { UseEncoder } from '../src/encoders/use';
import { DataParallelSteps } from '../src/parallel/data-parallel';
import { Rng } from '../src/rng';
import { writeSafetensors } from '../src/transformer/safetensors';
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

/**
 * A BERT WordPiece tokenizer for the random MiniLM folder: the 5 special tokens, then "w5" … "w30521",
 * so a text of random "wN" words tokenises to [CLS] + those ids + [SEP], like the reference's random ids.
 */
async function minilmTokenizer(dir: string): Promise<void> {
  const file = path.join(dir, 'tokenizer.json');
  try {
    await fsp.access(file);
    return;
  } catch {
    // not made yet
  }
  const specials = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
  const vocab: Record<string, number> = {};
  specials.forEach((t, i) => (vocab[t] = i));
  for (let i = specials.length; i < MINILM.vocab; i++) vocab[`w${i}`] = i;
  const special = (id: number) => ({ id, content: specials[id], single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map((_, i) => special(i)),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { id: '[SEP]', type_id: 1 } }],
      special_tokens: { '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] } },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
  };
  const config = { tokenizer_class: 'BertTokenizer', do_lower_case: true, model_max_length: MINILM.maxPositions, unk_token: '[UNK]', sep_token: '[SEP]', pad_token: '[PAD]', cls_token: '[CLS]', mask_token: '[MASK]' };
  await fsp.writeFile(path.join(dir, 'tokenizer_config.json'), JSON.stringify(config));
  await fsp.writeFile(file, JSON.stringify(tokenizer));
}

/** A trainer encoder, texts of exactly the step's token length for it, and the reference's arguments. */
export interface BenchModel {
  encoder: Encoder;
  texts(n: number, rng: Rng): string[];
  referenceArgs: string[];
}

/** The MiniLM-shaped folder through TransformerEncoder (mean pooling, every weight trained). */
export async function minilmModel(dir: string, tokens: number): Promise<BenchModel> {
  await minilmFolder(dir);
  await minilmTokenizer(dir);
  const encoder = await TransformerEncoder.load({ model: dir, pooling: 'mean', queryMaxLength: tokens, passageMaxLength: tokens });
  // tokens − 2 words plus [CLS] and [SEP]: exactly `tokens` ids, no padding.
  const text = (rng: Rng) => Array.from({ length: tokens - 2 }, () => `w${5 + rng.int(MINILM.vocab - 5)}`).join(' ');
  return {
    encoder,
    texts: (n, rng) => Array.from({ length: n }, () => text(rng)),
    referenceArgs: ['--arch', 'bert', '--layers', String(MINILM.layers), '--hidden', String(MINILM.hidden), '--heads', String(MINILM.heads), '--intermediate', String(MINILM.intermediate), '--vocab', String(MINILM.vocab)],
  };
}

/** `inWidth:outWidth:ffnWidth:heads` per layer, the form the PyTorch reference takes. */
function useLayersArg(a: UseArchitecture): string {
  return a.layers.map((l) => `${l.inWidth}:${l.outWidth}:${l.ffnWidth}:${l.heads}`).join(',');
}

/**
 * USE-lite through UseEncoder (every tensor trained). Texts are `tokens` random words of `words`
 * (SentencePiece gives each at least one piece), truncated by the encoder to exactly `tokens`.
 */
export async function useModel(tokens: number, words: string[], queryTower?: { cacheDir: string }): Promise<BenchModel> {
  const { architecture, tensors } = await loadUseTensors();
  tensors.forEach(({ tensor }) => tensor.dispose());
  // queryTower: trainSides query — passages are the frozen graph's cached vectors (PyTorch: fixed unit vectors).
  const encoder = await UseEncoder.create({ queryMaxLength: tokens, passageMaxLength: tokens, ...(queryTower ? { trainSides: 'query' as const, cacheDir: queryTower.cacheDir } : {}) });
  const text = (rng: Rng) => Array.from({ length: tokens }, () => words[rng.int(words.length)]).join(' ');
  return {
    encoder,
    texts: (n, rng) => Array.from({ length: n }, () => text(rng)),
    referenceArgs: ['--arch', 'use', '--use-layers', useLayersArg(architecture), '--vocab', String(architecture.vocabSize), '--pooler', String(architecture.layers[architecture.layers.length - 1].outWidth), ...(queryTower ? ['--frozen-passages'] : [])],
  };
}

/**
 * ms of `steps` timed training steps (gradients, clipping, AdamW) after `warmup` untimed ones, on
 * this thread (workers = 1) or data-parallel over `workers` worker threads; `micro` = gradient caching.
 */
export async function timeSteps(model: BenchModel, shape: StepShape, steps: number, warmup = 1, micro: MicroBatchSizes = { query: 0, passage: 0 }, workers = 1): Promise<number[]> {
  const rng = new Rng(11);
  const nq = shape.queries;
  const batch = {
    queries: model.texts(nq, rng),
    passages: model.texts(nq * shape.group, rng),
    targets: Array.from({ length: nq }, (_, i) => i * shape.group),
    weights: Array.from({ length: nq }, () => 0.5 + rng.next()),
    temperature: 0.02,
  };
  const named = model.encoder.trainableWeights?.() ?? model.encoder.weights();
  const vars = named.map((w) => w.variable);
  const opt = new AdamW(vars);
  const parallel = workers > 1 ? await DataParallelSteps.start(model.encoder, named, workers) : null;
  const step = async () => {
    const { grads } = parallel ? await parallel.gradients(batch, micro) : await contrastiveGradients(model.encoder, vars, batch, micro);
    opt.step(grads, 1e-5);
    // Reading a weight forces asynchronous backends (webgpu) to finish the update.
    await vars[0].data();
    tf.dispose(grads);
  };
  try {
    for (let i = 0; i < warmup; i++) await step();
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t0 = process.hrtime.bigint();
      await step();
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    return times;
  } finally {
    opt.dispose();
    await parallel?.close();
  }
}
