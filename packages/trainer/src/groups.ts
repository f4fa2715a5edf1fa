import type { TrainingSample } from '@lrat/core';
import type { Rng } from './rng';

// Training reads the record `lrat mine` writes (and the bench mines) as it is: query, pos, neg and
// its reweight_rate; the other fields ride along unread.
export type { TrainingSample };

export interface Group {
  query: string;
  /** Positive first, then the sampled negatives. */
  passages: string[];
  weight: number;
}

/**
 * One positive (drawn uniformly) and groupSize − 1 negatives drawn without replacement — from the
 * negative list repeated enough times when it is shorter, as the official FlagEmbedding dataset
 * does. A sample without negatives keeps just its positive and trains on in-batch negatives.
 */
export function sampleGroup(sample: TrainingSample, groupSize: number, rng: Rng): Group {
  if (sample.pos.length === 0) throw new Error('sampleGroup: sample has no positive');
  const pos = sample.pos[rng.int(sample.pos.length)];
  const want = groupSize - 1;
  let negs: string[] = [];
  if (want > 0 && sample.neg.length > 0) {
    const pool = sample.neg.length < want ? repeat(sample.neg, Math.ceil(want / sample.neg.length)) : sample.neg;
    negs = rng.sample(pool, want);
  }
  return { query: sample.query, passages: [pos, ...negs], weight: sample.reweight_rate ?? 1 };
}

function repeat<T>(items: readonly T[], times: number): T[] {
  const out: T[] = [];
  for (let i = 0; i < times; i++) out.push(...items);
  return out;
}

export interface BatchLayout {
  queries: string[];
  passages: string[];
  targets: number[];
  weights: number[];
}

/** Concatenates groups into the loss's layout: passages of all groups, target = each group's first row. */
export function layoutBatch(groups: readonly Group[]): BatchLayout {
  const out: BatchLayout = { queries: [], passages: [], targets: [], weights: [] };
  for (const g of groups) {
    out.queries.push(g.query);
    out.targets.push(out.passages.length);
    out.passages.push(...g.passages);
    out.weights.push(g.weight);
  }
  return out;
}
