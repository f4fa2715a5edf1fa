import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { BenchReport } from '@lrat/report';
import { defaultOptions, type BenchOptions, type JobName } from './options';
import { createRealStack } from './real-stack';
import { runBenchJob, type JobOutcome } from './run-job';
import type { BenchStack } from './real-stack';

// A cold embedding cache (fresh clone) means USE-lite must embed the capped corpora first.
jest.setTimeout(900_000);

// CI's reduced configuration of every job on the real stack: a few questions per split, a capped
// corpus (the questions' evidence + 300 docs), one epoch, one flywheel loop. Checks the reports are
// complete and consistent, never the size of the gains.

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-jobs-'));
let stack: BenchStack;

function smoke(job: JobName, extra: Partial<BenchOptions> = {}): BenchOptions {
  return {
    ...defaultOptions(),
    agents: ['reader', 'oracle:careful'],
    limit: 6,
    corpusLimit: 300,
    epochs: 1,
    // Not 8 or 16: the naive-browse variant mines 33 samples without hard negatives here, and a final
    // batch of one such sample has a single passage, which @lrat/trainer's loss rejects (oneHot depth 1).
    batchSize: 10,
    loops: 1,
    // A few inverse-cloze pairs: the mixing and the `cloze` row run, quickly.
    clozePairs: 20,
    resamples: 200,
    out: path.join(tmp, job),
    ...extra,
  };
}

const silent = () => undefined;

function checkRuns(report: BenchReport): void {
  for (const r of report.runs) {
    expect(['train', 'test']).toContain(r.split);
    for (const v of [r.evidence_recall, r.steps, r.search_calls]) expect(Number.isFinite(v)).toBe(true);
    expect(r.evidence_recall).toBeGreaterThanOrEqual(0);
    expect(r.evidence_recall).toBeLessThanOrEqual(1);
    expect(r.simulated).toBe(true);
    expect(r.how).toMatch(r.agent.startsWith('oracle:') ? /simulated agent \(oracle: reads the qrels\)/ : /simulated agent \(text only\)/);
  }
  expect(report.provenance.simulated).toBe(true);
  expect(report.title).toMatch(/simulated/);
  // The report says which agents read the labels, before any table.
  expect(report.provenance.agents.map((a) => [a.name, a.readsLabels])).toEqual([['simulated:reader', false], ['oracle:careful', true]]);
  expect(report.summary?.[0]).toMatch(/`oracle:careful` — READS THE LABELS/);
  // Every report shows the agents' behaviour beside the paper's Table 1.
  expect(report.calibration?.rows.map((c) => c.agent)).toEqual(['simulated:reader', 'oracle:careful']);
}

function checkFiles(o: JobOutcome): void {
  expect(JSON.parse(fs.readFileSync(o.files.json, 'utf8'))).toEqual(JSON.parse(JSON.stringify(o.report)));
  expect(fs.readFileSync(o.files.markdown, 'utf8')).toContain('## Provenance');
  expect(fs.readFileSync(o.files.html, 'utf8')).toContain('<svg');
  const csv = fs.readFileSync(o.files.csv as string, 'utf8').trim().split('\n');
  expect(csv.length - 1).toBe(o.report.runs.reduce((s, r) => s + r.questions, 0));
  expect(o.summary).toContain(o.files.json);
}

beforeAll(async () => {
  process.env.LRAT_PROGRESS = 'silent';
  stack = await createRealStack(smoke('in-domain'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('bench jobs (reduced configuration, real stack)', () => {
  it('in-domain, two seeds: LRAT, gold upper bound, click, hybrids and BM25; mean ± sd and pooled CIs', async () => {
    const o = await runBenchJob('in-domain', smoke('in-domain', { seeds: 2 }), stack, silent);
    const r = o.report;
    checkRuns(r);
    checkFiles(o);
    const test = r.runs.filter((x) => x.split === 'test');
    const retrievers = ['base', 'lrat', 'hybrid', 'hybrid-base', 'bm25', 'gold', 'click'];
    expect(new Set(test.map((x) => x.seed))).toEqual(new Set([13, 14]));
    for (const seed of [13, 14]) for (const agent of ['simulated:reader', 'oracle:careful']) expect(test.filter((x) => x.seed === seed && x.agent === agent).map((x) => x.retriever)).toEqual(retrievers);
    expect(test.every((x) => x.questions === 6 && x.ndcg_at_10 !== null && x.f1 !== null && x.exact_match !== null)).toBe(true);
    expect(r.runs.filter((x) => x.split === 'train')).toHaveLength(4);
    expect(r.provenance.seeds).toEqual([13, 14]);
    // mean ± sd over both seeds, with a CI from the per-question results.
    const agg = r.aggregates?.find((a) => a.agent === 'simulated:reader' && a.retriever === 'lrat' && a.split === 'test' && a.metric === 'evidence_recall');
    expect(agg?.seeds).toBe(2);
    expect(agg?.mean).toBeCloseTo((test.filter((x) => x.agent === 'simulated:reader' && x.retriever === 'lrat').reduce((s, x) => s + x.evidence_recall, 0)) / 2, 10);
    expect(agg?.ci95).toHaveLength(2);
    const d = r.differences.find((x) => x.agent === 'simulated:reader' && x.baseline === 'base' && x.treatment === 'lrat' && x.metric === 'evidence_recall');
    expect(d).toMatchObject({ seeds: [13, 14], questions: 12 });
    expect(d?.p_holm).toBeGreaterThanOrEqual(d?.p_value ?? 0);
    expect(r.differences.some((x) => x.baseline === 'lrat' && x.treatment === 'gold')).toBe(true);
    expect(r.training.map((t) => `${t.retriever}@${t.seed}`)).toEqual(['lrat@13', 'gold@13', 'click@13', 'cloze@13', 'lrat@14', 'gold@14', 'click@14', 'cloze@14']);
    expect(r.training[0].samples).toBe(r.mining[0].kept);
    expect(r.mining[0].positivesGold).toBeGreaterThan(0);
    expect(r.mining[0].positivesGold).toBeLessThanOrEqual(1);
    expect(r.summary?.join(' ')).toMatch(/Share of the supervised upper bound/);
    expect(r.mining[0].kept).toBeGreaterThan(0);
    expect(r.mining[0].kept).toBeLessThanOrEqual(r.mining[0].samples);
    expect(r.weights[0].samples).toBe(r.mining[0].kept);
    expect(r.differences.filter((x) => x.baseline === 'base').map((x) => x.metric)).toEqual(['evidence_recall', 'success', 'f1', 'steps', 'evidence_recall', 'success', 'f1', 'steps', 'ndcg_at_10', 'recall_at_100']);
    // The raw questions' nDCG@10, paired over both seeds' held-out questions: its means are the retrieval rows'.
    const ndcg = r.differences.find((x) => x.agent === 'raw questions' && x.metric === 'ndcg_at_10' && x.baseline === 'base' && x.treatment === 'lrat');
    const rowMean = (name: string) => r.retrieval.filter((x) => x.retriever === name).reduce((a, x) => a + x.ndcg_at_10 * x.queries, 0) / r.retrieval.filter((x) => x.retriever === name).reduce((a, x) => a + x.queries, 0);
    expect(ndcg?.seeds).toEqual([13, 14]);
    expect(ndcg?.before).toBeCloseTo(rowMean('base'), 10);
    expect(ndcg?.after).toBeCloseTo(rowMean('lrat'), 10);
    expect(r.retrieval.map((x) => x.retriever)).toEqual([...retrievers, 'cloze', ...retrievers, 'cloze']);
    // Every trained row mixes in the same 20 inverse-cloze pairs; the cloze row trains on them alone.
    expect(r.training.filter((t) => t.retriever !== 'cloze').every((t) => /\+ 20 inverse-cloze pairs of the training corpus/.test(t.how))).toBe(true);
    expect(r.training.find((t) => t.retriever === 'cloze')).toMatchObject({ samples: 20 });
    expect(test.some((x) => x.retriever === 'cloze')).toBe(false);
    expect(r.retrieval.every((x) => x.ndcg_ci95 && x.ndcg_ci95[0] <= x.ndcg_at_10 + 1e-9 && x.ndcg_ci95[1] >= x.ndcg_at_10 - 1e-9)).toBe(true);
    const html = fs.readFileSync(o.files.html, 'utf8');
    for (const id of ['before-after', 'differences', 'retrieval']) expect(html).toContain(`id="chart-${id}"`);
    expect(r.provenance.retrievers.find((x) => x.name === 'lrat')?.encoder?.version).not.toBe(r.provenance.retrievers.find((x) => x.name === 'base')?.encoder?.version);
    expect(fs.existsSync(path.join(o.files.dir, 'models', 'lrat', 'encoder.json'))).toBe(true);
    // Each seed's mining pass keeps its own trajectories and rows.
    for (const sub of ['trajectories', 'mined']) expect(fs.readdirSync(path.join(o.files.dir, sub)).filter((f) => f.endsWith('.jsonl'))).toEqual(['lrat-seed13.jsonl', 'lrat-seed14.jsonl']);
    // The hybrids say which fusion weight the training questions chose; the goals are reported, not asserted.
    expect(r.provenance.retrievers.find((x) => x.name === 'hybrid')?.description).toMatch(/× dense \+ .* × BM25, .* best nDCG@10 on the 6 training questions .*never the held-out/);
    expect(r.notes.join(' ')).toMatch(/Goal \(LRAT nDCG@10 ≥ base \+ 0\.10.*, paired 95 % CI \[[-+][0-9.]+, [-+][0-9.]+\]\).*Goals for simulated:reader: evidence recall \+10 % relative (met|NOT met) \(.*, paired 95 % CI \[[-+][0-9.]+, [-+][0-9.]+\]\); hybrid ≥ BM25 (met|NOT met)/);
  });

  it('out-of-domain: trained in domain, BEIR metrics and agent evidence task on SciFact against base and BM25', async () => {
    const o = await runBenchJob('out-of-domain', smoke('out-of-domain'), stack, silent);
    const r = o.report;
    checkRuns(r);
    checkFiles(o);
    expect(r.provenance.datasets.map((d) => d.name)).toEqual(['multihop-wiki', 'scifact']);
    expect(r.retrieval.map((x) => `${x.retriever}/${x.dataset}`)).toEqual(['base/scifact', 'lrat/scifact', 'hybrid/scifact', 'hybrid-base/scifact', 'bm25/scifact', 'cloze/scifact']);
    const ood = r.runs.filter((x) => x.dataset === 'scifact');
    expect(ood).toHaveLength(10);
    // SciFact has no gold answers: success is not measured rather than reported as 0.
    expect(ood.every((x) => x.success === null && x.split === 'test')).toBe(true);
    expect(r.differences.some((d) => d.metric === 'success')).toBe(false);
    expect(r.notes.join(' ')).toMatch(/Out-of-domain goal \(no regression\): nDCG@10 base [0-9.]+ → lrat [0-9.]+ \(paired Δ [-+][0-9.]+, 95 % CI \[-?[0-9.]+, -?[0-9.]+\]\)/);
    expect(r.provenance.retrievers.find((x) => x.name === 'hybrid-base')?.description).toMatch(/in-domain training questions of .*never the held-out/);
  });

  it('flywheel: fresh questions each loop, a fixed step budget, and a more-steps arm', async () => {
    const o = await runBenchJob('flywheel', smoke('flywheel', { loops: 2 }), stack, silent);
    const r = o.report;
    checkRuns(r);
    checkFiles(o);
    const test = r.runs.filter((x) => x.split === 'test');
    expect(test.map((x) => `${x.loop}:${x.retriever}:${x.arm ?? ''}`)).toEqual(['0:base:', '0:base:', '1:lrat:more-data', '1:lrat:more-data', '2:lrat:more-data', '2:lrat:more-data', '2:lrat:more-steps', '2:lrat:more-steps']);
    // Fresh questions: each loop collects a disjoint half of the 6 train questions.
    const train = r.runs.filter((x) => x.split === 'train');
    expect(train.map((x) => `${x.loop}:${x.questions}`)).toEqual(['0:3', '0:3', '1:3', '1:3']);
    expect(r.training.map((t) => t.retriever)).toEqual(['lrat-loop1', 'lrat-loop2', 'lrat-steps2']);
    // Each loop mines the pooled trajectories into files of its own.
    expect(fs.readdirSync(path.join(o.files.dir, 'mined')).filter((f) => f.endsWith('.jsonl'))).toEqual(['lrat-loop1-seed13.jsonl', 'lrat-loop2-seed13.jsonl']);
    // Loop 2 trains on the pooled trajectories of both loops for the same number of steps as loop 1.
    expect(r.mining[1].trajectories).toBe(2 * r.mining[0].trajectories);
    expect(r.training[1].steps).toBe(r.training[0].steps);
    expect(r.training[2].steps).toBe(2 * r.training[0].steps);
  });

  it('ablation: one mining pass, four supervision variants and the click baseline on the same data and seed', async () => {
    const o = await runBenchJob('ablation', smoke('ablation'), stack, silent);
    const r = o.report;
    checkRuns(r);
    checkFiles(o);
    const order = ['base', 'naive-browse', '+unbrowsed-neg', '+judge', '+reweight', 'click'];
    expect(r.ablation?.order).toEqual(order);
    expect([...new Set(r.runs.map((x) => x.retriever))]).toEqual(order);
    expect(r.training.map((t) => t.retriever)).toEqual(order.slice(1));
    const kept = new Map(r.mining.map((m) => [m.retriever, m] as const));
    // Same mined browses: naive and +unbrowsed-neg keep all, the judge keeps a subset, weights keep it.
    expect(kept.get('naive-browse')?.kept).toBe(kept.get('+unbrowsed-neg')?.kept);
    expect(kept.get('naive-browse')?.meanNegatives).toBe(0);
    expect(kept.get('+judge')?.kept).toBeLessThanOrEqual(kept.get('+unbrowsed-neg')?.kept ?? 0);
    expect(kept.get('+reweight')?.kept).toBe(kept.get('+judge')?.kept);
    expect(kept.get('click')?.judge).toBe('none');
    expect(r.training.find((t) => t.retriever === '+reweight')?.how).toMatch(/^weighted/);
    expect(r.training.find((t) => t.retriever === '+judge')?.how).toMatch(/^unweighted/);
    expect(r.notes.join(' ')).toMatch(/LRAT \(\+reweight\) vs click-trained baseline \(simulated:reader\)/);
    expect(r.notes.join(' ')).toMatch(/oracle agents cannot support the \+judge and \+reweight conclusions/);
  });
});

