import type { WeightedSample } from '@lrat/miners';
import type { Trajectory } from '@lrat/trajectory';
import type { Agent, AnswerJudge, CorpusDoc, DocumentStore, Question, Searcher } from '@lrat/harness';
import type { TextEmbedder } from '@lrat/indexer';

// What the jobs need from the packages they orchestrate, as one narrow interface. `real-stack.ts`
// binds it to @lrat/harness, miners, weighting, trainer and indexer; `testing/` holds a double for
// fast tests of the orchestration itself. Jobs never import the packages' internals.

/** A training sample in the FlagEmbedding format plus the LRAT extras (docs/lrat-algorithm.md §2). */
export type TrainingSample = WeightedSample;

/** A dense encoder the trainer can fine-tune and the indexer can embed with. */
export interface BenchEncoder extends TextEmbedder {
  /** How the weights came about (recorded in the report). */
  readonly description: string;
}

export type ProgressFn = (done: number, total: number, info?: string) => void;

export interface MineResult {
  samples: TrainingSample[];
  trajectories: number;
  /** Trajectories dropped by the miner (malformed), with reasons. */
  dropped: number;
  judge: string;
}

export interface TrainResult {
  encoder: BenchEncoder;
  steps: number;
  seconds: number;
  backend: string;
  finalLoss: number | null;
}

export interface TrainSettings {
  epochs: number;
  batchSize: number;
  /** undefined = the trainer's default for the encoder kind. */
  lr?: number;
  seed: number;
  /** Use reweight_rate in the loss (false = plain mean InfoNCE). */
  weighted: boolean;
  /** Stop after this many optimizer steps (epochs then only bound the data passes). */
  maxSteps?: number;
  /** Where the trained model (and its metrics.jsonl) is written. */
  outDir: string;
  onProgress?: ProgressFn;
}

export interface AgentSettings {
  seed: number;
  baseUrl?: string;
  model?: string;
}

export interface BenchStack {
  /** Package versions and the compute backend, for provenance. */
  versions(): Record<string, string>;
  /** The pretrained encoder the study starts from: `--encoder` kind, or the `--retriever` folder when given. */
  baseEncoder(kind: string, retrieverDir?: string): Promise<BenchEncoder>;
  /** An exact dense index of the corpus under an encoder. */
  denseSearcher(encoder: BenchEncoder, corpus: readonly CorpusDoc[], onProgress?: ProgressFn): Promise<Searcher>;
  bm25Searcher(corpus: readonly CorpusDoc[], onProgress?: ProgressFn): Promise<Searcher>;
  /** BM25 fused with a dense searcher: normalised scores weighted denseWeight : 1 − denseWeight, or RRF without a weight. */
  hybridSearcher(bm25: Searcher, dense: Searcher, denseWeight?: number): Searcher;
  /** Agents for the specs (`careful`, `openai`, ...) over one corpus; throws naming an unknown spec. */
  agents(specs: readonly string[], settings: AgentSettings, documents: DocumentStore): Promise<Agent[]>;
  /** Judge of every agent's final answers, as `--answer-judge` says (em, f1, or an LLM at --judge-base-url). */
  answerJudge(): AnswerJudge;
  /** Mines LRAT samples with the official miner; `judge` none keeps every browse unjudged-as-satisfied. */
  mine(trajectories: readonly Trajectory[], corpus: ReadonlyMap<string, CorpusDoc>, judge: 'rule' | 'llm' | 'none', settings: AgentSettings): Promise<MineResult>;
  /** Official reasoning-length weights over all samples of a run. */
  weigh(samples: readonly TrainingSample[]): TrainingSample[];
  /** Click-model logs on the same result lists, mined the human way (clicked = pos, skipped = neg). */
  clickSamples(trajectories: readonly Trajectory[], questions: readonly Question[], corpus: ReadonlyMap<string, CorpusDoc>, seed: number): TrainingSample[];
  /** Trains a fresh copy of the base encoder; model files go to `settings.outDir`. */
  train(base: BenchEncoder, samples: readonly TrainingSample[], settings: TrainSettings): Promise<TrainResult>;
}
