import { mapLimit } from './map-limit';

const later = <T>(value: T, ms: number) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe('mapLimit', () => {
  it('keeps at most `limit` calls in flight and returns results in item order', async () => {
    let live = 0;
    let most = 0;
    const fn = async ([value, ms]: [number, number], index: number) => {
      most = Math.max(most, ++live);
      const v = await later(value * 10 + index, ms);
      live--;
      return v;
    };
    const out = await mapLimit<[number, number], number>([[1, 40], [2, 5], [3, 5], [4, 20], [5, 1]], 2, fn);
    expect(out).toEqual([10, 21, 32, 43, 54]);
    expect(most).toBe(2);
    expect(await mapLimit<[number, number], number>([[7, 1]], 8, fn)).toEqual([70]);
    expect(await mapLimit([], 2, fn)).toEqual([]);
  });

  it('starts nothing after a failure and rejects with it', async () => {
    const started: number[] = [];
    const fn = async (i: number) => {
      started.push(i);
      await later(null, 5);
      if (i === 0) throw new Error(`item ${i} failed`);
      return i;
    };
    await expect(mapLimit([0, 1, 2, 3], 1, fn)).rejects.toThrow('item 0 failed');
    expect(started).toEqual([0]);
  });
});
