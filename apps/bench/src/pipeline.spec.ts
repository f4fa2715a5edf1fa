import { inBackground, inParallel } from './pipeline';

const later = <T>(value: T, ms: number) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe('inParallel', () => {
  it('keeps at most `limit` tasks in flight and returns results in task order', async () => {
    let live = 0;
    let most = 0;
    const task = (value: number, ms: number) => async () => {
      most = Math.max(most, ++live);
      const v = await later(value, ms);
      live--;
      return v;
    };
    const out = await inParallel([task(1, 40), task(2, 5), task(3, 5), task(4, 20), task(5, 1)], 2);
    expect(out).toEqual([1, 2, 3, 4, 5]);
    expect(most).toBe(2);
    expect(await inParallel([task(7, 1)], 8)).toEqual([7]);
    expect(await inParallel([], 2)).toEqual([]);
  });

  it('starts nothing after a failure and rejects with it', async () => {
    const started: number[] = [];
    const task = (i: number, fail = false) => async () => {
      started.push(i);
      await later(null, 5);
      if (fail) throw new Error(`task ${i} failed`);
      return i;
    };
    await expect(inParallel([task(0, true), task(1), task(2), task(3)], 1)).rejects.toThrow('task 0 failed');
    expect(started).toEqual([0]);
  });
});

describe('inBackground', () => {
  it('reports a failure where the work is awaited, not as an unhandled rejection before', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const work = inBackground(Promise.reject(new Error('training failed')));
      await later(null, 20);
      expect(unhandled).toEqual([]);
      await expect(work).rejects.toThrow('training failed');
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
