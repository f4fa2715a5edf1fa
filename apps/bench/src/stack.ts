import type { MinedSamples } from '@lrat/miners';
import type { Encoder } from '@lrat/trainer';

// Types the stages exchange; `real-stack.ts` binds them to @lrat/agents, evaluation, miners, weighting, trainer
// and indexer (BenchStack is its type).

/** An encoder of @lrat/trainer and how its weights came about (recorded in the report). */
export interface BenchEncoder {
  readonly encoder: Encoder;
  readonly description: string;
}

export type ProgressFn = (done: number, total: number, info?: string) => void;

/** What @lrat/miners' mineSamples returns for the run (the samples `lrat mine` writes), and the judge's name. */
export interface MineResult extends MinedSamples {
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
  /** undefined = the trainer's default. */
  temperature?: number;
  /** undefined = the trainer's default. */
  groupSize?: number;
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
