// The data shape of a benchmark report. `report.json` is exactly a `BenchReport`; `report.md` and
// `report.html` are pure renderings of it. Every number carries (directly or through its row) the
// way it was produced, so a reader never has to guess whether a result is simulated.

export const REPORT_SCHEMA = 'lrat-report/1' as const;

export type AgentBackendKind = 'simulated' | 'openai' | 'replay' | 'click';
export type Split = 'train' | 'test';

/** One agent of the run, as the report names it in `runs[].agent`. */
export interface AgentProvenance {
  name: string;
  backend: AgentBackendKind;
  /** True for every agent whose behaviour is modelled rather than produced by an LLM. */
  simulated: boolean;
  profile?: string;
  model?: string;
  baseUrl?: string;
  /** True for the oracle profiles: their decisions read the qrels (gold evidence). */
  readsLabels?: boolean;
  /** What the agent may see, in one sentence. */
  sees?: string;
}

/** A retriever of the run, as the report names it in `runs[].retriever`. */
export interface RetrieverProvenance {
  name: string;
  /** 'dense' (encoder + FAISS index) or 'bm25'. */
  kind: 'dense' | 'bm25' | string;
  encoder?: { id: string; version: string; dim?: number };
  index?: string;
  /** How the retriever came about, e.g. "use-adapter trained on 1,234 LRAT samples from train trajectories". */
  description: string;
}

export interface DatasetProvenance {
  name: string;
  dir: string;
  corpusDocs: number;
  questions: number;
  trainQuestions?: number;
  testQuestions?: number;
  /** Seed of the train/test question split. */
  splitSeed?: number;
}

export interface ReportProvenance {
  job: string;
  runId: string;
  createdAt: string;
  durationSeconds: number;
  seed: number;
  /** Every seed the study was repeated with (split, training and agent randomness). */
  seeds?: number[];
  /** True when every agent of the run is simulated: every agent number is then labelled "simulated". */
  simulated: boolean;
  agents: AgentProvenance[];
  retrievers: RetrieverProvenance[];
  datasets: DatasetProvenance[];
  /** How answers were judged and how browses were judged while mining. */
  judges: { answer: string; mining: string };
  /** node, package versions, tfjs backend. */
  versions: Record<string, string>;
  host: { platform: string; arch: string; cpus: number };
  /** The resolved job configuration (flags and defaults), secrets excluded. */
  config: Record<string, unknown>;
}

/** Agent-level metrics of one (agent, retriever, split) run, averaged over its questions. */
export interface RunRow {
  agent: string;
  retriever: string;
  split: Split;
  dataset: string;
  questions: number;
  /** Share of a question's gold evidence docs seen in any result list of its trajectory, averaged. */
  evidence_recall: number;
  /** Share of questions answered correctly (judge named in provenance.judges.answer); null when the data set has no gold answers. */
  success: number | null;
  /** Tool calls per question (searches + browses). */
  steps: number;
  search_calls: number;
  browse_calls: number;
  /** Retrieval nDCG@10 of the retriever on this split's raw questions (null when not measured). */
  ndcg_at_10: number | null;
  recall_at_100?: number | null;
  /** Answer exact match and token F1 against the gold answer (null when the data set has none). */
  exact_match?: number | null;
  f1?: number | null;
  /** Seed of this run (split, training and agent randomness). */
  seed?: number;
  /** Flywheel arm: "more-data" (pooled fresh questions, fixed steps) or "more-steps" (loop 1's data, more steps). */
  arm?: string;
  /** Flywheel loop (0 = before any training) when the run belongs to a flywheel. */
  loop?: number;
  simulated: boolean;
  /** One sentence: how this row was produced. */
  how: string;
}

/** A paired before/after difference with its bootstrap confidence interval. */
export interface DifferenceRow {
  agent: string;
  split: Split;
  dataset: string;
  metric: 'evidence_recall' | 'success' | 'steps' | 'search_calls' | 'browse_calls' | string;
  baseline: string;
  treatment: string;
  before: number;
  after: number;
  delta: number;
  /** delta / before (null when before is 0). */
  relative: number | null;
  ci95: [number, number];
  resamples: number;
  questions: number;
  /** Seeds pooled (the bootstrap resamples questions within each seed). */
  seeds?: number[];
  /** Two-sided bootstrap p-value, and Holm-adjusted over the agent × metric comparisons of this baseline → treatment. */
  p_value?: number;
  p_holm?: number;
  /** p_holm < 0.05. */
  significant?: boolean;
}

/** One metric of one (agent, retriever, split) averaged over seeds. */
export interface AggregateRow {
  agent: string;
  retriever: string;
  split: Split;
  dataset: string;
  metric: string;
  mean: number;
  sd: number;
  seeds: number;
  /** Percentile bootstrap 95 % CI of the mean over questions, resampled within each seed. */
  ci95?: [number, number];
  loop?: number;
  arm?: string;
}

/** BEIR-style retrieval metrics of one retriever on one dataset split (raw questions as queries). */
export interface RetrievalRow {
  retriever: string;
  dataset: string;
  split: Split;
  queries: number;
  ndcg_at_10: number;
  recall_at_100: number;
  /** Bootstrap 95 % CIs over queries. */
  ndcg_ci95?: [number, number];
  recall_ci95?: [number, number];
  seed?: number;
  loop?: number;
  how: string;
}

export interface HistogramBin {
  lo: number;
  hi: number;
  count: number;
}

/** Distribution of LRAT sample weights (reweight_rate) of one mined training set. */
export interface WeightDistribution {
  name: string;
  samples: number;
  /** β: median positive reasoning length (docs/lrat-algorithm.md §4). */
  halfLife: number;
  mean: number;
  min: number;
  max: number;
  bins: HistogramBin[];
  how: string;
}

/** Agent behaviour statistics of one agent (profile), to compare with the paper's Table 1 / fig. 4. */
export interface CalibrationRow {
  agent: string;
  simulated: boolean;
  tasks: number;
  solved: { tasks: number; searches: number; browses: number; ratio: number };
  failed: { tasks: number; searches: number; browses: number; ratio: number };
  /** Share of browses that hit ranks 1..10 (index 0 = rank 1). */
  browseRankShare: number[];
  /** Mean post-browse reasoning length (whitespace tokens) after evidence / non-evidence docs. */
  reasoningLen: { evidence: number; nonEvidence: number };
  how: string;
}

/** What the paper measured on real agents, as ranges over its agents. */
export interface PaperAgentBehaviour {
  source: string;
  solved: { searches: [number, number]; browses: [number, number]; ratio: [number, number] };
  failed: { ratio: number; note: string };
  browseRank: string;
  reasoningLen: string;
}

export interface TrainingSummary {
  retriever: string;
  samples: number;
  epochs: number;
  steps: number;
  seconds: number;
  backend: string;
  finalLoss: number | null;
  seed?: number;
  how: string;
}

export interface MiningSummary {
  retriever: string;
  trajectories: number;
  samples: number;
  /** Samples kept for training (after the judge filter, when there is one). */
  kept: number;
  meanNegatives: number;
  judge: string;
  /** Share of kept positives that are gold evidence (qrels read after mining, for the report only). */
  positivesGold?: number;
  seed?: number;
  how: string;
}

export interface BenchReport {
  schema: typeof REPORT_SCHEMA;
  title: string;
  provenance: ReportProvenance;
  runs: RunRow[];
  /** Mean ± sd across seeds of every run's metrics. */
  aggregates?: AggregateRow[];
  /** The report's opening paragraph: what the agents are and may see, which judge mined, where BM25 and gold stand. */
  summary?: string[];
  differences: DifferenceRow[];
  retrieval: RetrievalRow[];
  training: TrainingSummary[];
  mining: MiningSummary[];
  weights: WeightDistribution[];
  calibration?: { paper: PaperAgentBehaviour; rows: CalibrationRow[] };
  /** Retriever names of an ablation, in the order of its steps. */
  ablation?: { order: string[]; agent: string | 'mean' };
  /** Honest remarks: goals not met, fallbacks taken, anything a reader must know. */
  notes: string[];
}

/** Paths of the files a report was written to. */
export interface ReportFiles {
  dir: string;
  json: string;
  markdown: string;
  html: string;
  /** Per-question results (one row per agent × retriever × split × question). */
  csv?: string;
}
