import { PAPER_AGENT_BEHAVIOUR, type BenchReport, type RetrievalRow, type RunRow } from '@lrat/harness';
import type { Trajectory } from '@lrat/trajectory';
import { loadJobData } from '../data';
import { runRow } from '../rows';
import { calibrationRows, denseRetriever, emptyReport, evaluateAgents, finish, how, mineLrat, retrievalRow, trainRetriever, weightDistribution, type DenseRetriever, type JobContext, collectRuns } from '../pipeline';

/**
 * k loops of collect → mine → train → re-index. Loop i collects train trajectories with loop i−1's
 * retriever, adds them to everything collected so far and trains from the base encoder on the whole
 * pool (so each loop differs only by its data, not by compounding optimiser drift). Every loop's
 * retriever is evaluated by every agent on the same held-out questions; loop 0 is the base.
 */
export async function runFlywheel(ctx: JobContext): Promise<BenchReport> {
  const o = ctx.options;
  const data = await loadJobData(o.dataset, { seed: o.seed, testFraction: o.testFraction, limit: o.limit, corpusLimit: o.corpusLimit });
  const agents = await ctx.stack.agents(o.agents, o, data.documents);
  const report = emptyReport(ctx, `LRAT data flywheel (${o.loops} loops): ${data.name}`, agents, [data]);
  const baseEncoder = await ctx.stack.baseEncoder(o.retriever);
  let current: DenseRetriever = await denseRetriever(ctx, 'base', baseEncoder, data);
  report.provenance.retrievers.push(current.provenance);
  const pool: Trajectory[] = [];
  const runs: RunRow[] = [];
  const retrieval: RetrievalRow[] = [];

  const evaluate = async (loop: number) => {
    const r = await retrievalRow(current, data, data.test, loop);
    retrieval.push(r);
    const tested = await evaluateAgents(ctx, agents, [current], data, `loop ${loop} `, `${current.name}@loop${loop}`);
    runs.push(...tested.map((c) => runRow(c, data.name, data.hasAnswers, r.ndcg_at_10, how(c, data, ctx), loop)));
  };

  await evaluate(0);
  for (let loop = 1; loop <= o.loops; loop++) {
    const train = await collectRuns(ctx, agents, data.train, current, 'train', data, `loop ${loop} collect `, `${current.name}@loop${loop - 1}`);
    runs.push(...train.map((c) => runRow(c, data.name, data.hasAnswers, null, how(c, data, ctx), loop - 1)));
    pool.push(...train.flatMap((c) => c.run.trajectories));
    // Agent behaviour is measured on the first collection, through the base retriever.
    if (loop === 1) report.calibration = { paper: PAPER_AGENT_BEHAVIOUR, rows: calibrationRows(train, data.train) };
    const name = `lrat-loop${loop}`;
    const mined = await mineLrat(ctx, name, pool, data);
    const trained = await trainRetriever(ctx, name, baseEncoder, mined.samples, true, data);
    report.mining.push(mined.mining);
    report.training.push(trained.training);
    report.weights.push(weightDistribution(name, mined.samples));
    current = { ...trained.retriever, name: 'lrat' };
    report.provenance.retrievers.push({ ...trained.retriever.provenance, name });
    await evaluate(loop);
  }
  // Rows carry the loop number; their retriever is "base" at loop 0 and "lrat" after.
  report.runs = runs;
  report.retrieval = retrieval;
  return finish(ctx, report);
}
