import { spawnSync } from 'child_process';
import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { selectBackend } from './backend/select-backend';
import { BowEncoder } from './encoders/bow';
import { loadEncoder } from './encoders';
import { learningRate } from './schedule';
import { train } from './train';
import { REPO_ROOT } from './testing/multihop-pairs';
import { syntheticPairs } from './testing/synthetic-pairs';

const charTokens = (t: string) => Array.from(t).map((c) => c.charCodeAt(0));
let tmp: string;

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm', strict: true, env: {}, log: () => undefined });
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'lrat-trainer-'));
});
afterAll(() => fsp.rm(tmp, { recursive: true, force: true }));

function child(outDir: string, mode: string, killAt = '', microBatch = 0) {
  return spawnSync(process.execPath, ['-r', '@swc-node/register', path.join(__dirname, 'testing', 'resume-child.ts'), outDir, mode, killAt, '-', String(microBatch)], {
    cwd: REPO_ROOT,
    env: { ...process.env, SWC_NODE_PROJECT: path.join(REPO_ROOT, 'tsconfig.base.json') },
    encoding: 'utf8',
  });
}

describe('learning-rate schedule', () => {
  it('warms up linearly then decays linearly to zero', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((s) => learningRate(s, 1, 2, 10))).toEqual([0.5, 1, 1, 0.875, 0.75, 0.625, 0.5, 0.375, 0.25, 0.125]);
    expect(learningRate(0, 1, 0, 4)).toBe(1);
  });
});

describe('train', () => {
  it('lowers the loss, writes metrics.jsonl with the backend, and saves a loadable model', async () => {
    const out = path.join(tmp, 'basic');
    const progress: number[] = [];
    const res = await train({
      pairs: syntheticPairs(48, 1),
      encoder: new BowEncoder({ buckets: 512, embeddingDim: 16, dim: 16, seed: 1 }, charTokens),
      outDir: out,
      epochs: 4,
      batchSize: 8,
      groupSize: 4,
      lr: 5e-3,
      onProgress: (p) => p.phase === 'train' && progress.push(p.etaSeconds ?? -1),
    });
    expect(res.steps).toBe(24);
    expect(res.lastLoss as number).toBeLessThan((res.firstLoss as number) * 0.8);
    const lines = (await fsp.readFile(path.join(out, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(24);
    expect(lines.every((l) => l.backend === 'wasm' && l.type === 'train' && Number.isFinite(l.loss))).toBe(true);
    expect(progress).toHaveLength(24);
    expect(progress[23]).toBe(0);
    const manifest = JSON.parse(await fsp.readFile(path.join(out, 'encoder.json'), 'utf8'));
    expect(manifest).toMatchObject({ kind: 'bow', backend: 'wasm', step: 24 });
  });

  it('picks micro-batches from the encoder\'s tape estimate on wasm, keeps a given microBatch, and names the fix when the heap runs out', async () => {
    const run = async (name: string, encoder: BowEncoder, microBatch?: number) =>
      train({ pairs: syntheticPairs(8, 1), encoder, outDir: path.join(tmp, name), epochs: 1, batchSize: 4, groupSize: 3, lr: 1e-3, microBatch });
    // 1 GiB per query and 0.3 GiB per passage: queries one at a time, passages three at a time.
    const estimated = () =>
      Object.assign(new BowEncoder({ buckets: 64, embeddingDim: 8, dim: 8, seed: 2 }, charTokens), {
        tapeBytes: (texts: readonly string[], side: 'query' | 'document') => texts.map(() => (side === 'query' ? 2 ** 30 : 0.3 * 2 ** 30)),
      });
    const auto = await run('auto-micro', estimated());
    expect(auto.metrics.map((m) => m.microBatch)).toEqual([{ query: 1, passage: 3 }, { query: 1, passage: 3 }]);
    const given = await run('given-micro', estimated(), 0);
    expect(given.metrics.every((m) => m.microBatch === undefined)).toBe(true);
    // Same gradients either way: the two runs end at the same loss.
    expect(auto.lastLoss as number).toBeCloseTo(given.lastLoss as number, 5);

    const full = new BowEncoder({ buckets: 64, embeddingDim: 8, dim: 8 }, charTokens);
    full.forward = () => {
      throw new Error('memory access out of bounds');
    };
    await expect(run('oom', full)).rejects.toThrow(/step 1 ran out of memory on wasm \(its heap holds at most 4 GB\) with micro-batches of all queries \/ all passages; set microBatch \(lrat train --micro-batch N\)/);
  });

  it('keeps the best model by the dev metric and records every evaluation', async () => {
    const out = path.join(tmp, 'best');
    // A scripted evaluator (the real one is exercised in the in-domain test): best at step 6.
    const values = [0.1, 0.5, 0.9, 0.4];
    let calls = 0;
    const res = await train({
      pairs: syntheticPairs(24, 2),
      encoder: new BowEncoder({ buckets: 256, embeddingDim: 8, dim: 8 }, charTokens),
      outDir: out,
      epochs: 1,
      batchSize: 4,
      groupSize: 3,
      evalEvery: 2,
      evaluate: async () => ({ 'ndcg@10': values[calls++] ?? 0 }),
    });
    expect(res.metrics.filter((m) => m.type === 'eval').map((m) => [m.step, m['ndcg@10']])).toEqual([[0, 0.1], [2, 0.5], [4, 0.9], [6, 0.4]]);
    expect(res.best).toMatchObject({ step: 4, value: 0.9 });
    const top = JSON.parse(await fsp.readFile(path.join(out, 'encoder.json'), 'utf8'));
    expect(top.step).toBe(4);
    expect(top.selectedBy).toEqual({ metric: 'ndcg@10', value: 0.9 });
  });

  it.each([
    ['', 0],
    [' with gradient caching', 3],
  ])('reaches the same parameters after being killed and resumed as an uninterrupted run%s', async (_label, microBatch) => {
    const straight = path.join(tmp, `straight-${microBatch}`);
    const resumed = path.join(tmp, `resumed-${microBatch}`);
    expect(child(straight, 'fresh', '', microBatch).status).toBe(0);
    // 10 steps per run (40 pairs / 8 × 2 epochs); checkpoints every 3 steps: killed after step 8,
    // the resumed run restarts from step 6 and replays steps 7 and 8.
    const killed = child(resumed, 'fresh', '8', microBatch);
    expect(killed.signal).toBe('SIGKILL');
    const latest = JSON.parse(await fsp.readFile(path.join(resumed, 'checkpoints', 'latest.json'), 'utf8'));
    expect(latest.step).toBe(6);
    const again = child(resumed, 'resume', '', microBatch);
    expect(again.stderr).not.toMatch(/Error/);
    expect(again.status).toBe(0);
    const a = await fsp.readFile(path.join(straight, 'last', 'weights.bin'));
    const b = await fsp.readFile(path.join(resumed, 'last', 'weights.bin'));
    expect(b.length).toBeGreaterThan(0);
    expect(b.equals(a)).toBe(true);
    const stepsLogged = (await fsp.readFile(path.join(resumed, 'metrics.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l).step);
    expect(stepsLogged).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const enc = await loadEncoder(resumed);
    expect(enc.kind).toBe('bow');
    enc.dispose();
  });

  it('refuses to resume a checkpoint made with other settings', async () => {
    const out = path.join(tmp, 'mismatch');
    const opts = { pairs: syntheticPairs(16, 3), outDir: out, batchSize: 4, groupSize: 3, checkpointEvery: 2 };
    await train({ ...opts, encoder: new BowEncoder({ buckets: 64, embeddingDim: 4, dim: 4 }, charTokens) });
    await expect(train({ ...opts, batchSize: 8, resume: true, encoder: new BowEncoder({ buckets: 64, embeddingDim: 4, dim: 4 }, charTokens) })).rejects.toThrow(/cannot resume/);
  });

  it('refuses to resume on a pairs file with the same number of samples but other content', async () => {
    const out = path.join(tmp, 'other-pairs');
    const pairs = syntheticPairs(16, 3);
    const opts = { outDir: out, batchSize: 4, groupSize: 3, checkpointEvery: 2 };
    await train({ ...opts, pairs, encoder: new BowEncoder({ buckets: 64, embeddingDim: 4, dim: 4 }, charTokens) });
    const edited = pairs.map((p, i) => (i === 5 ? { ...p, pos: ['something else entirely'] } : p));
    await expect(train({ ...opts, pairs: edited, resume: true, encoder: new BowEncoder({ buckets: 64, embeddingDim: 4, dim: 4 }, charTokens) })).rejects.toThrow(/cannot resume.*pairsSha256/);
  });

  it('refuses all-zero weights with a clear error', async () => {
    const pairs = syntheticPairs(8, 3).map((p) => ({ ...p, reweight_rate: 0 }));
    await expect(train({ pairs, outDir: path.join(tmp, 'zero'), batchSize: 4, groupSize: 3, encoder: new BowEncoder({ buckets: 64, embeddingDim: 4, dim: 4 }, charTokens) })).rejects.toThrow(
      /every one of the 8 samples has weight 0/,
    );
  });

  it('removes the checkpoint temps a killed run left, and only those of dead processes', async () => {
    const out = path.join(tmp, 'stale');
    const dead = spawnSync(process.execPath, ['-e', '']).pid as number;
    const stale = path.join(out, 'checkpoints', `.step-00000002.tmp-${dead}-0123abcd`);
    const alive = path.join(out, 'checkpoints', `.step-00000002.tmp-${process.ppid}-0123abcd`);
    const foreign = path.join(out, 'checkpoints', '.step-00000002.tmp-mine');
    for (const d of [stale, alive, foreign]) await fsp.mkdir(d, { recursive: true });
    await train({ pairs: syntheticPairs(16, 3), outDir: out, batchSize: 4, groupSize: 3, checkpointEvery: 2, encoder: new BowEncoder({ buckets: 64, embeddingDim: 4, dim: 4 }, charTokens) });
    await expect(fsp.stat(stale)).rejects.toThrow(/ENOENT/);
    await fsp.stat(alive);
    await fsp.stat(foreign);
  });

  it('will not replace a last/ folder that is not an encoder this project wrote', async () => {
    const out = path.join(tmp, 'foreign-last');
    await fsp.mkdir(path.join(out, 'last'), { recursive: true });
    await fsp.writeFile(path.join(out, 'last', 'notes.txt'), 'mine');
    await expect(train({ pairs: syntheticPairs(8, 3), outDir: out, batchSize: 4, groupSize: 3, encoder: new BowEncoder({ buckets: 64, embeddingDim: 4, dim: 4 }, charTokens) })).rejects.toThrow(
      /refusing to replace .*last: it is not empty \(notes.txt\) and holds no encoder.json/,
    );
    expect(await fsp.readFile(path.join(out, 'last', 'notes.txt'), 'utf8')).toBe('mine');
  });
});
