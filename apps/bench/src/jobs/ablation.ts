import * as os from 'os';
import { mapLimit } from '@lrat/core';
import { PAPER_AGENT_BEHAVIOUR, type BenchReport } from '@lrat/report';
import type { Retriever } from '../collect';
import { loadJobData } from '../data';
import { aggregateRuns, differences, runRow } from '../rows';
import { studySummary } from '../summary';
import { ablationVariants } from '../variants';
import { calibrationRows, denseRetriever, emptyReport, evaluateAgents, finish, how, mean, mineLrat, trainRetriever, retrievalRow, weightDistribution, type JobContext, collectRuns } from '../pipeline';

/**
 * One collection and one mining pass with the base retriever; then one retriever per supervision
 * variant (naive browse positives → + unbrowsed negatives → + judge filter → + reasoning weight) and
 * the click-trained baseline, all from the same base encoder, data, seed and training budget.
 */
export async function runAblation(ctx: JobContext): Promise<BenchReport> {
  const o = ctx.options;
  const data = await loadJobData(o.dataset, { seed: o.seed, testFraction: o.testFraction, limit: o.limit, corpusLimit: o.corpusLimit });
  const agents = await ctx.stack.agents(o.agents, o, data.documents);
  const report = emptyReport(ctx, `LRAT ablation: ${data.name}`, agents, [data]);
  const baseEncoder = await ctx.stack.baseEncoder(o.encoder, o.retriever);
  const base = await denseRetriever(ctx, 'base', baseEncoder, data);
  const train = await collectRuns(ctx, agents, data.train, base, 'train', data, 'collect ');
  const trajectories = train.flatMap((c) => c.run.trajectories);
  const mined = await mineLrat(ctx, '+reweight', trajectories, data);

  const retrievers: Retriever[] = [base];
  report.provenance.retrievers.push(base.provenance);
  const variants = ablationVariants(mined.all, mined.samples);
  const click = ctx.stack.clickSamples(trajectories, data.train, data.corpusById, o.seed);
  // One training per core at a time, each on a thread of its own; click (the most samples) first.
  const jobs = [{ name: 'click', samples: click, weighted: false }, ...variants];
  const [clickTrained, ...trained] = await mapLimit(jobs, os.cpus().length, (j) => trainRetriever(ctx, j.name, baseEncoder, j.samples, j.weighted, data));
  variants.forEach((v, i) => {
    const t = trained[i];
    t.retriever.provenance.description = `${v.description}; ${t.retriever.provenance.description}`;
    retrievers.push(t.retriever);
    report.provenance.retrievers.push(t.retriever.provenance);
    report.training.push(t.training);
    report.mining.push({ ...mined.mining, retriever: v.name, kept: v.samples.length, meanNegatives: mean(v.samples.map((s) => s.neg_id.length)), how: v.description });
  });
  clickTrained.retriever.provenance.description = `position-biased cascade click model on the same result lists, clicked = positive, skipped = negative, no judge, no weight; ${clickTrained.retriever.provenance.description}`;
  retrievers.push(clickTrained.retriever);
  report.provenance.retrievers.push(clickTrained.retriever.provenance);
  report.training.push(clickTrained.training);
  report.mining.push({ retriever: 'click', trajectories: trajectories.length, samples: click.length, kept: click.length, meanNegatives: mean(click.map((s) => s.neg_id.length)), judge: 'none', how: 'click-model logs mined the human way' });

  const tested = await evaluateAgents(ctx, agents, retrievers, data);
  const retrieval = [];
  for (const r of retrievers) retrieval.push(await retrievalRow(r, data, data.test));
  const ndcg = new Map(retrieval.map((r) => [r.retriever, r.ndcg_at_10] as const));
  report.runs = [
    ...train.map((c) => runRow(c, data.name, data.hasAnswers, null, how(c, data, ctx), undefined, o.seed)),
    ...tested.map((c) => runRow(c, data.name, data.hasAnswers, ndcg.get(c.retriever) ?? null, how(c, data, ctx), undefined, o.seed)),
  ];
  report.retrieval = retrieval;
  const seedRuns = [{ seed: o.seed, tested }];
  const order = ['base', 'naive-browse', '+unbrowsed-neg', '+judge', '+reweight', 'click'];
  for (let i = 1; i < order.length - 1; i++) report.differences.push(...differences(seedRuns, order[i - 1], order[i], data.name, data.hasAnswers, o.resamples));
  report.differences.push(...differences(seedRuns, 'click', '+reweight', data.name, data.hasAnswers, o.resamples));
  report.weights = [weightDistribution('+reweight', mined.samples)];
  report.ablation = { order, agent: 'mean' };
  report.calibration = { paper: PAPER_AGENT_BEHAVIOUR, rows: calibrationRows(train, data.train) };
  report.notes.push(...ablationNotes(report.runs, order), ...oracleCaveats(agents.map((a) => a.name)));
  report.aggregates = aggregateRuns(report.runs, ctx.results);
  report.summary = studySummary(report);
  return finish(ctx, report);
}

/** Whether each step helps, per agent (mean evidence recall of its held-out runs), and whether LRAT beats clicks. */
function ablationNotes(runs: BenchReport['runs'], order: string[]): string[] {
  const notes: string[] = [];
  for (const agent of [...new Set(runs.filter((r) => r.split === 'test').map((r) => r.agent))]) {
    const er = (name: string) => mean(runs.filter((r) => r.retriever === name && r.split === 'test' && r.agent === agent).map((r) => r.evidence_recall));
    for (let i = 1; i < order.length - 1; i++) {
      const [a, b] = [er(order[i - 1]), er(order[i])];
      notes.push(`Ablation step ${order[i]} (${agent}): evidence recall ${a.toFixed(3)} → ${b.toFixed(3)} (${b > a ? 'helps' : 'does NOT help'}; CIs in the differences table).`);
    }
    const [c, l] = [er('click'), er('+reweight')];
    notes.push(`LRAT (+reweight) vs click-trained baseline (${agent}): evidence recall ${l.toFixed(3)} vs ${c.toFixed(3)} (${l > c ? 'LRAT better' : 'LRAT NOT better'}).`);
  }
  return notes;
}

/** What the oracle profiles cannot support: their judge verdicts and reasoning lengths are functions of the qrels. */
export function oracleCaveats(agents: readonly string[]): string[] {
  if (!agents.some((a) => a.startsWith('oracle:'))) return [];
  return [
    'The oracle agents cannot support the +judge and +reweight conclusions: their accept/reject decision is "is gold" flipped with a small probability, and their reasoning is long after gold documents and a rejection template otherwise, so the judge and the weights decode the qrels. Only the text-only reader\'s rows test whether the judge and the reasoning-length weights carry signal.',
    'The click baseline\'s click model reads the qrels too (relevance = gold): LRAT vs click compares agent signals with label-driven clicks, an optimistic baseline.',
  ];
}
