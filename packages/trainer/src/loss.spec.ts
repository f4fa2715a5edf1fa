import * as tf from '@tensorflow/tfjs';
import { selectBackend } from './backend/select-backend';
import { weightedInfoNce } from './loss';
import { layoutBatch, sampleGroup } from './groups';
import { Rng } from './rng';

beforeAll(async () => {
  await selectBackend({ prefer: 'wasm', strict: true, env: {}, log: () => undefined });
});

// Two queries; query 0's group is [its positive, one negative], query 1 has no negatives, so the
// score matrix is 2 × 3 and query 1 learns only from the in-batch passages of query 0.
const Q = [
  [1, 0],
  [0, 1],
];
const P = [
  [0.6, 0.8], // q0's positive
  [1, 0], // q0's hard negative
  [0, 1], // q1's positive
];
const targets = [0, 2];

describe('weighted InfoNCE', () => {
  it('gives a zero loss and zero gradient for a batch of one sample without negatives (one passage)', () => {
    const q = tf.variable(tf.tensor2d([[0.6, 0.8]]));
    const { value, grads } = tf.variableGrads(() =>
      weightedInfoNce({ queries: q, passages: tf.tensor2d([[1, 0]]), targets: [0], weights: [1.3], temperature: 0.02 }),
    );
    expect(value.dataSync()[0]).toBeCloseTo(0, 6);
    expect(Array.from(grads[q.name].dataSync()).map((x) => Math.abs(x))).toEqual([0, 0]);
    expect(() => weightedInfoNce({ queries: q, passages: tf.tensor2d([[1, 0]]), targets: [1], temperature: 0.02 })).toThrow(/target 1/);
    q.dispose();
  });

  it('matches the hand-computed value on a 2 × 3 example with weights and in-batch terms', () => {
    // τ = 0.5: row 0 scores [1.2, 2, 0], row 1 scores [1.6, 0, 2].
    const ce0 = Math.log(Math.exp(1.2) + Math.exp(2) + Math.exp(0)) - 1.2; // 1.26039
    const ce1 = Math.log(Math.exp(1.6) + Math.exp(0) + Math.exp(2)) - 2; // 0.59094
    expect(ce0).toBeCloseTo(1.2604, 4);
    expect(ce1).toBeCloseTo(0.5909, 4);
    const loss = (w?: number[]) => weightedInfoNce({ queries: tf.tensor2d(Q), passages: tf.tensor2d(P), targets, weights: w, temperature: 0.5 }).dataSync()[0];
    // Σ wᵢ·CEᵢ / Σ wᵢ = (2·1.26039 + 0.5·0.59094) / 2.5
    expect(loss([2, 0.5])).toBeCloseTo((2 * ce0 + 0.5 * ce1) / 2.5, 5);
    expect(loss([2, 0.5])).toBeCloseTo(1.1265, 4);
    expect(loss()).toBeCloseTo((ce0 + ce1) / 2, 5);
    // Equal weights are the plain mean; a zero weight removes a sample.
    expect(loss([3, 3])).toBeCloseTo(loss(), 5);
    expect(loss([1, 0])).toBeCloseTo(ce0, 5);
  });

  it('uses the official temperature 0.02 the same way', () => {
    const l = weightedInfoNce({ queries: tf.tensor2d(Q), passages: tf.tensor2d(P), targets, temperature: 0.02 }).dataSync()[0];
    // Row 0: the negative (score 50) beats the positive (30) by 20; row 1: the positive (50) beats 40 by 10.
    const ce0 = Math.log(Math.exp(30 - 50) + 1 + Math.exp(-50)) - (30 - 50);
    const ce1 = Math.log(Math.exp(40 - 50) + Math.exp(-50) + 1) - 0;
    expect(l).toBeCloseTo((ce0 + ce1) / 2, 3);
  });

  it('has gradients that agree with central finite differences', async () => {
    await selectBackend({ prefer: 'cpu', strict: true, env: {}, log: () => undefined });
    try {
      const q0 = [0.3, -0.2, 0.5, 0.1, -0.4, 0.2];
      const p0 = [0.1, 0.7, -0.3, 0.2, 0.4, -0.6, 0.9, 0.05, 0.3];
      const f = (q: tf.Tensor, p: tf.Tensor) =>
        weightedInfoNce({ queries: q as tf.Tensor2D, passages: p as tf.Tensor2D, targets: [0, 2], weights: [2, 0.5], temperature: 0.5 });
      const [gq, gp] = tf.grads(f)([tf.tensor2d(q0, [2, 3]), tf.tensor2d(p0, [3, 3])]).map((g) => Array.from(g.dataSync()));
      const value = (q: number[], p: number[]) => f(tf.tensor2d(q, [2, 3]), tf.tensor2d(p, [3, 3])).dataSync()[0];
      const h = 1e-2;
      q0.forEach((_, i) => {
        const up = q0.slice(); up[i] += h;
        const dn = q0.slice(); dn[i] -= h;
        expect(gq[i]).toBeCloseTo((value(up, p0) - value(dn, p0)) / (2 * h), 3);
      });
      p0.forEach((_, i) => {
        const up = p0.slice(); up[i] += h;
        const dn = p0.slice(); dn[i] -= h;
        expect(gp[i]).toBeCloseTo((value(q0, up) - value(q0, dn)) / (2 * h), 3);
      });
    } finally {
      await selectBackend({ prefer: 'wasm', strict: true, env: {}, log: () => undefined });
    }
  });

  it('rejects mismatched targets and weights', () => {
    expect(() => weightedInfoNce({ queries: tf.tensor2d(Q), passages: tf.tensor2d(P), targets: [0], temperature: 1 })).toThrow(/1 targets for 2 queries/);
    expect(() => weightedInfoNce({ queries: tf.tensor2d(Q), passages: tf.tensor2d(P), targets, weights: [1], temperature: 1 })).toThrow(/1 weights/);
  });
});

describe('groups', () => {
  it('draws group − 1 distinct negatives when there are enough', () => {
    const g = sampleGroup({ query: 'q', pos: ['p'], neg: ['a', 'b', 'c', 'd', 'e'] }, 4, new Rng(1));
    expect(g.passages[0]).toBe('p');
    expect(new Set(g.passages.slice(1)).size).toBe(3);
    expect(g.weight).toBe(1);
  });

  it('repeats a short negative list as the official dataset does, and keeps a sample without negatives', () => {
    const g = sampleGroup({ query: 'q', pos: ['p'], neg: ['a', 'b'], reweight_rate: 0.7 }, 10, new Rng(2));
    expect(g.passages).toHaveLength(10);
    const counts = new Map<string, number>();
    for (const x of g.passages.slice(1)) counts.set(x, (counts.get(x) ?? 0) + 1);
    // 9 drawn without replacement from [a, b] × 5: each appears 4 or 5 times.
    expect([...counts.values()].sort()).toEqual([4, 5]);
    expect(g.weight).toBe(0.7);
    expect(sampleGroup({ query: 'q', pos: ['p'], neg: [] }, 10, new Rng(3)).passages).toEqual(['p']);
  });

  it('lays groups out with each target at its own positive', () => {
    const layout = layoutBatch([
      { query: 'q0', passages: ['p0', 'n0'], weight: 2 },
      { query: 'q1', passages: ['p1'], weight: 0.5 },
    ]);
    expect(layout).toEqual({ queries: ['q0', 'q1'], passages: ['p0', 'n0', 'p1'], targets: [0, 2], weights: [2, 0.5] });
  });
});
