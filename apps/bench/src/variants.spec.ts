import { ablationVariants, ABLATION_STEPS } from './variants';
import type { LratSample } from '@lrat/miners';

const sample = (id: string, satisfied: boolean, len: number, w = 1): LratSample => ({
  query: `q ${id}`, pos: [`doc ${id}`], neg: ['n1', 'n2'], pos_id: [id], neg_id: ['n1', 'n2'], reasoning_len: len, satisfied, reweight_rate: w,
});

describe('ablation variants', () => {
  const all = [sample('a', true, 10), sample('b', false, 2), sample('c', true, 40)];
  const weighted = [sample('a', true, 10, 0.6), sample('c', true, 40, 1.4)];
  const v = ablationVariants(all, weighted);

  it('follows the paper order', () => {
    expect(v.map((x) => x.name)).toEqual([...ABLATION_STEPS]);
  });

  it('naive browse keeps every browse without hard negatives or weights', () => {
    expect(v[0].samples.map((s) => s.pos_id[0])).toEqual(['a', 'b', 'c']);
    expect(v[0].samples.every((s) => s.neg_id.length === 0 && s.neg.length === 0 && s.reweight_rate === 1)).toBe(true);
    expect(v[0].weighted).toBe(false);
  });

  it('adds unbrowsed negatives, then the judge filter, then the weights', () => {
    expect(v[1].samples.map((s) => s.neg_id.length)).toEqual([2, 2, 2]);
    expect(v[1].samples.map((s) => s.pos_id[0])).toEqual(['a', 'b', 'c']);
    expect(v[2].samples.map((s) => s.pos_id[0])).toEqual(['a', 'c']);
    expect(v[2].samples.map((s) => s.reweight_rate)).toEqual([1, 1]);
    expect(v[3].samples.map((s) => s.reweight_rate)).toEqual([0.6, 1.4]);
    expect(v[3].weighted).toBe(true);
  });

  it('never mutates the mined samples', () => {
    expect(all[0].neg_id).toEqual(['n1', 'n2']);
  });
});
