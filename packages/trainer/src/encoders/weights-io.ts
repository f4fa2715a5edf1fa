import { promises as fsp } from 'fs';
import * as path from 'path';
import * as crypto from 'crypto';
import * as tf from '@tensorflow/tfjs';
import type { Encoder, EncoderManifest, NamedVariable } from './encoder';

export const MANIFEST_FILE = 'encoder.json';
export const WEIGHTS_FILE = 'weights.bin';

/** Concatenated float32 values of the variables, in order. */
export function packVariables(vars: readonly NamedVariable[]): { buffer: Buffer; entries: EncoderManifest['weights'] } {
  const entries: EncoderManifest['weights'] = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const { name, variable: v } of vars) {
    const data = v.dataSync() as Float32Array;
    entries.push({ name, shape: v.shape.slice(), offset });
    chunks.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    offset += data.byteLength;
  }
  return { buffer: Buffer.concat(chunks), entries };
}

/** Content hash of the weights: the encoder's `version`, recorded in index manifests. */
export function weightsVersion(kind: string, vars: readonly NamedVariable[], config: Record<string, unknown>): string {
  const h = crypto.createHash('sha256').update(kind).update(JSON.stringify(config));
  for (const { variable: v } of vars) {
    const d = v.dataSync() as Float32Array;
    h.update(Buffer.from(d.buffer, d.byteOffset, d.byteLength));
  }
  return h.digest('hex').slice(0, 16);
}

export async function saveEncoderFiles(encoder: Encoder, dir: string, extra: Record<string, unknown> = {}): Promise<void> {
  await fsp.mkdir(dir, { recursive: true });
  const { buffer, entries } = packVariables(encoder.weights());
  const manifest: EncoderManifest = {
    format: 'lrat-encoder',
    formatVersion: 1,
    kind: encoder.kind,
    id: encoder.id,
    version: encoder.version,
    dim: encoder.dim,
    config: encoder.config(),
    weights: entries,
    ...extra,
  };
  await fsp.writeFile(path.join(dir, WEIGHTS_FILE), buffer);
  await fsp.writeFile(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
}

export async function readManifest(dir: string): Promise<EncoderManifest> {
  const file = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${file}: no encoder here (missing ${MANIFEST_FILE}; train one with \`lrat train\`)`);
    throw err;
  }
  let m: EncoderManifest;
  try {
    m = JSON.parse(text) as EncoderManifest;
  } catch (err) {
    throw new Error(`${file}: invalid JSON (${(err as Error).message})`);
  }
  if (m.format !== 'lrat-encoder') throw new Error(`${file}: field "format" must be "lrat-encoder"`);
  const kinds: readonly string[] = ['use-adapter', 'bow', 'use', 'transformer'];
  if (!kinds.includes(m.kind)) throw new Error(`${file}: field "kind" must be one of ${kinds.map((k) => `"${k}"`).join(', ')}, got ${JSON.stringify(m.kind)}`);
  if (!Array.isArray(m.weights)) throw new Error(`${file}: field "weights" must be an array`);
  return m;
}

/** Copies saved values into the encoder's variables, matching by name and shape. */
export async function loadWeightsInto(dir: string, manifest: EncoderManifest, vars: readonly NamedVariable[]): Promise<void> {
  const file = path.join(dir, WEIGHTS_FILE);
  const buf = await fsp.readFile(file);
  const byName = new Map(manifest.weights.map((w) => [w.name, w]));
  for (const { name, variable: v } of vars) {
    const w = byName.get(name);
    if (!w) throw new Error(`${path.join(dir, MANIFEST_FILE)}: no weights for variable "${name}"`);
    if (w.shape.join('x') !== v.shape.join('x')) {
      throw new Error(`${path.join(dir, MANIFEST_FILE)}: variable "${name}" has shape [${w.shape}], the encoder expects [${v.shape}]`);
    }
    const n = v.size;
    if (w.offset + n * 4 > buf.length) throw new Error(`${file}: truncated (variable "${name}" runs past the end)`);
    const values = new Float32Array(n);
    Buffer.from(values.buffer).set(buf.subarray(w.offset, w.offset + n * 4));
    const t = tf.tensor(values, v.shape, 'float32');
    v.assign(t);
    t.dispose();
  }
}
