import { promises as fsp } from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { TensorToWrite } from './safetensors';

/**
 * A JSON object or array file of a model folder, or null when the file is absent; `what` names it in
 * the error for invalid JSON (e.g. "the tokenizer").
 */
export async function readJsonIfPresent(file: string, what?: string): Promise<Record<string, unknown> | null> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const v = JSON.parse(text) as unknown;
    if (!v || typeof v !== 'object') throw new Error('not a JSON object or array');
    return v as Record<string, unknown>;
  } catch (err) {
    throw new Error(`${file}: invalid JSON${what ? ` in ${what}` : ''} (${(err as Error).message})`);
  }
}

/** A Hugging Face model folder's `config.json`, parsed, with its path for error messages. */
export async function readModelConfig(dir: string): Promise<{ raw: Record<string, unknown>; file: string }> {
  const file = path.join(dir, 'config.json');
  try {
    return { raw: JSON.parse(await fsp.readFile(file, 'utf8')) as Record<string, unknown>, file };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${file}: missing (not a Hugging Face model folder)`);
    throw new Error(`${file}: invalid JSON (${(err as Error).message})`);
  }
}

/** A model weight under its Hugging Face name; dense kernels are held [in, out] where HF stores [out, in]. */
export interface HfWeight {
  hfName: string;
  transposed: boolean;
  variable: tf.Variable;
}

/** Every weight under its Hugging Face name and layout ([out, in] kernels), as float32, for safetensors. */
export function hfTensorsForExport(weights: readonly HfWeight[]): TensorToWrite[] {
  return weights.map((w) => {
    // Read outside tf.tidy: a tidy that returns a typed array walks it element by element looking for
    // tensors (seconds and a GC storm for a vocabulary-sized embedding on every checkpoint).
    const t = w.transposed ? tf.transpose(w.variable) : undefined;
    try {
      const data = new Float32Array((t ?? w.variable).dataSync() as Float32Array);
      const shape: number[] = w.transposed ? [w.variable.shape[1] as number, w.variable.shape[0] as number] : w.variable.shape.slice();
      return { name: w.hfName, shape, data };
    } finally {
      t?.dispose();
    }
  });
}
