/**
 * The Qwen3 decoder (what Qwen3-Embedding, the LRAT paper's retriever, is) on tfjs ops: token
 * embeddings, then pre-norm layers of grouped-query causal attention (per-head q/k RMSNorm, rotary
 * positions with `rope_theta`) and a SwiGLU MLP, then a final RMSNorm. Weights come from Hugging Face
 * `model.safetensors` or sharded `model.safetensors.index.json` checkpoints, under Qwen3Model names
 * (`embed_tokens.weight`, as sentence-transformers saves Qwen3-Embedding) or Qwen3ForCausalLM names
 * (`model.embed_tokens.weight`; `lm_head.weight` is not needed for embeddings and is not loaded); they
 * go back out under Qwen3Model's names.
 */
import * as tf from '@tensorflow/tfjs';
import { causalPaddingMask, gqaAttention, rmsNorm, rotaryTables, swiGlu, type GqaParams } from './decoder-ops';
import { embeddingLookup } from './ops';
import { hfTensorsForExport, readModelConfig } from './hf-config';
import { readCheckpointHeaders, readSafetensors, type TensorToWrite } from './safetensors';

export interface Qwen3Config {
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  intermediateSize: number;
  maxPositions: number;
  rmsNormEps: number;
  ropeTheta: number;
  attentionBias: boolean;
}

/** Parses and validates a Hugging Face Qwen3 `config.json` (already JSON-decoded). */
export function parseQwen3Config(raw: Record<string, unknown>, file = 'config.json'): Qwen3Config {
  if (raw.model_type !== 'qwen3') throw new Error(`${file}: field "model_type" is ${JSON.stringify(raw.model_type)}; expected "qwen3"`);
  const int = (key: string, fallback?: number): number => {
    const v = raw[key] ?? fallback;
    if (!Number.isInteger(v) || (v as number) < 1) throw new Error(`${file}: field "${key}" must be a positive integer, got ${JSON.stringify(raw[key])}`);
    return v as number;
  };
  const num = (key: string, fallback: number): number => {
    const v = raw[key] ?? fallback;
    if (typeof v !== 'number' || !(v > 0)) throw new Error(`${file}: field "${key}" must be a positive number, got ${JSON.stringify(raw[key])}`);
    return v;
  };
  const act = raw.hidden_act ?? 'silu';
  if (act !== 'silu') throw new Error(`${file}: field "hidden_act" is ${JSON.stringify(act)}; only "silu" (SwiGLU) is supported`);
  const rs = raw.rope_scaling as Record<string, unknown> | null | undefined;
  if (rs && (rs.rope_type ?? rs.type) !== 'default') throw new Error(`${file}: field "rope_scaling" is ${JSON.stringify(rs)}; only the default rotary embedding is supported`);
  if (raw.use_sliding_window === true) throw new Error(`${file}: field "use_sliding_window" is true; sliding-window attention is not supported`);
  const hiddenSize = int('hidden_size');
  const numHeads = int('num_attention_heads');
  const cfg: Qwen3Config = {
    vocabSize: int('vocab_size'),
    hiddenSize,
    numLayers: int('num_hidden_layers'),
    numHeads,
    numKvHeads: int('num_key_value_heads', numHeads),
    headDim: int('head_dim', Math.floor(hiddenSize / numHeads)),
    intermediateSize: int('intermediate_size'),
    maxPositions: int('max_position_embeddings', 32768),
    rmsNormEps: num('rms_norm_eps', 1e-6),
    ropeTheta: num('rope_theta', 10000),
    attentionBias: raw.attention_bias === true,
  };
  if (cfg.numHeads % cfg.numKvHeads !== 0) throw new Error(`${file}: num_attention_heads ${cfg.numHeads} is not a multiple of num_key_value_heads ${cfg.numKvHeads}`);
  if (cfg.headDim % 2 !== 0) throw new Error(`${file}: head_dim ${cfg.headDim} must be even (rotary embeddings)`);
  return cfg;
}

/** One weight: its Qwen3Model name, whether it is held transposed from Hugging Face's layout, its variable. */
export interface Qwen3Weight {
  hfName: string;
  transposed: boolean;
  variable: tf.Variable;
  /** Layer index; -1 for the token embeddings, numLayers for the final norm (it sits on top). */
  layer: number;
}

let instance = 0;

export class Qwen3Model {
  readonly architecture = 'qwen3' as const;
  private readonly byName = new Map<string, tf.Variable>();

  private constructor(
    readonly config: Qwen3Config,
    readonly rawConfig: Record<string, unknown>,
    readonly weights: Qwen3Weight[],
  ) {
    for (const w of weights) this.byName.set(w.hfName, w.variable);
  }

  static async load(dir: string, trainableLayer: (layer: number) => boolean = () => true): Promise<Qwen3Model> {
    const { raw, file: configFile } = await readModelConfig(dir);
    const config = parseQwen3Config(raw, configFile);
    const headers = await readCheckpointHeaders(dir);
    const prefix = headers.has('embed_tokens.weight') ? '' : headers.has('model.embed_tokens.weight') ? 'model.' : null;
    if (prefix === null) throw new Error(`${dir}: no "embed_tokens.weight" (or "model.embed_tokens.weight") tensor in the safetensors weights — not a Qwen3 checkpoint`);
    const expected = expectedShapes(config);
    const byFile = new Map<string, string[]>();
    for (const hfName of expected.keys()) {
      const stored = prefix + hfName;
      const h = headers.get(stored);
      if (!h) throw new Error(`${dir}: weights lack tensor "${stored}"`);
      byFile.set(h.file, [...(byFile.get(h.file) ?? []), stored]);
    }
    const loaded = new Map<string, { shape: number[]; data: Float32Array }>();
    for (const [file, names] of byFile) for (const [n, t] of await readSafetensors(file, names)) loaded.set(n, t);
    const tag = `qwen3_${instance++}`;
    const weights: Qwen3Weight[] = [];
    for (const [hfName, { shape, transposed, layer }] of expected) {
      const stored = prefix + hfName;
      const t = loaded.get(stored) as { shape: number[]; data: Float32Array };
      if (t.shape.join('x') !== shape.join('x')) throw new Error(`${headers.get(stored)?.file}: tensor "${stored}" has shape [${t.shape}], config.json implies [${shape}]`);
      const value = tf.tidy(() => {
        const x = tf.tensor(t.data, shape, 'float32');
        return transposed ? tf.transpose(x) : x;
      });
      weights.push({ hfName, transposed, layer, variable: tf.variable(value, trainableLayer(layer), `${tag}/${hfName}`) });
      value.dispose();
      loaded.delete(stored);
    }
    return new Qwen3Model(config, raw, weights);
  }

  private p(name: string): tf.Tensor {
    const v = this.byName.get(name);
    if (!v) throw new Error(`Qwen3Model: no weight ${name}`);
    return v;
  }

  private attention(i: number): GqaParams {
    const lin = (s: string) => ({
      kernel: this.p(`layers.${i}.self_attn.${s}.weight`) as tf.Tensor2D,
      bias: this.config.attentionBias ? (this.p(`layers.${i}.self_attn.${s}.bias`) as tf.Tensor1D) : undefined,
    });
    return {
      q: lin('q_proj'),
      k: lin('k_proj'),
      v: lin('v_proj'),
      o: lin('o_proj'),
      qNorm: this.p(`layers.${i}.self_attn.q_norm.weight`) as tf.Tensor1D,
      kNorm: this.p(`layers.${i}.self_attn.k_norm.weight`) as tf.Tensor1D,
    };
  }

  /**
   * Final hidden states [B, T, H] for ids and a 0/1 attention mask (int32 [B, T]); `typeIds` is
   * ignored (decoders have no segment embeddings). Positions are 0..T-1 whatever the padding, as
   * Hugging Face numbers them without explicit position ids; rotary attention depends only on the
   * distance between positions, so left padding does not change a text's states.
   */
  forward(ids: tf.Tensor2D, _typeIds: tf.Tensor2D | null, attentionMask: tf.Tensor2D): tf.Tensor3D {
    const c = this.config;
    const [, t] = ids.shape;
    if (t > c.maxPositions) throw new Error(`Qwen3Model: ${t} tokens exceed max_position_embeddings ${c.maxPositions}`);
    const rot = rotaryTables(t, c.headDim, c.ropeTheta);
    try {
      return tf.tidy(() => {
        let x = embeddingLookup(this.p('embed_tokens.weight') as tf.Tensor2D, ids) as tf.Tensor3D;
        const mask = causalPaddingMask(attentionMask);
        const shape = { numHeads: c.numHeads, numKvHeads: c.numKvHeads, headDim: c.headDim, rmsEps: c.rmsNormEps };
        for (let i = 0; i < c.numLayers; i++) {
          const h = rmsNorm(x, this.p(`layers.${i}.input_layernorm.weight`) as tf.Tensor1D, c.rmsNormEps) as tf.Tensor3D;
          x = tf.add(x, gqaAttention(h, mask, rot, this.attention(i), shape));
          const h2 = rmsNorm(x, this.p(`layers.${i}.post_attention_layernorm.weight`) as tf.Tensor1D, c.rmsNormEps);
          const mlp = (s: string) => this.p(`layers.${i}.mlp.${s}.weight`) as tf.Tensor2D;
          x = tf.add(x, swiGlu(h2, mlp('gate_proj'), mlp('up_proj'), mlp('down_proj')));
        }
        return rmsNorm(x, this.p('norm.weight') as tf.Tensor1D, c.rmsNormEps) as tf.Tensor3D;
      });
    } finally {
      rot.cos.dispose();
      rot.sin.dispose();
    }
  }

  /** Every weight under Qwen3Model's Hugging Face names, [out, in] kernels, as float32. */
  tensorsForExport(): TensorToWrite[] {
    return hfTensorsForExport(this.weights);
  }

  /** config.json for the exported folder: the source config as a plain fp32 Qwen3Model. */
  exportConfig(): Record<string, unknown> {
    return { ...this.rawConfig, architectures: ['Qwen3Model'], torch_dtype: 'float32' };
  }

  dispose(): void {
    for (const w of this.weights) w.variable.dispose();
  }
}

/** Qwen3Model name → Hugging Face shape, whether we hold it transposed, and its layer. */
function expectedShapes(c: Qwen3Config): Map<string, { shape: number[]; transposed: boolean; layer: number }> {
  const m = new Map<string, { shape: number[]; transposed: boolean; layer: number }>();
  const H = c.hiddenSize;
  const qDim = c.numHeads * c.headDim;
  const kvDim = c.numKvHeads * c.headDim;
  m.set('embed_tokens.weight', { shape: [c.vocabSize, H], transposed: false, layer: -1 });
  for (let i = 0; i < c.numLayers; i++) {
    const p = `layers.${i}.`;
    m.set(`${p}input_layernorm.weight`, { shape: [H], transposed: false, layer: i });
    for (const [s, out] of [['q_proj', qDim], ['k_proj', kvDim], ['v_proj', kvDim]] as const) {
      m.set(`${p}self_attn.${s}.weight`, { shape: [out, H], transposed: true, layer: i });
      if (c.attentionBias) m.set(`${p}self_attn.${s}.bias`, { shape: [out], transposed: false, layer: i });
    }
    m.set(`${p}self_attn.o_proj.weight`, { shape: [H, qDim], transposed: true, layer: i });
    if (c.attentionBias) m.set(`${p}self_attn.o_proj.bias`, { shape: [H], transposed: false, layer: i });
    m.set(`${p}self_attn.q_norm.weight`, { shape: [c.headDim], transposed: false, layer: i });
    m.set(`${p}self_attn.k_norm.weight`, { shape: [c.headDim], transposed: false, layer: i });
    m.set(`${p}post_attention_layernorm.weight`, { shape: [H], transposed: false, layer: i });
    m.set(`${p}mlp.gate_proj.weight`, { shape: [c.intermediateSize, H], transposed: true, layer: i });
    m.set(`${p}mlp.up_proj.weight`, { shape: [c.intermediateSize, H], transposed: true, layer: i });
    m.set(`${p}mlp.down_proj.weight`, { shape: [H, c.intermediateSize], transposed: true, layer: i });
  }
  m.set('norm.weight', { shape: [H], transposed: false, layer: c.numLayers });
  return m;
}
