import { inBackground } from './pipeline';

const later = <T>(value: T, ms: number) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

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
