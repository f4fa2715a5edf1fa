import * as crypto from 'crypto';
import type * as tf from '@tensorflow/tfjs';
import { nativeBlas, type NativeBlas } from './native-matmul';
import type { WasmBackend } from './wasm-xnn-routes';

// Inference (embedding texts) on the native BLAS without a text's vector depending on its batch.
//
// OpenBLAS (0.3.21, Haswell kernel, measured in C) computes a product's rows in tiles of 12 rows
// from the start of the call, then the leftover rows in tiles of 8, 4 and 1; within a 12-row tile
// rows 0–5 and rows 6–11 come out different in their last bits, and the 8-, 4- and 1-row tiles
// differ again. So a row's bits depend on its index in the product and on the product's height —
// but a row whose index is a multiple of 12 plus r, inside a product whose height is a multiple of
// 12, always comes out the same (checked up to 13,000 rows ahead of it, k up to 1536, n up to 1536).
//
// Hence: each text's rows (its tokens, or its single pooled row) go to a scratch matrix at a
// multiple of the tile height, padded with zero rows to a whole number of tiles, and one product
// covers them all. A text's token r then always lands at tile position r mod 12 of a full tile.
// The tile height, and whether the property holds at all, is probed on this machine's BLAS once;
// when the probe fails inference stays on XNNPACK (whose rows never depend on their neighbours).

/** The native BLAS for inference and the tile height its rows are aligned to. */
export interface InferenceBlas {
  blas: NativeBlas;
  tile: number;
  /** Identifies the BLAS's numerics (a hash of the probe's products): part of embedding cache keys. */
  fingerprint: string;
}

/** Tile heights tried, smallest first: a padded text wastes up to tile − 1 rows. */
const TILES = [12, 8, 16, 24, 32, 48];

const scratch = { a: new Float32Array(0), c: new Float32Array(0) };
function buffer(key: 'a' | 'c', size: number): Float32Array {
  if (scratch[key].length < size) scratch[key] = new Float32Array(size);
  return scratch[key];
}

/** Rows each segment takes in the padded scratch (its length rounded up to whole tiles). */
function paddedStarts(segments: readonly number[], tile: number): { starts: number[]; rows: number } {
  const starts: number[] = [];
  let rows = 0;
  for (const s of segments) {
    starts.push(rows);
    rows += Math.ceil(s / tile) * tile;
  }
  return { starts, rows };
}

/**
 * c = a · b for `a` of Σ segments rows (row-major, k wide), every segment computed as if alone in
 * a product of its own: copied to a tile-aligned, zero-padded scratch, multiplied, copied back.
 */
export function segmentedProduct(blas: NativeBlas, tile: number, a: Float32Array, b: Float32Array, c: Float32Array, segments: readonly number[], k: number, n: number): void {
  const { starts, rows } = paddedStarts(segments, tile);
  if (rows === 0) return;
  const pa = buffer('a', rows * k);
  const pc = buffer('c', rows * n);
  let from = 0;
  segments.forEach((s, i) => {
    const at = starts[i] * k;
    pa.set(a.subarray(from * k, (from + s) * k), at);
    // Padding rows must be finite (a NaN would not spread, but keep them clean): zeros.
    pa.fill(0, at + s * k, at + Math.ceil(s / tile) * tile * k);
    from += s;
  });
  blas.sgemm(false, false, rows, n, k, pa, b, pc, 1, rows * k, k * n, rows * n);
  from = 0;
  segments.forEach((s, i) => {
    c.set(pc.subarray(starts[i] * n, (starts[i] + s) * n), from * n);
    from += s;
  });
}

/** The parts one after another in one array. */
export function concatRows(parts: readonly Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function sameBits(x: Float32Array, y: Float32Array): boolean {
  return x.length === y.length && Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y.buffer, y.byteOffset, y.byteLength));
}

/**
 * Whether `tile` makes this BLAS's segmented products independent of the batch: the same segments
 * (texts of 1 to 40 rows) computed alone, beside others, in another order and after a long run of
 * rows give bit-identical rows, which also match a float64 product to float rounding. Two shapes:
 * k below and above OpenBLAS's k-block (the sums are split there). Null when not; else the bits.
 */
export function probeTile(blas: NativeBlas, tile: number): Float32Array[] | null {
  const lengths = [1, 5, 6, 7, 11, 12, 13, 24, 29, 40];
  const outs: Float32Array[] = [];
  let seed = 1;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
  for (const [k, n] of [
    [72, 40],
    [700, 24],
  ]) {
    const b = Float32Array.from({ length: k * n }, rand);
    const texts = lengths.map((len) => Float32Array.from({ length: len * k }, rand));
    const filler = Float32Array.from({ length: 300 * k }, rand);
    const run = (parts: Float32Array[]) => {
      const a = concatRows(parts);
      const c = new Float32Array((a.length / k) * n);
      segmentedProduct(blas, tile, a, b, c, parts.map((p) => p.length / k), k, n);
      const rows: Float32Array[] = [];
      let at = 0;
      for (const p of parts) {
        const r = p.length / k;
        rows.push(c.slice(at * n, (at + r) * n));
        at += r;
      }
      return rows;
    };
    const alone = texts.map((t) => run([t])[0]);
    const together = run(texts);
    const reversed = run([...texts].reverse()).reverse();
    const afterFiller = run([filler, ...texts]).slice(1);
    for (let i = 0; i < texts.length; i++) {
      if (!sameBits(alone[i], together[i]) || !sameBits(alone[i], reversed[i]) || !sameBits(alone[i], afterFiller[i])) return null;
      const len = lengths[i];
      for (let r = 0; r < len; r++) {
        for (let j = 0; j < n; j++) {
          let sum = 0;
          for (let q = 0; q < k; q++) sum += texts[i][r * k + q] * b[q * n + j];
          if (Math.abs(alone[i][r * n + j] - sum) > 1e-4 * (1 + Math.abs(sum))) return null;
        }
      }
    }
    outs.push(...alone);
  }
  return outs;
}

let probed: InferenceBlas | null | undefined;

/** The smallest tile height that passes probeTile on `blas`, with the fingerprint of its numerics; null when none. */
export function probeBlas(blas: NativeBlas | null): InferenceBlas | null {
  if (!blas) return null;
  for (const tile of TILES) {
    const bits = probeTile(blas, tile);
    if (!bits) continue;
    const hash = crypto.createHash('sha256');
    for (const x of bits) hash.update(Buffer.from(x.buffer, x.byteOffset, x.byteLength));
    return { blas, tile, fingerprint: `blas${tile}-${hash.digest('hex').slice(0, 12)}` };
  }
  return null;
}

/**
 * The addon's BLAS for inference, probed once per process (a few ms), or null: no addon,
 * LRAT_NATIVE_BLAS=0, or a BLAS whose rows depend on their batch whatever the tile height.
 */
export function inferenceBlas(env: NodeJS.ProcessEnv = process.env): InferenceBlas | null {
  if (env.LRAT_NATIVE_BLAS === '0') return null;
  if (probed === undefined) probed = probeBlas(nativeBlas(env));
  return probed;
}

type DataId = object;

/** Weights whose products run segmented, and the row layouts (rows per text) of their inputs. */
interface Scope {
  native: InferenceBlas;
  weights: ReadonlySet<DataId>;
  layouts: number[][];
}

const scopes: Scope[] = [];

const sum = (xs: readonly number[]) => xs.reduce((x, y) => x + y, 0);

/**
 * Runs `fn` with every product whose right operand is one of `weights` computed segmented: its left
 * operand's rows are taken as texts by the one layout in `layouts` whose row count matches (rows per
 * text: e.g. each text's padded length for token rows, 1 for pooled rows). `fn` may be async (a graph
 * model's executeAsync): the scope lasts until it settles, and names its weights so that other
 * work interleaved on this thread meanwhile is left alone. Callers must not run two scopes over the
 * same weights at once. Without `native` runs `fn` as is.
 */
export function withInferenceRows<T>(native: InferenceBlas | null, weights: Iterable<tf.TensorInfo>, layouts: number[][], fn: () => T): T {
  if (!native) return fn();
  const scope: Scope = { native, weights: new Set([...weights].map((w) => w.dataId)), layouts };
  scopes.push(scope);
  const end = () => {
    const i = scopes.indexOf(scope);
    if (i >= 0) scopes.splice(i, 1);
  };
  let out: T;
  try {
    out = fn();
  } catch (err) {
    end();
    throw err;
  }
  if (out instanceof Promise) return out.finally(end) as T;
  end();
  return out;
}

/**
 * rows · weight — rows [..., k] as a [m, k] matrix, weight's data a [k, n] matrix — computed
 * segmented when `weight` belongs to an open scope; null otherwise (the caller multiplies as it
 * would). Throws when the weight is in scope but no layout, or more than one distinct one, has m
 * rows: a silent fallback would make that product's rows depend on the batch.
 */
export function inferenceProduct(backend: WasmBackend, rows: tf.TensorInfo, weight: tf.TensorInfo, k: number, n: number, outShape: number[]): tf.TensorInfo | null {
  if (scopes.length === 0 || rows.dtype !== 'float32' || weight.dtype !== 'float32') return null;
  const scope = scopes.find((s) => s.weights.has(weight.dataId));
  if (!scope) return null;
  const m = k === 0 ? 0 : rows.shape.reduce((x, y) => x * y, 1) / k;
  const matches = scope.layouts.filter((l) => sum(l) === m);
  const distinct = matches.filter((l, i) => matches.findIndex((o) => o.length === l.length && o.every((x, j) => x === l[j])) === i);
  if (distinct.length !== 1) throw new Error(`native inference: ${distinct.length} row layouts of ${m} rows for a [${rows.shape}] · [${weight.shape}] product`);
  const out = backend.makeOutput(outShape, 'float32');
  // Views after makeOutput, which may grow (and so detach) the heap.
  const [av, bv, cv] = [rows, weight, out].map((t) => backend.typedArrayFromHeap(t) as Float32Array);
  segmentedProduct(scope.native.blas, scope.native.tile, av, bv, cv, distinct[0], k, n);
  return out;
}
