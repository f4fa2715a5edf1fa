import * as os from 'os';
import * as path from 'path';
import { createProgress } from '@lrat/core';
import { type Agent, type Question } from '@lrat/agents';
import { bootstrapMeanCi, calibrationStats, evaluateRetrieval, type QuestionResult, type RetrievalEvaluation } from '@lrat/evaluation';
import { defaultReportDir, makeRunId, REPORT_SCHEMA, type AgentProvenance, type BenchReport, type CalibrationRow, type MiningSummary, type RetrievalRow, type RetrieverProvenance, type TrainingSummary, type WeightDistribution } from '@lrat/report';
import { inverseClozePairs, type LratSample } from '@lrat/miners';
import type { Trajectory } from '@lrat/trajectory';
import { isCountedLength } from '@lrat/weighting';
import type { JobData } from './data';
import { collect, type Collected, type Retriever } from './collect';
import type { SeedRetrievalScores } from './rows';
export type { Retriever } from './collect';
import type { BenchOptions, JobName } from './options';
import { clozeLabel, recordedConfig, wiseFtLabel, workspaceRoot } from './options';
import type { BenchStack } from './real-stack';
import type { BenchEncoder } from './stack';

// Stages shared by the jobs: retrievers, collection, mining + training, evaluation, and the report
// skeleton with its provenance.

export interface JobContext {
  job: JobName;
  options: BenchOptions;
  stack: BenchStack;
  runId: string;
  startedAt: number;
  /** Human-readable lines (stderr by default, so stdout keeps the result table). */
  log: (line: string) => void;
  /** Every per-question result of the job, for questions.csv. */
  results: QuestionResult[];
  /** The report folder (trained models go to its models/). */
  outDir: string;
}

export function createContext(job: JobName, options: BenchOptions, stack: BenchStack, log?: (line: string) => void): JobContext {
  const runId = makeRunId(job);
  const outDir = options.out ?? defaultReportDir(workspaceRoot(), runId);
  return { job, options, stack, runId, startedAt: Date.now(), log: log ?? ((l) => process.stderr.write(`${l}\n`)), results: [], outDir };
}

/** A progress callback drawing a bar for one long stage. */
export function stageProgress(label: string): { onProgress: (done: number, total: number, info?: string) => void; stop: () => void } {
  let bar: ReturnType<typeof createProgress> | null = null;
  return {
    onProgress(done, total, info) {
      if (!bar) bar = createProgress({ label, total });
      bar.setTotal(total);
      bar.update(done, info);
    },
    stop() {
      bar?.stop();
    },
  };
}

export interface DenseRetriever extends Retriever {
  encoder: BenchEncoder;
  provenance: RetrieverProvenance;
}

export async function denseRetriever(ctx: JobContext, name: string, encoder: BenchEncoder, data: JobData): Promise<DenseRetriever> {
  const p = stageProgress(`index ${name} (${data.name}, ${data.corpus.length} docs)`);
  const searcher = await ctx.stack.denseSearcher(encoder, data.corpus, p.onProgress);
  p.stop();
  const e = encoder.encoder;
  return {
    name,
    searcher,
    encoder,
    provenance: { name, kind: 'dense', encoder: { id: e.id, version: e.version, dim: e.dim }, index: 'exact inner product (Flat)', description: encoder.description },
  };
}

export async function bm25Retriever(ctx: JobContext, data: JobData): Promise<Retriever & { provenance: RetrieverProvenance }> {
  const p = stageProgress(`index bm25 (${data.name})`);
  const searcher = await ctx.stack.bm25Searcher(data.corpus, p.onProgress);
  p.stop();
  return { name: 'bm25', searcher, provenance: { name: 'bm25', kind: 'bm25', description: 'BM25 over title + text (@lrat/indexer)' } };
}

/** What each kind of agent may see, in the report's words. */
export function agentSees(a: Agent): { readsLabels: boolean; sees: string } {
  if (a.name.startsWith('oracle:')) return { readsLabels: true, sees: 'READS THE LABELS: the question\'s gold evidence (qrels) steers what it opens, accepts and writes, and a complete set copies the gold answer' };
  if (a.simulated) return { readsLabels: false, sees: 'text only: the question, result snippets, opened documents and its own notes (no qrels, no gold answer)' };
  if (a.name.startsWith('replay')) return { readsLabels: false, sees: 'recorded trajectories replayed as they were' };
  return { readsLabels: false, sees: 'an LLM calling the search tools: the question, snippets and documents' };
}

export function agentProvenance(agents: readonly Agent[], options: BenchOptions): AgentProvenance[] {
  return agents.map((a) => {
    const backend = a.simulated ? 'simulated' : a.name.startsWith('replay') ? 'replay' : 'openai';
    return {
      name: a.name,
      backend,
      simulated: a.simulated,
      ...(a.simulated ? { profile: a.name.replace(/^(simulated|oracle):/, '') } : {}),
      ...(backend === 'openai' ? { model: a.name.startsWith('openai:') ? a.name.slice('openai:'.length) : options.model, baseUrl: options.baseUrl } : {}),
      ...agentSees(a),
    };
  });
}

export interface MinedTraining {
  name: string;
  samples: LratSample[];
  mining: MiningSummary;
}

/** A retriever or mining-pass name as a file name (`+reweight` → `_reweight`). */
function fileName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/**
 * `lrat mine` over the trajectories (official miner + judge + reasoning weights over every mined
 * sample; trajectories and rows kept under the report folder, one pair of files per pass and seed),
 * then what `lrat train` reads of its output: the satisfied rows, weights as written.
 */
export async function mineLrat(ctx: JobContext, name: string, trajectories: readonly Trajectory[], data: Pick<JobData, 'corpusFile' | 'train'>): Promise<MinedTraining & { all: LratSample[] }> {
  const mined = await ctx.stack.mine(trajectories, data.corpusFile, ctx.options.judge, { dir: ctx.outDir, name: `${fileName(name)}-seed${ctx.options.seed}` });
  for (const e of mined.issues) ctx.log(`mine ${name}: ${e.message}`);
  const weighted = mined.samples;
  const s = mined.summary;
  // Evaluation only, after mining: how many kept positives are gold evidence of a training question.
  const gold = new Set(data.train.flatMap((q) => q.evidence));
  const positives = weighted.flatMap((x) => x.pos_id);
  return {
    name,
    samples: weighted,
    all: mined.rows,
    mining: {
      retriever: name,
      trajectories: trajectories.length,
      samples: s.samples,
      kept: weighted.length,
      meanNegatives: mean(weighted.map((x) => x.neg_id.length)),
      judge: mined.judge,
      positivesGold: positives.length ? positives.filter((d) => gold.has(d)).length / positives.length : 0,
      seed: ctx.options.seed,
      how: `official LRAT miner (lrat mine) over ${trajectories.length} train trajectories (${s.dropped} dropped); kept the browses the ${mined.judge} judge called RELEVANT; reasoning-length weights${s.withoutNegatives ? `; ${s.withoutNegatives} samples without any negative left out, as lrat mine does` : ''}; rows in ${path.relative(ctx.outDir, mined.files.samples)}`,
    },
  };
}

/** The row trained on the inverse-cloze pairs alone: what the corpus pairs give without any agent. */
export const CLOZE_ROW = 'cloze';

/**
 * The inverse-cloze pairs (--cloze-pairs) of a seed's training corpus: drawn from the seed alone, so
 * every retriever of the seed mixes in the same pairs. Empty when the option is 0 or unset.
 */
export function clozeSamples(ctx: JobContext, data: Pick<JobData, 'corpus'>): LratSample[] {
  return inverseClozePairs(data.corpus, { count: ctx.options.clozePairs ?? 0, seed: ctx.options.seed });
}

/** Trains `name` on its samples plus the seed's inverse-cloze pairs (clozeSamples), the study's recipe for every trained row. */
export function trainRetriever(ctx: JobContext, name: string, base: BenchEncoder, samples: readonly LratSample[], weighted: boolean, data: JobData, steps?: number): Promise<{ retriever: DenseRetriever; training: TrainingSummary }> {
  if (samples.length === 0) throw new Error(`${name}: no training samples were mined — the agents browsed nothing usable; check the trajectories`);
  return trainOn(ctx, name, base, [...samples, ...clozeSamples(ctx, data)], samples.length, weighted, data, steps, `${samples.length} samples${clozeLabel(ctx.options.clozePairs)}`);
}

/** The `cloze` reference row: the inverse-cloze pairs alone, trained as every other row (weighted). */
export function trainClozeReference(ctx: JobContext, base: BenchEncoder, data: JobData): Promise<{ retriever: DenseRetriever; training: TrainingSummary }> {
  const pairs = clozeSamples(ctx, data);
  return trainOn(ctx, CLOZE_ROW, base, pairs, pairs.length, true, data, undefined, `${ctx.options.clozePairs} inverse-cloze pairs of the training corpus alone (no agent data)`);
}

/** `own`: the row's own samples among `samples` (the rest are the mixed-in inverse-cloze pairs), what its summary counts. */
async function trainOn(ctx: JobContext, name: string, base: BenchEncoder, samples: readonly LratSample[], own: number, weighted: boolean, data: JobData, steps: number | undefined, what: string): Promise<{ retriever: DenseRetriever; training: TrainingSummary }> {
  const p = stageProgress(`train ${name} (${samples.length} samples)`);
  const outDir = path.join(ctx.outDir, 'models', fileName(name));
  // A fixed step budget: enough passes over the data to reach it, then stop there.
  const epochs = steps === undefined ? ctx.options.epochs : Math.max(1, Math.ceil((steps * ctx.options.batchSize) / samples.length));
  const o = ctx.options;
  const trained = await ctx.stack.train(base, samples, {
    epochs,
    batchSize: o.batchSize,
    ...(o.lr === undefined ? {} : { lr: o.lr }),
    ...(o.temperature === undefined ? {} : { temperature: o.temperature }),
    ...(o.groupSize === undefined ? {} : { groupSize: o.groupSize }),
    ...(o.wiseFt === undefined ? {} : { wiseFt: o.wiseFt }),
    seed: o.seed,
    weighted,
    outDir,
    onProgress: p.onProgress,
    ...(steps === undefined ? {} : { maxSteps: steps }),
  });
  p.stop();
  const retriever = await denseRetriever(ctx, name, trained.encoder, data);
  return {
    retriever,
    training: {
      retriever: name,
      samples: own,
      epochs,
      steps: trained.steps,
      seconds: trained.seconds,
      backend: trained.backend,
      finalLoss: trained.finalLoss,
      seed: ctx.options.seed,
      how: `${weighted ? 'weighted' : 'unweighted'} InfoNCE on ${what}, from ${base.encoder.id}@${base.encoder.version}, batch ${o.batchSize}, lr ${o.lr ?? 'trainer default'}, temperature ${o.temperature ?? 'trainer default'}, group ${o.groupSize ?? 'trainer default'}${wiseFtLabel(o.wiseFt)}, seed ${ctx.options.seed}`,
    },
  };
}

export async function retrievalRow(retriever: Retriever, data: JobData, questions: readonly Question[], loop?: number, seed?: number): Promise<RetrievalRow> {
  return (await scoredRetrievalRow(retriever, data, questions, loop, seed)).row;
}

/**
 * The retrieval rows of several retrievers on the held-out questions of one seed, with each
 * question's scores (for paired differences: rows.ts retrievalDifferences).
 */
export async function scoredRetrievalRows(retrievers: readonly Retriever[], data: JobData, seed: number): Promise<{ rows: RetrievalRow[]; scores: SeedRetrievalScores }> {
  const rows: RetrievalRow[] = [];
  const byRetriever = new Map<string, RetrievalEvaluation['perQuestion']>();
  for (const r of retrievers) {
    const scored = await scoredRetrievalRow(r, data, data.test, undefined, seed);
    rows.push(scored.row);
    byRetriever.set(r.name, scored.perQuestion);
  }
  return { rows, scores: { seed, byRetriever } };
}

/** `retrievalRow` with each question's scores. */
async function scoredRetrievalRow(retriever: Retriever, data: JobData, questions: readonly Question[], loop?: number, seed?: number): Promise<{ row: RetrievalRow; perQuestion: RetrievalEvaluation['perQuestion'] }> {
  const p = stageProgress(`retrieval eval ${retriever.name} (${data.name})`);
  const r = await evaluateRetrieval(retriever.searcher, questions, { onProgress: p.onProgress });
  p.stop();
  const row: RetrievalRow = {
    retriever: retriever.name,
    dataset: data.name,
    split: 'test',
    queries: r.questions,
    ndcg_at_10: r.ndcgAt10,
    recall_at_100: r.recallAt100,
    ndcg_ci95: bootstrapMeanCi(r.perQuestion.map((x) => x.ndcgAt10), { seed: `${retriever.name}:ndcg`, resamples: 1000 }),
    recall_ci95: bootstrapMeanCi(r.perQuestion.map((x) => x.recallAt100), { seed: `${retriever.name}:recall`, resamples: 1000 }),
    ...(seed === undefined ? {} : { seed }),
    ...(loop === undefined ? {} : { loop }),
    how: `raw test questions as queries over ${data.corpus.length} docs, qrels of ${data.name}`,
  };
  return { row, perQuestion: r.perQuestion };
}

/** Every agent on the questions with one retriever; per-question rows go to the job's CSV. */
export async function collectRuns(ctx: JobContext, agents: readonly Agent[], questions: readonly Question[], retriever: Retriever, split: 'train' | 'test', data: JobData, label = '', csvRetriever?: string): Promise<Collected[]> {
  const sink: QuestionResult[] = [];
  const out = await collect(agents, questions, retriever, split, data, ctx.options, label, sink, ctx.stack.answerJudge());
  ctx.results.push(...sink.map((r) => ({ ...r, retriever: csvRetriever ?? r.retriever, seed: ctx.options.seed })));
  return out;
}

/** Every agent on the test questions with each retriever. */
export async function evaluateAgents(ctx: JobContext, agents: readonly Agent[], retrievers: readonly Retriever[], data: JobData, label = '', csvRetriever?: string): Promise<Collected[]> {
  const out: Collected[] = [];
  for (const r of retrievers) out.push(...(await collectRuns(ctx, agents, data.test, r, 'test', data, label, csvRetriever)));
  return out;
}

export function weightDistribution(name: string, samples: readonly LratSample[], bins = 20): WeightDistribution {
  const w = samples.map((s) => s.reweight_rate ?? 1);
  const lens = samples.map((s) => s.reasoning_len).filter(isCountedLength).sort((a, b) => a - b);
  const half = lens.length === 0 ? 1 : lens.length % 2 ? lens[(lens.length - 1) / 2] : (lens[lens.length / 2 - 1] + lens[lens.length / 2]) / 2;
  const min = w.length ? Math.min(...w) : 0;
  const max = w.length ? Math.max(...w) : 0;
  const width = max > min ? (max - min) / bins : 1;
  const hist = Array.from({ length: max > min ? bins : 1 }, (_, i) => ({ lo: min + i * width, hi: min + (i + 1) * width, count: 0 }));
  for (const v of w) hist[Math.min(hist.length - 1, Math.floor((v - min) / width))].count++;
  return { name, samples: w.length, halfLife: half, mean: mean(w), min, max, bins: hist, how: 'reweight_rate of the kept samples (docs/lrat-algorithm.md §4)' };
}

/** Table 1 / fig. 4c / fig. 4d statistics of each agent's trajectories (@lrat/evaluation's `calibrationStats`). */
export function calibrationRows(collected: readonly Collected[], questions: readonly Question[]): CalibrationRow[] {
  const evidence = new Map(questions.map((q) => [q.id, q.evidence] as const));
  return collected.map((c) => {
    const items = c.run.trajectories.map((t, i) => ({ trajectory: t, success: c.run.results[i]?.success ?? false, evidence: evidence.get(t.questionId ?? '') ?? [] }));
    const s = calibrationStats(items);
    const group = (g: typeof s.solved) => ({ tasks: g.tasks, searches: g.searches, browses: g.browses, ratio: g.browseSearchRatio });
    return {
      agent: c.agent.name,
      simulated: c.agent.simulated,
      tasks: items.length,
      solved: group(s.solved),
      failed: group(s.failed),
      browseRankShare: s.browseRankShare,
      reasoningLen: { evidence: s.reasoningTokensAfterEvidence, nonEvidence: s.reasoningTokensAfterNonEvidence },
      how: `${c.run.trajectories.length} ${c.split} trajectories of ${c.agent.name} through ${c.retriever}; ${s.evidenceBrowses} evidence / ${s.nonEvidenceBrowses} other browses, ${s.browsesUnshown} browses of docs not in a shown list`,
    };
  });
}

export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

export function emptyReport(ctx: JobContext, title: string, agents: readonly Agent[], datasets: readonly JobData[]): BenchReport {
  const simulated = agents.length > 0 && agents.every((a) => a.simulated);
  return {
    schema: REPORT_SCHEMA,
    title: `${title}${simulated ? ' (simulated agents)' : ''}`,
    provenance: {
      job: ctx.job,
      runId: ctx.runId,
      createdAt: new Date(ctx.startedAt).toISOString(),
      durationSeconds: 0,
      seed: ctx.options.seed,
      seeds: seedList(ctx.options),
      simulated,
      agents: agentProvenance(agents, ctx.options),
      retrievers: [],
      datasets: datasets.map((d) => d.provenance),
      judges: {
        answer: !datasets.some((d) => d.hasAnswers)
          ? 'none (no gold answers: success not measured)'
          : ctx.options.answerJudge === 'llm'
            ? `success = LLM judge ${ctx.options.judgeModel ?? ''} at ${ctx.options.judgeBaseUrl ?? ''} (its own endpoint), for every agent; exact match and token F1 reported beside it`
            : ctx.options.answerJudge === 'f1'
              ? 'success = token F1 ≥ 0.5 against the gold answer (SQuAD normalisation), offline; exact match reported beside it'
              : 'success = normalised exact match against the gold answer (SQuAD-style), offline; token F1 reported beside it',
        mining: ctx.options.judge === 'llm' ? `LLM judge ${ctx.options.judgeModel ?? ''} at ${ctx.options.judgeBaseUrl ?? '?'} (its own endpoint)` : 'rule judge (offline: keeps a browse unless the post-browse reasoning clearly calls it not relevant)',
      },
      versions: ctx.stack.versions(),
      host: { platform: process.platform, arch: process.arch, cpus: os.cpus().length },
      config: recordedConfig(ctx.job, ctx.options),
    },
    runs: [],
    differences: [],
    retrieval: [],
    training: [],
    mining: [],
    weights: [],
    notes: [
      ...(ctx.options.corpusLimit !== undefined ? [`Corpus capped at ${ctx.options.corpusLimit} docs plus the selected questions' evidence (smoke configuration): numbers are not comparable with full runs.`] : []),
      ...(ctx.options.limit !== undefined ? [`At most ${ctx.options.limit} questions per split (--limit).`] : []),
    ],
  };
}

export function finish(ctx: JobContext, report: BenchReport): BenchReport {
  report.provenance.durationSeconds = (Date.now() - ctx.startedAt) / 1000;
  return report;
}

/** The seeds a study repeats itself with: seed, seed + 1, ... */
export function seedList(o: BenchOptions): number[] {
  return Array.from({ length: Math.max(1, o.seeds ?? 1) }, (_, i) => o.seed + i);
}

/** The job context for one seed (split, training and agent randomness all follow options.seed). */
export function withSeed(ctx: JobContext, seed: number): JobContext {
  return { ...ctx, options: { ...ctx.options, seed } };
}

/** "simulated careful via lrat on 220 test questions of multihop-wiki, seed 13" */
export function how(c: Collected, data: JobData, ctx: JobContext): string {
  const kind = c.agent.name.startsWith('oracle:') ? 'simulated agent (oracle: reads the qrels)' : c.agent.simulated ? 'simulated agent (text only)' : 'LLM agent';
  return `${kind} ${c.agent.name} searching ${c.retriever} on ${c.run.results.length} ${c.split} questions of ${data.name}, seed ${ctx.options.seed}${c.run.errors.length ? `, ${c.run.errors.length} questions failed with errors` : ''}`;
}

/**
 * A job's step started now and awaited later (a training on its own thread): its failure is
 * reported where it is awaited, not as an unhandled rejection while the job awaits something else.
 */
export function inBackground<T>(work: Promise<T>): Promise<T> {
  work.catch(() => undefined);
  return work;
}

/**
 * Sorts runs in place into the retrievers' display order (stable: agents keep their order within a
 * retriever), for jobs that test retrievers as they become ready.
 */
export function inDisplayOrder(tested: Collected[], retrievers: readonly Retriever[]): void {
  const rank = (name: string) => retrievers.findIndex((r) => r.name === name);
  tested.sort((a, b) => rank(a.retriever) - rank(b.retriever));
}
