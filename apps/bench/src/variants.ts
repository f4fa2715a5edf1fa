import type { LratSample } from '@lrat/miners';

// The ablation's supervision variants, built from ONE mining pass so that they differ only in what
// the paper's fig. 7 adds step by step. Pure functions over mined samples.

export const ABLATION_STEPS = ['naive-browse', '+unbrowsed-neg', '+judge', '+reweight'] as const;
export type AblationStep = (typeof ABLATION_STEPS)[number];

export interface Variant {
  name: AblationStep;
  samples: LratSample[];
  /** Whether the loss uses reweight_rate. */
  weighted: boolean;
  description: string;
}

/**
 * `all`: every mined browse (satisfied or not, judge verdict kept in `satisfied`); `weighted`: the
 * judge-kept samples with reasoning-length weights (the full LRAT set).
 */
export function ablationVariants(all: readonly LratSample[], weighted: readonly LratSample[]): Variant[] {
  const unit = (s: LratSample): LratSample => ({ ...s, reweight_rate: 1 });
  return [
    {
      name: 'naive-browse',
      samples: all.map((s) => ({ ...unit(s), neg: [], neg_id: [] })),
      weighted: false,
      description: 'every browsed doc is a positive; in-batch negatives only; no judge, no weight',
    },
    {
      name: '+unbrowsed-neg',
      samples: all.map(unit),
      weighted: false,
      description: 'every browsed doc is a positive; + unbrowsed (and rejected) results as hard negatives',
    },
    {
      name: '+judge',
      samples: all.filter((s) => s.satisfied).map(unit),
      weighted: false,
      description: '+ only browses the judge calls RELEVANT are positives',
    },
    {
      name: '+reweight',
      samples: [...weighted],
      weighted: true,
      description: '+ reasoning-length weights in the loss (full LRAT)',
    },
  ];
}
