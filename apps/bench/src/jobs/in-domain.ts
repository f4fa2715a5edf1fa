import { PAPER_AGENT_BEHAVIOUR, type BenchReport } from '@lrat/harness';
import type { Collected } from '../collect';
import { loadJobData } from '../data';
import { differences, runRow } from '../rows';
import {
  bm25Retriever,
  calibrationRows,
  denseRetriever,
  emptyReport,
  evaluateAgents,
  finish,
  how,
  mineLrat,
  retrievalRow,
  trainRetriever,
  weightDistribution,
  type JobContext,
  collectRuns,
} from '../pipeline';

/**
 * base retriever → train trajectories with every agent → mine → weight → train → re-index →
 * every agent on the held-out questions with base, LRAT and BM25.
 */
export async function runInDomain(ctx: JobContext): Promise<BenchReport> {
  const o = ctx.options;
  const data = await loadJobData(o.dataset, { seed: o.seed, testFraction: o.testFraction, limit: o.limit, corpusLimit: o.corpusLimit });
  const agents = await ctx.stack.agents(o.agents, o, data.documents);
  const report = emptyReport(ctx, `LRAT in-domain: ${data.name}`, agents, [data]);

  const baseEncoder = await ctx.stack.baseEncoder(o.retriever);
  const base = await denseRetriever(ctx, 'base', baseEncoder, data);
  const bm25 = await bm25Retriever(ctx, data);

  const train = await collectRuns(ctx, agents, data.train, base, 'train', data, 'collect ');
  const trajectories = train.flatMap((c) => c.run.trajectories);
  const mined = await mineLrat(ctx, 'lrat', trajectories, data);
  const lrat = await trainRetriever(ctx, 'lrat', baseEncoder, mined.samples, true, data);

  const tested = await evaluateAgents(ctx, agents, [base, lrat.retriever, bm25], data);
  const retrieval = [await retrievalRow(base, data, data.test), await retrievalRow(lrat.retriever, data, data.test), await retrievalRow(bm25, data, data.test)];
  const ndcg = new Map(retrieval.map((r) => [r.retriever, r.ndcg_at_10] as const));

  report.provenance.retrievers = [base.provenance, lrat.retriever.provenance, bm25.provenance];
  report.runs = [
    ...train.map((c) => runRow(c, data.name, data.hasAnswers, null, how(c, data, ctx))),
    ...tested.map((c) => runRow(c, data.name, data.hasAnswers, ndcg.get(c.retriever) ?? null, how(c, data, ctx))),
  ];
  const byRetriever = (name: string) => tested.filter((c) => c.retriever === name);
  report.differences = [
    ...differences(byRetriever('base'), byRetriever('lrat'), data.name, data.hasAnswers, o.seed, o.resamples),
    ...differences(byRetriever('bm25'), byRetriever('lrat'), data.name, data.hasAnswers, o.seed, o.resamples),
  ];
  report.retrieval = retrieval;
  report.mining = [mined.mining];
  report.training = [lrat.training];
  report.weights = [weightDistribution('lrat', mined.samples)];
  report.calibration = { paper: PAPER_AGENT_BEHAVIOUR, rows: calibrationRows(train, data.train) };
  report.notes.push(...goalNotes(byRetriever('base'), byRetriever('lrat')));
  const er = (name: string) => report.runs.filter((r) => r.split === 'test' && r.retriever === name).reduce((acc, r, _i, all) => acc + r.evidence_recall / all.length, 0);
  if (er('bm25') > er('lrat')) {
    report.notes.push(`BM25 (mean evidence recall ${er('bm25').toFixed(3)}) beats the LRAT-trained dense retriever (${er('lrat').toFixed(3)}) on this data: LRAT improves its base encoder (${report.provenance.retrievers[0].encoder?.id ?? 'dense'}), which starts far below BM25 here.`);
  }
  return finish(ctx, report);
}

/** The issue's goals, checked honestly (never asserted in tests). */
export function goalNotes(base: readonly Collected[], lrat: readonly Collected[]): string[] {
  const notes: string[] = [];
  for (const b of base) {
    const t = lrat.find((x) => x.agent.name === b.agent.name);
    if (!t) continue;
    const avg = (c: Collected, f: (r: Collected['run']['results'][number]) => number) => c.run.results.reduce((s, r) => s + f(r), 0) / Math.max(1, c.run.results.length);
    const er = [avg(b, (r) => r.evidenceRecall), avg(t, (r) => r.evidenceRecall)];
    const su = [avg(b, (r) => (r.success ? 1 : 0)), avg(t, (r) => (r.success ? 1 : 0))];
    const st = [avg(b, (r) => r.steps), avg(t, (r) => r.steps)];
    const rel = er[0] > 0 ? (er[1] - er[0]) / er[0] : NaN;
    const met = rel >= 0.25 && su[1] > su[0] && st[1] < st[0];
    notes.push(
      `Goal (≥ +25 % relative evidence recall, success up, steps down) for ${b.agent.name}: ${met ? 'met' : 'NOT met'} — evidence recall ${er[0].toFixed(3)} → ${er[1].toFixed(3)} (${Number.isFinite(rel) ? `${rel >= 0 ? '+' : ''}${(100 * rel).toFixed(1)} %` : 'n/a'}), success ${su[0].toFixed(3)} → ${su[1].toFixed(3)}, steps ${st[0].toFixed(2)} → ${st[1].toFixed(2)}.`,
    );
  }
  return notes;
}
