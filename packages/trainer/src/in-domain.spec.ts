import { promises as fsp } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { selectBackend } from './backend/select-backend';
import { devEvaluator } from './dev-eval';
import { createEncoder } from './encoders';
import { train } from './train';
import { multihopSplit, REPO_ROOT } from './testing/multihop-pairs';

// Training on in-domain pairs helps, checked at CI size: one epoch of the default encoder (use-adapter, wasm)
// on in-domain pairs (multihop-wiki rpt-train questions, gold paragraphs as positives, BM25 hard
// negatives) lowers the loss and raises nDCG@10 on held-out rpt-dev questions. Base embeddings are
// cached under tmp/ so local re-runs skip the ~30 s of USE inference a fresh CI checkout pays.
const CACHE = path.join(REPO_ROOT, 'tmp', 'trainer-test-cache');

it('one epoch of use-adapter on in-domain pairs lowers the loss and raises dev nDCG@10 over the untrained encoder', async () => {
  const backend = await selectBackend({ prefer: 'wasm', strict: true, env: {}, log: () => undefined });
  const split = await multihopSplit(200, 60);
  expect(split.pairs.length).toBe(400);
  const out = await fsp.mkdtemp(path.join(os.tmpdir(), 'lrat-in-domain-'));
  const encoder = await createEncoder('use-adapter', { cacheDir: CACHE });
  const res = await train({ pairs: split.pairs, encoder, outDir: out, epochs: 1, batchSize: 32, groupSize: 10, temperature: 0.02, seed: 0, evaluate: devEvaluator(split.dev), backend: backend.name });
  const evals = res.metrics.filter((m) => m.type === 'eval');
  expect(evals.map((m) => m.step)).toEqual([0, 13]);
  const [before, after] = evals.map((m) => m['ndcg@10'] as number);
  expect(res.lastLoss as number).toBeLessThan(res.firstLoss as number);
  expect(after).toBeGreaterThan(before);
  expect(res.best?.step).toBe(13);
  encoder.dispose();
  await fsp.rm(out, { recursive: true, force: true });
});
