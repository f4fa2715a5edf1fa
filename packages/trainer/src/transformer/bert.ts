/**
 * The BERT encoder (what bge, e5, gte, all-MiniLM and arctic-embed use) on tfjs ops: token + position
 * + token-type embeddings, LayerNorm, then post-LN layers of masked multi-head attention and a GELU
 * feed-forward. Weights come from Hugging Face `model.safetensors` (names with or without the `bert.`
 * prefix of BertFor* heads) and go back out under BertModel's names.
 */
import * as tf from '@tensorflow/tfjs';
import { additiveMask, dense, embeddingLookup, gelu, layerNorm, selfAttention, type AttentionParams } from './ops';
import { hfTensorsForExport, readModelConfig } from './hf-config';
import { readCheckpointHeaders, readSafetensors, type SafetensorsHeader, type TensorToWrite } from './safetensors';

export interface BertConfig {
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  intermediateSize: number;
  maxPositions: number;
  typeVocabSize: number;
  layerNormEps: number;
  hiddenAct: 'gelu' | 'relu';
}

const SUPPORTED_ARCHITECTURES = new Set(['BertModel', 'BertForMaskedLM', 'BertForPreTraining', 'BertForSequenceClassification', 'BertForTokenClassification', 'BertForQuestionAnswering', 'BertForNextSentencePrediction', 'BertForMultipleChoice', 'BertLMHeadModel']);

/** Parses and validates a Hugging Face BERT `config.json` (already JSON-decoded). */
export function parseBertConfig(raw: Record<string, unknown>, file = 'config.json'): BertConfig {
  if (raw.model_type !== 'bert') {
    throw new Error(`${file}: field "model_type" is ${JSON.stringify(raw.model_type)}; only "bert" (BERT-family checkpoints such as bge, e5, gte, all-MiniLM, arctic-embed) is supported`);
  }
  const archs = raw.architectures;
  if (Array.isArray(archs) && archs.length && !archs.every((a) => SUPPORTED_ARCHITECTURES.has(String(a)))) {
    throw new Error(`${file}: field "architectures" is ${JSON.stringify(archs)}; supported: ${[...SUPPORTED_ARCHITECTURES].join(', ')}`);
  }
  const pet = raw.position_embedding_type;
  if (pet !== undefined && pet !== null && pet !== 'absolute') throw new Error(`${file}: field "position_embedding_type" is ${JSON.stringify(pet)}; only "absolute" is supported`);
  const act = raw.hidden_act ?? 'gelu';
  if (act !== 'gelu' && act !== 'relu') throw new Error(`${file}: field "hidden_act" is ${JSON.stringify(act)}; supported: "gelu" (exact erf), "relu"`);
  const int = (key: string, fallback?: number): number => {
    const v = raw[key] ?? fallback;
    if (!Number.isInteger(v) || (v as number) < 1) throw new Error(`${file}: field "${key}" must be a positive integer, got ${JSON.stringify(raw[key])}`);
    return v as number;
  };
  const cfg: BertConfig = {
    vocabSize: int('vocab_size'),
    hiddenSize: int('hidden_size'),
    numLayers: int('num_hidden_layers'),
    numHeads: int('num_attention_heads'),
    intermediateSize: int('intermediate_size'),
    maxPositions: int('max_position_embeddings', 512),
    typeVocabSize: int('type_vocab_size', 2),
    layerNormEps: typeof raw.layer_norm_eps === 'number' ? raw.layer_norm_eps : 1e-12,
    hiddenAct: act,
  };
  if (cfg.hiddenSize % cfg.numHeads !== 0) throw new Error(`${file}: hidden_size ${cfg.hiddenSize} is not divisible by num_attention_heads ${cfg.numHeads}`);
  return cfg;
}

export interface BertLayerParams {
  attention: AttentionParams;
  attentionNorm: { gamma: tf.Tensor1D; beta: tf.Tensor1D };
  intermediate: { kernel: tf.Tensor2D; bias: tf.Tensor1D };
  output: { kernel: tf.Tensor2D; bias: tf.Tensor1D };
  outputNorm: { gamma: tf.Tensor1D; beta: tf.Tensor1D };
}

/** One weight: its Hugging Face name (BertModel, no prefix), whether it is stored transposed, its variable. */
export interface BertWeight {
  hfName: string;
  /** Dense kernels: HF stores [out, in], we hold [in, out]. */
  transposed: boolean;
  variable: tf.Variable;
  /** Index of the layer it belongs to, or -1 for embeddings, -2 for the pooler head. */
  layer: number;
}

let instance = 0;

export class BertModel {
  private constructor(
    readonly config: BertConfig,
    /** The config.json as read (written back on export, with architectures set to BertModel). */
    readonly rawConfig: Record<string, unknown>,
    readonly weights: BertWeight[],
  ) {}

  /** Reads `config.json` and the safetensors weights of a Hugging Face BERT folder. */
  static async load(dir: string, trainableLayer: (layer: number) => boolean = () => true): Promise<BertModel> {
    const { raw, file: configFile } = await readModelConfig(dir);
    const config = parseBertConfig(raw, configFile);
    const headers = await readCheckpointHeaders(dir);
    const prefix = headers.has('embeddings.word_embeddings.weight') ? '' : headers.has('bert.embeddings.word_embeddings.weight') ? 'bert.' : null;
    if (prefix === null) throw new Error(`${dir}: no "embeddings.word_embeddings.weight" (or "bert.…") tensor in the safetensors weights — not a BERT checkpoint`);

    const expected = expectedShapes(config);
    const tag = `bert_${instance++}`;
    // Check every name and shape from the headers before reading any data: fail fast, and then read
    // one tensor at a time so peak memory stays near the model's size, not twice it.
    const plan: Array<{ hfName: string; stored: string; file: string; transposed: boolean; layer: number }> = [];
    for (const [hfName, { shape, transposed, layer }] of expected) {
      const stored = findStored(headers, prefix, hfName);
      if (!stored) {
        if (hfName.startsWith('pooler.')) continue;
        throw new Error(`${dir}: weights lack tensor "${prefix}${hfName}"`);
      }
      const header = headers.get(stored) as SafetensorsHeader;
      const info = header.tensors.get(stored) as { shape: number[] };
      if (info.shape.join('x') !== shape.join('x')) throw new Error(`${header.file}: tensor "${stored}" has shape [${info.shape}], config.json implies [${shape}]`);
      plan.push({ hfName, stored, file: header.file, transposed, layer });
    }
    const weights: BertWeight[] = [];
    try {
      for (const { hfName, stored, file, transposed, layer } of plan) {
        const t = (await readSafetensors(file, [stored])).get(stored) as { shape: number[]; data: Float32Array };
        const value = tf.tidy(() => {
          const x = tf.tensor(t.data, t.shape, 'float32');
          return transposed ? tf.transpose(x) : x;
        });
        const trainable = layer !== -2 && trainableLayer(layer);
        weights.push({ hfName, transposed, layer, variable: tf.variable(value, trainable, `${tag}/${hfName}`) });
        value.dispose();
      }
    } catch (err) {
      for (const w of weights) w.variable.dispose();
      throw err;
    }
    return new BertModel(config, raw, weights);
  }

  private readonly byName = new Map<string, BertWeight>();

  private param(name: string): tf.Tensor {
    if (this.byName.size === 0) for (const w of this.weights) this.byName.set(w.hfName, w);
    const w = this.byName.get(name);
    if (!w) throw new Error(`BertModel: no weight ${name}`);
    return w.variable;
  }

  private vec(name: string): tf.Tensor1D {
    return this.param(name) as tf.Tensor1D;
  }

  private mat(name: string): tf.Tensor2D {
    return this.param(name) as tf.Tensor2D;
  }

  private layerParams(i: number): BertLayerParams {
    const p = `encoder.layer.${i}.`;
    const lin = (s: string) => ({ kernel: this.mat(`${p}${s}.weight`), bias: this.vec(`${p}${s}.bias`) });
    const norm = (s: string) => ({ gamma: this.vec(`${p}${s}.weight`), beta: this.vec(`${p}${s}.bias`) });
    return {
      attention: { query: lin('attention.self.query'), key: lin('attention.self.key'), value: lin('attention.self.value'), output: lin('attention.output.dense') },
      attentionNorm: norm('attention.output.LayerNorm'),
      intermediate: lin('intermediate.dense'),
      output: lin('output.dense'),
      outputNorm: norm('output.LayerNorm'),
    };
  }

  /** Token states [B, T, H] for ids / token types / 0-1 attention mask, all int32 [B, T]. */
  forward(ids: tf.Tensor2D, typeIds: tf.Tensor2D, attentionMask: tf.Tensor2D): tf.Tensor3D {
    const c = this.config;
    const [, t] = ids.shape;
    if (t > c.maxPositions) throw new Error(`BertModel: ${t} tokens exceed max_position_embeddings ${c.maxPositions}`);
    return tf.tidy(() => {
      const pos = tf.slice(this.mat('embeddings.position_embeddings.weight'), [0, 0], [t, c.hiddenSize]);
      const words = embeddingLookup(this.mat('embeddings.word_embeddings.weight'), ids);
      const types = embeddingLookup(this.mat('embeddings.token_type_embeddings.weight'), typeIds);
      let x = layerNorm(tf.add(tf.add(words, pos), types), this.vec('embeddings.LayerNorm.weight'), this.vec('embeddings.LayerNorm.bias'), c.layerNormEps);
      const mask = additiveMask(attentionMask);
      const act = c.hiddenAct === 'gelu' ? gelu : tf.relu;
      for (let i = 0; i < c.numLayers; i++) {
        const l = this.layerParams(i);
        // Post-LN (BERT): residual, then LayerNorm, after attention and after the feed-forward.
        const a = selfAttention(x as tf.Tensor3D, mask, l.attention, c.numHeads);
        x = layerNorm(tf.add(x, a), l.attentionNorm.gamma, l.attentionNorm.beta, c.layerNormEps);
        const h = act(dense(x, l.intermediate.kernel, l.intermediate.bias));
        x = layerNorm(tf.add(x, dense(h, l.output.kernel, l.output.bias)), l.outputNorm.gamma, l.outputNorm.beta, c.layerNormEps);
      }
      return x as tf.Tensor3D;
    });
  }

  /** Every weight under BertModel's Hugging Face names, [out, in] kernels, as float32. */
  tensorsForExport(): TensorToWrite[] {
    return hfTensorsForExport(this.weights);
  }

  /** config.json for the exported folder: the source config, now a plain fp32 BertModel. */
  exportConfig(): Record<string, unknown> {
    return { ...this.rawConfig, architectures: ['BertModel'], torch_dtype: 'float32' };
  }

  dispose(): void {
    for (const w of this.weights) w.variable.dispose();
  }
}

function findStored(headers: Map<string, SafetensorsHeader>, prefix: string, hfName: string): string | undefined {
  for (const cand of [prefix + hfName, prefix + hfName.replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta')]) {
    if (headers.has(cand)) return cand;
  }
  return undefined;
}

/** HF name → its shape as Hugging Face stores it, whether it is transposed from HF's, and its layer. */
function expectedShapes(c: BertConfig): Map<string, { shape: number[]; transposed: boolean; layer: number }> {
  const m = new Map<string, { shape: number[]; transposed: boolean; layer: number }>();
  const H = c.hiddenSize;
  m.set('embeddings.word_embeddings.weight', { shape: [c.vocabSize, H], transposed: false, layer: -1 });
  m.set('embeddings.position_embeddings.weight', { shape: [c.maxPositions, H], transposed: false, layer: -1 });
  m.set('embeddings.token_type_embeddings.weight', { shape: [c.typeVocabSize, H], transposed: false, layer: -1 });
  m.set('embeddings.LayerNorm.weight', { shape: [H], transposed: false, layer: -1 });
  m.set('embeddings.LayerNorm.bias', { shape: [H], transposed: false, layer: -1 });
  for (let i = 0; i < c.numLayers; i++) {
    const p = `encoder.layer.${i}.`;
    for (const s of ['attention.self.query', 'attention.self.key', 'attention.self.value', 'attention.output.dense']) {
      m.set(`${p}${s}.weight`, { shape: [H, H], transposed: true, layer: i });
      m.set(`${p}${s}.bias`, { shape: [H], transposed: false, layer: i });
    }
    m.set(`${p}attention.output.LayerNorm.weight`, { shape: [H], transposed: false, layer: i });
    m.set(`${p}attention.output.LayerNorm.bias`, { shape: [H], transposed: false, layer: i });
    m.set(`${p}intermediate.dense.weight`, { shape: [c.intermediateSize, H], transposed: true, layer: i });
    m.set(`${p}intermediate.dense.bias`, { shape: [c.intermediateSize], transposed: false, layer: i });
    m.set(`${p}output.dense.weight`, { shape: [H, c.intermediateSize], transposed: true, layer: i });
    m.set(`${p}output.dense.bias`, { shape: [H], transposed: false, layer: i });
    m.set(`${p}output.LayerNorm.weight`, { shape: [H], transposed: false, layer: i });
    m.set(`${p}output.LayerNorm.bias`, { shape: [H], transposed: false, layer: i });
  }
  // The pooler head is unused by sentence embeddings but kept (frozen) so the export round-trips.
  m.set('pooler.dense.weight', { shape: [H, H], transposed: true, layer: -2 });
  m.set('pooler.dense.bias', { shape: [H], transposed: false, layer: -2 });
  return m;
}
