import { bootstrapMeanCi, holmAdjust, meanSd, stratifiedPairedBootstrap } from './stats';

describe('multi-seed statistics', () => {
  it('mean ± sample sd', () => {
    expect(meanSd([1, 2, 3, 4])).toEqual({ mean: 2.5, sd: Math.sqrt(5 / 3), n: 4 });
    expect(meanSd([0.7])).toEqual({ mean: 0.7, sd: 0, n: 1 });
  });

  it('Holm: sorted step-down multipliers, monotone, capped at 1, input order kept', () => {
    // Hand-computed: sorted 0.01, 0.02, 0.03, 0.5 × 4, 3, 2, 1 → 0.04, 0.06, 0.06 (monotone), 0.5.
    expect(holmAdjust([0.03, 0.5, 0.01, 0.02]).map((p) => +p.toFixed(10))).toEqual([0.06, 0.5, 0.04, 0.06]);
    expect(holmAdjust([0.4, 0.9])).toEqual([0.8, 0.9]);
    expect(holmAdjust([])).toEqual([]);
  });

  it('stratified paired bootstrap: a clear shift is significant, no shift is not, strata keep their weight', () => {
    const a = Array.from({ length: 40 }, (_, i) => (i % 5) / 5);
    const shifted = stratifiedPairedBootstrap([{ before: a, after: a.map((x) => x + 0.1) }, { before: a, after: a.map((x, i) => x + (i % 2 ? 0.2 : 0)) }], { seed: 1, resamples: 500 });
    expect(shifted.diff).toBeCloseTo(0.1, 10);
    expect(shifted.ciLow).toBeGreaterThan(0);
    expect(shifted.p).toBeLessThan(0.01);
    const none = stratifiedPairedBootstrap([{ before: a, after: a.map((x, i) => x + (i % 2 ? 0.1 : -0.1)) }], { seed: 1, resamples: 500 });
    expect(none.ciLow).toBeLessThan(0);
    expect(none.ciHigh).toBeGreaterThan(0);
    expect(none.p).toBeGreaterThan(0.2);
    expect(() => stratifiedPairedBootstrap([{ before: [1], after: [] }])).toThrow(/1 values before vs 0 after/);
  });

  it('bootstrap CI of a mean brackets it', () => {
    const v = [0, 1, 0.5, 0.25, 0.75, 1, 0];
    const [lo, hi] = bootstrapMeanCi(v, { seed: 2, resamples: 400 });
    const m = v.reduce((x, y) => x + y) / v.length;
    expect(lo).toBeLessThan(m);
    expect(hi).toBeGreaterThan(m);
  });
});
