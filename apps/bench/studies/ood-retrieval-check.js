#!/usr/bin/env node
// BEIR nDCG@10 / Recall@100 of a trained retriever folder beside its base encoder and BM25 on the
// out-of-domain set (SciFact test qrels), without the agents: a quick regression check of training
// settings. Waits for MODEL_DIR/encoder.json when the model is still being trained.
//
//   node apps/bench/studies/ood-retrieval-check.js MODEL_DIR [--limit N]

const fs = require('fs');
const path = require('path');
const root = path.resolve(__dirname, '..', '..', '..');
const { loadJobData } = require(path.join(root, 'apps/bench/dist/data'));
const { defaultOptions } = require(path.join(root, 'apps/bench/dist/options'));
const { createRealStack } = require(path.join(root, 'apps/bench/dist/real-stack'));
const { bm25Searcher, flatDenseSearcher } = require(path.join(root, 'apps/bench/dist/stack-common'));
const { loadEncoder } = require('@lrat/trainer');
const { evaluateRetrieval } = require('@lrat/evaluation');

async function main() {
  const modelDir = process.argv[2];
  if (!modelDir) throw new Error('usage: ood-retrieval-check.js MODEL_DIR [--limit N]');
  const i = process.argv.indexOf('--limit');
  const o = defaultOptions();
  const ood = await loadJobData(o.oodDataset, { seed: o.seed, testFraction: 1, limit: i > 0 ? Number(process.argv[i + 1]) : o.limit, qrels: 'test.tsv' });
  const stack = await createRealStack(o);
  const row = async (name, searcher) => {
    const r = await evaluateRetrieval(searcher, ood.test);
    console.log(`${ood.name} ${name}: nDCG@10 ${r.ndcgAt10.toFixed(4)} R@100 ${r.recallAt100.toFixed(4)} (${r.questions} queries)`);
  };
  await row('bm25', await bm25Searcher(ood.corpus));
  const base = await stack.baseEncoder(o.encoder);
  await row('base', await flatDenseSearcher(base.encoder, ood.corpus));
  while (!fs.existsSync(path.join(modelDir, 'encoder.json'))) await new Promise((r) => setTimeout(r, 10_000));
  const trained = await loadEncoder(modelDir, { cacheDir: o.cacheDir });
  await row(`trained (${modelDir})`, await flatDenseSearcher(trained, ood.corpus));
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
