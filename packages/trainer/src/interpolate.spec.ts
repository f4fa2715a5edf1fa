import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { selectBackend } from './backend/select-backend';
import { loadEncoder } from './encoders';
import { BowEncoder } from './encoders/bow';
import { interpolateTowardBase } from './interpolate';
import { syntheticPairs } from './testing/synthetic-pairs';
import { train } from './train';

const charTokens = (t: string) => Array.from(t).map((c) => c.charCodeAt(0));
const bow = (seed: number) => new BowEncoder({ buckets: 64, embeddingDim: 8, dim: 8, seed }, charTokens);
const values = (e: BowEncoder) => e.weights().map((w) => Array.from(w.variable.dataSync()));

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm', strict: true, env: {}, log: () => undefined });
});

describe('interpolateTowardBase (WiSE-FT)', () => {
  it('sets every weight to base + α · (tuned − base)', () => {
    const base = bow(1);
    const tuned = bow(2);
    const [b, t] = [values(base), values(tuned)];
    interpolateTowardBase(tuned, base, 0.25);
    const got = values(tuned);
    got.forEach((w, i) => w.forEach((x, j) => expect(x).toBeCloseTo(b[i][j] + 0.25 * (t[i][j] - b[i][j]), 6)));
    expect(values(base)).toEqual(b);
  });

  it('gives the base at α = 0 and leaves the tuned weights at α = 1', () => {
    const base = bow(1);
    const tuned = bow(2);
    const t = values(tuned);
    interpolateTowardBase(tuned, base, 1);
    expect(values(tuned)).toEqual(t);
    interpolateTowardBase(tuned, base, 0);
    values(tuned).forEach((w, i) => w.forEach((x, j) => expect(x).toBeCloseTo(values(base)[i][j], 7)));
  });

  it('moves the embeddings between the two models', async () => {
    const base = bow(1);
    const tuned = bow(2);
    const texts = ['a query', 'another one'];
    const [eb, et] = [await base.embedQueries(texts), await tuned.embedQueries(texts)];
    interpolateTowardBase(tuned, base, 0.5);
    const mid = await tuned.embedQueries(texts);
    const dist = (x: Float32Array, y: Float32Array) => Math.hypot(...Array.from(x, (v, i) => v - y[i]));
    expect(dist(mid, eb)).toBeLessThan(dist(et, eb));
    expect(dist(mid, et)).toBeLessThan(dist(et, eb));
  });

  it('refuses models that do not share an architecture, and α outside [0, 1]', () => {
    const base = new BowEncoder({ buckets: 64, embeddingDim: 8, dim: 4, seed: 1 }, charTokens);
    expect(() => interpolateTowardBase(bow(2), base, 0.5)).toThrow(/shape/);
    expect(() => interpolateTowardBase(bow(2), bow(1), 1.5)).toThrow(RangeError);
    expect(() => interpolateTowardBase(bow(2), bow(1), Number.NaN)).toThrow(RangeError);
  });
});

describe('train with wiseFtAlpha', () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'lrat-wise-ft-'));
  });
  afterAll(() => fsp.rm(tmp, { recursive: true, force: true }));

  const run = (outDir: string, wiseFtAlpha?: number) => {
    const encoder = bow(3);
    return train({ pairs: syntheticPairs(32, 1), encoder, outDir: path.join(tmp, outDir), epochs: 2, batchSize: 8, groupSize: 4, lr: 5e-3, seed: 4, wiseFtAlpha }).then(() => encoder);
  };

  it('saves base + α · (trained − base), and records α', async () => {
    const trained = values(await run('full'));
    const mixed = await run('half', 0.5);
    const base = values(bow(3));
    values(mixed).forEach((w, i) => w.forEach((x, j) => expect(x).toBeCloseTo(base[i][j] + 0.5 * (trained[i][j] - base[i][j]), 6)));
    const saved = (await loadEncoder(path.join(tmp, 'half'))) as BowEncoder;
    expect(values(saved)).toEqual(values(mixed));
    expect(JSON.parse(await fsp.readFile(path.join(tmp, 'half', 'encoder.json'), 'utf8')).wiseFtAlpha).toBe(0.5);
    expect(trained.some((w, i) => w.some((x, j) => Math.abs(x - base[i][j]) > 1e-4))).toBe(true);
  });

  it('rejects α outside [0, 1] and α with an evaluator', async () => {
    await expect(run('bad', 2)).rejects.toThrow(/wiseFtAlpha must be in \[0, 1\]/);
    await expect(train({ pairs: syntheticPairs(8, 1), encoder: bow(3), outDir: path.join(tmp, 'ev'), wiseFtAlpha: 0.5, evaluate: async () => ({ 'ndcg@10': 0 }) })).rejects.toThrow(/do not combine/);
  });
});
