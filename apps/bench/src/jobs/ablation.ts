import { PAPER_AGENT_BEHAVIOUR, type BenchReport } from '@lrat/harness';
import type { Retriever } from '../collect';
import { loadJobData } from '../data';
import { differences, runRow } from '../rows';
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
  const baseEncoder = await ctx.stack.baseEncoder(o.retriever);
  const base = await denseRetriever(ctx, 'base', baseEncoder, data);
  const train = await collectRuns(ctx, agents, data.train, base, 'train', data, 'collect ');
  const trajectories = train.flatMap((c) => c.run.trajectories);
  const mined = await mineLrat(ctx, '+reweight', trajectories, data);

  const retrievers: Retriever[] = [base];
  report.provenance.retrievers.push(base.provenance);
  for (const v of ablationVariants(mined.all, mined.samples)) {
    const t = await trainRetriever(ctx, v.name, baseEncoder, v.samples, v.weighted, data);
    t.retriever.provenance.description = `${v.description}; ${t.retriever.provenance.description}`;
    retrievers.push(t.retriever);
    report.provenance.retrievers.push(t.retriever.provenance);
    report.training.push(t.training);
    report.mining.push({ ...mined.mining, retriever: v.name, kept: v.samples.length, meanNegatives: mean(v.samples.map((s) => s.neg_id.length)), how: v.description });
  }
  const click = ctx.stack.clickSamples(trajectories, data.train, data.corpusById, o.seed);
  const clickTrained = await trainRetriever(ctx, 'click', baseEncoder, click, false, data);
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
    ...train.map((c) => runRow(c, data.name, data.hasAnswers, null, how(c, data, ctx))),
    ...tested.map((c) => runRow(c, data.name, data.hasAnswers, ndcg.get(c.retriever) ?? null, how(c, data, ctx))),
  ];
  report.retrieval = retrieval;
  const by = (name: string) => tested.filter((c) => c.retriever === name);
  const order = ['base', 'naive-browse', '+unbrowsed-neg', '+judge', '+reweight', 'click'];
  for (let i = 1; i < order.length - 1; i++) report.differences.push(...differences(by(order[i - 1]), by(order[i]), data.name, data.hasAnswers, o.seed, o.resamples));
  report.differences.push(...differences(by('click'), by('+reweight'), data.name, data.hasAnswers, o.seed, o.resamples));
  report.weights = [weightDistribution('+reweight', mined.samples)];
  report.ablation = { order, agent: 'mean' };
  report.calibration = { paper: PAPER_AGENT_BEHAVIOUR, rows: calibrationRows(train, data.train) };
  report.notes.push(...ablationNotes(report.runs, order));
  return finish(ctx, report);
}

/** Whether each step helps (mean evidence recall over agents), and whether LRAT beats clicks. */
function ablationNotes(runs: BenchReport['runs'], order: string[]): string[] {
  const er = (name: string) => mean(runs.filter((r) => r.retriever === name && r.split === 'test').map((r) => r.evidence_recall));
  const notes: string[] = [];
  for (let i = 1; i < order.length - 1; i++) {
    const [a, b] = [er(order[i - 1]), er(order[i])];
    notes.push(`Ablation step ${order[i]}: mean evidence recall ${a.toFixed(3)} → ${b.toFixed(3)} (${b > a ? 'helps' : 'does NOT help'}).`);
  }
  const [c, l] = [er('click'), er('+reweight')];
  notes.push(`LRAT (+reweight) vs click-trained baseline: mean evidence recall ${l.toFixed(3)} vs ${c.toFixed(3)} (${l > c ? 'LRAT better' : 'LRAT NOT better'}).`);
  return notes;
}
