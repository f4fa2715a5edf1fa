import { PAPER_AGENT_BEHAVIOUR, type BenchReport } from '@lrat/report';
import { loadJobData } from '../data';
import { aggregateRuns, differences, retrievalDifferences, runRow, RAW_QUESTIONS, RETRIEVAL_COMPARISONS } from '../rows';
import { studySummary } from '../summary';
import { tunedHybrid } from './hybrid';
import { bm25Retriever, calibrationRows, denseRetriever, emptyReport, evaluateAgents, finish, how, mineLrat, scoredRetrievalRows, trainRetriever, trainClozeReference, CLOZE_ROW, weightDistribution, type JobContext, collectRuns, inBackground, inDisplayOrder } from '../pipeline';

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

  const baseEncoder = await ctx.stack.baseEncoder(o.encoder, o.retriever);
  const baseIn = await denseRetriever(ctx, 'base', baseEncoder, inDomain);
  const train = await collectRuns(ctx, agents, inDomain.train, baseIn, 'train', inDomain, 'collect ');
  const mined = await mineLrat(ctx, 'lrat', train.flatMap((c) => c.run.trajectories), inDomain);
  // LRAT trains on a thread of its own while this thread indexes the new corpus and runs the agents
  // on the retrievers that need no training. Results do not depend on this order.
  const training = inBackground(trainRetriever(ctx, 'lrat', baseEncoder, mined.samples, true, inDomain));
  // The inverse-cloze pairs of the in-domain corpus alone (a retrieval row): what they give out of domain without agents.
  const clozeTraining = o.clozePairs ? inBackground(training.then(() => trainClozeReference(ctx, baseEncoder, inDomain))) : undefined;

  const base = await denseRetriever(ctx, 'base', baseEncoder, ood);
  const bm25 = await bm25Retriever(ctx, ood);
  // The fusion weights come from the in-domain TRAINING questions (the only labelled questions a
  // practitioner moving to a new corpus has); nothing out of domain chooses them.
  const bm25In = await bm25Retriever(ctx, inDomain);
  const where = `in-domain training questions of ${inDomain.name}`;
  const hybridBaseTuned = await tunedHybrid(ctx, 'hybrid-base', { bm25: bm25.searcher, dense: base.searcher }, { bm25: bm25In.searcher, dense: baseIn.searcher }, inDomain.train, 'base', where);
  const hybridBase = hybridBaseTuned.retriever;
  const tested = await evaluateAgents(ctx, oodAgents, [base, hybridBase, bm25], ood);
  const trained = await training;
  const lrat = await denseRetriever(ctx, 'lrat', trained.retriever.encoder, ood);
  const hybridTuned = await tunedHybrid(ctx, 'hybrid', { bm25: bm25.searcher, dense: lrat.searcher }, { bm25: bm25In.searcher, dense: trained.retriever.searcher }, inDomain.train, 'in-domain LRAT', where);
  const hybrid = hybridTuned.retriever;
  tested.push(...(await evaluateAgents(ctx, oodAgents, [lrat, hybrid], ood)));
  const all = [base, lrat, hybrid, hybridBase, bm25];
  inDisplayOrder(tested, all);
  const clozeTrained = await clozeTraining;
  const cloze = clozeTrained ? await denseRetriever(ctx, CLOZE_ROW, clozeTrained.retriever.encoder, ood) : undefined;
  if (cloze) cloze.provenance.description = `reference: the inverse-cloze pairs of ${inDomain.name} that lrat mixes in, alone (no agent data; retrieval only); ${cloze.provenance.description}`;
  const { rows: retrieval, scores } = await scoredRetrievalRows(cloze ? [...all, cloze] : all, ood, o.seed);
  const ndcg = new Map(retrieval.map((r) => [r.retriever, r.ndcg_at_10] as const));

  report.provenance.retrievers = [
    base.provenance,
    lrat.provenance,
    hybridTuned.provenance,
    hybridBaseTuned.provenance,
    bm25.provenance,
    ...(cloze ? [cloze.provenance] : []),
  ];
  report.runs = [
    ...train.map((c) => runRow(c, inDomain.name, inDomain.hasAnswers, null, how(c, inDomain, ctx), undefined, o.seed)),
    ...tested.map((c) => runRow(c, ood.name, ood.hasAnswers, ndcg.get(c.retriever) ?? null, how(c, ood, ctx), undefined, o.seed)),
  ];
  const seedRuns = [{ seed: o.seed, tested }];
  report.differences = [...differences(seedRuns, 'base', 'lrat', ood.name, ood.hasAnswers, o.resamples), ...differences(seedRuns, 'bm25', 'hybrid', ood.name, ood.hasAnswers, o.resamples), ...differences(seedRuns, 'bm25', 'lrat', ood.name, ood.hasAnswers, o.resamples)];
  for (const [b, t] of RETRIEVAL_COMPARISONS) report.differences.push(...retrievalDifferences([scores], b, t, ood.name, o.resamples));
  report.retrieval = retrieval;
  report.mining = [mined.mining];
  report.training = [trained.training, ...(clozeTrained ? [clozeTrained.training] : [])];
  report.weights = [weightDistribution('lrat', mined.samples)];
  report.calibration = { paper: PAPER_AGENT_BEHAVIOUR, rows: calibrationRows(train, inDomain.train) };
  const baseRow = retrieval[0];
  const lratRow = retrieval[1];
  const paired = report.differences.find((d) => d.agent === RAW_QUESTIONS && d.metric === 'ndcg_at_10' && d.baseline === 'base' && d.treatment === 'lrat');
  const interval = paired ? ` (paired Δ ${paired.delta >= 0 ? '+' : ''}${paired.delta.toFixed(4)}, 95 % CI [${paired.ci95[0].toFixed(4)}, ${paired.ci95[1].toFixed(4)}])` : '';
  report.notes.push(
    `Out-of-domain goal (no regression): nDCG@10 base ${baseRow.ndcg_at_10.toFixed(4)} → lrat ${lratRow.ndcg_at_10.toFixed(4)}${interval} — ${lratRow.ndcg_at_10 >= baseRow.ndcg_at_10 ? 'no regression' : 'REGRESSION'}.`,
  );
  report.aggregates = aggregateRuns(report.runs, ctx.results);
  report.summary = studySummary(report);
  return finish(ctx, report);
}
