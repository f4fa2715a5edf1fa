import type { LratSample } from '@lrat/core';
import type { ReadItem, Trajectory, TrajectoryInputError } from '@lrat/trajectory';
import { LengthAccumulator, reasoningLengthScheme, schemeByName, weightStatsFromColumns, type WeightingScheme, type WeightStats } from '@lrat/weighting';
import { mineAll, type MineOptions } from './mine-all';
import { writtenInOutput } from './sample-writer';

// The one mining entry point in memory: trajectories → official miner (judge, reasoning lengths) →
// run-wide weights → the samples `lrat mine` writes, in its order, with its per-trajectory issues.
// `lrat mine` streams the same steps to a file (mine-to-file.ts, sharing IssueTally, the weighting
// scheme and writtenInOutput); the bench trains on what this returns.

export interface MineSamplesOptions extends MineOptions {
  /** Weighting scheme or its name (reasoning-length, uniform, linear-capped[:cap]); default the official one. */
  weighting?: string | WeightingScheme;
  /** Keep only samples the judge called RELEVANT (weights are still computed over all of them). */
  satisfiedOnly?: boolean;
  /** Stop at the first broken trajectory instead of reporting it (truncated lines never stop a run). */
  strict?: boolean;
  /** Trajectories judged concurrently (LLM judge). */
  concurrency?: number;
  /** Each skipped file, dropped trajectory or truncated line, as it happens. */
  onIssue?: (e: TrajectoryInputError) => void;
}

export interface IssueCounts {
  /** Trajectories mined (including those that yielded no sample). */
  trajectories: number;
  skipped: number;
  dropped: number;
  truncated: number;
}

export interface MinedSamples extends IssueCounts {
  /** The weighted samples exactly as `lrat mine` writes them (same options), in input order. */
  samples: (LratSample & { reweight_rate: number })[];
  /** Every problem met, structured (kind, file, line, field, reason), in input order. */
  issues: TrajectoryInputError[];
  /** Samples mined before any was left out (the weights are computed over all of them). */
  mined: number;
  /** Samples left out because their negative list is empty (FlagEmbedding cannot load them). */
  withoutNegatives: number;
  stats: WeightStats;
}

/** Counts a run's trajectories and issues the way `lrat mine` reports them; throws under `strict`. */
export class IssueTally {
  readonly counts: IssueCounts = { trajectories: 0, skipped: 0, dropped: 0, truncated: 0 };
  constructor(private readonly o: { strict?: boolean; onIssue?: (e: TrajectoryInputError) => void }) {}
  mined(): void {
    this.counts.trajectories++;
  }
  issue(e: TrajectoryInputError): void {
    this.counts[e.kind]++;
    if (this.o.strict && e.kind !== 'truncated') throw e;
    this.o.onIssue?.(e);
  }
}

export function weightingScheme(w: string | WeightingScheme | undefined): WeightingScheme {
  return w === undefined ? reasoningLengthScheme : typeof w === 'string' ? schemeByName(w) : w;
}

/** Mine, judge and weight trajectories (or reader items): the samples `lrat mine` would write for them. */
export async function mineSamples(input: AsyncIterable<ReadItem | Trajectory> | Iterable<ReadItem | Trajectory>, opts: MineSamplesOptions): Promise<MinedSamples> {
  const issues: TrajectoryInputError[] = [];
  const tally = new IssueTally({
    strict: opts.strict,
    onIssue: (e) => {
      issues.push(e);
      opts.onIssue?.(e);
    },
  });
  const all: LratSample[] = [];
  const lens = new LengthAccumulator();
  for await (const m of mineAll(input, opts)) {
    if (!m.ok) {
      tally.issue(m.error);
      continue;
    }
    tally.mined();
    for (const s of m.samples) {
      all.push(s);
      lens.add(s.reasoning_len);
    }
  }
  const weights = weightingScheme(opts.weighting).weights(lens.lengths());
  const samples: MinedSamples['samples'] = [];
  let withoutNegatives = 0;
  all.forEach((s, i) => {
    if (s.neg_id.length === 0) withoutNegatives++;
    if (writtenInOutput(s.neg_id.length, s.satisfied, opts.satisfiedOnly)) samples.push({ ...s, reweight_rate: weights[i] });
  });
  const stats = weightStatsFromColumns({
    lens: all.map((s) => s.reasoning_len),
    satisfied: all.map((s) => s.satisfied),
    negatives: all.map((s) => s.neg_id.length),
    weights,
  });
  return { ...tally.counts, samples, issues, mined: all.length, withoutNegatives, stats };
}
