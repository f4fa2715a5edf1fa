import { PAPER_AGENT_BEHAVIOUR, type BenchReport } from '@lrat/harness';
import { loadJobData } from '../data';
import { differences, runRow } from '../rows';
import { bm25Retriever, calibrationRows, denseRetriever, emptyReport, evaluateAgents, finish, how, mineLrat, retrievalRow, trainRetriever, weightDistribution, type JobContext, collectRuns } from '../pipeline';

/**
 * The retriever trained in domain (train trajectories of --dataset), evaluated on the out-of-domain
 * set against the base retriever and BM25: BEIR metrics on its test queries, and the agents' evidence
 * task on the same queries (success is measured only when the set has gold answers).
 */
export async function runOutOfDomain(ctx: JobContext): Promise<BenchReport> {
  const o = ctx.options;
  const inDomain = await loadJobData(o.dataset, { seed: o.seed, testFraction: o.testFraction, limit: o.limit, corpusLimit: o.corpusLimit });
  const ood = await loadJobData(o.oodDataset, { seed: o.seed, testFraction: 1, limit: o.limit, corpusLimit: o.corpusLimit, qrels: 'test.tsv' });
  const agents = await ctx.stack.agents(o.agents, o, inDomain.documents);
  const oodAgents = await ctx.stack.agents(o.agents, o, ood.documents);
  const report = emptyReport(ctx, `LRAT out-of-domain: trained on ${inDomain.name}, tested on ${ood.name}`, agents, [inDomain, ood]);

  const baseEncoder = await ctx.stack.baseEncoder(o.retriever);
  const baseIn = await denseRetriever(ctx, 'base', baseEncoder, inDomain);
  const train = await collectRuns(ctx, agents, inDomain.train, baseIn, 'train', inDomain, 'collect ');
  const mined = await mineLrat(ctx, 'lrat', train.flatMap((c) => c.run.trajectories), inDomain);
  const trained = await trainRetriever(ctx, 'lrat', baseEncoder, mined.samples, true, inDomain);

  const base = await denseRetriever(ctx, 'base', baseEncoder, ood);
  const lrat = await denseRetriever(ctx, 'lrat', trained.retriever.encoder, ood);
  const bm25 = await bm25Retriever(ctx, ood);
  const retrieval = [await retrievalRow(base, ood, ood.test), await retrievalRow(lrat, ood, ood.test), await retrievalRow(bm25, ood, ood.test)];
  const ndcg = new Map(retrieval.map((r) => [r.retriever, r.ndcg_at_10] as const));
  const tested = await evaluateAgents(ctx, oodAgents, [base, lrat, bm25], ood);

  report.provenance.retrievers = [base.provenance, lrat.provenance, bm25.provenance];
  report.runs = [
    ...train.map((c) => runRow(c, inDomain.name, inDomain.hasAnswers, null, how(c, inDomain, ctx))),
    ...tested.map((c) => runRow(c, ood.name, ood.hasAnswers, ndcg.get(c.retriever) ?? null, how(c, ood, ctx))),
  ];
  const by = (name: string) => tested.filter((c) => c.retriever === name);
  report.differences = [...differences(by('base'), by('lrat'), ood.name, ood.hasAnswers, o.seed, o.resamples), ...differences(by('bm25'), by('lrat'), ood.name, ood.hasAnswers, o.seed, o.resamples)];
  report.retrieval = retrieval;
  report.mining = [mined.mining];
  report.training = [trained.training];
  report.weights = [weightDistribution('lrat', mined.samples)];
  report.calibration = { paper: PAPER_AGENT_BEHAVIOUR, rows: calibrationRows(train, inDomain.train) };
  const baseRow = retrieval[0];
  const lratRow = retrieval[1];
  report.notes.push(
    `Out-of-domain goal (no regression): nDCG@10 base ${baseRow.ndcg_at_10.toFixed(4)} → lrat ${lratRow.ndcg_at_10.toFixed(4)} — ${lratRow.ndcg_at_10 >= baseRow.ndcg_at_10 ? 'no regression' : 'REGRESSION'}.`,
  );
  return finish(ctx, report);
}
