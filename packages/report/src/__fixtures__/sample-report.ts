import { REPORT_SCHEMA, type BenchReport, type RunRow } from '../types';
import { PAPER_AGENT_BEHAVIOUR } from '../paper';

// A small but complete report: every section and chart has data, with values chosen to be
// recognisable in the rendered outputs.
function run(agent: string, retriever: string, recall: number, extra: Partial<RunRow> = {}): RunRow {
  return {
    agent,
    retriever,
    split: 'test',
    dataset: 'multihop-wiki',
    questions: 20,
    evidence_recall: recall,
    success: recall / 2,
    steps: 14 - 4 * recall,
    search_calls: 10,
    browse_calls: 3,
    ndcg_at_10: recall / 3,
    simulated: true,
    how: `simulated ${agent} via ${retriever}`,
    ...extra,
  };
}

export function sampleReport(): BenchReport {
  return {
    schema: REPORT_SCHEMA,
    title: 'LRAT in-domain <test>',
    provenance: {
      job: 'in-domain',
      runId: 'in-domain-20261125T000000Z',
      createdAt: '2026-11-25T00:00:00.000Z',
      durationSeconds: 12.5,
      seed: 7,
      simulated: true,
      agents: [
        { name: 'careful', backend: 'simulated', simulated: true, profile: 'careful' },
        { name: 'greedy', backend: 'simulated', simulated: true, profile: 'greedy' },
      ],
      retrievers: [
        { name: 'base', kind: 'dense', encoder: { id: 'use-adapter', version: 'abc' }, description: 'pretrained USE-lite, identity adapters' },
        { name: 'lrat', kind: 'dense', encoder: { id: 'use-adapter', version: 'def' }, description: 'trained on 321 samples' },
        { name: 'bm25', kind: 'bm25', description: 'BM25 k1=0.9 b=0.4' },
      ],
      datasets: [{ name: 'multihop-wiki', dir: 'data/multihop-wiki', corpusDocs: 10787, questions: 1100, trainQuestions: 880, testQuestions: 220, splitSeed: 7 }],
      judges: { answer: 'normalised exact match', mining: 'rule judge (offline)' },
      versions: { node: 'v20.20.2', '@lrat/evaluation': '0.1.0' },
      host: { platform: 'linux', arch: 'x64', cpus: 2 },
      config: { limit: 20 },
    },
    runs: [
      run('careful', 'base', 0.41),
      run('careful', 'lrat', 0.6123),
      run('careful', 'bm25', 0.5),
      run('greedy', 'base', 0.3),
      run('greedy', 'lrat', 0.45),
      run('careful', 'base', 0.5, { split: 'train', questions: 80 }),
      run('careful', 'lrat', 0.41, { loop: 0 }),
      run('careful', 'lrat', 0.55, { loop: 1 }),
      run('careful', 'naive-browse', 0.44),
      run('careful', '+judge', 0.52),
    ],
    differences: [
      { agent: 'careful', split: 'test', dataset: 'multihop-wiki', metric: 'evidence_recall', baseline: 'base', treatment: 'lrat', before: 0.41, after: 0.6123, delta: 0.2023, relative: 0.2023 / 0.41, ci95: [0.1, 0.3], resamples: 1000, questions: 20 },
    ],
    retrieval: [{ retriever: 'lrat', dataset: 'multihop-wiki', split: 'test', queries: 20, ndcg_at_10: 0.25, recall_at_100: 0.7, how: 'raw questions' }],
    training: [{ retriever: 'lrat', samples: 321, epochs: 2, steps: 20, seconds: 9.5, backend: 'wasm', finalLoss: 1.25, how: 'weighted InfoNCE' }],
    mining: [{ retriever: 'lrat', trajectories: 160, samples: 400, kept: 321, meanNegatives: 17.5, judge: 'rule', how: 'official miner' }],
    weights: [{ name: 'lrat', samples: 321, halfLife: 42, mean: 1, min: 0.2, max: 1.6, bins: [{ lo: 0, hi: 0.5, count: 40 }, { lo: 0.5, hi: 1, count: 100 }, { lo: 1, hi: 1.5, count: 150 }, { lo: 1.5, hi: 2, count: 31 }], how: 'reweight_rate' }],
    calibration: {
      paper: PAPER_AGENT_BEHAVIOUR,
      rows: [
        { agent: 'careful', simulated: true, tasks: 80, solved: { tasks: 50, searches: 10.5, browses: 3.2, ratio: 0.3 }, failed: { tasks: 30, searches: 18, browses: 3.6, ratio: 0.2 }, browseRankShare: [0.12, 0.11, 0.1, 0.1, 0.1, 0.1, 0.1, 0.09, 0.09, 0.09], reasoningLen: { evidence: 80, nonEvidence: 20 }, how: 'train trajectories' },
      ],
    },
    ablation: { order: ['naive-browse', '+judge'], agent: 'mean' },
    notes: ['goal of +25 % evidence recall not met for greedy'],
  };
}
