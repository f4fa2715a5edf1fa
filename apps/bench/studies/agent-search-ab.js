#!/usr/bin/env node
// The in-domain study's held-out agent pass (every agent on the 220 test questions, --concurrency 8)
// through the base dense retriever and its BM25 hybrid, timed with the plain searcher and with the
// coalescing searcher the bench now uses, in the same process, and checked to give identical
// trajectories. An untimed pass first fills the query-embedding cache. Needs the built dist and a warm
// USE-lite corpus cache for speed (bash tools/bootstrap.sh).
//
//   node apps/bench/studies/agent-search-ab.js [--limit 400] [--concurrency 8] [--rounds 1]

const path = require('path');
const root = path.resolve(__dirname, '..', '..', '..');
const { loadJobData } = require(path.join(root, 'apps/bench/dist/data'));
const { defaultOptions } = require(path.join(root, 'apps/bench/dist/options'));
const { createRealStack } = require(path.join(root, 'apps/bench/dist/real-stack'));
const { coalescingSearcher } = require(path.join(root, 'apps/bench/dist/coalescing-searcher'));
const { bm25Searcher, flatDenseSearcher, hybridSearcher } = require(path.join(root, 'apps/bench/dist/stack-common'));
const { runAgent } = require('@lrat/evaluation');
const { createSearchTool } = require('@lrat/trajectory');
const os = require('os');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

async function main() {
  process.env.LRAT_PROGRESS = 'silent';
  const o = { ...defaultOptions(), limit: arg('limit', 400), concurrency: arg('concurrency', 8) };
  const data = await loadJobData(o.dataset, { seed: o.seed, testFraction: o.testFraction, limit: o.limit });
  const stack = await createRealStack(o);
  const base = await stack.baseEncoder(o.encoder);
  const dense = await flatDenseSearcher(base.encoder, data.corpus);
  const bm25 = await bm25Searcher(data.corpus);
  const agents = await stack.agents(o.agents, o, data.documents);
  const pass = async (searcher) => {
    const tool = createSearchTool({ searcher, documents: data.documents, indexName: 'x' });
    const t = process.hrtime.bigint();
    const out = [];
    let searches = 0;
    for (const agent of agents) {
      const run = await runAgent({ agent, questions: data.test, tool, seed: o.seed, retriever: 'x', concurrency: o.concurrency });
      out.push(run.trajectories);
      searches += run.trajectories.reduce((s, tr) => s + tr.steps.filter((x) => x.type === 'search').length, 0);
    }
    return { seconds: Number(process.hrtime.bigint() - t) / 1e9, searches, json: JSON.stringify(out) };
  };
  // Untimed first pass: USE-lite embeds each new query once and caches it; both timed passes then
  // find every query embedding cached, as the study's later retrievers do.
  await pass(coalescingSearcher(dense));
  console.log(`${data.test.length} test questions × ${agents.length} agents, concurrency ${o.concurrency}, load ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  // BM25 beside them: what the pass costs when the searcher is nearly free.
  const lexical = await pass(bm25);
  console.log(`bm25: ${lexical.searches} searches; ${lexical.seconds.toFixed(1)} s`);
  for (let round = 0; round < arg('rounds', 1); round++) {
    for (const [name, s] of [['dense', dense], ['hybrid', hybridSearcher(bm25, dense, 0.3)]]) {
      const plain = await pass(s);
      const together = await pass(coalescingSearcher(s));
      console.log(`${name}: ${plain.searches} searches; plain ${plain.seconds.toFixed(1)} s, coalesced ${together.seconds.toFixed(1)} s (${(plain.seconds / together.seconds).toFixed(2)}×); trajectories identical: ${plain.json === together.json}; load ${os.loadavg()[0].toFixed(1)}`);
    }
  }
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
