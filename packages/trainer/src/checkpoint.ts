import { promises as fsp } from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { writeDirAtomic } from './atomic';
import type { AdamW } from './adamw';
import type { Encoder } from './encoders/encoder';
import { loadWeightsInto, readManifest } from './encoders/weights-io';
import { writeFileAtomic, sweepStaleTemps } from '@lrat/core';

export const CHECKPOINTS_DIR = 'checkpoints';
const LATEST = 'latest.json';

export interface CheckpointState {
  /** Global steps completed. */
  step: number;
  /** Settings that must match for a resume to reproduce the uninterrupted run. */
  fingerprint: Record<string, unknown>;
  backend: string;
  best?: { step: number; metric: string; value: number } | null;
  savedAt: string;
}

async function writeOptimizer(dir: string, opt: AdamW): Promise<void> {
  const parts: Buffer[] = [];
  for (const x of [...opt.m, ...opt.v]) {
    const d = x.dataSync() as Float32Array;
    parts.push(Buffer.from(d.buffer, d.byteOffset, d.byteLength));
  }
  await fsp.writeFile(path.join(dir, 'optimizer.bin'), Buffer.concat(parts));
  await fsp.writeFile(path.join(dir, 'optimizer.json'), JSON.stringify({ t: opt.t, shapes: opt.m.map((m) => m.shape) }) + '\n');
}

async function readOptimizer(dir: string, opt: AdamW): Promise<void> {
  const meta = JSON.parse(await fsp.readFile(path.join(dir, 'optimizer.json'), 'utf8')) as { t: number; shapes: number[][] };
  const buf = await fsp.readFile(path.join(dir, 'optimizer.bin'));
  const vars = [...opt.m, ...opt.v];
  let off = 0;
  for (const x of vars) {
    const n = x.size;
    if (off + n * 4 > buf.length) throw new Error(`${path.join(dir, 'optimizer.bin')}: truncated`);
    const vals = new Float32Array(n);
    Buffer.from(vals.buffer).set(buf.subarray(off, off + n * 4));
    const t = tf.tensor(vals, x.shape);
    x.assign(t);
    t.dispose();
    off += n * 4;
  }
  opt.t = meta.t;
}

/** Writes checkpoints/step-N atomically, then points checkpoints/latest.json at it; keeps the newest `keep`. */
export async function saveCheckpoint(outDir: string, encoder: Encoder, opt: AdamW, state: CheckpointState, keep = 2): Promise<string> {
  const root = path.join(outDir, CHECKPOINTS_DIR);
  const name = `step-${String(state.step).padStart(8, '0')}`;
  const dir = path.join(root, name);
  // A run killed while saving left `.step-N.tmp-PID-RAND` folders; those of dead processes go now.
  await sweepStaleTemps(root, (base) => /^step-\d+$/.test(base));
  await writeDirAtomic(dir, async (tmp) => {
    await encoder.save(tmp, { backend: state.backend, step: state.step });
    await writeOptimizer(tmp, opt);
    await fsp.writeFile(path.join(tmp, 'state.json'), JSON.stringify(state, null, 2) + '\n');
  });
  await writeFileAtomic(path.join(root, LATEST), JSON.stringify({ checkpoint: name, step: state.step }) + '\n');
  const old = (await fsp.readdir(root)).filter((n) => /^step-\d+$/.test(n)).sort();
  for (const n of old.slice(0, Math.max(0, old.length - keep))) await fsp.rm(path.join(root, n), { recursive: true, force: true });
  return dir;
}

/** The latest complete checkpoint's state, or null when there is none. */
export async function latestCheckpoint(outDir: string): Promise<{ dir: string; state: CheckpointState } | null> {
  const root = path.join(outDir, CHECKPOINTS_DIR);
  let pointer: { checkpoint: string };
  try {
    pointer = JSON.parse(await fsp.readFile(path.join(root, LATEST), 'utf8')) as { checkpoint: string };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new Error(`${path.join(root, LATEST)}: unreadable (${(err as Error).message})`);
  }
  const dir = path.join(root, pointer.checkpoint);
  const state = JSON.parse(await fsp.readFile(path.join(dir, 'state.json'), 'utf8')) as CheckpointState;
  return { dir, state };
}

export async function restoreCheckpoint(dir: string, encoder: Encoder, opt: AdamW): Promise<void> {
  if (encoder.loadWeights) {
    await encoder.loadWeights(dir);
  } else {
    const manifest = await readManifest(dir);
    await loadWeightsInto(dir, manifest, encoder.weights());
  }
  await readOptimizer(dir, opt);
}
