// `nx run evaluation:bench`: the simulated agents' behaviour statistics beside the paper's (Table 1,
// fig. 4c, fig. 4d), their sensitivity to retrieval quality, and the click model's browse ranks for
// contrast. Every number printed says how it was produced.
// Options: --dataset data/multihop-wiki --limit 500 --seed 1
import * as path from 'path';
import { Bm25Index, createBm25Searcher } from '@lrat/indexer';
import { createSearchTool, inMemoryDocumentStore, type Trajectory } from '@lrat/trajectory';
import { loadBeirDataset, splitQuestions, createSimulatedAgent, SIMULATED_PROFILES, simulateClicks, clickTrajectories } from '@lrat/agents';
// The paper's reference numbers, printed beside the measurement, are the report's.
import { PAPER_AGENT_BEHAVIOUR } from '@lrat/report';
import { runAgent, summarize, calibrationStats, type CalibrationStats, type MetricSummary } from '../src';
import { RankShiftSearcher } from '../src/testing';

function arg(name: string, fallback: string | number): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : String(fallback);
}

const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : '—');
const range = (r: unknown) => (Array.isArray(r) ? `${r[0]}–${r[1]}` : String(r));

async function main() {
  const root = path.resolve(__dirname, '../../..');
  const dataset = path.resolve(arg('dataset', path.join(root, 'data/multihop-wiki')));
  const limit = Number(arg('limit', 500));
  const seed = Number(arg('seed', 1));
  const ds = await loadBeirDataset(dataset);
  const corpus = await ds.loadCorpus();
  const documents = inMemoryDocumentStore(corpus);
  const bm25 = createBm25Searcher(Bm25Index.build(corpus.values()));
  const questions = splitQuestions(ds.questions.filter((q) => q.evidence.length > 0), { seed: 1, testSize: Math.min(limit, ds.questions.length) }).test;
  const gold = new Set(questions.flatMap((q) => q.evidence));
  const retrievers = {
    bm25,
    promote: new RankShiftSearcher(bm25, gold, 'promote'),
    demote: new RankShiftSearcher(bm25, gold, 'demote', 30),
  };
  console.log(`# Simulated agents (SIMULATED — a model of search agents, not LLMs)`);
  console.log(`data ${ds.name}: ${questions.length} questions (splitQuestions seed 1, test part), ${corpus.size} docs; run seed ${seed};`);
  console.log(`retriever @lrat/indexer Bm25Index (k1 0.9, b 0.4); tool k=10, whitespace 64-token snippets; answers judged by normalised exact match.\n`);
  type Sensitivity = MetricSummary & { seconds: number };
  const cal: Record<string, CalibrationStats> = {};
  const sens: Record<string, Record<string, Sensitivity>> = {};
  let allBm25Trajectories: Trajectory[] = [];
  for (const profile of Object.keys(SIMULATED_PROFILES)) {
    const agent = createSimulatedAgent({ profile, documents });
    for (const [label, searcher] of Object.entries(retrievers)) {
      const t0 = Date.now();
      const run = await runAgent({ agent, questions, tool: createSearchTool({ searcher, documents }), seed, retriever: label });
      (sens[profile] ??= {})[label] = { ...summarize(run.results), seconds: (Date.now() - t0) / 1000 };
      if (label === 'bm25') {
        cal[profile] = calibrationStats(run.trajectories.map((t, i) => ({ trajectory: t, success: run.results[i].success, evidence: questions[i].evidence })));
        allBm25Trajectories = allBm25Trajectories.concat(run.trajectories);
      }
    }
  }
  const profiles = Object.keys(cal);
  const P = PAPER_AGENT_BEHAVIOUR;
  const row = (name: string, paper: string, fn: (c: CalibrationStats, s: Record<string, Sensitivity>) => string) => `| ${name} | ${paper} | ${profiles.map((p) => fn(cal[p], sens[p])).join(' | ')} |`;
  console.log(`| statistic | paper | ${profiles.join(' | ')} |`);
  console.log(`|---|---|${profiles.map(() => '---').join('|')}|`);
  console.log(row('success (EM)', '—', (_c, s) => f(s.bm25.success)));
  console.log(row('solved: searches/task', range(P.solved.searches), (c) => f(c.solved.searches, 2)));
  console.log(row('solved: browses/task', range(P.solved.browses), (c) => f(c.solved.browses, 2)));
  console.log(row('solved: browse/search', range(P.solved.ratio), (c) => f(c.solved.browseSearchRatio)));
  console.log(row('failed: searches/task', 'far more', (c) => f(c.failed.searches, 2)));
  console.log(row('failed: browse/search', `≈ ${P.failed.ratio}`, (c) => f(c.failed.browseSearchRatio)));
  console.log(row('browse rank share 1 / 5 / 10', '~uniform (0.1)', (c) => `${f(c.browseRankShare[0])} / ${f(c.browseRankShare[4])} / ${f(c.browseRankShare[9])}`));
  console.log(row('reasoning tokens evidence / other', 'evidence longer', (c) => `${f(c.reasoningTokensAfterEvidence, 1)} / ${f(c.reasoningTokensAfterNonEvidence, 1)}`));
  const clicks = calibrationStats(clickTrajectories(simulateClicks(allBm25Trajectories, (qid) => questions.find((q) => q.id === qid)?.evidence ?? [], { seed })).map((t) => ({ trajectory: t, success: true, evidence: [] })));
  console.log(`\nHuman cascade click model on the same result lists (default parameters): click rank share 1 / 5 / 10 = ${f(clicks.browseRankShare[0])} / ${f(clicks.browseRankShare[4])} / ${f(clicks.browseRankShare[9])}`);
  console.log(`\n## Sensitivity to retrieval (RankShiftSearcher: promote = gold of the top 100 moved to the top; demote = gold pushed out of the top 30)`);
  console.log(`| profile | retriever | success | evidence recall | steps | searches | browses | seconds |`);
  console.log(`|---|---|---|---|---|---|---|---|`);
  for (const p of profiles) for (const [label, s] of Object.entries(sens[p])) console.log(`| ${p} | ${label} | ${f(s.success)} | ${f(s.evidenceRecall)} | ${f(s.steps, 2)} | ${f(s.searches, 2)} | ${f(s.browses, 2)} | ${f(s.seconds, 1)} |`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
