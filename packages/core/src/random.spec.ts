import { createRng, hashString } from './random';

describe('createRng', () => {
  it('repeats a stream for the same seed and labels, and gives another label its own stream', () => {
    const draw = (...labels: string[]) => {
      const rng = createRng(7, ...labels);
      return Array.from({ length: 5 }, () => rng.next());
    };
    expect(draw('q1')).toEqual(draw('q1'));
    expect(draw('q1')).not.toEqual(draw('q2'));
    expect(draw('q1', 'a')).not.toEqual(draw('q1a'));
  });

  it('draws integers in range, shuffles to a permutation and refuses to pick from nothing', () => {
    const rng = createRng('seed');
    const ints = Array.from({ length: 200 }, () => rng.int(3));
    expect(new Set(ints)).toEqual(new Set([0, 1, 2]));
    const items = [1, 2, 3, 4, 5, 6];
    expect(rng.shuffle(items).sort()).toEqual(items);
    expect(() => rng.pick([])).toThrow(/empty/);
  });

  it('hashes with 32-bit FNV-1a', () => {
    // Published FNV-1a test vectors.
    expect(hashString('')).toBe(0x811c9dc5);
    expect(hashString('a')).toBe(0xe40c292c);
  });
});
