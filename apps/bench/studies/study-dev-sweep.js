#!/usr/bin/env node
// Chooses the in-domain study's training settings on TRAINING questions only: the study's 400
// training questions (seed 13 split; the held-out test questions are never loaded into any score)
// are cut into 300 "dev-train" questions, whose agent trajectories (through the base retriever) are
// mined and trained on, and 100 "dev" questions whose qrels score each setting (nDCG@10 of the raw
// question over the full corpus). Prints one line per setting.
//
//   node apps/bench/studies/study-dev-sweep.js [--seed 13] [--configs '<json array of settings>'] [--samples FILE] [--recall]
//     [--ood-dev] [--interpolate 0.5,0.75]
//
// A setting: {encoder, lr, epochs, temperature, groupSize, adapter, trainSides, trainLayers, batchSize, weighted, weightDecay, workers}; missing
// fields take the study's defaults (encoder use with trainSides query: USE-lite's query tower; {"encoder": "use-adapter", "trainSides": "both"} trains the linear adapters). --recall also runs the agents on the dev questions through base and each setting.
// --ood-dev also scores the out-of-domain set's TRAIN queries (its test queries score the studies);
// --interpolate scores each trained model moved back toward its base (WiSE-FT: base + α · (trained − base)).
// Needs the built dist (bash tools/bootstrap.sh).

const path = require('path');
const fs = require('fs');
const os = require('os');

const root = path.resolve(__dirname, '..', '..', '..');
const { loadJobData } = require(path.join(root, 'apps/bench/dist/data'));
const { defaultOptions } = require(path.join(root, 'apps/bench/dist/options'));
const { createRealStack } = require(path.join(root, 'apps/bench/dist/real-stack'));
const { collect } = require(path.join(root, 'apps/bench/dist/collect'));
const { flatDenseSearcher } = require(path.join(root, 'apps/bench/dist/stack-common'));
const { createEncoder, interpolateTowardBase, train } = require('@lrat/trainer');
const { evaluateRetrieval } = require('@lrat/evaluation');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

async function main() {
  process.env.LRAT_PROGRESS = process.env.LRAT_PROGRESS ?? 'silent';
  const o = { ...defaultOptions(), seed: Number(arg('seed', '13')) };
  const data = await loadJobData(o.dataset, { seed: o.seed, testFraction: o.testFraction, limit: o.limit });
  const devTrain = data.train.slice(0, 300);
  const dev = data.train.slice(300);
  const stack = await createRealStack(o);
  // One temporary folder for the run (mined files, trained models), removed at the end.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'study-sweep-'));
  const base = await stack.baseEncoder(o.encoder);
  const t0 = Date.now();
  const baseSearcher = await flatDenseSearcher(base.encoder, data.corpus);
  const agents = await stack.agents(o.agents, o, data.documents);
  // The mined samples of a seed are deterministic: --samples FILE keeps them between sweeps.
  const file = arg('samples', undefined);
  let samples;
  if (file && fs.existsSync(file)) samples = JSON.parse(fs.readFileSync(file, 'utf8'));
  else {
    const collected = await collect(agents, devTrain, { name: 'base', searcher: baseSearcher }, 'train', { ...data, train: devTrain }, o);
    // `lrat mine` over the dev-train trajectories, its files in the run's temporary folder.
    const mined = await stack.mine(collected.flatMap((c) => c.run.trajectories), data.corpusFile, 'rule', { dir: path.join(tmp, 'mine'), name: 'dev-train' });
    samples = mined.samples;
    if (file) fs.writeFileSync(file, JSON.stringify(samples));
  }
  const baseNdcg = (await evaluateRetrieval(baseSearcher, dev)).ndcgAt10;
  // --ood-dev: the out-of-domain set's TRAIN queries (its test queries score the studies) as a second dev set.
  const oodDev = process.argv.includes('--ood-dev') ? await loadJobData(o.oodDataset, { seed: o.seed, testFraction: 1, limit: 1000, qrels: 'train.tsv' }) : undefined;
  if (oodDev) console.log(`${oodDev.name} train queries (${oodDev.test.length}): base nDCG@10 ${(await evaluateRetrieval(await flatDenseSearcher(base.encoder, oodDev.corpus), oodDev.test)).ndcgAt10.toFixed(4)}`);
  console.log(`seed ${o.seed}: ${devTrain.length} dev-train questions → ${samples.length} kept samples (mean negatives ${(samples.reduce((a, s) => a + s.neg_id.length, 0) / samples.length).toFixed(1)}); ${dev.length} dev questions; base nDCG@10 ${baseNdcg.toFixed(4)} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);

  // --recall: the agents' evidence recall on the dev questions through each setting's retriever.
  const recall = async (name, searcher) => {
    const runs = await collect(agents, dev, { name, searcher }, 'test', { ...data, test: dev }, o);
    const line = runs.map((c) => `${c.agent.name} ${(c.run.results.reduce((a, x) => a + x.evidenceRecall, 0) / c.run.results.length).toFixed(4)}`).join(', ');
    console.log(`  dev evidence recall via ${name}: ${line}`);
  };
  if (process.argv.includes('--recall')) await recall('base', baseSearcher);
  const defaults = { encoder: o.encoder, lr: o.lr, epochs: o.epochs, temperature: 0.02, groupSize: 10, adapter: 'linear', trainSides: o.trainSides ?? 'both', batchSize: o.batchSize, weighted: true, weightDecay: 0.01, workers: 1 };
  const configs = JSON.parse(arg('configs', '[{}]'));
  for (const c of configs) {
    const s = { ...defaults, ...c };
    const t = Date.now();
    const encoder = await createEncoder(s.encoder, { cacheDir: o.cacheDir, adapter: s.adapter, trainSides: s.trainSides, trainLayers: s.trainLayers, seed: o.seed });
    const r = await train({ pairs: samples, encoder, outDir: path.join(tmp, `m${configs.indexOf(c)}`), epochs: s.epochs, batchSize: s.batchSize, lr: s.lr, temperature: s.temperature, groupSize: s.groupSize, seed: o.seed, weighted: s.weighted, weightDecay: s.weightDecay, workers: s.workers, checkpointEvery: 0 });
    const searcher = await flatDenseSearcher(encoder, data.corpus);
    const ev = await evaluateRetrieval(searcher, dev);
    console.log(`${JSON.stringify(s)} steps ${r.steps} loss ${r.lastLoss?.toFixed(3)} dev nDCG@10 ${ev.ndcgAt10.toFixed(4)} R@100 ${ev.recallAt100.toFixed(4)} (training ${r.seconds.toFixed(0)} s, all ${((Date.now() - t) / 1000).toFixed(0)} s)`);
    if (process.argv.includes('--recall')) await recall(JSON.stringify(c), searcher);
    if (oodDev) console.log(`  ${oodDev.name} train queries nDCG@10 ${(await evaluateRetrieval(await flatDenseSearcher(encoder, oodDev.corpus), oodDev.test)).ndcgAt10.toFixed(4)}`);
    // --interpolate: the trained weights moved back toward the base (WiSE-FT), each α scored the same way.
    const alphas = arg('interpolate', '').split(',').filter(Boolean).map(Number);
    if (alphas.length) {
      const trained = encoder.weights().map((w) => w.variable.clone());
      const pretrained = await createEncoder(s.encoder, { cacheDir: o.cacheDir, adapter: s.adapter, trainSides: s.trainSides, trainLayers: s.trainLayers, seed: o.seed });
      for (const alpha of alphas) {
        encoder.weights().forEach((w, i) => w.variable.assign(trained[i]));
        interpolateTowardBase(encoder, pretrained, alpha);
        const mixed = await flatDenseSearcher(encoder, data.corpus);
        const d = await evaluateRetrieval(mixed, dev);
        const od = oodDev ? ` · ${oodDev.name} train queries ${(await evaluateRetrieval(await flatDenseSearcher(encoder, oodDev.corpus), oodDev.test)).ndcgAt10.toFixed(4)}` : '';
        console.log(`  α ${alpha}: dev nDCG@10 ${d.ndcgAt10.toFixed(4)} R@100 ${d.recallAt100.toFixed(4)}${od}`);
        if (process.argv.includes('--recall')) await recall(`α ${alpha}`, mixed);
      }
      pretrained.dispose?.();
      trained.forEach((t) => t.dispose());
    }
    encoder.dispose?.();
  }
  fs.rmSync(tmp, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
