import type { LratSample, MineSummary } from '@lrat/miners';
import type { Encoder } from '@lrat/trainer';
import type { TrajectoryInputError } from '@lrat/trajectory';

// Types the stages exchange; `real-stack.ts` binds them to @lrat/agents, evaluation, miners, weighting, trainer
// and indexer (BenchStack is its type).

/** An encoder of @lrat/trainer and how its weights came about (recorded in the report). */
export interface BenchEncoder {
  readonly encoder: Encoder;
  readonly description: string;
}

export type ProgressFn = (done: number, total: number, info?: string) => void;

/** One mining pass's files: `<dir>/trajectories/<name>.jsonl` in, `<dir>/mined/<name>.jsonl` (and `.stats.json`) out. */
export interface MineFiles {
  dir: string;
  name: string;
}

/** One `lrat mine` run (@lrat/miners' mineToFile) and what `lrat train` reads back from its output. */
export interface MineResult {
  /** Every row written, as `lrat train --include-unsatisfied` reads them, LRAT fields kept. */
  rows: LratSample[];
  /** The rows `lrat train` trains on: the satisfied ones, weights as written. */
  samples: LratSample[];
  /** Counts and weight statistics of the run (also in the stats file). */
  summary: MineSummary;
  /** Each skipped file, dropped trajectory or truncated line (kind, file, line, field). */
  issues: TrajectoryInputError[];
  judge: string;
  files: { trajectories: string; samples: string; stats: string };
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
  /** WiSE-FT α (undefined = 1: the trained weights). */
  wiseFt?: number;
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
