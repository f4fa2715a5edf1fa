import { PAPER_AGENT_BEHAVIOUR, type BenchReport, type RetrievalRow, type RunRow } from '@lrat/report';
import type { Trajectory } from '@lrat/trajectory';
import { loadJobData } from '../data';
import { aggregateRuns, runRow } from '../rows';
import { studySummary } from '../summary';
import { calibrationRows, denseRetriever, emptyReport, evaluateAgents, finish, how, mineLrat, retrievalRow, trainRetriever, weightDistribution, type DenseRetriever, type JobContext, collectRuns } from '../pipeline';

/**
 * k loops with FRESH questions each loop: the train questions are cut into k disjoint chunks; loop i
 * collects chunk i with loop i−1's retriever, mines the pooled trajectories and trains from the base
 * encoder for a FIXED number of steps (--steps, default loop 1's), so loops differ only by data. A
 * second arm, "more-steps", trains on loop 1's data alone for i × that many steps: what more steps
 * alone would give. Every retriever is evaluated by every agent on the same held-out questions.
 */
export async function runFlywheel(ctx: JobContext): Promise<BenchReport> {
  const o = ctx.options;
  const data = await loadJobData(o.dataset, { seed: o.seed, testFraction: o.testFraction, limit: o.limit, corpusLimit: o.corpusLimit });
  const agents = await ctx.stack.agents(o.agents, o, data.documents);
  const report = emptyReport(ctx, `LRAT data flywheel (${o.loops} loops, fresh questions, fixed steps): ${data.name}`, agents, [data]);
  const baseEncoder = await ctx.stack.baseEncoder(o.encoder, o.retriever);
  let current: DenseRetriever = await denseRetriever(ctx, 'base', baseEncoder, data);
  report.provenance.retrievers.push(current.provenance);
  const chunk = Math.max(1, Math.floor(data.train.length / o.loops));
  if (data.train.length < o.loops) throw new Error(`flywheel: ${data.train.length} train questions cannot give ${o.loops} loops fresh questions; lower --loops or raise --limit`);
  const pool: Trajectory[] = [];
  const runs: RunRow[] = [];
  const retrieval: RetrievalRow[] = [];
  let steps = o.steps;
  let firstSamples: Parameters<typeof trainRetriever>[3] | undefined;

  const evaluate = async (r: DenseRetriever, loop: number, arm?: string) => {
    const row = await retrievalRow(r, data, data.test, loop, o.seed);
    retrieval.push(arm ? { ...row, retriever: `${row.retriever}/${arm}` } : row);
    const tested = await evaluateAgents(ctx, agents, [r], data, `loop ${loop}${arm ? ` ${arm}` : ''} `, `${r.name}@loop${loop}${arm ? `/${arm}` : ''}`);
    runs.push(...tested.map((c) => ({ ...runRow(c, data.name, data.hasAnswers, row.ndcg_at_10, how(c, data, ctx), loop, o.seed), ...(arm ? { arm } : {}) })));
  };

  await evaluate(current, 0);
  for (let loop = 1; loop <= o.loops; loop++) {
    const questions = data.train.slice((loop - 1) * chunk, loop === o.loops ? undefined : loop * chunk);
    const train = await collectRuns(ctx, agents, questions, current, 'train', data, `loop ${loop} collect `, `${current.name}@loop${loop - 1}`);
    runs.push(...train.map((c) => runRow(c, data.name, data.hasAnswers, null, how(c, data, ctx), loop - 1, o.seed)));
    pool.push(...train.flatMap((c) => c.run.trajectories));
    if (loop === 1) report.calibration = { paper: PAPER_AGENT_BEHAVIOUR, rows: calibrationRows(train, questions) };
    const name = `lrat-loop${loop}`;
    const mined = await mineLrat(ctx, name, pool, data);
    const trained = await trainRetriever(ctx, name, baseEncoder, mined.samples, true, data, steps);
    steps ??= trained.training.steps;
    if (loop === 1) firstSamples = mined.samples;
    report.mining.push(mined.mining);
    report.training.push(trained.training);
    report.weights.push(weightDistribution(name, mined.samples));
    current = { ...trained.retriever, name: 'lrat' };
    report.provenance.retrievers.push({ ...trained.retriever.provenance, name, description: `more data: ${loop} × ${chunk} fresh train questions pooled, ${steps} steps; ${trained.retriever.provenance.description}` });
    await evaluate(current, loop, 'more-data');
    if (loop > 1 && firstSamples) {
      const more = await trainRetriever(ctx, `lrat-steps${loop}`, baseEncoder, firstSamples, true, data, steps * loop);
      report.training.push(more.training);
      report.provenance.retrievers.push({ ...more.retriever.provenance, name: `lrat-steps${loop}`, description: `more steps: loop 1's data only, ${steps * loop} steps; ${more.retriever.provenance.description}` });
      await evaluate({ ...more.retriever, name: 'lrat' }, loop, 'more-steps');
    }
  }
  report.runs = runs;
  report.retrieval = retrieval;
  report.aggregates = aggregateRuns(runs, ctx.results);
  report.summary = studySummary(report);
  report.notes.push(`Each loop adds ${chunk} fresh train questions (never seen by earlier loops); every "more-data" retriever trains ${steps} steps from the base encoder, every "more-steps" one trains on loop 1's data for loop × ${steps} steps.`);
  return finish(ctx, report);
}
