import * as path from 'path';
import type { TrainSides } from '@lrat/trainer';

// The jobs' configuration: what the flags set, with the defaults a fresh clone runs offline.

export const JOB_NAMES = ['in-domain', 'out-of-domain', 'flywheel', 'ablation'] as const;
export type JobName = (typeof JOB_NAMES)[number];

export interface BenchOptions {
  /** In-domain BEIR folder (train trajectories and held-out questions). */
  dataset: string;
  /** Out-of-domain BEIR folder (out-of-domain job only). */
  oodDataset: string;
  /** Agent specs: `reader` (text-only simulated agent), oracle profiles (`oracle:careful`, ...), `openai`, ... */
  agents: string[];
  /** Kind of the dense encoder every study starts from and trains (a @lrat/trainer encoder kind). */
  encoder: string;
  /** A pretrained retriever folder (e.g. a Hugging Face model folder) loaded as the base encoder. */
  retriever?: string;
  /** Which sides the trained retrievers train (@lrat/trainer's TRAINABLE_SIDES per kind); undefined = the encoder's default. */
  trainSides?: TrainSides;
  /** First seed; `seeds` runs use seed, seed + 1, ... (split, training and agent randomness). */
  seed: number;
  /** How many seeds to repeat the whole study with. */
  seeds: number;
  /** Cap on questions per split (train and test each); undefined = all. */
  limit?: number;
  /** Held-out share of in-domain questions. */
  testFraction: number;
  /** Output folder; default results/<run-id>/. */
  out?: string;
  /** OpenAI-compatible endpoint for `openai` agents (never used for judging). */
  baseUrl?: string;
  model?: string;
  /** Browse judge used while mining: offline `rule` or `llm` (needs --judge-base-url and --judge-model). */
  judge: 'rule' | 'llm';
  /** How final answers are scored: exact match, token F1 ≥ 0.5, or an LLM judge (EM and F1 are always reported). */
  answerJudge: 'em' | 'f1' | 'llm';
  /** The LLM judges' own endpoint and model (answer judge and mining judge); never the agent's silently. */
  judgeBaseUrl?: string;
  judgeModel?: string;
  /** Flywheel: training steps per loop, held fixed across loops (undefined: the first loop's step count). */
  steps?: number;
  /** Print the resolved configuration as JSON and exit without running the job. */
  dryRun?: boolean;
  epochs: number;
  batchSize: number;
  /** Learning rate of every trained retriever; undefined = @lrat/trainer's default for the encoder kind. */
  lr?: number;
  /** InfoNCE temperature of every trained retriever; undefined = @lrat/trainer's default (0.02). */
  temperature?: number;
  /** Passages per query in training (1 positive + groupSize − 1 negatives); undefined = @lrat/trainer's default (10). */
  groupSize?: number;
  /** WiSE-FT α of every trained retriever (base + α · (trained − base)); undefined = 1, the trained weights. */
  wiseFt?: number;
  /** Inverse-cloze pairs of the training corpus mixed into every trained retriever's samples (@lrat/miners); undefined or 0 = none. */
  clozePairs?: number;
  /** Flywheel loops. */
  loops: number;
  /** Questions in flight per agent (raise for remote LLM agents). */
  concurrency: number;
  /** Per-question time limit for agents, in seconds. */
  timeoutSeconds: number;
  /** Bootstrap resamples for confidence intervals. */
  resamples: number;
  /** Where embeddings and models are cached between runs. */
  cacheDir: string;
  /** Keep at most this many corpus docs (gold evidence of the selected questions always kept); for smoke runs. */
  corpusLimit?: number;
}

/** What the studies train with for an encoder kind when no flag says otherwise. */
export interface StudyTraining {
  lr?: number;
  epochs?: number;
  temperature?: number;
  groupSize?: number;
  trainSides?: TrainSides;
  wiseFt?: number;
  clozePairs?: number;
}

/** Epochs of every trained retriever for kinds without a study setting. */
export const DEFAULT_STUDY_EPOCHS = 2;

/**
 * The studies' training settings per encoder kind (other kinds: the trainer's defaults, 2 epochs).
 * use-adapter: lr 3e-4, 8 epochs, temperature 0.02, 10 passages a query (the trainer's defaults for
 * the last two). Chosen on the TRAINING questions only — the held-out questions never score a setting
 * (apps/bench/studies/study-dev-sweep.js, seed 13: the 400 training questions cut into 300 whose base-
 * retriever trajectories are mined, 882 kept samples, and 100 dev questions scoring nDCG@10): base
 * 0.362; lr 3e-4 × 2 epochs 0.432, × 4 0.441, × 8 0.443 (chosen); lr 1e-3 × 2 0.415, × 4 0.396;
 * lr 1e-4 × 2 0.415 (earlier sweep); temperature 0.05 0.440 (0.440 at 4 epochs), 0.1 0.429; 4 passages a query
 * 0.423, 16 0.426; unweighted 0.429; only the query adapter trained 0.420 (0.434 at 4 epochs,
 * 0.434 at lr 1e-3 × 4), only the document adapter 0.425; mlp adapter 0.412 (earlier sweep).
 * Every setting lands within 0.432 ± 0.011: the adapter on frozen USE-lite saturates at about +0.08.
 * Agents' evidence recall on the 100 dev questions (reader / oracle:careful): base 0.710 / 0.780,
 * 2 epochs 0.715 / 0.815, 4 epochs 0.730 / 0.810, 8 epochs 0.745 / 0.825 — the same order.
 */
export const STUDY_TRAINING: Readonly<Record<string, StudyTraining>> = {
  'use-adapter': { lr: 3e-4, epochs: 8 },
  /**
   * use: every weight of USE-lite's query tower, documents frozen (trainSides query). A step over both
   * towers embeds 320 passages of ≈ 128 tokens under the tape (tens of seconds on 2 cores) and the
   * trained model would re-encode the 10,787-paragraph corpus; the query tower alone is ≈ 0.7 s a step
   * and reuses the base index. Chosen on the same 300 / 100 split of TRAINING questions as above
   * (study-dev-sweep.js --configs '[{"encoder":"use","trainSides":"query","lr":1e-4,"epochs":4}]'):
   * base 0.362; lr 1e-4 × 4 epochs 0.451 (chosen), × 2 0.444, × 8 0.440; use-adapter's setting in the
   * same run 0.443. A first prototype (the same model composed in a script, before length buckets)
   * also gave lr 2e-4 × 4 0.449, lr 5e-5 × 2 0.423, the query tower with the linear document adapter
   * beside it 0.440; and on the TRAIN queries of SciFact (an out-of-domain dev set: its test queries
   * score the studies) it kept the base's nDCG@10 (0.231 → 0.233) where use-adapter lost it (→ 0.212).
   * The default (DEFAULT_STUDY_ENCODER): the in-domain study trains lrat, gold and click (≈ 1,100
   * steps at 4 epochs), within its 15-minute budget on 2 cores since the steps run on the native BLAS.
   *
   * clozePairs 1000: every trained retriever also learns from 1,000 inverse-cloze pairs of the
   * training corpus (a sentence → its passage; no labels, no agent), the same pairs for every row.
   * LRAT pairs alone lowered the out-of-domain dev score (SciFact TRAIN queries, base 0.2410 → 0.2393;
   * WiSE-FT only traded it for in-domain score, every 0.004 kept costing ≈ 0.015). Same 300 / 100
   * split, 882 mined samples plus N pairs (dev nDCG@10 / SciFact train nDCG@10): 0 → 0.451 / 0.2393;
   * 300 → 0.450 / 0.2387; 600 → 0.440 / 0.2506; 900 → 0.459 / 0.2547 (another draw of 900: 0.447 /
   * 0.2517); 1,800 → 0.439 / 0.2519; the 900 pairs alone → 0.358 / 0.2595 — the corpus pairs keep the
   * query tower general and give no in-domain gain themselves (the studies report them alone as the
   * `cloze` row). Dev evidence recall (reader / oracle:careful, base 0.710 / 0.780): 0.755 / 0.830
   * without, 0.770 / 0.820 with 900 — within the noise of 100 questions.
   *
   * temperature 0.05: with the pairs mixed in, the InfoNCE temperature moved both dev scores on both
   * draws of 900 pairs (dev nDCG@10 / SciFact train nDCG@10; 0.02 → 0.459 / 0.2547 and 0.447 / 0.2517):
   * 0.05 → 0.469 / 0.2625 and 0.462 / 0.2622; 0.07 → 0.450 / 0.2613; 0.1 → 0.431 / 0.2515; 0.05 with
   * 20 passages a query 0.460 / 0.2621, with lr 2e-4 0.456 / 0.2568, with 6 epochs 0.451 / 0.2673; at
   * 0.02, 20 passages 0.436 / 0.2579, lr 2e-4 0.455 / 0.2393, 6 epochs 0.424 / 0.2620. Dev evidence
   * recall at 0.05: 0.745 / 0.840 (0.770 / 0.820 at 0.02; the noise of 100 questions).
   */
  use: { lr: 1e-4, epochs: 4, temperature: 0.05, trainSides: 'query', clozePairs: 1000 },
};

/**
 * The studies' encoder: USE-lite's whole query tower (`use`, trainSides query). Its training steps
 * multiply on the native BLAS (@lrat/trainer), which brought the in-domain study within its
 * 15-minute budget; `--encoder use-adapter` runs the linear adapters on frozen USE-lite.
 */
export const DEFAULT_STUDY_ENCODER = 'use';

/** " + N inverse-cloze pairs of the corpus" for descriptions of trained retrievers; empty without them. */
export function clozeLabel(pairs: number | undefined): string {
  return pairs ? ` + ${pairs} inverse-cloze pairs of the training corpus` : '';
}

/** ", WiSE-FT α …" for descriptions of trained retrievers; empty when α is 1 (the trained weights). */
export function wiseFtLabel(alpha: number | undefined): string {
  return alpha === undefined || alpha === 1 ? '' : `, WiSE-FT α ${alpha}`;
}

export function studyTraining(encoder: string): StudyTraining {
  return STUDY_TRAINING[encoder] ?? {};
}

export function studyLearningRate(encoder: string, explicit?: number): number | undefined {
  return explicit ?? studyTraining(encoder).lr;
}

/** The workspace root (apps/bench/src or apps/bench/dist → ../../..). */
export function workspaceRoot(): string {
  return path.resolve(__dirname, '..', '..', '..');
}

export function defaultOptions(root = workspaceRoot()): BenchOptions {
  return {
    dataset: path.join(root, 'data', 'multihop-wiki'),
    oodDataset: path.join(root, 'data', 'scifact'),
    // The text-only reader is the agent the conclusions rest on; the oracle reads the qrels and is
    // kept beside it as a labelled reference (greedy and shallow oracles: --agents).
    agents: ['reader', 'oracle:careful'],
    // The one line that switches every study's encoder (e.g. to a fine-tuned transformer).
    encoder: DEFAULT_STUDY_ENCODER,
    trainSides: studyTraining(DEFAULT_STUDY_ENCODER).trainSides,
    seed: 13,
    seeds: 1,
    // 400 train questions (of 880) keep `npm run bench:in-domain` in about 15 minutes on 2 CPU cores;
    // the 220 held-out questions are all evaluated. --limit raises or lowers both.
    limit: 400,
    testFraction: 0.2,
    judge: 'rule',
    answerJudge: 'em',
    epochs: studyTraining(DEFAULT_STUDY_ENCODER).epochs ?? DEFAULT_STUDY_EPOCHS,
    batchSize: 32,
    lr: studyLearningRate(DEFAULT_STUDY_ENCODER),
    temperature: studyTraining(DEFAULT_STUDY_ENCODER).temperature,
    groupSize: studyTraining(DEFAULT_STUDY_ENCODER).groupSize,
    wiseFt: studyTraining(DEFAULT_STUDY_ENCODER).wiseFt,
    clozePairs: studyTraining(DEFAULT_STUDY_ENCODER).clozePairs,
    loops: 3,
    concurrency: 8,
    timeoutSeconds: 300,
    resamples: 2000,
    cacheDir: process.env.LRAT_CACHE_DIR ? path.resolve(process.env.LRAT_CACHE_DIR) : path.join(root, '.lrat-cache'),
  };
}

/** Parses `--agents a,b,c` (commas or repeated flags), dropping blanks and duplicates. */
export function parseAgentList(value: string | string[] | undefined): string[] {
  const raw = (Array.isArray(value) ? value : [value ?? '']).flatMap((v) => String(v).split(','));
  return [...new Set(raw.map((s) => s.trim()).filter((s) => s.length > 0))];
}

/** The configuration as recorded in report.json (never the API key). */
export function recordedConfig(job: JobName, o: BenchOptions): Record<string, unknown> {
  const { dryRun: _dryRun, ...rest } = o;
  return { job, ...rest, agents: o.agents.join(',') };
}
