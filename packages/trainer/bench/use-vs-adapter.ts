// nDCG@10 of USE-lite fine-tuned in every layer (`use`) vs the frozen USE-lite with trained adapters
// (`use-adapter`), trained on the same mined pairs with the same schedule, on held-out multihop-wiki
// questions. Embedding all 10,787 paragraphs with a trainable model on one wasm thread is too slow for
// a shared 2-core machine, so the candidate pool is a corpus slice: the gold paragraphs of the test
// questions plus BM25's top-K paragraphs (full corpus) of each; every question is ranked against the
// whole pool. Prints one JSON object with the numbers, settings and wall times.
//   SWC_NODE_PROJECT=tsconfig.base.json node -r @swc-node/register packages/trainer/bench/use-vs-adapter.ts \
//     --pairs pairs.jsonl --test-ids results.csv --out DIR [--pairs-limit 160] [--negatives 3] [--questions 100] [--pool-k 10]
//     [--epochs 2] [--batch-size 16] [--use-lr 5e-5] [--adapter-lr 1e-4]
import { readFileSync } from 'fs';
import * as path from 'path';
import { Bm25Index, evaluateRun, parseMetrics, type Run } from '@lrat/indexer';
import { createEncoder, devEvaluator, readPairs, selectBackend, train, type DevSet, type Encoder, type TrainingSample } from '../src';
import { documentText, loadCorpus, loadQueries, readQrels, type Qrels } from '@lrat/core';

const ROOT = path.resolve(__dirname, '../../..');
const DATA = path.join(ROOT, 'data', 'multihop-wiki');

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && process.argv[i + 1] !== undefined) return process.argv[i + 1];
  if (fallback === undefined) throw new Error(`missing --${name}`);
  return fallback;
}

async function main(): Promise<void> {
  const started = Date.now();
  const log = (s: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(0)} s] ${s}\n`);
  const outDir = arg('out');
  const settings = {
    pairsLimit: Number(arg('pairs-limit', '160')),
    negatives: Number(arg('negatives', '3')),
    questions: Number(arg('questions', '100')),
    poolK: Number(arg('pool-k', '10')),
    epochs: Number(arg('epochs', '2')),
    batchSize: Number(arg('batch-size', '16')),
    useLr: Number(arg('use-lr', '5e-5')),
    adapterLr: Number(arg('adapter-lr', '1e-4')),
    seed: 0,
  };
  const backend = await selectBackend({ log: () => undefined });
  const [corpus, queries, qrels] = await Promise.all([loadCorpus(path.join(DATA, 'corpus.jsonl')), loadQueries(path.join(DATA, 'queries.jsonl')), readQrels(path.join(DATA, 'qrels', 'all.tsv'))]);

  // Training: the first mined pairs, each keeping its first negatives; group = 1 positive + those.
  const pairs: TrainingSample[] = [];
  for await (const s of readPairs(arg('pairs'))) {
    if (pairs.length >= settings.pairsLimit) break;
    pairs.push({ ...s, neg: s.neg.slice(0, settings.negatives) });
  }
  const groupSize = settings.negatives + 1;

  // Test questions (ids in the order `lrat collect --split test` wrote them), pool = gold ∪ BM25 top-K.
  const ids = [...new Set(readFileSync(arg('test-ids'), 'utf8').split('\n').slice(1).filter(Boolean).map((l) => l.split(',')[0]))].slice(0, settings.questions);
  const byId = new Map(queries.map((q) => [q.id, q]));
  const test = ids.map((id) => byId.get(id)).filter((q): q is NonNullable<typeof q> => q !== undefined && qrels.has(q.id));
  const bm25 = Bm25Index.build(corpus);
  const pool = new Set<string>();
  for (const q of test) {
    for (const d of qrels.get(q.id)?.keys() ?? []) pool.add(d);
    for (const h of bm25.search(q.text, settings.poolK)) pool.add(h.docid);
  }
  const docs = corpus.filter((d) => pool.has(d.docid));
  const devQrels: Qrels = new Map(test.map((q) => [q.id, qrels.get(q.id) ?? new Map()]));
  const dev: DevSet = { queries: test.map((q) => ({ id: q.id, text: q.text })), docs: docs.map((d) => ({ id: d.docid, text: documentText(d) })), qrels: devQrels };
  log(`${pairs.length} pairs (group ${groupSize}), ${test.length} test questions, pool of ${docs.length} paragraphs`);

  const evaluate = devEvaluator(dev);
  const results: Record<string, unknown> = {};
  const poolBm25 = Bm25Index.build(docs);
  const bm25Run: Run = new Map(test.map((q) => [q.id, poolBm25.search(q.text, 100).map((h) => ({ docid: h.docid, score: h.score }))]));
  results.bm25 = evaluateRun(bm25Run, devQrels, parseMetrics('ndcg@10,recall@10,recall@100')).mean;
  log(`bm25 ${JSON.stringify(results.bm25)}`);

  const timedEval = async (name: string, e: Encoder) => {
    const t0 = Date.now();
    const scores = await evaluate(e);
    results[name] = { ...scores, evalSeconds: (Date.now() - t0) / 1000 };
    log(`${name} ${JSON.stringify(results[name])}`);
  };
  const run = async (kind: 'use-adapter' | 'use', lr: number) => {
    const encoder = await createEncoder(kind, { cacheDir: path.join(outDir, 'cache') });
    try {
      if (kind === 'use-adapter') await timedEval('base (frozen USE-lite)', encoder);
      const t0 = Date.now();
      const r = await train({
        pairs,
        encoder,
        outDir: path.join(outDir, kind),
        epochs: settings.epochs,
        batchSize: settings.batchSize,
        groupSize,
        lr,
        seed: settings.seed,
        onProgress: (p) => p.phase === 'train' && log(`${kind} step ${p.done}/${p.total} loss ${p.loss?.toFixed(4)}`),
      });
      results[`${kind} training`] = { steps: r.steps, lr, firstLoss: r.firstLoss, lastLoss: r.lastLoss, seconds: (Date.now() - t0) / 1000 };
      await timedEval(`${kind} trained`, encoder);
    } finally {
      encoder.dispose();
    }
  };
  await run('use-adapter', settings.adapterLr);
  await run('use', settings.useLr);
  console.log(JSON.stringify({ backend: backend.name, settings, pairs: pairs.length, questions: test.length, pool: docs.length, results, seconds: (Date.now() - started) / 1000 }, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
