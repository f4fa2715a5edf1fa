import { applyReasoningWeights, LengthAccumulator, median, reasoningWeightParams } from './reasoning-weights';
import { linearCappedScheme, reasoningLengthScheme, schemeByName, uniformScheme } from './alternatives';
import { weightStats } from './stats';
import type { TrainingSample } from '@lrat/core';

type Weighable = Pick<TrainingSample, 'reasoning_len' | 'reweight_rate'>;

describe('official reasoning-length weighting', () => {
  it('β is the median of positive lengths and weights average 1 over them', () => {
    const s: Weighable[] = [{ reasoning_len: 10 }, { reasoning_len: 0 }, { reasoning_len: 30 }, { reasoning_len: null }, { reasoning_len: 20 }, { reasoning_len: 40 }];
    const p = applyReasoningWeights(s);
    expect(p.beta).toBe(25); // even count: mean of the middle two
    expect(p.counted).toBe(4);
    expect(s[1].reweight_rate).toBe(1);
    expect(s[3].reweight_rate).toBe(1);
    const counted = [s[0], s[2], s[4], s[5]].map((x) => x.reweight_rate as number);
    expect(counted.reduce((a, b) => a + b, 0) / 4).toBeCloseTo(1, 12);
    // longer reasoning weighs more; len = β gives raw 0.5
    expect(counted[0]).toBeLessThan(counted[2]);
    expect(1 - Math.exp((-25 * Math.LN2) / p.beta)).toBeCloseTo(0.5, 15);
  });

  it('matches values computed by the official formula in CPython', () => {
    // python3: lens=[149,138,109,24]; hl=statistics.median(lens) → 123.5; raw=[1-math.exp(-l*math.log(2)/hl) ...]
    const s: Weighable[] = [149, 138, 109, 24].map((l) => ({ reasoning_len: l }));
    const p = applyReasoningWeights(s);
    expect(p.beta).toBe(123.5);
    expect(s[3].reweight_rate as number).toBeCloseTo(0.2983869190520762, 12);
  });

  it('no positive length: β = 1 and every weight is 1', () => {
    const s: Weighable[] = [{ reasoning_len: 0 }, { reasoning_len: null }];
    expect(applyReasoningWeights(s)).toEqual({ beta: 1, meanRaw: 1, counted: 0 });
    expect(s.map((x) => x.reweight_rate)).toEqual([1, 1]);
  });

  it('the streaming accumulator gives the same parameters', () => {
    const lens = Array.from({ length: 5000 }, (_, i) => (i * 7919) % 301);
    const acc = new LengthAccumulator();
    lens.forEach((l) => acc.add(l));
    expect(acc.params()).toEqual(reasoningWeightParams(lens));
    expect(median([3, 1, 2])).toBe(2);
  });
});

describe('alternative schemes', () => {
  it('uniform and linear-capped', () => {
    expect(Array.from(uniformScheme.weights([5, 0, 9]))).toEqual([1, 1, 1]);
    const w = Array.from(linearCappedScheme(10).weights([5, 20, 0]));
    expect(w[0]).toBeCloseTo(0.5 / 0.75, 12);
    expect(w[1]).toBeCloseTo(1 / 0.75, 12);
    expect(w[2]).toBe(1);
    expect(schemeByName('linear-capped:10').name).toBe('linear-capped(10)');
    expect(schemeByName('official')).toBe(reasoningLengthScheme);
    expect(() => schemeByName('nope')).toThrow(/unknown weighting scheme/);
  });
});

describe('weightStats', () => {
  it('summarises samples', () => {
    const s: (Weighable & { satisfied: boolean; neg_id: string[] })[] = [
      { reasoning_len: 10, satisfied: true, neg_id: ['a', 'b'] },
      { reasoning_len: 30, satisfied: false, neg_id: [] },
      { reasoning_len: 0, satisfied: true, neg_id: ['c'] },
    ];
    applyReasoningWeights(s);
    const st = weightStats(s);
    expect(st.samples).toBe(3);
    expect(st.satisfied).toBe(2);
    expect(st.satisfiedShare).toBeCloseTo(2 / 3);
    expect(st.beta).toBe(20);
    expect(st.reasoningLength).toMatchObject({ count: 2, mean: 20, median: 20, min: 10, max: 30 });
    expect(st.samplesWithoutLength).toBe(1);
    expect(st.negatives).toMatchObject({ mean: 1, max: 2, min: 0 });
    expect(st.weight.count).toBe(3);
  });
});
