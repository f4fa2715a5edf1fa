import { autoMicroBatch, isOutOfMemory, transformerTapeBytes, WASM_TAPE_BUDGET } from './memory-budget';

describe('memory budget of a taped step', () => {
  it('leaves a side whole when it fits the budget, and otherwise fits as many of its largest texts as the budget holds', () => {
    expect(autoMicroBatch([100, 200, 300], 600)).toBe(0);
    expect(autoMicroBatch([100, 200, 300], 599)).toBe(1);
    expect(autoMicroBatch(Array.from({ length: 10 }, () => 100), 450)).toBe(4);
    // One text past the budget still runs, alone.
    expect(autoMicroBatch([5000, 10], 1000)).toBe(1);
    expect(autoMicroBatch([], 1)).toBe(0);
    expect(autoMicroBatch([0, 0, 0], 0)).toBe(0);
  });

  it('estimates the calibration points within a few percent, grows with tokens faster than linearly, and adds layers', () => {
    const use = [{ width: 512, heads: 4 }, { width: 512, heads: 4 }];
    const minilm = Array.from({ length: 6 }, () => ({ width: 384, heads: 12 }));
    const mb = (b: number) => b / 2 ** 20;
    expect(mb(transformerTapeBytes(use, 128))).toBeGreaterThan(36);
    expect(mb(transformerTapeBytes(use, 128))).toBeLessThan(44);
    expect(mb(transformerTapeBytes(minilm, 128))).toBeGreaterThan(240);
    expect(mb(transformerTapeBytes(minilm, 128))).toBeLessThan(300);
    expect(transformerTapeBytes(use, 128)).toBeGreaterThan(2 * transformerTapeBytes(use, 64));
    expect(transformerTapeBytes(use.slice(1), 128)).toBeCloseTo(transformerTapeBytes(use, 128) / 2, 0);
    // The default USE batch (32 queries × 10 passages at 128 tokens) does not fit whole; 11 short queries do.
    expect(autoMicroBatch(Array.from({ length: 320 }, () => transformerTapeBytes(use, 128)))).toBeGreaterThan(10);
    expect(autoMicroBatch(Array.from({ length: 320 }, () => transformerTapeBytes(use, 128)))).toBeLessThan(320);
    expect(autoMicroBatch(Array.from({ length: 32 }, () => transformerTapeBytes(use, 11)))).toBe(0);
    expect(WASM_TAPE_BUDGET).toBe(2 ** 30);
  });

  it('recognises the wasm heap running out and nothing else', () => {
    expect(isOutOfMemory(new Error('memory access out of bounds'))).toBe(true);
    expect(isOutOfMemory(new RangeError('Array buffer allocation failed'))).toBe(true);
    expect(isOutOfMemory(new Error('train: loss became NaN at step 3; lower --lr'))).toBe(false);
    expect(isOutOfMemory('memory access out of bounds')).toBe(true);
  });
});
